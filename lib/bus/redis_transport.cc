#include "superbet/bus/redis_transport.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bus/internal/redis_reply_arena.h"

namespace superbet::bus {
namespace {

// KEYS: the bucket keys. ARGV[1]: now in Unix ms; then per key: hourly capacity (0 = none) and
// daily capacity. Refill as RefillBucket (transport.cc); takes one token from every bucket or none.
// Returns {1, "0"} or {0, wait_seconds as a string}.
constexpr char kAcquireScript[] = R"lua(
local now = tonumber(ARGV[1])
local wait = 0
local st = {}
for i, key in ipairs(KEYS) do
  local H = tonumber(ARGV[2 * i])
  local D = tonumber(ARGV[2 * i + 1])
  local v = redis.call('HMGET', key, 'h', 'd', 'ts')
  local h, d, ts = tonumber(v[1]), tonumber(v[2]), tonumber(v[3])
  if ts == nil then h, d, ts = H, D, now end
  local dt = math.max(0, now - ts) / 1000
  if H > 0 then h = math.min(H, h + dt * H / 3600) end
  d = math.min(D, d + dt * D / 86400)
  if ts > now then now = ts end
  st[i] = {h, d}
  if H > 0 and h < 1 then wait = math.max(wait, (1 - h) * 3600 / H) end
  if d < 1 then wait = math.max(wait, (1 - d) * 86400 / D) end
end
if wait > 0 then return {0, tostring(wait)} end
for i, key in ipairs(KEYS) do
  local H = tonumber(ARGV[2 * i])
  local h = st[i][1]
  if H > 0 then h = h - 1 end
  redis.call('HSET', key, 'h', tostring(h), 'd', tostring(st[i][2] - 1), 'ts', tostring(now))
  redis.call('EXPIRE', key, 172800)
end
return {1, '0'}
)lua";

// AddOnce. KEYS[1]: the marker, KEYS[2]: the stream. ARGV: ttl seconds, MINID ("0" = no
// trimming), then field, value, ... Returns {0, the marker's value} when it exists (nothing
// written), else {1, the new entry's id} after XADD and SET marker id EX ttl.
constexpr char kAddOnceScript[] = R"lua(
local held = redis.call('GET', KEYS[1])
if held then return {0, held} end
local args = {KEYS[2]}
if ARGV[2] ~= '0' then
  args[#args + 1] = 'MINID'
  args[#args + 1] = '~'
  args[#args + 1] = ARGV[2]
end
args[#args + 1] = '*'
for i = 3, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call('XADD', unpack(args))
redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
return {1, id}
)lua";

// IndexedKeys. KEYS[1]: the index set. Returns its members that exist as keys, removing the
// others (SREM). Standalone Redis: the members are not declared in KEYS (they are found here).
constexpr char kIndexedKeysScript[] = R"lua(
local out = {}
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', k) == 1 then
    out[#out + 1] = k
  else
    redis.call('SREM', KEYS[1], k)
  end
end
return out
)lua";

// RESP (redis.io/docs/reference/protocol-spec): a command is an array of bulk strings,
// "*<n>\r\n" then "$<len>\r\n<bytes>\r\n" per argument.
size_t DecimalDigits(size_t v) {
  size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

size_t RespSize(const std::vector<std::string>& args) {
  size_t n = 3 + DecimalDigits(args.size());
  for (const std::string& a : args) n += 5 + DecimalDigits(a.size()) + a.size();
  return n;
}

void AppendDecimal(size_t v, std::string* out) {
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out->append(p, static_cast<size_t>(end - p));
}

void AppendResp(const std::vector<std::string>& args, std::string* out) {
  out->push_back('*');
  AppendDecimal(args.size(), out);
  out->append("\r\n", 2);
  for (const std::string& a : args) {
    out->push_back('$');
    AppendDecimal(a.size(), out);
    out->append("\r\n", 2);
    out->append(a);
    out->append("\r\n", 2);
  }
}

// Writes all of `bytes` to the connected socket `fd` (blocking, with the connection's send
// timeout; no SIGPIPE). False on any error or timeout.
bool SendAll(int fd, absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { internal::FreeArenaReply(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

std::string Str(const redisReply* r) {
  if (r == nullptr) return "";
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
      r->type == REDIS_REPLY_ERROR) {
    return std::string(r->str, r->len);
  }
  if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
  return "";
}

Fields FieldArray(const redisReply* r) {
  Fields out;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  out.reserve(r->elements / 2);
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    out.emplace_back(Str(r->element[i]), Str(r->element[i + 1]));
  }
  return out;
}

// [[id, [f, v, ...]], ...]
std::vector<Entry> EntryArray(const redisReply* r, int64_t deliveries) {
  std::vector<Entry> out;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  out.reserve(r->elements);
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2) continue;
    if (e->element[1]->type != REDIS_REPLY_ARRAY) continue;  // Deleted entry (nil fields).
    out.push_back(Entry{Str(e->element[0]), FieldArray(e->element[1]), deliveries});
  }
  return out;
}

int64_t Seconds(absl::Duration d) {
  return std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1))));
}

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  RedisAddress a;
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis URL must start with redis://, got '", url, "'"));
  }
  absl::string_view hostport = rest;
  const size_t slash = rest.find('/');
  if (slash != absl::string_view::npos) {
    hostport = rest.substr(0, slash);
    const absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !absl::SimpleAtoi(db, &a.db)) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis URL '", url, "': database must be a number, got '", db, "'"));
    }
  }
  const size_t colon = hostport.rfind(':');
  if (colon != absl::string_view::npos) {
    const absl::string_view port = hostport.substr(colon + 1);
    if (!absl::SimpleAtoi(port, &a.port) || a.port <= 0 || a.port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis URL '", url, "': port must be in 1..65535, got '", port, "'"));
    }
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) a.host = std::string(hostport);
  return a;
}

