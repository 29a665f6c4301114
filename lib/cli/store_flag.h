// The --store flag of the commands that only read a store (`superbet backtest --store`,
// `superbet replay --store`); `superbet ingest --store` creates and fills one.

#ifndef SUPERBET_LIB_CLI_STORE_FLAG_H_
#define SUPERBET_LIB_CLI_STORE_FLAG_H_

#include <string>

#include "absl/status/status.h"

namespace superbet::cli {

// Checks, before the store is opened, that a sqlite:PATH store to be read exists: opening a
// missing SQLite file would create an empty database (store::Store::Open creates it, as
// `superbet ingest` needs) and the command would then fail on the empty store, leaving the file
// behind. postgres:// URLs pass (the server says whether the database exists).
// Errors: NotFound naming the flag, the URL and `superbet ingest` when PATH is not a file.
[[nodiscard]] absl::Status CheckStoreToRead(const std::string& url);

}  // namespace superbet::cli

#endif  // SUPERBET_LIB_CLI_STORE_FLAG_H_
