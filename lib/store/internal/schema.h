// The store's versioned migrations (one logical schema, two SQL dialects).

#ifndef SUPERBET_LIB_STORE_INTERNAL_SCHEMA_H_
#define SUPERBET_LIB_STORE_INTERNAL_SCHEMA_H_

#include "absl/status/status.h"
#include "store/internal/db.h"

namespace superbet::store::internal {

// Applies every migration newer than the store's version, each in its own transaction with its
// schema_migrations row (a concurrent opener waits: SQLite's write lock, PostgreSQL's advisory
// lock). `updated_at_us` stamps the rows. Errors: FailedPrecondition naming both versions when the
// store is newer than `code_version`; the database's error otherwise.
[[nodiscard]] absl::Status Migrate(Db& db, int code_version, int64_t updated_at_us);

// The version recorded in schema_migrations (0 for a new database).
[[nodiscard]] absl::StatusOr<int> CurrentVersion(Db& db);

}  // namespace superbet::store::internal

#endif  // SUPERBET_LIB_STORE_INTERNAL_SCHEMA_H_