struct RedisTransport::Impl {
  RedisAddress address;
  absl::Mutex mu;
  redisContext* ctx ABSL_GUARDED_BY(mu) = nullptr;
  std::string script_sha ABSL_GUARDED_BY(mu);

  ~Impl() {
    absl::MutexLock lock(&mu);
    if (ctx != nullptr) redisFree(ctx);
  }

  absl::Status ConnectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (ctx != nullptr) redisFree(ctx);
    timeval tv{2, 0};
    ctx = redisConnectWithTimeout(address.host.c_str(), address.port, tv);
    if (ctx == nullptr || ctx->err) {
      const std::string err = ctx ? ctx->errstr : "allocation failed";
      if (ctx) redisFree(ctx);
      ctx = nullptr;
      return absl::UnavailableError(
          absl::StrCat("redis ", address.host, ":", address.port, ": ", err));
    }
    redisSetTimeout(ctx, tv);
    // Replies are built in one arena each (bus/internal/redis_reply_arena.h): an XREADGROUP reply
    // of 50 entries is a few allocations instead of ≈ 1 300. Every reply is a Reply (its deleter
    // frees the arena).
    ctx->reader->fn = internal::ArenaReplyFunctions();
    // Keep the reply buffer between replies (hiredis frees it whenever more than 16 KB of it is
    // unused, i.e. after every large XREADGROUP reply, and grows it again by reallocation).
    ctx->reader->maxbuf = 0;
    if (address.db != 0) {
      Reply r(static_cast<redisReply*>(redisCommand(ctx, "SELECT %d", address.db)));
      if (!r || r->type == REDIS_REPLY_ERROR) {
        return absl::UnavailableError(
            absl::StrCat("redis SELECT ", address.db, ": ", Str(r.get())));
      }
    }
    Reply r(static_cast<redisReply*>(redisCommand(ctx, "SCRIPT LOAD %s", kAcquireScript)));
    if (!r || r->type != REDIS_REPLY_STRING) {
      return absl::UnavailableError(absl::StrCat("redis SCRIPT LOAD: ", Str(r.get())));
    }
    script_sha = Str(r.get());
    return absl::OkStatus();
  }

  // Round trips sent (each pipelined batch and each single command attempt counts one).
  std::atomic<int64_t> round_trips{0};

  // Pipelining: nesting depth and the writes queued (not yet sent).
  int pipeline_depth ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::vector<std::string>> queued ABSL_GUARDED_BY(mu);
  std::string resp ABSL_GUARDED_BY(mu);  // A round's commands in RESP (reused).
  static constexpr size_t kMaxQueued = 1024;

  // Runs one command (after whatever is queued, in the same round trip).
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args) {
    absl::MutexLock lock(&mu);
    std::vector<const std::vector<std::string>*> one = {&args};
    auto r = RoundTripLocked(one);
    if (!r.ok()) return r.status();
    return std::move(r->back());
  }

  // A write: queued inside a pipeline, else run at once.
  absl::Status Write(std::vector<std::string> args) {
    absl::MutexLock lock(&mu);
    if (pipeline_depth > 0) {
      queued.push_back(std::move(args));
      if (queued.size() < kMaxQueued) return absl::OkStatus();
      return RoundTripLocked({}).status();
    }
    return CommandLocked(args).status();
  }

  // Several writes queued together (never split by the kMaxQueued flush: a MULTI ... EXEC stays
  // in one round trip); outside a pipeline, sent at once in one round trip.
  absl::Status WriteMany(std::vector<std::vector<std::string>> cmds) {
    absl::MutexLock lock(&mu);
    for (auto& c : cmds) queued.push_back(std::move(c));
    if (pipeline_depth > 0 && queued.size() < kMaxQueued) return absl::OkStatus();
    return RoundTripLocked({}).status();
  }

  // Sends the queued writes followed by `cmds` in one round trip and returns the replies of
  // `cmds`. An error reply of a queued write is returned as the error (after every reply was
  // read); LOADING/NOSCRIPT replies and a dropped connection fall back to CommandLocked's retries
  // for the commands without a reply yet (a command whose reply was lost may run twice).
  absl::StatusOr<std::vector<Reply>> RoundTripLocked(
      const std::vector<const std::vector<std::string>*>& cmds) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::vector<std::vector<std::string>> writes = std::move(queued);
    queued.clear();
    const size_t total = writes.size() + cmds.size();
    auto at = [&](size_t i) -> const std::vector<std::string>& {
      return i < writes.size() ? writes[i] : *cmds[i - writes.size()];
    };
    std::vector<Reply> out;
    out.reserve(cmds.size());
    absl::Status write_error;
    if (total == 1) {  // No pipeline needed.
      auto r = CommandLocked(at(0));
      if (!r.ok()) return r.status();
      out.push_back(*std::move(r));
      return out;
    }
    size_t done = 0;
    if (total > 0 && ctx != nullptr && !ctx->err) {
      // The whole round in RESP, formatted here into one buffer (sized first) and written at
      // once: hiredis' per-command formatting (sdscatfmt per argument, an sds per command, the
      // output buffer grown per command) cost more than the commands' bytes.
      size_t bytes = 0;
      for (size_t i = 0; i < total; ++i) bytes += RespSize(at(i));
      resp.clear();
      resp.reserve(bytes);
      for (size_t i = 0; i < total; ++i) AppendResp(at(i), &resp);
      // Written to the socket from our buffer (hiredis' output buffer stays empty, so
      // redisGetReply only reads): no copy into an output buffer allocated and freed per round.
      // A failed write is a lost connection: the commands go the fallback way below.
      round_trips.fetch_add(1, std::memory_order_relaxed);
      if (!SendAll(ctx->fd, resp)) {
        redisFree(ctx);
        ctx = nullptr;
      }
      if (resp.capacity() > (size_t{4} << 20)) std::string().swap(resp);  // A rare huge round.
      for (; ctx != nullptr && done < total; ++done) {
        void* raw = nullptr;
        if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
          redisFree(ctx);
          ctx = nullptr;
          break;
        }
        Reply r(static_cast<redisReply*>(raw));
        if (r->type == REDIS_REPLY_ERROR) {
          const std::string err = Str(r.get());
          if (absl::StartsWith(err, "LOADING") || absl::StartsWith(err, "NOSCRIPT")) {
            auto again = CommandLocked(at(done));  // Retries as a single command.
            if (!again.ok()) return again.status();
            r = *std::move(again);
          } else if (done < writes.size()) {
            if (write_error.ok()) {
              write_error = absl::InternalError(absl::StrCat("redis ", at(done)[0], ": ", err));
            }
            continue;
          } else {
            r.reset();
            out.emplace_back();
            if (write_error.ok()) {
              write_error = absl::InternalError(absl::StrCat("redis ", at(done)[0], ": ", err));
            }
            continue;
          }
        }
        if (done < writes.size() && r->type == REDIS_REPLY_ARRAY && at(done)[0] == "EXEC") {
          for (size_t k = 0; k < r->elements && write_error.ok(); ++k) {
            if (r->element[k]->type == REDIS_REPLY_ERROR) {
              write_error = absl::InternalError(
                  absl::StrCat("redis EXEC (command ", k + 1, "): ", Str(r->element[k])));
            }
          }
        }
        if (done >= writes.size()) out.push_back(std::move(r));
      }
    }
    // A connection lost inside a MULTI ... EXEC: the server discarded the transaction; it is sent
    // again from its MULTI on the new connection (its commands were not applied).
    if (done < total) {
      for (size_t m = done; m-- > 0;) {
        if (at(m)[0] == "EXEC") break;
        if (at(m)[0] == "MULTI") {
          done = m;
          break;
        }
      }
    }
    for (; done < total; ++done) {  // Connection lost: one by one, with CommandLocked's retries.
      auto r = CommandLocked(at(done));
      if (!r.ok()) {
        if (absl::IsUnavailable(r.status())) return r.status();
        if (write_error.ok()) write_error = r.status();
        if (done >= writes.size()) out.emplace_back();
        continue;
      }
      if (done >= writes.size()) out.push_back(*std::move(r));
    }
    if (!write_error.ok()) return write_error;
    return out;
  }

  // Runs one command at once; reconnects when the connection is gone.
  absl::StatusOr<Reply> CommandLocked(const std::vector<std::string>& args)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    // A dropped connection or a server still loading its AOF after a restart is retried every
    // 50 ms for at most 60 attempts (3 s); any other error reply is returned at once.
    constexpr int kMaxAttempts = 60;
    std::string last_error = "unreachable";
    bool reloaded_script = false;
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      if (attempt > 0) absl::SleepFor(absl::Milliseconds(50));
      if (ctx == nullptr || ctx->err) {
        if (absl::Status s = ConnectLocked(); !s.ok()) {
          last_error = std::string(s.message());
          continue;
        }
        if (args[0] == "EVALSHA") {
          argv[1] = script_sha.c_str();
          lens[1] = script_sha.size();
        }
      }
      round_trips.fetch_add(1, std::memory_order_relaxed);
      Reply r(static_cast<redisReply*>(
          redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (!r) {
        last_error = ctx ? ctx->errstr : "no connection";
        if (ctx) {
          redisFree(ctx);
          ctx = nullptr;
        }
        continue;
      }
      if (r->type == REDIS_REPLY_ERROR) {
        const std::string err = Str(r.get());
        if (absl::StartsWith(err, "NOSCRIPT") && !reloaded_script) {
          reloaded_script = true;
          if (absl::Status s = ConnectLocked(); !s.ok()) {
            last_error = std::string(s.message());
            continue;
          }
          argv[1] = script_sha.c_str();
          lens[1] = script_sha.size();
          --attempt;  // Not a failure: run it again at once.
          continue;
        }
        if (absl::StartsWith(err, "LOADING")) {
          last_error = err;
          continue;
        }
        return absl::InternalError(absl::StrCat("redis ", args[0], ": ", err));
      }
      return r;
    }
    return absl::UnavailableError(absl::StrCat("redis ", address.host, ":", address.port, " ",
                                               args[0], ": ", last_error, " (after ", kMaxAttempts,
                                               " attempts)"));
  }

  std::string Sha() {
    absl::MutexLock lock(&mu);
    if (ctx == nullptr) (void)ConnectLocked();
    return script_sha;
  }
};

