// Whole-data checks of the store suite (store_suite.h) on SQLite: too slow for the fast label.

#include <atomic>

#include "store_suite.h"

namespace superbet::store::suite {
namespace {

TEST_CASE("sqlite store: ingest of all shared data, then a re-ingest that writes nothing",
          "[store][sqlite][ingest]") {
  TempDir dir;
  StoreBackend b;
  b.name = "sqlite";
  b.fresh_url = [&dir] { return absl::StrCat("sqlite:", dir.path(), "/all.db"); };
  CheckIngestOfAllSharedData(b);
}

}  // namespace
}  // namespace superbet::store::suite
