// One database connection behind the store: SQLite (sqlite3) or PostgreSQL (libpq). The store's
// SQL is written once, with PostgreSQL's $1..$n placeholders; the SQLite connection rewrites them
// to ?1..?n. Every statement with parameters is prepared once per connection and cached.
//
// Values cross as text (numbers in their shortest round-trip form), except blobs, which are bound
// and read as raw bytes on both backends, so doubles and serialized protos come back bit for bit.
//
// Thread-safety: a Db is used by one thread at a time (the store's pool hands it out).

#ifndef SUPERBET_LIB_STORE_INTERNAL_DB_H_
#define SUPERBET_LIB_STORE_INTERNAL_DB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace superbet::store::internal {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter: NULL, integer, double, text or blob.
struct Value {
  enum class Kind { kNull, kInt, kDouble, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;  // Text or blob bytes.

  static Value Null() { return Value{}; }
  static Value Int(int64_t v) { return Value{Kind::kInt, v, 0, {}}; }
  static Value Double(double v) { return Value{Kind::kDouble, 0, v, {}}; }
  static Value Text(std::string v) { return Value{Kind::kText, 0, 0, std::move(v)}; }
  static Value Blob(std::string v) { return Value{Kind::kBlob, 0, 0, std::move(v)}; }
  template <typename T>
  static Value OptDouble(const std::optional<T>& v) {
    return v ? Double(static_cast<double>(*v)) : Null();
  }
  template <typename T>
  static Value OptInt(const std::optional<T>& v) {
    return v ? Int(static_cast<int64_t>(*v)) : Null();
  }
};

// One result row: each column as text (blob columns as raw bytes), nullopt for NULL.
using Row = std::vector<std::optional<std::string>>;

// One row of a streamed query (Db::QueryEach), valid during the callback only. Columns are read
// natively where the backend stores them so (SQLite), else parsed from text (PostgreSQL).
class RowView {
 public:
  virtual ~RowView() = default;
  virtual bool IsNull(int column) const = 0;
  virtual absl::string_view Text(int column) const = 0;  // Raw bytes for a blob column.
  virtual int64_t Int(int column) const = 0;
  virtual double Double(int column) const = 0;
};

class Db {
 public:
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;

  // Runs one or more statements without parameters (DDL, BEGIN, COMMIT).
  [[nodiscard]] virtual absl::Status Exec(absl::string_view sql) = 0;
  // Runs one statement with parameters; returns the number of rows it changed.
  [[nodiscard]] virtual absl::StatusOr<int64_t> Run(absl::string_view sql,
                                                    absl::Span<const Value> params) = 0;
  // Runs one query; `blob_columns` lists the result columns read as raw bytes.
  [[nodiscard]] virtual absl::StatusOr<std::vector<Row>> Query(
      absl::string_view sql, absl::Span<const Value> params,
      absl::Span<const int> blob_columns = {}) = 0;
  // Runs one query and calls `fn` on each row without copying it; a non-OK status from `fn`
  // stops the query and is returned.
  [[nodiscard]] virtual absl::Status QueryEach(
      absl::string_view sql, absl::Span<const Value> params,
      const std::function<absl::Status(const RowView&)>& fn) = 0;
  // As QueryEach, with PostgreSQL sending the result in its binary format (PQexecPrepared with
  // resultFormat 1; protocol "Formats and Format Codes", PostgreSQL 15 docs §55.1.3): text and
  // bytea columns arrive as their raw bytes (no hex to decode), BIGINT / INTEGER / SMALLINT and
  // DOUBLE PRECISION as their network-order bytes. Only for queries whose columns are of those
  // types. SQLite: the same as QueryEach.
  [[nodiscard]] virtual absl::Status QueryEachBinary(
      absl::string_view sql, absl::Span<const Value> params,
      const std::function<absl::Status(const RowView&)>& fn) = 0;
  // PostgreSQL only: COPY `table` (`columns`) FROM STDIN in text format. Unimplemented on SQLite.
  [[nodiscard]] virtual absl::Status CopyIn(absl::string_view table,
                                            absl::Span<const std::string> columns,
                                            absl::Span<const std::vector<Value>> rows) = 0;
};

// Opens (creating it if needed) the SQLite database at `path`: WAL journal, synchronous=NORMAL,
// foreign keys on, busy timeout `busy_timeout_ms` (another process holding the write lock is
// waited for, not an error, up to that long).
// Errors: Unavailable naming the path when it cannot be opened.
[[nodiscard]] absl::StatusOr<std::unique_ptr<Db>> OpenSqlite(const std::string& path,
                                                             int busy_timeout_ms);

// Connects to PostgreSQL with a libpq connection string or URI ("postgres://user@host:port/db").
// Errors: Unavailable with libpq's message (the password is never printed).
[[nodiscard]] absl::StatusOr<std::unique_ptr<Db>> OpenPostgres(const std::string& conninfo);

// Runs `fn` between BEGIN and COMMIT (SQLite: BEGIN IMMEDIATE, so the write lock is taken, or
// waited for, up front); any error rolls back and is returned.
template <typename Fn>
[[nodiscard]] absl::Status InTransaction(Db& db, Fn&& fn) {
  absl::Status s = db.Exec(db.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!s.ok()) return s;
  s = fn();
  if (!s.ok()) {
    (void)db.Exec("ROLLBACK");
    return s;
  }
  s = db.Exec("COMMIT");
  if (!s.ok()) (void)db.Exec("ROLLBACK");
  return s;
}

}  // namespace superbet::store::internal

#endif  // SUPERBET_LIB_STORE_INTERNAL_DB_H_
