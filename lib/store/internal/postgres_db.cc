// PostgreSQL connection of the store (internal/db.h), over libpq
// (https://www.postgresql.org/docs/15/libpq.html). Statements with parameters are prepared once
// per connection (PQprepare) and run with PQexecPrepared; blob parameters are sent in binary
// format, bytea results are decoded from PostgreSQL's hex output.

#include <libpq-fe.h>

#include <charconv>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "store/internal/db.h"

namespace superbet::store::internal {
namespace {

std::string ShortestDouble(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // Shortest round-trip form.
  return std::string(buf, r.ptr);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

// bytea text output (hex format, PostgreSQL >= 9.0): "\x0a1b...".
std::string DecodeBytea(const char* text, int len) {
  if (len < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text, len);
  std::string out;
  out.reserve(static_cast<size_t>(len - 2) / 2);
  for (int i = 2; i + 1 < len; i += 2) {
    out.push_back(static_cast<char>(HexDigit(text[i]) * 16 + HexDigit(text[i + 1])));
  }
  return out;
}

// COPY text format escaping (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format").
void AppendCopyField(const Value& v, std::string& out) {
  switch (v.kind) {
    case Value::Kind::kNull:
      out += "\\N";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.i);
      return;
    case Value::Kind::kDouble:
      out += ShortestDouble(v.d);
      return;
    case Value::Kind::kText:
      for (char c : v.s) {
        switch (c) {
          case '\\':
            out += "\\\\";
            break;
          case '\t':
            out += "\\t";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          default:
            out.push_back(c);
        }
      }
      return;
    case Value::Kind::kBlob: {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\\\x";  // The bytea hex form, its backslash escaped for COPY.
      for (unsigned char c : v.s) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
      return;
    }
  }
}

absl::StatusCode CodeOf(const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string s = state ? state : "";
  if (s == "23505") return absl::StatusCode::kAlreadyExists;            // unique_violation
  if (s.rfind("08", 0) == 0) return absl::StatusCode::kUnavailable;     // connection exception
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;  // serialization, deadlock
  return absl::StatusCode::kInternal;
}

class PostgresDb final : public Db {
 public:
  explicit PostgresDb(PGconn* conn) : conn_(conn) {}
  ~PostgresDb() override { PQfinish(conn_); }
  Dialect dialect() const override { return Dialect::kPostgres; }

  absl::Status Exec(absl::string_view sql) override {
    const std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    absl::Status s = Check(res, sql);
    PQclear(res);
    return s;
  }

