// SQLite connection of the store (internal/db.h).

#include <sqlite3.h>

#include <charconv>
#include <functional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "store/internal/db.h"

namespace superbet::store::internal {
namespace {

// "$12" -> "?12": the store writes PostgreSQL placeholders; SQLite's ?NNN binds by number. A '$'
// inside a quoted literal (a JSON path '$.home.shots') is left alone.
std::string ToSqlitePlaceholders(absl::string_view sql) {
  std::string out(sql);
  bool quoted = false;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\'') quoted = !quoted;
    if (!quoted && out[i] == '$' && i + 1 < out.size() && out[i + 1] >= '0' && out[i + 1] <= '9') {
      out[i] = '?';
    }
  }
  return out;
}

class SqliteDb final : public Db {
 public:
  explicit SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteDb() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Dialect dialect() const override { return Dialect::kSqlite; }

  absl::Status Exec(absl::string_view sql) override {
    char* err = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      absl::Status s = Error(sqlite3_extended_errcode(db_),
                             absl::StrCat(err ? err : "unknown error", " in: ", Head(sql)));
      sqlite3_free(err);
      return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Run(absl::string_view sql, absl::Span<const Value> params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.status();
    const int rc = sqlite3_step(*stmt);
    sqlite3_reset(*stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      return Error(rc, absl::StrCat(sqlite3_errmsg(db_), " in: ", Head(sql)));
    }
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql, absl::Span<const Value> params,
                                         absl::Span<const int> /*blob_columns*/) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.status();
    std::vector<Row> rows;
    for (;;) {
      const int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(*stmt);
        return Error(rc, absl::StrCat(sqlite3_errmsg(db_), " in: ", Head(sql)));
      }
      const int n = sqlite3_column_count(*stmt);
      Row row(n);
      for (int c = 0; c < n; ++c) {
        const int type = sqlite3_column_type(*stmt, c);
        if (type == SQLITE_NULL) continue;
        if (type == SQLITE_FLOAT) {  // Shortest round-trip text, as PostgreSQL prints a float8.
          row[c] = ShortestDouble(sqlite3_column_double(*stmt, c));
          continue;
        }
        const void* p = type == SQLITE_BLOB
                            ? sqlite3_column_blob(*stmt, c)
                            : static_cast<const void*>(sqlite3_column_text(*stmt, c));
        const int len = sqlite3_column_bytes(*stmt, c);
        row[c] = std::string(static_cast<const char*>(p), static_cast<size_t>(len));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(*stmt);
    return rows;
  }

  absl::Status QueryEach(absl::string_view sql, absl::Span<const Value> params,
                         const std::function<absl::Status(const RowView&)>& fn) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.status();
    struct View final : RowView {
      sqlite3_stmt* st;
      bool IsNull(int c) const override { return sqlite3_column_type(st, c) == SQLITE_NULL; }
      absl::string_view Text(int c) const override {
        const void* p = sqlite3_column_type(st, c) == SQLITE_BLOB
                            ? sqlite3_column_blob(st, c)
                            : static_cast<const void*>(sqlite3_column_text(st, c));
        const int n = sqlite3_column_bytes(st, c);
        return p ? absl::string_view(static_cast<const char*>(p), static_cast<size_t>(n))
                 : absl::string_view();
      }
      int64_t Int(int c) const override { return sqlite3_column_int64(st, c); }
      double Double(int c) const override { return sqlite3_column_double(st, c); }
    } view;
    view.st = *stmt;
    absl::Status status = absl::OkStatus();
    for (;;) {
      const int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        status = Error(rc, absl::StrCat(sqlite3_errmsg(db_), " in: ", Head(sql)));
        break;
      }
      status = fn(view);
      if (!status.ok()) break;
    }
    sqlite3_reset(*stmt);
    return status;
  }

  absl::Status QueryEachBinary(absl::string_view sql, absl::Span<const Value> params,
                               const std::function<absl::Status(const RowView&)>& fn) override {
    return QueryEach(sql, params, fn);  // SQLite's columns are native already.
  }

  absl::Status CopyIn(absl::string_view, absl::Span<const std::string>,
                      absl::Span<const std::vector<Value>>) override {
    return absl::UnimplementedError("COPY is a PostgreSQL command; SQLite inserts row by row");
  }

 private:
  static std::string ShortestDouble(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // Shortest round-trip form.
    return std::string(buf, r.ptr);
  }
  static std::string Head(absl::string_view sql) { return std::string(sql.substr(0, 120)); }
  absl::Status Error(int rc, const std::string& what) const {
    const int primary = rc & 0xff;
    const std::string msg = absl::StrCat("sqlite ", path_, ": ", what);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return absl::UnavailableError(msg);
    if (primary == SQLITE_CONSTRAINT) return absl::AlreadyExistsError(msg);
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return absl::DataLossError(msg);
    return absl::InternalError(msg);
  }

  absl::StatusOr<sqlite3_stmt*> Prepare(absl::string_view sql, absl::Span<const Value> params) {
    const std::string key(sql);
    sqlite3_stmt*& stmt = cache_[key];
    if (stmt == nullptr) {
      const std::string text = ToSqlitePlaceholders(sql);
      if (sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        absl::Status s =
            Error(sqlite3_extended_errcode(db_), absl::StrCat(sqlite3_errmsg(db_), " in: ", key));
        cache_.erase(key);
        return s;
      }
    }
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      const int idx = static_cast<int>(i) + 1;
      switch (v.kind) {
        case Value::Kind::kNull:
          sqlite3_bind_null(stmt, idx);
          break;
        case Value::Kind::kInt:
          sqlite3_bind_int64(stmt, idx, v.i);
          break;
        case Value::Kind::kDouble:
          sqlite3_bind_double(stmt, idx, v.d);
          break;
        case Value::Kind::kText:
          sqlite3_bind_text(stmt, idx, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
          break;
        case Value::Kind::kBlob:
          sqlite3_bind_blob(stmt, idx, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
          break;
      }
    }
    return stmt;
  }

  sqlite3* db_;
  std::string path_;
  absl::flat_hash_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> OpenSqlite(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return absl::UnavailableError(absl::StrCat("cannot open sqlite store ", path, ": ", msg));
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  auto out = std::make_unique<SqliteDb>(db, path);
  // WAL: readers do not block the one writer; NORMAL sync is durable at checkpoints and safe
  // against corruption on a crash (https://www.sqlite.org/wal.html).
  absl::Status s = out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  if (!s.ok()) return s;
  return std::unique_ptr<Db>(std::move(out));
}

}  // namespace superbet::store::internal
