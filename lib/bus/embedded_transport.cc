#include "superbet/bus/embedded_transport.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace superbet::bus {
namespace {

// Entry ids as (ms, seq) so that they order numerically.
using Id = std::pair<int64_t, int64_t>;

std::string IdString(Id id) { return absl::StrCat(id.first, "-", id.second); }

bool ParseId(absl::string_view s, Id* out) {
  const size_t dash = s.find('-');
  if (dash == absl::string_view::npos) return false;
  return absl::SimpleAtoi(s.substr(0, dash), &out->first) &&
         absl::SimpleAtoi(s.substr(dash + 1), &out->second);
}

struct Pending {
  std::string consumer;
  absl::Time delivered_at;
  int64_t deliveries = 0;
};

struct Group {
  Id last_delivered{0, 0};
  std::map<Id, Pending> pel;
};

struct Stream {
  std::map<Id, Fields> entries;
  Id last{0, 0};
  std::map<std::string, Group> groups;
};

struct Value {
  std::string string;
  std::vector<std::string> list;
  std::map<std::string, std::string> hash;
  std::set<std::string> set;
  absl::Time expires = absl::InfiniteFuture();
};

}  // namespace

struct EmbeddedTransport::State {
  absl::Mutex mu;
  std::map<std::string, Stream> streams ABSL_GUARDED_BY(mu);
  std::map<std::string, Value> keys ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, BucketState> buckets ABSL_GUARDED_BY(mu);

