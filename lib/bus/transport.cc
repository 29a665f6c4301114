#include "superbet/bus/transport.h"

#include <algorithm>

namespace superbet::bus {

const std::string& Entry::Field(absl::string_view name) const {
  static const std::string* const kEmpty = new std::string();
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return *kEmpty;
}

absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>> Transport::ClaimAndRead(
    absl::string_view stream, absl::string_view group, absl::string_view consumer,
    absl::Duration min_idle, int claim_count, int read_count) {
  auto claimed = AutoClaim(stream, group, consumer, min_idle, claim_count);
  if (!claimed.ok()) return claimed.status();
  std::vector<Entry> fresh;
  if (read_count > 0) {
    auto r = ReadGroup(stream, group, consumer, read_count);
    if (!r.ok()) return r.status();
    fresh = *std::move(r);
  }
  return std::make_pair(*std::move(claimed), std::move(fresh));
}

absl::StatusOr<std::vector<std::optional<std::string>>> Transport::GetMany(
    absl::Span<const std::string> keys) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    auto v = Get(k);
    if (!v.ok()) return v.status();
    out.push_back(*std::move(v));
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<std::string>>> Transport::SetIfAbsentMany(
    absl::Span<const std::string> keys, absl::string_view value, absl::Duration ttl) {
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    auto set = SetIfAbsent(k, value, ttl);
    if (!set.ok()) return set.status();
    if (*set) {
      out.emplace_back();
      continue;
    }
    auto v = Get(k);
    if (!v.ok()) return v.status();
    // Expired or deleted between the two calls: it held a value when SET NX ran ("" stands in).
    out.emplace_back(v->value_or(""));
  }
  return out;
}

absl::Status Transport::FanOutAndAck(absl::string_view source, absl::string_view group,
                                     const Entry& entry, absl::Span<const std::string> targets,
                                     int64_t min_id_ms) {
  for (const std::string& target : targets) {
    if (absl::Status s = AddNoReply(target, entry.fields, min_id_ms); !s.ok()) return s;
  }
  return Ack(source, group, entry.id);
}

absl::StatusOr<std::pair<std::string, bool>> Transport::AddOnce(absl::string_view stream,
                                                                const Fields& fields,
                                                                absl::string_view marker,
                                                                absl::Duration ttl,
                                                                int64_t min_id_ms) {
  auto held = Get(marker);
  if (!held.ok()) return held.status();
  if (held->has_value()) return std::make_pair(**held, false);
  auto id = Add(stream, fields, min_id_ms);
  if (!id.ok()) return id.status();
  if (absl::Status s = Set(marker, *id, ttl); !s.ok()) return s;
  return std::make_pair(*std::move(id), true);
}

absl::Status Transport::FanOutAndAckMany(absl::string_view source, absl::string_view group,
                                         absl::Span<const Entry> entries,
                                         absl::Span<const std::string> targets, int64_t min_id_ms) {
  for (const Entry& e : entries) {
    if (absl::Status s = FanOutAndAck(source, group, e, targets, min_id_ms); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Transport::AckMany(absl::string_view stream, absl::string_view group,
                                absl::Span<const std::string> ids) {
  for (const std::string& id : ids) {
    if (absl::Status s = Ack(stream, group, id); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Transport::HashSetMany(absl::string_view key, const Fields& fields) {
  for (const auto& [f, v] : fields) {
    if (absl::Status s = HashSet(key, f, v); !s.ok()) return s;
  }
  return absl::OkStatus();
}

double RefillBucket(const BucketSpec& spec, int64_t now_ms, BucketState* s) {
  if (s->ts_ms == 0) {
    s->hourly = spec.hourly;
    s->daily = spec.daily;
    s->ts_ms = now_ms;
  }
  const double dt = std::max<int64_t>(0, now_ms - s->ts_ms) / 1000.0;
  if (spec.hourly > 0) s->hourly = std::min(spec.hourly, s->hourly + dt * spec.hourly / 3600.0);
  s->daily = std::min(spec.daily, s->daily + dt * spec.daily / 86400.0);
  s->ts_ms = std::max(s->ts_ms, now_ms);
  double wait = 0;
  if (spec.hourly > 0 && s->hourly < 1.0) {
    wait = std::max(wait, (1.0 - s->hourly) * 3600.0 / spec.hourly);
  }
  if (s->daily < 1.0) wait = std::max(wait, (1.0 - s->daily) * 86400.0 / spec.daily);
  return wait;
}

}  // namespace superbet::bus
