#include "superbet/bus/live_feed.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "superbet/bus/topics.h"

namespace superbet::bus {
namespace {

namespace v1 = superbet::v1;

absl::Status CheckState(const v1::LiveMatchState& s) {
  if (s.match_id().empty()) return absl::InvalidArgumentError("state.match_id is empty");
  if (!s.has_minute()) return absl::InvalidArgumentError("state.minute is absent");
  if (s.minute() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("state.minute must be >= 0, got ", s.minute()));
  }
  return absl::OkStatus();
}

absl::Status Bad(const Entry& e, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(kMatchLive, " ", e.id, ": ", what));
}

}  // namespace

std::string LiveWindowKey(absl::string_view match_id, int minute) {
  return absl::StrCat("live:window:", match_id, ":", minute);
}

std::string LiveDecidedKey(absl::string_view match_id, int minute) {
  return absl::StrCat("live:decided:", match_id, ":", minute);
}

std::string LiveErrorKey(absl::string_view entry_id) {
  return absl::StrCat("live:error:", entry_id);
}

absl::StatusOr<Fields> LiveFeedFields(const v1::LiveMatchUpdate& update,
                                      absl::string_view provider) {
  const v1::LiveMatchState& s = update.state();
  if (absl::Status st = CheckState(s); !st.ok()) return st;
  Fields f = {{"match_id", s.match_id()},
              {"minute", absl::StrCat(s.minute())},
              {"update", update.SerializeAsString()},
              {"provider", std::string(provider)}};
  f.emplace_back("staleness_s", absl::StrCat(s.data_staleness_s()));
  return f;
}

absl::StatusOr<std::string> PublishLiveUpdate(Transport& transport,
                                              const v1::LiveMatchUpdate& update,
                                              absl::string_view provider,
                                              const LiveFeedOptions& options, absl::Time now) {
  absl::StatusOr<Fields> fields = LiveFeedFields(update, provider);
  if (!fields.ok()) return fields.status();
  const v1::LiveMatchState& s = update.state();
  // SET NX is not a queued write, so the two go as two calls; the window key first, so that no
  // consumer can read the entry before its state is in the window.
  absl::StatusOr<bool> set = transport.SetIfAbsent(LiveWindowKey(s.match_id(), s.minute()),
                                                   s.SerializeAsString(), options.window_ttl);
  if (!set.ok()) return set.status();
  const int64_t min_id_ms = now == absl::InfinitePast()
                                ? 0
                                : std::max<int64_t>(1, absl::ToUnixMillis(now - options.retention));
  return transport.Add(kMatchLive, *fields, min_id_ms);
}

absl::StatusOr<LiveFeedEntry> ParseLiveFeedEntry(const Entry& entry) {
  LiveFeedEntry out;
  out.id = entry.id;
  out.deliveries = entry.deliveries;
  int64_t ms = 0;
  if (!absl::SimpleAtoi(entry.id.substr(0, entry.id.find('-')), &ms)) {
    return Bad(entry, "id: not <ms>-<seq>");
  }
  out.time = absl::FromUnixMillis(ms);
  const std::string& bytes = entry.Field("update");
  if (bytes.empty() || !out.update.ParseFromString(bytes)) {
    return Bad(entry, "update: absent or not a LiveMatchUpdate");
  }
  if (absl::Status s = CheckState(out.update.state()); !s.ok()) return Bad(entry, s.message());
  int minute = -1;
  if (!absl::SimpleAtoi(entry.Field("minute"), &minute) || minute != out.update.state().minute()) {
    return Bad(entry, absl::StrCat("minute: field says \"", entry.Field("minute"),
                                   "\", state says ", out.update.state().minute()));
  }
  if (entry.Field("match_id") != out.update.state().match_id()) {
    return Bad(entry, absl::StrCat("match_id: field says \"", entry.Field("match_id"),
                                   "\", state says \"", out.update.state().match_id(), "\""));
  }
  out.provider = entry.Field("provider");
  return out;
}