  // The live value of `key` (expired keys are removed), or nullptr.
  Value* Find(absl::string_view key, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    auto it = keys.find(std::string(key));
    if (it == keys.end()) return nullptr;
    if (it->second.expires <= now) {
      keys.erase(it);
      return nullptr;
    }
    return &it->second;
  }
  // XADD at `now` (MINID ~ min_id_ms when > 0); the new id.
  std::string AddLocked(absl::string_view stream, const Fields& fields, int64_t min_id_ms,
                        absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

EmbeddedTransport::EmbeddedTransport(const superbet::core::Clock& clock)
    : clock_(clock), state_(std::make_unique<State>()) {}
EmbeddedTransport::~EmbeddedTransport() = default;

absl::StatusOr<std::string> EmbeddedTransport::Add(absl::string_view stream, const Fields& fields,
                                                   int64_t min_id_ms) {
  absl::MutexLock lock(&state_->mu);
  return state_->AddLocked(stream, fields, min_id_ms, clock_.Now());
}

absl::StatusOr<std::pair<std::string, bool>> EmbeddedTransport::AddOnce(absl::string_view stream,
                                                                        const Fields& fields,
                                                                        absl::string_view marker,
                                                                        absl::Duration ttl,
                                                                        int64_t min_id_ms) {
  absl::MutexLock lock(&state_->mu);
  const absl::Time now = clock_.Now();
  if (const Value* held = state_->Find(marker, now)) return std::make_pair(held->string, false);
  std::string id = state_->AddLocked(stream, fields, min_id_ms, now);
  Value& v = state_->keys[std::string(marker)];
  v = Value{};
  v.string = id;
  v.expires = now + ttl;
  return std::make_pair(std::move(id), true);
}

std::string EmbeddedTransport::State::AddLocked(absl::string_view stream, const Fields& fields,
                                                int64_t min_id_ms, absl::Time now) {
  Stream& s = streams[std::string(stream)];
  const int64_t ms = absl::ToUnixMillis(now);
  Id id = ms > s.last.first ? Id{ms, 0} : Id{s.last.first, s.last.second + 1};
  s.last = id;
  s.entries.emplace(id, fields);
  if (min_id_ms > 0) {
    // MINID ~ trims entries older than min_id (pending references may dangle, as in Redis).
    while (!s.entries.empty() && s.entries.begin()->first.first < min_id_ms) {
      s.entries.erase(s.entries.begin());
    }
  }
  return IdString(id);
}

absl::Status EmbeddedTransport::CreateGroup(absl::string_view stream, absl::string_view group) {
  absl::MutexLock lock(&state_->mu);
  Stream& s = state_->streams[std::string(stream)];
  s.groups.try_emplace(std::string(group));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Entry>> EmbeddedTransport::ReadGroup(absl::string_view stream,
                                                                absl::string_view group,
                                                                absl::string_view consumer,
                                                                int count) {
  absl::MutexLock lock(&state_->mu);
  auto sit = state_->streams.find(std::string(stream));
  if (sit == state_->streams.end()) {
    return absl::NotFoundError(absl::StrCat("NOGROUP no stream '", stream, "'"));
  }
  auto git = sit->second.groups.find(std::string(group));
  if (git == sit->second.groups.end()) {
    return absl::NotFoundError(
        absl::StrCat("NOGROUP no consumer group '", group, "' on stream '", stream, "'"));
  }
  Group& g = git->second;
  std::vector<Entry> out;
  const absl::Time now = clock_.Now();
  for (auto it = sit->second.entries.upper_bound(g.last_delivered);
       it != sit->second.entries.end() && static_cast<int>(out.size()) < count; ++it) {
    g.last_delivered = it->first;
    g.pel[it->first] = Pending{std::string(consumer), now, 1};
    out.push_back(Entry{IdString(it->first), it->second, 1});
  }
  return out;
}

absl::Status EmbeddedTransport::Ack(absl::string_view stream, absl::string_view group,
                                    absl::string_view id) {
  absl::MutexLock lock(&state_->mu);
  Id parsed;
  if (!ParseId(id, &parsed)) return absl::InvalidArgumentError(absl::StrCat("bad id ", id));
  auto sit = state_->streams.find(std::string(stream));
  if (sit == state_->streams.end()) return absl::OkStatus();
  auto git = sit->second.groups.find(std::string(group));
  if (git != sit->second.groups.end()) git->second.pel.erase(parsed);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Entry>> EmbeddedTransport::AutoClaim(absl::string_view stream,
                                                                absl::string_view group,
                                                                absl::string_view consumer,
                                                                absl::Duration min_idle,
                                                                int count) {
  absl::MutexLock lock(&state_->mu);
  std::vector<Entry> out;
  auto sit = state_->streams.find(std::string(stream));
  if (sit == state_->streams.end()) return out;
  auto git = sit->second.groups.find(std::string(group));
  if (git == sit->second.groups.end()) return out;
  const absl::Time now = clock_.Now();
  Group& g = git->second;
  for (auto it = g.pel.begin(); it != g.pel.end() && static_cast<int>(out.size()) < count;) {
    if (now - it->second.delivered_at < min_idle) {
      ++it;
      continue;
    }
    auto e = sit->second.entries.find(it->first);
    if (e == sit->second.entries.end()) {  // Trimmed: Redis 7 drops it from the PEL.
      it = g.pel.erase(it);
      continue;
    }
    it->second.consumer = std::string(consumer);
    it->second.delivered_at = now;
    ++it->second.deliveries;
    out.push_back(Entry{IdString(it->first), e->second, it->second.deliveries});
    ++it;
  }
  return out;
}

absl::StatusOr<int64_t> EmbeddedTransport::PendingCount(absl::string_view stream,
                                                        absl::string_view group) {
  absl::MutexLock lock(&state_->mu);
  auto sit = state_->streams.find(std::string(stream));
  if (sit == state_->streams.end()) return 0;
  auto git = sit->second.groups.find(std::string(group));
  if (git == sit->second.groups.end()) return 0;
  return static_cast<int64_t>(git->second.pel.size());
}

absl::StatusOr<int64_t> EmbeddedTransport::Undelivered(absl::string_view stream,
                                                       absl::string_view group) {
  absl::MutexLock lock(&state_->mu);
  auto sit = state_->streams.find(std::string(stream));
  if (sit == state_->streams.end()) return 0;
  auto git = sit->second.groups.find(std::string(group));
  if (git == sit->second.groups.end()) return 0;
  int64_t n = 0;
  for (auto it = sit->second.entries.upper_bound(git->second.last_delivered);
       it != sit->second.entries.end(); ++it) {
    ++n;
  }
  return n;
}

absl::StatusOr<std::vector<Entry>> EmbeddedTransport::Range(absl::string_view stream) {
  absl::MutexLock lock(&state_->mu);
  std::vector<Entry> out;
  auto sit = state_->streams.find(std::string(stream));
  if (sit == state_->streams.end()) return out;
  for (const auto& [id, fields] : sit->second.entries)
    out.push_back(Entry{IdString(id), fields, 0});
  return out;
}

absl::StatusOr<bool> EmbeddedTransport::SetIfAbsent(absl::string_view key, absl::string_view value,
                                                    absl::Duration ttl) {
  absl::MutexLock lock(&state_->mu);
  const absl::Time now = clock_.Now();
  if (state_->Find(key, now) != nullptr) return false;
  Value& v = state_->keys[std::string(key)];
  v = Value{};
  v.string = std::string(value);
  v.expires = now + ttl;
  return true;
}

absl::Status EmbeddedTransport::Set(absl::string_view key, absl::string_view value,
                                    absl::Duration ttl) {
  absl::MutexLock lock(&state_->mu);
  Value& v = state_->keys[std::string(key)];
  v = Value{};
  v.string = std::string(value);
  v.expires = clock_.Now() + ttl;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> EmbeddedTransport::Get(absl::string_view key) {
  absl::MutexLock lock(&state_->mu);
  Value* v = state_->Find(key, clock_.Now());
  if (v == nullptr) return std::optional<std::string>();
  return std::optional<std::string>(v->string);
}

absl::Status EmbeddedTransport::Delete(absl::string_view key) {
  absl::MutexLock lock(&state_->mu);
  state_->keys.erase(std::string(key));
  return absl::OkStatus();
}

absl::Status EmbeddedTransport::HashSet(absl::string_view key, absl::string_view field,
                                        absl::string_view value) {
  absl::MutexLock lock(&state_->mu);
  Value* v = state_->Find(key, clock_.Now());
  if (v == nullptr) v = &state_->keys[std::string(key)];
  v->hash[std::string(field)] = std::string(value);
  return absl::OkStatus();
}

absl::StatusOr<Fields> EmbeddedTransport::HashGetAll(absl::string_view key) {
  absl::MutexLock lock(&state_->mu);
  Fields out;
  Value* v = state_->Find(key, clock_.Now());
  if (v == nullptr) return out;
  for (const auto& [k, val] : v->hash) out.emplace_back(k, val);
  return out;
}

absl::Status EmbeddedTransport::ListPush(absl::string_view key, absl::string_view value,
                                         absl::Duration ttl) {
  absl::MutexLock lock(&state_->mu);
  const absl::Time now = clock_.Now();
  Value* v = state_->Find(key, now);
  if (v == nullptr) v = &state_->keys[std::string(key)];
  v->list.emplace_back(value);
  v->expires = now + ttl;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> EmbeddedTransport::ListRange(absl::string_view key) {
  absl::MutexLock lock(&state_->mu);
  Value* v = state_->Find(key, clock_.Now());
  if (v == nullptr) return std::vector<std::string>();
  return v->list;
}

absl::StatusOr<std::vector<std::string>> EmbeddedTransport::KeysWithPrefix(
    absl::string_view prefix) {
  absl::MutexLock lock(&state_->mu);
  const absl::Time now = clock_.Now();
  std::vector<std::string> out;
  for (auto it = state_->keys.lower_bound(std::string(prefix));
       it != state_->keys.end() && absl::StartsWith(it->first, prefix);) {
    if (it->second.expires <= now) {
      it = state_->keys.erase(it);
      continue;
    }
    out.push_back(it->first);
    ++it;
  }
  return out;
}

absl::Status EmbeddedTransport::ListPushIndexed(absl::string_view key, absl::string_view value,
                                                absl::Duration ttl, absl::string_view index) {
  if (absl::Status s = ListPush(key, value, ttl); !s.ok()) return s;
  return IndexAdd(index, {std::string(key)}, ttl);
}

absl::Status EmbeddedTransport::IndexAdd(absl::string_view index,
                                         absl::Span<const std::string> keys, absl::Duration ttl) {
  if (keys.empty()) return absl::OkStatus();
  absl::MutexLock lock(&state_->mu);
  const absl::Time now = clock_.Now();
  Value* v = state_->Find(index, now);
  if (v == nullptr) v = &state_->keys[std::string(index)];
  v->set.insert(keys.begin(), keys.end());
  v->expires = now + ttl;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> EmbeddedTransport::IndexedKeys(absl::string_view index) {
  absl::MutexLock lock(&state_->mu);
  const absl::Time now = clock_.Now();
  std::vector<std::string> out;
  Value* v = state_->Find(index, now);
  if (v == nullptr) return out;
  for (auto it = v->set.begin(); it != v->set.end();) {
    if (*it != index && state_->Find(*it, now) != nullptr) {
      out.push_back(*it);
      ++it;
    } else {
      it = v->set.erase(it);
    }
  }
  if (v->set.empty()) state_->keys.erase(std::string(index));  // Redis drops an empty set.
  return out;
}

absl::StatusOr<std::vector<std::optional<std::string>>> EmbeddedTransport::HashGetMany(
    absl::string_view key, absl::Span<const std::string> fields) {
  absl::MutexLock lock(&state_->mu);
  std::vector<std::optional<std::string>> out(fields.size());
  Value* v = state_->Find(key, clock_.Now());
  if (v == nullptr) return out;
  for (size_t i = 0; i < fields.size(); ++i) {
    auto it = v->hash.find(fields[i]);
    if (it != v->hash.end()) out[i] = it->second;
  }
  return out;
}

absl::StatusOr<AcquireResult> EmbeddedTransport::Acquire(absl::Span<const BucketSpec> buckets,
                                                         absl::Time now) {
  for (const BucketSpec& b : buckets) {
    if (!(b.daily > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bucket ", b.key, ": daily capacity must be > 0, got ", b.daily));
    }
  }
  absl::MutexLock lock(&state_->mu);
  const int64_t now_ms = absl::ToUnixMillis(now);
  double wait = 0;
  std::vector<BucketState> next;
  next.reserve(buckets.size());
  for (const BucketSpec& b : buckets) {
    BucketState s = state_->buckets[b.key];
    wait = std::max(wait, RefillBucket(b, now_ms, &s));
    next.push_back(s);
  }
  if (wait > 0) {
    return AcquireResult{false, absl::Milliseconds(std::ceil(wait * 1000.0))};
  }
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].hourly > 0) next[i].hourly -= 1.0;
    next[i].daily -= 1.0;
    state_->buckets[buckets[i].key] = next[i];
  }
  return AcquireResult{true, absl::ZeroDuration()};
}

absl::StatusOr<BucketState> EmbeddedTransport::PeekBucket(const BucketSpec& bucket,
                                                          absl::Time now) {
  if (!(bucket.daily > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bucket ", bucket.key, ": daily capacity must be > 0, got ", bucket.daily));
  }
  absl::MutexLock lock(&state_->mu);
  auto it = state_->buckets.find(bucket.key);
  BucketState s = it == state_->buckets.end() ? BucketState{} : it->second;
  RefillBucket(bucket, absl::ToUnixMillis(now), &s);
  return s;
}

}  // namespace superbet::bus