RedisTransport::RedisTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisTransport::~RedisTransport() = default;

absl::StatusOr<std::unique_ptr<RedisTransport>> RedisTransport::Connect(
    const RedisAddress& address) {
  auto impl = std::make_unique<Impl>();
  impl->address = address;
  {
    absl::MutexLock lock(&impl->mu);
    if (absl::Status s = impl->ConnectLocked(); !s.ok()) return s;
  }
  return std::unique_ptr<RedisTransport>(new RedisTransport(std::move(impl)));
}

namespace {
std::vector<std::string> XaddArgs(absl::string_view stream, const Fields& fields,
                                  int64_t min_id_ms) {
  std::vector<std::string> args = {"XADD", std::string(stream)};
  args.reserve(6 + 2 * fields.size());
  if (min_id_ms > 0) {
    args.insert(args.end(), {"MINID", "~", absl::StrCat(min_id_ms, "-0")});
  }
  args.push_back("*");
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  return args;
}

std::vector<std::string> AutoClaimArgs(absl::string_view stream, absl::string_view group,
                                       absl::string_view consumer, absl::Duration min_idle,
                                       int count) {
  return {"XAUTOCLAIM",
          std::string(stream),
          std::string(group),
          std::string(consumer),
          std::to_string(absl::ToInt64Milliseconds(min_idle)),
          "0",
          "COUNT",
          std::to_string(count)};
}

std::vector<std::string> ReadGroupArgs(absl::string_view stream, absl::string_view group,
                                       absl::string_view consumer, int count,
                                       int64_t block_ms = 0) {
  std::vector<std::string> args = {"XREADGROUP",          "GROUP", std::string(group),
                                   std::string(consumer), "COUNT", std::to_string(count)};
  if (block_ms > 0) args.insert(args.end(), {"BLOCK", std::to_string(block_ms)});
  args.insert(args.end(), {"STREAMS", std::string(stream), ">"});
  return args;
}

std::vector<Entry> ReadGroupEntries(const redisReply* top) {
  if (top == nullptr || top->type != REDIS_REPLY_ARRAY || top->elements == 0) return {};
  const redisReply* s = top->element[0];  // [stream, entries]
  if (s->type != REDIS_REPLY_ARRAY || s->elements < 2) return {};
  return EntryArray(s->element[1], 1);
}

std::vector<Entry> AutoClaimEntries(const redisReply* top) {
  if (top == nullptr || top->type != REDIS_REPLY_ARRAY || top->elements < 2) return {};
  return EntryArray(top->element[1], 0);
}
}  // namespace