absl::StatusOr<LiveFeedConsumer> LiveFeedConsumer::Create(Transport* transport,
                                                          LiveConsumerOptions options) {
  if (transport == nullptr) return absl::InvalidArgumentError("transport is null");
  if (options.consumer.empty()) return absl::InvalidArgumentError("consumer: empty");
  if (options.group.empty()) return absl::InvalidArgumentError("group: empty");
  if (options.batch < 1 || options.batch > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch must be in [1, 1000], got ", options.batch));
  }
  if (options.history_minutes < 0 || options.history_minutes > 200) {
    return absl::InvalidArgumentError(
        absl::StrCat("history_minutes must be in [0, 200], got ", options.history_minutes));
  }
  if (options.max_deliveries < 1 || options.max_deliveries > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_deliveries must be in [1, 100], got ", options.max_deliveries));
  }
  if (options.claim_idle <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim_idle must be > 0, got ", absl::FormatDuration(options.claim_idle)));
  }
  if (options.feed.window_ttl <= absl::ZeroDuration() ||
      options.feed.guard_ttl <= absl::ZeroDuration() ||
      options.feed.retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("feed.window_ttl, guard_ttl and retention must be > 0");
  }
  return LiveFeedConsumer(transport, std::move(options));
}

absl::Status LiveFeedConsumer::Start() {
  return transport_->CreateGroup(kMatchLive, options_.group);
}

absl::StatusOr<int> LiveFeedConsumer::PollOnce(const LiveDecideFn& decide) {
  auto read = transport_->ClaimAndRead(kMatchLive, options_.group, options_.consumer,
                                       options_.claim_idle, options_.batch, options_.batch);
  if (!read.ok()) return read.status();
  counts_.reclaimed += static_cast<int64_t>(read->first.size());
  int handled = 0;
  // Each entry's writes (XADD, guard, XACK) go out with the next entry's MGET.
  transport_->BeginPipeline();
  absl::Status status;
  for (const std::vector<Entry>* batch : {&read->first, &read->second}) {
    for (const Entry& e : *batch) {
      if (!status.ok()) break;
      bool acked = false;
      status = Handle(e, decide, &acked);
      if (status.ok() && acked) ++handled;
    }
  }
  absl::Status flushed = transport_->EndPipeline();
  if (!status.ok()) return status;
  if (!flushed.ok()) return flushed;
  return handled;
}

void LiveFeedConsumer::Run(const LiveDecideFn& decide, const RunHooks& hooks) {
  while (!hooks.stop()) {
    absl::StatusOr<int> n = PollOnce(decide);
    hooks.after_poll();
    if (!n.ok()) {
      hooks.on_error(n.status());
      hooks.sleep(hooks.error_wait);
    } else if (*n == 0) {
      hooks.sleep(hooks.idle_wait);
    }
  }
}

absl::Status LiveFeedConsumer::DeadLetter(const Entry& raw, absl::string_view reason,
                                          const std::optional<std::string>& last_error,
                                          const std::string& guard) {
  Fields f = {{"reason", std::string(reason)}};
  if (last_error.has_value()) f.emplace_back("last_error", *last_error);
  f.emplace_back("attempts", absl::StrCat(raw.deliveries));
  int64_t ms = 0;
  if (absl::SimpleAtoi(raw.id.substr(0, raw.id.find('-')), &ms)) {
    f.emplace_back("first_seen", absl::StrCat(ms));
  }
  f.emplace_back("entry_id", raw.id);
  f.emplace_back("consumer", options_.consumer);
  for (const auto& [name, value] : raw.fields) f.emplace_back(absl::StrCat("entry.", name), value);
  if (absl::Status s = transport_->AddNoReply(kMatchLiveDlq, f); !s.ok()) return s;
  if (!guard.empty()) {
    if (absl::Status s =
            transport_->Set(guard, absl::StrCat("dlq:", reason), options_.feed.guard_ttl);
        !s.ok()) {
      return s;
    }
  }
  if (last_error.has_value() && reason != "unparseable") {
    if (absl::Status s = transport_->Delete(LiveErrorKey(raw.id)); !s.ok()) return s;
  }
  ++counts_.dead_lettered;
  ++counts_.dead_lettered_by_reason[std::string(reason)];
  return transport_->Ack(kMatchLive, options_.group, raw.id);
}

