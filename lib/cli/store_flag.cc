#include "cli/store_flag.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/file.h"

namespace superbet::cli {

absl::Status CheckStoreToRead(const std::string& url) {
  constexpr absl::string_view kSqlite = "sqlite:";
  if (!absl::StartsWith(url, kSqlite)) return absl::OkStatus();
  const std::string path = url.substr(kSqlite.size());
  if (core::FileExists(path)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("--store ", url,
                                          ": no such SQLite file (fill a store first: superbet "
                                          "ingest --store ",
                                          url, ")"));
}

}  // namespace superbet::cli