void RedisTransport::BeginPipeline() {
  absl::MutexLock lock(&impl_->mu);
  ++impl_->pipeline_depth;
}

absl::Status RedisTransport::EndPipeline() {
  absl::MutexLock lock(&impl_->mu);
  if (impl_->pipeline_depth > 0) --impl_->pipeline_depth;
  if (impl_->pipeline_depth > 0 || impl_->queued.empty()) return absl::OkStatus();
  return impl_->RoundTripLocked({}).status();
}

absl::Status RedisTransport::AddNoReply(absl::string_view stream, const Fields& fields,
                                        int64_t min_id_ms) {
  return impl_->Write(XaddArgs(stream, fields, min_id_ms));
}

absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>> RedisTransport::ClaimAndRead(
    absl::string_view stream, absl::string_view group, absl::string_view consumer,
    absl::Duration min_idle, int claim_count, int read_count) {
  return ClaimAndReadBlocking(stream, group, consumer, min_idle, claim_count, read_count,
                              absl::ZeroDuration());
}

absl::StatusOr<std::pair<std::vector<Entry>, std::vector<Entry>>>
RedisTransport::ClaimAndReadBlocking(absl::string_view stream, absl::string_view group,
                                     absl::string_view consumer, absl::Duration min_idle,
                                     int claim_count, int read_count, absl::Duration block) {
  const std::vector<std::string> claim =
      AutoClaimArgs(stream, group, consumer, min_idle, claim_count);
  const std::vector<std::string> read = ReadGroupArgs(
      stream, group, consumer, read_count, std::max<int64_t>(0, absl::ToInt64Milliseconds(block)));
  std::vector<const std::vector<std::string>*> cmds = {&claim};
  if (read_count > 0) cmds.push_back(&read);
  absl::StatusOr<std::vector<Reply>> replies;
  {
    absl::MutexLock lock(&impl_->mu);
    replies = impl_->RoundTripLocked(cmds);
  }
  if (!replies.ok()) {
    if (absl::StrContains(replies.status().message(), "NOGROUP")) {
      if (absl::Status s = RecreateLostGroup(stream, group); !s.ok()) return s;
      return std::make_pair(std::vector<Entry>(), std::vector<Entry>());
    }
    return replies.status();
  }
  std::vector<Entry> claimed = AutoClaimEntries((*replies)[0].get());
  std::vector<Entry> fresh;
  if (read_count > 0) fresh = ReadGroupEntries((*replies)[1].get());
  if (absl::Status s = FillDeliveries(stream, group, &claimed); !s.ok()) return s;
  return std::make_pair(std::move(claimed), std::move(fresh));
}

