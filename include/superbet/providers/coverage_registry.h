// The coverage declarations of every adapter (coverage.h), in one registry: what `superbet
// coverage` prints and the README shows. Each declaration lists the same canonical fields, in the
// same order (CanonicalFields()), so the adapters line up as a matrix.

#ifndef SUPERBET_PROVIDERS_COVERAGE_REGISTRY_H_
#define SUPERBET_PROVIDERS_COVERAGE_REGISTRY_H_

#include <string>
#include <vector>

#include "superbet/providers/coverage.h"

namespace superbet::providers {

// The canonical fields of the matrix, by proto path ("LiveMatchState.minute", "SideStats.xg",
// "BettingLine[1X2]", ...), in display order.
const std::vector<std::string>& CanonicalFields();

// API-Football v3 (api_football.h), football-data.co.uk CSV (football_data.h) and StatsBomb open
// data (statsbomb.h) declarations. Every field of CanonicalFields() appears once, in order.
AdapterCoverage ApiFootballCoverage();
AdapterCoverage FootballDataCoverage();
AdapterCoverage StatsBombCoverage();

// Every registered adapter: api-football, football-data, statsbomb.
std::vector<AdapterCoverage> AllCoverage();

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_COVERAGE_REGISTRY_H_
