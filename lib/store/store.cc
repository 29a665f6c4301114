// Store: opening by URL, the connection pool, migrations, counts and retention.

#include "superbet/store/store.h"

#include <charconv>
#include <cstdlib>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "store/internal/schema.h"
#include "store/internal/store_impl.h"

namespace superbet::store {

void WriteCounts::Add(const WriteCounts& o) {
  matches += o.matches;
  lines += o.lines;
  live_stats += o.live_stats;
  players += o.players;
  ledger += o.ledger;
  responses += o.responses;
  source_files += o.source_files;
}

namespace internal {

std::string Serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream sos(&out);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&cos);
  }
  return out;
}

int64_t ToUs(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromUs(int64_t us) { return absl::FromUnixMicros(us); }
int64_t TimestampUs(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}
int64_t ParseInt(const std::optional<std::string>& v) {
  int64_t n = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), n);
  return n;
}
std::optional<double> ParseOptDouble(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  double d = 0;
  std::from_chars(v->data(), v->data() + v->size(), d);
  return d;
}
const char* PhaseOf(const superbet::v1::BettingLine& line) {
  if (line.is_live()) return "live";
  if (line.is_closing()) return "closing";
  return "pre_match";
}

}  // namespace internal

Store::Impl::Impl(Backend b, const core::Clock& c, StoreOptions o,
                  std::vector<std::unique_ptr<internal::Db>> pool)
    : backend(b), clock(c), options(std::move(o)), free_(std::move(pool)) {}

Store::Impl::Lease::~Lease() {
  if (db_ == nullptr) return;
  absl::MutexLock lock(&impl_->mu_);
  impl_->free_.push_back(std::move(db_));
}

Store::Impl::Lease Store::Impl::Acquire() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](std::vector<std::unique_ptr<internal::Db>>* f) { return !f->empty(); }, &free_));
  std::unique_ptr<internal::Db> db = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(db));
}

int64_t Store::Impl::NowUs() const { return internal::ToUs(clock.Now()); }

absl::StatusOr<Backend> ParseStoreUrl(const std::string& url) {
  if (absl::StartsWith(url, "sqlite:") && url.size() > 7) return Backend::kSqlite;
  if (absl::StartsWith(url, "postgres://") || absl::StartsWith(url, "postgresql://")) {
    return Backend::kPostgres;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "store URL must be sqlite:PATH or postgres://[user@]host[:port]/db, got '", url, "'"));
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& url, const core::Clock& clock,
                                                   StoreOptions options) {
  auto backend = ParseStoreUrl(url);
  if (!backend.ok()) return backend.status();
  if (options.pool_size < 1 || options.pool_size > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("store pool_size must be in 1..64, got ", options.pool_size));
  }
  std::vector<std::unique_ptr<internal::Db>> pool;
  if (*backend == Backend::kSqlite) {
    auto db = internal::OpenSqlite(
        url.substr(7), static_cast<int>(absl::ToInt64Milliseconds(options.busy_timeout)));
    if (!db.ok()) return db.status();
    pool.push_back(std::move(*db));  // SQLite: one writer; one connection serves every call.
  } else {
    for (int i = 0; i < options.pool_size; ++i) {
      auto db = internal::OpenPostgres(url);
      if (!db.ok()) return db.status();
      pool.push_back(std::move(*db));
    }
  }
  absl::Status s = internal::Migrate(*pool.front(), kSchemaVersion, internal::ToUs(clock.Now()));
  if (!s.ok()) return s;
  return std::unique_ptr<Store>(
      new Store(std::make_unique<Impl>(*backend, clock, std::move(options), std::move(pool))));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Backend Store::backend() const { return impl_->backend; }

absl::StatusOr<int> Store::SchemaVersion() {
  auto db = impl_->Acquire();
  return internal::CurrentVersion(*db);
}

absl::StatusOr<std::map<std::string, int64_t>> Store::CountRows() {
  auto db = impl_->Acquire();
  std::map<std::string, int64_t> out;
  for (const char* table : {"matches_master", "daily_betting_lines", "players_db", "live_stats",
                            "bets_ledger", "provider_responses", "source_files"}) {
    auto rows = db->Query(absl::StrCat("SELECT COUNT(*) FROM ", table), {});
    if (!rows.ok()) return rows.status();
    out[table] = internal::ParseInt((*rows)[0][0]);
  }
  return out;
}

absl::StatusOr<int64_t> Store::ApplyRetention(absl::Time now, absl::Duration horizon) {
  if (horizon < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("retention horizon must be >= 0, got ", absl::FormatDuration(horizon)));
  }
  auto db = impl_->Acquire();
  return db->Run("DELETE FROM live_stats WHERE \"timestamp\" < $1",
                 {internal::Value::Int(internal::ToUs(now - horizon))});
}

}  // namespace superbet::store