absl::StatusOr<std::vector<std::optional<std::string>>> RedisTransport::GetMany(
    absl::Span<const std::string> keys) {
  std::vector<std::optional<std::string>> out;
  if (keys.empty()) return out;
  std::vector<std::string> args = {"MGET"};
  args.insert(args.end(), keys.begin(), keys.end());
  auto r = impl_->Command(args);
  if (!r.ok()) return r.status();
  const redisReply* top = r->get();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (top->type != REDIS_REPLY_ARRAY || i >= top->elements ||
        top->element[i]->type == REDIS_REPLY_NIL) {
      out.emplace_back();
    } else {
      out.emplace_back(Str(top->element[i]));
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<std::string>>> RedisTransport::SetIfAbsentMany(
    absl::Span<const std::string> keys, absl::string_view value, absl::Duration ttl) {
  std::vector<std::optional<std::string>> out;
  if (keys.empty()) return out;
  const std::string ttl_s = std::to_string(Seconds(ttl));
  std::vector<std::vector<std::string>> args;
  args.reserve(keys.size());
  for (const std::string& k : keys) {
    args.push_back({"SET", k, std::string(value), "NX", "GET", "EX", ttl_s});
  }
  std::vector<const std::vector<std::string>*> cmds;
  cmds.reserve(args.size());
  for (const auto& a : args) cmds.push_back(&a);
  absl::StatusOr<std::vector<Reply>> replies;
  {
    absl::MutexLock lock(&impl_->mu);
    replies = impl_->RoundTripLocked(cmds);
  }
  if (!replies.ok()) return replies.status();
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const redisReply* r = i < replies->size() ? (*replies)[i].get() : nullptr;
    if (r == nullptr) return absl::InternalError(absl::StrCat("redis SET NX GET ", keys[i]));
    if (r->type == REDIS_REPLY_NIL) {
      out.emplace_back();  // Was absent: set by this call.
    } else {
      out.emplace_back(Str(r));
    }
  }
  return out;
}

absl::Status RedisTransport::FanOutAndAck(absl::string_view source, absl::string_view group,
                                          const Entry& entry, absl::Span<const std::string> targets,
                                          int64_t min_id_ms) {
  return FanOutAndAckMany(source, group, absl::MakeConstSpan(&entry, 1), targets, min_id_ms);
}

absl::Status RedisTransport::FanOutAndAckMany(absl::string_view source, absl::string_view group,
                                              absl::Span<const Entry> entries,
                                              absl::Span<const std::string> targets,
                                              int64_t min_id_ms) {
  if (entries.empty()) return absl::OkStatus();
  // MULTI, XADD of each entry to every target, one XACK of them all, EXEC: queued as one
  // transaction (atomic: a connection lost before EXEC discards it), in one round trip with the
  // next read. Cheaper for the server than the Lua script it replaces (no Lua strings, tables
  // and redis.call conversions per copy); the copies travel once per target.
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(entries.size() * targets.size() + 3);
  cmds.push_back({"MULTI"});
  std::vector<std::string> ack = {"XACK", std::string(source), std::string(group)};
  ack.reserve(3 + entries.size());
  for (const Entry& e : entries) {
    for (const std::string& target : targets) {
      cmds.push_back(XaddArgs(target, e.fields, min_id_ms));
    }
    ack.push_back(e.id);
  }
  cmds.push_back(std::move(ack));
  cmds.push_back({"EXEC"});
  return impl_->WriteMany(std::move(cmds));
}

absl::Status RedisTransport::AckMany(absl::string_view stream, absl::string_view group,
                                     absl::Span<const std::string> ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> args = {"XACK", std::string(stream), std::string(group)};
  args.reserve(3 + ids.size());
  args.insert(args.end(), ids.begin(), ids.end());
  return impl_->Write(std::move(args));
}

absl::Status RedisTransport::HashSetMany(absl::string_view key, const Fields& fields) {
  if (fields.empty()) return absl::OkStatus();
  std::vector<std::string> args = {"HSET", std::string(key)};
  args.reserve(2 + 2 * fields.size());
  for (const auto& [f, v] : fields) {
    args.push_back(f);
    args.push_back(v);
  }
  return impl_->Write(std::move(args));
}

absl::StatusOr<std::pair<std::string, bool>> RedisTransport::AddOnce(absl::string_view stream,
                                                                     const Fields& fields,
                                                                     absl::string_view marker,
                                                                     absl::Duration ttl,
                                                                     int64_t min_id_ms) {
  // EVAL, not EVALSHA: Redis caches the script by its digest, and nothing needs reloading.
  std::vector<std::string> args = {
      "EVAL",
      kAddOnceScript,
      "2",
      std::string(marker),
      std::string(stream),
      std::to_string(Seconds(ttl)),
      min_id_ms > 0 ? absl::StrCat(min_id_ms, "-0") : std::string("0")};
  args.reserve(args.size() + 2 * fields.size());
  for (const auto& [k, v] : fields) {
    args.push_back(k);
    args.push_back(v);
  }
  auto r = impl_->Command(args);
  if (!r.ok()) return r.status();
  const redisReply* reply = r->get();
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER) {
    return absl::InternalError(absl::StrCat("redis AddOnce: unexpected reply: ", Str(reply)));
  }
  return std::make_pair(Str(reply->element[1]), reply->element[0]->integer == 1);
}