absl::Status LiveFeedConsumer::Handle(const Entry& raw, const LiveDecideFn& decide, bool* acked) {
  *acked = true;
  auto ack = [&] { return transport_->Ack(kMatchLive, options_.group, raw.id); };
  absl::StatusOr<LiveFeedEntry> entry = ParseLiveFeedEntry(raw);
  if (!entry.ok()) {
    // A poison entry: no retry can parse it.
    return DeadLetter(raw, "unparseable", std::string(entry.status().message()), "");
  }
  const v1::LiveMatchState& state = entry->update.state();
  const int k = state.minute();
  // Claim the (match, minute) before deciding: "deciding:<entry id>" (SET NX). Taken by another
  // entry's claim or outcome -> this entry is a duplicate; taken by this entry's own claim (a
  // consumer died after claiming it and the entry was reclaimed) -> decide it.
  const std::string claim = absl::StrCat("deciding:", raw.id);
  auto claimed =
      transport_->SetIfAbsent(LiveDecidedKey(state.match_id(), k), claim, options_.feed.guard_ttl);
  if (!claimed.ok()) return claimed.status();
  // One MGET: the guard, then minutes k - history_minutes .. k of the window.
  std::vector<std::string> keys = {LiveDecidedKey(state.match_id(), k)};
  const int first = std::max(0, k - options_.history_minutes);
  for (int j = first; j <= k; ++j) keys.push_back(LiveWindowKey(state.match_id(), j));
  auto values = transport_->GetMany(keys);
  if (!values.ok()) return values.status();
  if (!*claimed && (*values)[0] != std::optional<std::string>(claim)) {
    ++counts_.duplicate;
    return ack();
  }
  const std::string guard = LiveDecidedKey(state.match_id(), k);
  if (raw.deliveries > options_.max_deliveries) {
    // Delivered past the cap without a recorded outcome: its consumers died or stalled on it.
    auto last = transport_->Get(LiveErrorKey(raw.id));
    if (!last.ok()) return last.status();
    return DeadLetter(raw, "max_deliveries", *last, guard);
  }
  if (!values->back().has_value()) {
    // A producer that does not write the window: the first state of the minute wins.
    auto set =
        transport_->SetIfAbsent(keys.back(), state.SerializeAsString(), options_.feed.window_ttl);
    if (!set.ok()) return set.status();
  }
  std::map<int, v1::LiveMatchState> history;
  for (int j = first; j < k; ++j) {
    const std::optional<std::string>& v = (*values)[1 + (j - first)];
    if (!v.has_value()) continue;
    v1::LiveMatchState s;
    // A window value that does not parse is absent (the minute was never seen).
    if (s.ParseFromString(*v) && s.match_id() == state.match_id()) history[j] = std::move(s);
  }
  absl::StatusOr<LiveOutcome> outcome = decide(*entry, history);
  if (!outcome.ok()) {
    const std::string error = outcome.status().ToString();
    if (raw.deliveries >= options_.max_deliveries) {
      return DeadLetter(raw, "max_deliveries", error, guard);
    }
    // Left pending (no XACK): delivered again by XAUTOCLAIM once idle for claim_idle. The error
    // is kept for the DLQ entry in case the next consumer dies holding it.
    ++counts_.retried;
    *acked = false;
    return transport_->Set(LiveErrorKey(raw.id), error, options_.feed.guard_ttl);
  }
  if (outcome->accepted) {
    const int64_t min_id_ms =
        std::max<int64_t>(1, absl::ToUnixMillis(entry->time - options_.feed.retention));
    if (absl::Status s = transport_->AddNoReply(kRiskVerified, outcome->verified, min_id_ms);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = transport_->Set(guard, "published", options_.feed.guard_ttl); !s.ok()) {
      return s;
    }
    ++counts_.accepted;
  } else {
    if (absl::Status s = transport_->Set(guard, absl::StrCat("denied:", outcome->reason),
                                         options_.feed.guard_ttl);
        !s.ok()) {
      return s;
    }
    ++counts_.denied;
    ++counts_.denied_by_reason[outcome->reason];
  }
  return ack();
}

}  // namespace superbet::bus