  absl::StatusOr<int64_t> Run(absl::string_view sql, absl::Span<const Value> params) override {
    PGresult* res = nullptr;
    absl::Status s = Execute(sql, params, &res);
    int64_t changed = 0;
    if (s.ok()) {
      const char* n = PQcmdTuples(res);
      changed = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
    }
    PQclear(res);
    if (!s.ok()) return s;
    return changed;
  }

  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql, absl::Span<const Value> params,
                                         absl::Span<const int> blob_columns) override {
    PGresult* res = nullptr;
    absl::Status s = Execute(sql, params, &res);
    if (!s.ok()) {
      PQclear(res);
      return s;
    }
    const int n = PQntuples(res), cols = PQnfields(res);
    std::vector<bool> is_blob(cols, false);
    for (int c : blob_columns) {
      if (c >= 0 && c < cols) is_blob[c] = true;
    }
    std::vector<Row> rows(n, Row(cols));
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res, r, c)) continue;
        const char* v = PQgetvalue(res, r, c);
        const int len = PQgetlength(res, r, c);
        rows[r][c] = is_blob[c] ? DecodeBytea(v, len) : std::string(v, len);
      }
    }
    PQclear(res);
    return rows;
  }

  absl::Status QueryEach(absl::string_view sql, absl::Span<const Value> params,
                         const std::function<absl::Status(const RowView&)>& fn) override {
    return Each(sql, params, fn, /*binary=*/false);
  }

  absl::Status QueryEachBinary(absl::string_view sql, absl::Span<const Value> params,
                               const std::function<absl::Status(const RowView&)>& fn) override {
    return Each(sql, params, fn, /*binary=*/true);
  }

  absl::Status CopyIn(absl::string_view table, absl::Span<const std::string> columns,
                      absl::Span<const std::vector<Value>> rows) override {
    std::string cols;
    for (const std::string& c : columns) absl::StrAppend(&cols, cols.empty() ? "" : ", ", c);
    const std::string sql = absl::StrCat("COPY ", table, " (", cols, ") FROM STDIN");
    PGresult* res = PQexec(conn_, sql.c_str());
    if (PQresultStatus(res) != PGRES_COPY_IN) {
      absl::Status s = Check(res, sql);
      PQclear(res);
      return s.ok() ? absl::InternalError("COPY did not start") : s;
    }
    PQclear(res);
    std::string buf;
    buf.reserve(1 << 20);
    for (const std::vector<Value>& row : rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) buf.push_back('\t');
        AppendCopyField(row[i], buf);
      }
      buf.push_back('\n');
      if (buf.size() > (1 << 20)) {
        if (PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) break;
        buf.clear();
      }
    }
    if (!buf.empty()) PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size()));
    if (PQputCopyEnd(conn_, nullptr) != 1) {
      return absl::UnavailableError(absl::StrCat("COPY ", table, ": ", PQerrorMessage(conn_)));
    }
    absl::Status s = absl::OkStatus();
    while ((res = PQgetResult(conn_)) != nullptr) {
      absl::Status r = Check(res, sql);
      if (s.ok()) s = r;
      PQclear(res);
    }
    return s;
  }

 private:
  absl::Status Check(const PGresult* res, absl::string_view sql) const {
    const ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) {
      return absl::OkStatus();
    }
    const char* msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    return absl::Status(
        CodeOf(res), absl::StrCat("postgres: ", msg ? msg : "error", " in: ", sql.substr(0, 160)));
  }

  absl::Status Each(absl::string_view sql, absl::Span<const Value> params,
                    const std::function<absl::Status(const RowView&)>& fn, bool binary) {
    PGresult* res = nullptr;
    absl::Status s = Execute(sql, params, &res, binary ? 1 : 0);
    if (!s.ok()) {
      PQclear(res);
      return s;
    }
    struct TextView final : RowView {
      const PGresult* res;
      int row = 0;
      mutable std::string blob;
      bool IsNull(int c) const override { return PQgetisnull(res, row, c) != 0; }
      absl::string_view Text(int c) const override {
        const char* v = PQgetvalue(res, row, c);
        const int n = PQgetlength(res, row, c);
        if (PQftype(res, c) == 17) {  // bytea (pg_type.oid 17): hex text decoded.
          blob = DecodeBytea(v, n);
          return blob;
        }
        return absl::string_view(v, static_cast<size_t>(n));
      }
      int64_t Int(int c) const override {
        int64_t out = 0;
        const absl::string_view t = Text(c);
        std::from_chars(t.data(), t.data() + t.size(), out);
        return out;
      }
      double Double(int c) const override {
        double out = 0;
        const absl::string_view t = Text(c);
        std::from_chars(t.data(), t.data() + t.size(), out);
        return out;
      }
    };
    // Binary format: integers and float8 in network byte order, everything else raw.
    struct BinaryView final : RowView {
      const PGresult* res;
      int row = 0;
      bool IsNull(int c) const override { return PQgetisnull(res, row, c) != 0; }
      absl::string_view Text(int c) const override {
        return absl::string_view(PQgetvalue(res, row, c),
                                 static_cast<size_t>(PQgetlength(res, row, c)));
      }
      uint64_t Bits(int c) const {
        const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(res, row, c));
        const int n = PQgetlength(res, row, c);
        uint64_t v = 0;
        for (int i = 0; i < n && i < 8; ++i) v = (v << 8) | p[i];
        return v;
      }
      int64_t Int(int c) const override {
        const uint64_t v = Bits(c);
        switch (PQgetlength(res, row, c)) {  // Sign-extend int2 / int4.
          case 2:
            return static_cast<int16_t>(v);
          case 4:
            return static_cast<int32_t>(v);
          default:
            return static_cast<int64_t>(v);
        }
      }
      double Double(int c) const override {
        const uint64_t v = Bits(c);
        double d = 0;
        std::memcpy(&d, &v, sizeof d);
        return d;
      }
    };
    TextView text_view;
    BinaryView binary_view;
    text_view.res = binary_view.res = res;
    const int n = PQntuples(res);
    for (int r = 0; r < n && s.ok(); ++r) {
      text_view.row = binary_view.row = r;
      s = binary ? fn(binary_view) : fn(text_view);
    }
    PQclear(res);
    return s;
  }

  absl::Status Execute(absl::string_view sql, absl::Span<const Value> params, PGresult** out,
                       int result_format = 0) {
    const std::string key(sql);
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
      const std::string name = absl::StrFormat("s%d", static_cast<int>(prepared_.size()));
      PGresult* res = PQprepare(conn_, name.c_str(), key.c_str(), 0, nullptr);
      absl::Status s = Check(res, sql);
      PQclear(res);
      if (!s.ok()) return s;
      it = prepared_.emplace(key, name).first;
    }
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0), formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      switch (v.kind) {
        case Value::Kind::kNull:
          continue;
        case Value::Kind::kInt:
          text[i] = std::to_string(v.i);
          break;
        case Value::Kind::kDouble:
          text[i] = ShortestDouble(v.d);
          break;
        case Value::Kind::kText:
          text[i] = v.s;
          break;
        case Value::Kind::kBlob:
          text[i] = v.s;
          formats[i] = 1;
          break;
      }
      values[i] = text[i].data();
      lengths[i] = static_cast<int>(text[i].size());
    }
    *out = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()), values.data(),
                          lengths.data(), formats.data(), result_format);
    return Check(*out, sql);
  }

  PGconn* conn_;
  absl::flat_hash_map<std::string, std::string> prepared_;  // SQL -> statement name.
};

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> OpenPostgres(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    const std::string msg = conn ? PQerrorMessage(conn) : "out of memory";
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to the postgres store: ", msg));
  }
  auto db = std::make_unique<PostgresDb>(conn);
  absl::Status s = db->Exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  if (!s.ok()) return s;
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace superbet::store::internal