// The group was created at start-up (CreateGroup) and a read now finds it gone: the server lost
// its data (restarted without AOF, flushed, or failed over to a replica without the group).
// Created again at 0 with MKSTREAM, so the entries added since (Publish's XADDs) are delivered.
absl::Status RedisTransport::RecreateLostGroup(absl::string_view stream, absl::string_view group) {
  if (absl::Status s = CreateGroup(stream, group); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("consumer group '", group, "' on stream '", stream,
                                               "' is gone (NOGROUP) and could not be created "
                                               "again: ",
                                               s.message()));
  }
  groups_recreated_.fetch_add(1);
  spdlog::warn(
      "redis: consumer group '{}' on stream '{}' was gone (NOGROUP: the server lost its data?); "
      "created again at 0",
      std::string(group), std::string(stream));
  return absl::OkStatus();
}

int64_t RedisTransport::round_trips() const {
  return impl_->round_trips.load(std::memory_order_relaxed);
}

absl::Status RedisTransport::FillDeliveries(absl::string_view stream, absl::string_view group,
                                            std::vector<Entry>* entries) {
  // Delivery counts from XPENDING, one range query per claimed entry (pipelined).
  if (entries->empty()) return absl::OkStatus();
  std::vector<std::vector<std::string>> args;
  for (const Entry& e : *entries) {
    args.push_back({"XPENDING", std::string(stream), std::string(group), e.id, e.id, "1"});
  }
  std::vector<const std::vector<std::string>*> cmds;
  for (const auto& a : args) cmds.push_back(&a);
  absl::StatusOr<std::vector<Reply>> replies;
  {
    absl::MutexLock lock(&impl_->mu);
    replies = impl_->RoundTripLocked(cmds);
  }
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < entries->size(); ++i) {
    const redisReply* pr = (*replies)[i].get();
    Entry& e = (*entries)[i];
    if (pr != nullptr && pr->type == REDIS_REPLY_ARRAY && pr->elements == 1 &&
        pr->element[0]->type == REDIS_REPLY_ARRAY && pr->element[0]->elements >= 4) {
      e.deliveries = pr->element[0]->element[3]->integer;
    } else {
      e.deliveries = 1;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RedisTransport::Add(absl::string_view stream, const Fields& fields,
                                                int64_t min_id_ms) {
  auto r = impl_->Command(XaddArgs(stream, fields, min_id_ms));
  if (!r.ok()) return r.status();
  return Str(r->get());
}

absl::Status RedisTransport::CreateGroup(absl::string_view stream, absl::string_view group) {
  auto r = impl_->Command(
      {"XGROUP", "CREATE", std::string(stream), std::string(group), "0", "MKSTREAM"});
  if (!r.ok() && absl::StrContains(r.status().message(), "BUSYGROUP")) return absl::OkStatus();
  return r.status();
}

absl::StatusOr<std::vector<Entry>> RedisTransport::ReadGroup(absl::string_view stream,
                                                             absl::string_view group,
                                                             absl::string_view consumer,
                                                             int count) {
  auto r = impl_->Command(ReadGroupArgs(stream, group, consumer, count));
  if (!r.ok()) return r.status();
  return ReadGroupEntries(r->get());
}

absl::Status RedisTransport::Ack(absl::string_view stream, absl::string_view group,
                                 absl::string_view id) {
  return impl_->Write({"XACK", std::string(stream), std::string(group), std::string(id)});
}

absl::StatusOr<std::vector<Entry>> RedisTransport::AutoClaim(absl::string_view stream,
                                                             absl::string_view group,
                                                             absl::string_view consumer,
                                                             absl::Duration min_idle, int count) {
  auto r = impl_->Command(AutoClaimArgs(stream, group, consumer, min_idle, count));
  if (!r.ok()) {
    if (absl::StrContains(r.status().message(), "NOGROUP")) {
      if (absl::Status s = RecreateLostGroup(stream, group); !s.ok()) return s;
      return std::vector<Entry>();
    }
    return r.status();
  }
  std::vector<Entry> out = AutoClaimEntries(r->get());
  if (absl::Status s = FillDeliveries(stream, group, &out); !s.ok()) return s;
  return out;
}

absl::StatusOr<int64_t> RedisTransport::PendingCount(absl::string_view stream,
                                                     absl::string_view group) {
  auto r = impl_->Command({"XPENDING", std::string(stream), std::string(group)});
  if (!r.ok()) {
    if (absl::StrContains(r.status().message(), "NOGROUP")) return 0;
    return r.status();
  }
  const redisReply* top = r->get();
  if (top->type != REDIS_REPLY_ARRAY || top->elements == 0) return 0;
  return top->element[0]->integer;
}

absl::StatusOr<int64_t> RedisTransport::Undelivered(absl::string_view stream,
                                                    absl::string_view group) {
  auto r = impl_->Command({"XINFO", "GROUPS", std::string(stream)});
  if (!r.ok()) {
    if (absl::StrContains(r.status().message(), "no such key")) return 0;
    return r.status();
  }
  const redisReply* top = r->get();
  for (size_t i = 0; i < top->elements; ++i) {
    const Fields f = FieldArray(top->element[i]);
    std::string name, last;
    int64_t lag = -1;
    for (size_t k = 0; k < top->element[i]->elements; k += 2) {
      const std::string key = Str(top->element[i]->element[k]);
      const redisReply* v = top->element[i]->element[k + 1];
      if (key == "name") name = Str(v);
      if (key == "lag" && v->type == REDIS_REPLY_INTEGER) lag = v->integer;
      if (key == "last-delivered-id") last = Str(v);
    }
    if (name != group) continue;
    if (lag >= 0) return lag;
    // lag is nil when Redis cannot compute it: count the entries after last-delivered-id.
    auto c = impl_->Command({"XRANGE", std::string(stream), absl::StrCat("(", last), "+"});
    if (!c.ok()) return c.status();
    return static_cast<int64_t>(c->get()->elements);
  }
  return 0;
}

absl::StatusOr<std::vector<Entry>> RedisTransport::Range(absl::string_view stream) {
  auto r = impl_->Command({"XRANGE", std::string(stream), "-", "+"});
  if (!r.ok()) return r.status();
  return EntryArray(r->get(), 0);
}

absl::StatusOr<bool> RedisTransport::SetIfAbsent(absl::string_view key, absl::string_view value,
                                                 absl::Duration ttl) {
  auto r = impl_->Command(
      {"SET", std::string(key), std::string(value), "NX", "EX", std::to_string(Seconds(ttl))});
  if (!r.ok()) return r.status();
  return r->get()->type == REDIS_REPLY_STATUS;
}

absl::Status RedisTransport::Set(absl::string_view key, absl::string_view value,
                                 absl::Duration ttl) {
  return impl_->Write(
      {"SET", std::string(key), std::string(value), "EX", std::to_string(Seconds(ttl))});
}

absl::StatusOr<std::optional<std::string>> RedisTransport::Get(absl::string_view key) {
  auto r = impl_->Command({"GET", std::string(key)});
  if (!r.ok()) return r.status();
  if (r->get()->type == REDIS_REPLY_NIL) return std::optional<std::string>();
  return std::optional<std::string>(Str(r->get()));
}

absl::StatusOr<BucketState> RedisTransport::PeekBucket(const BucketSpec& bucket, absl::Time now) {
  if (!(bucket.daily > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bucket ", bucket.key, ": daily capacity must be > 0, got ", bucket.daily));
  }
  // The hash the acquire script writes: h, d (tokens) and ts (Unix ms).
  auto r = impl_->Command({"HMGET", bucket.key, "h", "d", "ts"});
  if (!r.ok()) return r.status();
  const redisReply* a = r->get();
  BucketState s;
  double h = 0, d = 0, ts = 0;
  if (a->type == REDIS_REPLY_ARRAY && a->elements == 3 &&
      absl::SimpleAtod(Str(a->element[0]), &h) && absl::SimpleAtod(Str(a->element[1]), &d) &&
      absl::SimpleAtod(Str(a->element[2]), &ts)) {
    s = BucketState{h, d, static_cast<int64_t>(ts)};
  }
  RefillBucket(bucket, absl::ToUnixMillis(now), &s);
  return s;
}

absl::Status RedisTransport::Delete(absl::string_view key) {
  return impl_->Write({"DEL", std::string(key)});
}

absl::Status RedisTransport::HashSet(absl::string_view key, absl::string_view field,
                                     absl::string_view value) {
  return impl_->Write({"HSET", std::string(key), std::string(field), std::string(value)});
}

absl::StatusOr<Fields> RedisTransport::HashGetAll(absl::string_view key) {
  auto r = impl_->Command({"HGETALL", std::string(key)});
  if (!r.ok()) return r.status();
  Fields f = FieldArray(r->get());
  std::sort(f.begin(), f.end());
  return f;
}

absl::Status RedisTransport::ListPush(absl::string_view key, absl::string_view value,
                                      absl::Duration ttl) {
  if (absl::Status s = impl_->Write({"RPUSH", std::string(key), std::string(value)}); !s.ok()) {
    return s;
  }
  return impl_->Write({"EXPIRE", std::string(key), std::to_string(Seconds(ttl))});
}

absl::StatusOr<std::vector<std::string>> RedisTransport::ListRange(absl::string_view key) {
  auto r = impl_->Command({"LRANGE", std::string(key), "0", "-1"});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (size_t i = 0; i < r->get()->elements; ++i) out.push_back(Str(r->get()->element[i]));
  return out;
}

absl::StatusOr<std::vector<std::string>> RedisTransport::KeysWithPrefix(absl::string_view prefix) {
  std::vector<std::string> out;
  std::string cursor = "0";
  for (int guard = 0; guard < 100000; ++guard) {
    auto r = impl_->Command({"SCAN", cursor, "MATCH", absl::StrCat(prefix, "*"), "COUNT", "1000"});
    if (!r.ok()) return r.status();
    const redisReply* top = r->get();
    if (top->type != REDIS_REPLY_ARRAY || top->elements < 2) break;
    cursor = Str(top->element[0]);
    for (size_t i = 0; i < top->element[1]->elements; ++i) {
      out.push_back(Str(top->element[1]->element[i]));
    }
    if (cursor == "0") break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::Status RedisTransport::ListPushIndexed(absl::string_view key, absl::string_view value,
                                             absl::Duration ttl, absl::string_view index) {
  if (absl::Status s = ListPush(key, value, ttl); !s.ok()) return s;
  return IndexAdd(index, {std::string(key)}, ttl);
}

absl::Status RedisTransport::IndexAdd(absl::string_view index, absl::Span<const std::string> keys,
                                      absl::Duration ttl) {
  if (keys.empty()) return absl::OkStatus();
  std::vector<std::string> args = {"SADD", std::string(index)};
  args.insert(args.end(), keys.begin(), keys.end());
  if (absl::Status s = impl_->Write(std::move(args)); !s.ok()) return s;
  return impl_->Write({"EXPIRE", std::string(index), std::to_string(Seconds(ttl))});
}

absl::StatusOr<std::vector<std::string>> RedisTransport::IndexedKeys(absl::string_view index) {
  // EVAL, not EVALSHA: Redis caches the script by its digest, and nothing needs reloading.
  auto r = impl_->Command({"EVAL", kIndexedKeysScript, "1", std::string(index)});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  const redisReply* top = r->get();
  if (top->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < top->elements; ++i) out.push_back(Str(top->element[i]));
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::optional<std::string>>> RedisTransport::HashGetMany(
    absl::string_view key, absl::Span<const std::string> fields) {
  std::vector<std::optional<std::string>> out(fields.size());
  if (fields.empty()) return out;
  std::vector<std::string> args = {"HMGET", std::string(key)};
  args.insert(args.end(), fields.begin(), fields.end());
  auto r = impl_->Command(args);
  if (!r.ok()) return r.status();
  const redisReply* top = r->get();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (top->type == REDIS_REPLY_ARRAY && i < top->elements &&
        top->element[i]->type != REDIS_REPLY_NIL) {
      out[i] = Str(top->element[i]);
    }
  }
  return out;
}

absl::StatusOr<AcquireResult> RedisTransport::Acquire(absl::Span<const BucketSpec> buckets,
                                                      absl::Time now) {
  std::vector<std::string> args = {"EVALSHA", impl_->Sha(), std::to_string(buckets.size())};
  for (const BucketSpec& b : buckets) {
    if (!(b.daily > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bucket ", b.key, ": daily capacity must be > 0, got ", b.daily));
    }
    args.push_back(b.key);
  }
  args.push_back(std::to_string(absl::ToUnixMillis(now)));
  for (const BucketSpec& b : buckets) {
    args.push_back(absl::StrCat(b.hourly));
    args.push_back(absl::StrCat(b.daily));
  }
  auto r = impl_->Command(args);
  if (!r.ok()) return r.status();
  const redisReply* top = r->get();
  if (top->type != REDIS_REPLY_ARRAY || top->elements < 2) {
    return absl::InternalError("redis token-bucket script: unexpected reply");
  }
  if (top->element[0]->integer == 1) return AcquireResult{true, absl::ZeroDuration()};
  double wait = 0;
  (void)absl::SimpleAtod(Str(top->element[1]), &wait);
  return AcquireResult{false, absl::Milliseconds(std::ceil(wait * 1000.0))};
}

}  // namespace superbet::bus
