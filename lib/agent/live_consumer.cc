#include "superbet/agent/live_consumer.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "superbet/broadcast/prediction_input.h"

namespace superbet::agent {

namespace v1 = superbet::v1;

absl::StatusOr<std::unique_ptr<LiveConsumer>> LiveConsumer::Create(
    const LiveConsumerConfig& config, std::unique_ptr<bus::Transport> transport,
    core::MetricsRegistry& registry, hrl::LiveDecider& decider, const core::Clock& clock,
    CountFn count, SettlementSync* settlement) {
  if (config.claim_idle_ms < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim_idle_ms must be >= 1, got ", config.claim_idle_ms));
  }
  if (config.max_deliveries < 1 || config.max_deliveries > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_deliveries must be in [1, 100], got ", config.max_deliveries));
  }
  std::unique_ptr<LiveConsumer> c(new LiveConsumer(clock, decider));
  c->config_ = config;
  c->count_ = std::move(count);
  c->settlement_ = settlement;
  // This consumer's Refresh runs Sync: final states are stored for the other replicas.
  if (settlement != nullptr) settlement->ShareFinalStates();
  c->transport_ = std::move(transport);
  bus::LiveConsumerOptions lo;
  lo.consumer = config.consumer;
  lo.claim_idle = absl::Milliseconds(config.claim_idle_ms);
  lo.max_deliveries = static_cast<int>(config.max_deliveries);
  auto consumer = bus::LiveFeedConsumer::Create(c->transport_.get(), lo);
  if (!consumer.ok()) return consumer.status();
  c->consumer_ = std::make_unique<bus::LiveFeedConsumer>(*std::move(consumer));
  if (absl::Status s = c->consumer_->Start(); !s.ok()) return s;
  auto entries = registry.AddCounter("hrl_live_entries_total",
                                     "match.live entries acked, by outcome", {"outcome"});
  if (!entries.ok()) return entries.status();
  auto dlq = registry.AddCounter(
      "hrl_live_dlq_total", "match.live entries moved to match.live.dlq, by reason", {"reason"});
  if (!dlq.ok()) return dlq.status();
  auto retries = registry.AddCounter(
      "hrl_live_retries_total", "match.live decide errors left pending for another delivery", {});
  if (!retries.ok()) return retries.status();
  auto rt_counter = (*retries)->WithLabels({});
  if (!rt_counter.ok()) return rt_counter.status();
  auto reclaimed = registry.AddCounter("hrl_live_reclaimed_total",
                                       "match.live entries reclaimed from idle consumers", {});
  if (!reclaimed.ok()) return reclaimed.status();
  auto r = (*reclaimed)->WithLabels({});
  if (!r.ok()) return r.status();
  auto pending = registry.AddGauge("bus_stream_pending", "Entries delivered and not yet acked",
                                   {"stream", "group"});
  if (!pending.ok()) return pending.status();
  auto p = (*pending)->WithLabels({std::string(bus::kMatchLive), lo.group});
  if (!p.ok()) return p.status();
  c->entries_ = *entries;
  c->dlq_ = *dlq;
  c->retries_ = *rt_counter;
  c->reclaimed_ = *r;
  c->pending_ = *p;
  return c;
}

void LiveConsumer::Start(std::function<bool()> stop) {
  thread_ = std::thread([this, stop = std::move(stop)] { Run(stop); });
}

void LiveConsumer::Join() {
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<bus::LiveOutcome> LiveConsumer::Decide(
    const bus::LiveFeedEntry& e, const std::map<int, v1::LiveMatchState>& history) {
  if (config_.hold_after >= 0 && handled_ >= config_.hold_after) {
    Refresh();  // The entries before this one in the batch are acked: show them.
    spdlog::warn("--debug_hold_after {}: holding entry {} unacked", config_.hold_after, e.id);
    for (;;) absl::SleepFor(absl::Seconds(1));
  }
  ++handled_;
  const v1::LiveMatchState& state = e.update.state();
  // A final state settles its match's open bets first (once: a redelivery settles nothing).
  if (settlement_ != nullptr) settlement_->OnState(state, e.time);
  // decided_at is the entry's time, so a reclaimed entry yields the same prediction. A dry run
  // first (RiskGate::Preview: nothing recorded): an accepted prediction the plant's reader refuses
  // (a state without kickoff) could never be published, so it fails here, before the gate records
  // its stake and the bankroll pays it; the entry is retried and ends in match.live.dlq.
  auto preview = decider_.DecideWithHistory(state, history, e.time, /*dry_run=*/true);
  if (!preview.ok()) return preview.status();
  if (preview->verdict() == v1::VERDICT_ACCEPTED) {
    if (auto f = broadcast::RiskVerifiedFields(preview->prediction()); !f.ok()) {
      spdlog::error("match.live {}: accepted prediction refused by the plant's reader: {}", e.id,
                    f.status().ToString());
      return f.status();
    }
  }
  auto d = decider_.DecideWithHistory(state, history, e.time, /*dry_run=*/false);
  if (!d.ok()) return d.status();
  bus::LiveOutcome o;
  o.accepted = d->verdict() == v1::VERDICT_ACCEPTED;
  o.reason = d->reason();
  if (o.accepted) {
    // The decider copies the state's kickoff, which the plant's reader requires.
    auto f = broadcast::RiskVerifiedFields(d->prediction());
    if (!f.ok()) {
      spdlog::error("match.live {}: accepted prediction refused by the plant's reader: {}", e.id,
                    f.status().ToString());
      return f.status();
    }
    o.verified = *std::move(f);
  }
  // Counted once the decision is one that will be recorded: a failed one is not a bet.
  if (count_) count_(state, *d);
  if (settlement_ != nullptr) settlement_->OnDecision(*d);
  return o;
}

void LiveConsumer::Refresh() {
  const bus::LiveConsumerCounts& c = consumer_->counts();
  auto add = [&](const char* outcome, int64_t now, int64_t before) {
    if (now == before) return;
    if (auto m = entries_->WithLabels({outcome}); m.ok()) (*m)->Increment(now - before);
  };
  add("accepted", c.accepted, shown_.accepted);
  add("denied", c.denied, shown_.denied);
  add("dlq", c.dead_lettered, shown_.dead_lettered);
  add("duplicate", c.duplicate, shown_.duplicate);
  for (const auto& [reason, n] : c.dead_lettered_by_reason) {
    auto before = shown_.dead_lettered_by_reason.find(reason);
    const int64_t was = before == shown_.dead_lettered_by_reason.end() ? 0 : before->second;
    if (n == was) continue;
    if (auto m = dlq_->WithLabels({reason}); m.ok()) (*m)->Increment(n - was);
  }
  if (c.retried != shown_.retried) retries_->Increment(c.retried - shown_.retried);
  if (c.reclaimed != shown_.reclaimed) reclaimed_->Increment(c.reclaimed - shown_.reclaimed);
  shown_ = c;
  const absl::Time now = clock_.Now();
  // Final states shared between replicas (superbet/agent/settlement_sync.h).
  if (settlement_ != nullptr) settlement_->Sync(*transport_, now);
  // The group's pending count, at most once a second (one round trip, on this thread's
  // connection, outside the consumer's pipeline).
  if (now - pending_read_at_ >= absl::Seconds(1)) {
    pending_read_at_ = now;
    auto n = transport_->PendingCount(bus::kMatchLive, consumer_->options().group);
    if (n.ok()) pending_->Set(static_cast<double>(*n));
  }
}

void LiveConsumer::Run(const std::function<bool()>& stop) {
  bus::LiveFeedConsumer::RunHooks hooks;
  hooks.stop = stop;
  hooks.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  hooks.on_error = [](const absl::Status& s) { spdlog::error("match.live: {}", s.ToString()); };
  hooks.after_poll = [this] { Refresh(); };
  consumer_->Run([this](const bus::LiveFeedEntry& e,
                        const std::map<int, v1::LiveMatchState>& h) { return Decide(e, h); },
                 hooks);
  const bus::LiveConsumerCounts& c = consumer_->counts();
  spdlog::info(
      "match.live: stopped reading ({} accepted, {} denied, {} dead-lettered, {} duplicate, {} "
      "retried)",
      c.accepted, c.denied, c.dead_lettered, c.duplicate, c.retried);
}

}  // namespace superbet::agent
