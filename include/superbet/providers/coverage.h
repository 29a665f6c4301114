// Coverage matrix: what each adapter delivers for each canonical field.
//
//   kParsed        read from the provider's payload as is (after unit conversion).
//   kInferred      derived by the adapter from other data (e.g. StatsBomb score from Shot events,
//                  possession share from pass counts); the note says how.
//   kNotSupported  the provider has no such data; the field stays absent (masked), never 0.
//
// `superbet coverage` prints the matrix of every registered adapter; the README shows it.

#ifndef SUPERBET_PROVIDERS_COVERAGE_H_
#define SUPERBET_PROVIDERS_COVERAGE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace superbet::providers {

enum class Coverage { kParsed, kInferred, kNotSupported };

// "parsed", "inferred", "not_supported".
absl::string_view CoverageName(Coverage c);

// One canonical field, named by its proto path ("LiveMatchState.home.xg", "Fixture.referee",
// "BettingLine[1X2]", ...), and how one adapter covers it.
struct FieldCoverage {
  std::string field;
  Coverage coverage = Coverage::kNotSupported;
  std::string note;  // Source field or inference rule, e.g. "statistics[].type == expected_goals".
};

// An adapter's declared coverage.
struct AdapterCoverage {
  std::string adapter;  // "api-football", "football-data", "statsbomb".
  std::vector<FieldCoverage> fields;
};

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_COVERAGE_H_
