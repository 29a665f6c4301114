// football-data.co.uk: season codes, file loading; see
// include/superbet/providers/football_data/football_data.h.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/football_data/football_data.h"

namespace superbet::providers::football_data {
namespace {

bool IsFourDigits(absl::string_view s) {
  return s.size() == 4 && std::all_of(s.begin(), s.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c));
         });
}

// Calendar year in which a season starts: "9900" → 1999, "1516" → 2015.
int StartYear(absl::string_view code) {
  const int yy = (code[0] - '0') * 10 + (code[1] - '0');
  return yy >= 50 ? 1900 + yy : 2000 + yy;
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "E0_1516.csv" → league "E0", season "1516". False when the name does not have that shape.
bool SplitFileName(absl::string_view name, std::string* league, std::string* season) {
  if (!absl::ConsumeSuffix(&name, ".csv")) return false;
  const size_t us = name.rfind('_');
  if (us == absl::string_view::npos || us == 0) return false;
  const absl::string_view code = name.substr(us + 1);
  if (!IsFourDigits(code)) return false;
  *league = std::string(name.substr(0, us));
  *season = std::string(code);
  return true;
}

}  // namespace

std::string SeasonLabel(absl::string_view season_code) {
  if (!IsFourDigits(season_code)) return "";
  return absl::StrCat(StartYear(season_code), "/", season_code.substr(2, 2));
}

std::string SeasonUrl(absl::string_view league, absl::string_view season_code) {
  return absl::StrCat("https://www.football-data.co.uk/mmz4281/", season_code, "/", league, ".csv");
}

absl::StatusOr<SeasonData> LoadSeasonFile(const std::string& path, ParseMode mode) {
  return StreamSeasonFile(path, mode, nullptr);
}

absl::StatusOr<SeasonData> StreamSeasonFile(const std::string& path, ParseMode mode,
                                            const RowConsumer& consumer) {
  ParseOptions options;
  options.mode = mode;
  return StreamSeasonFile(path, std::move(options), consumer);
}

absl::StatusOr<SeasonData> StreamSeasonFile(const std::string& path, ParseOptions options,
                                            const RowConsumer& consumer) {
  SUPERBET_ASSIGN_OR_RETURN(std::string bytes, core::ReadFile(path));
  options.source_name = BaseName(path);
  if (!SplitFileName(options.source_name, &options.league, &options.season_code)) {
    absl::string_view stem = options.source_name;
    absl::ConsumeSuffix(&stem, ".csv");
    options.league = std::string(stem);
  }
  return StreamSeasonCsv(bytes, options, consumer);
}

absl::StatusOr<std::vector<std::string>> FindSeasons(const std::string& data_root,
                                                     const std::string& league) {
  const std::string dir = absl::StrCat(data_root, "/football-data");
  SUPERBET_ASSIGN_OR_RETURN(std::vector<std::string> files, core::ListFiles(dir));
  std::vector<std::string> codes;
  for (const std::string& f : files) {
    std::string l, code;
    if (SplitFileName(f, &l, &code) && l == league) codes.push_back(code);
  }
  if (codes.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no football-data file ", league, "_<season>.csv in ", dir));
  }
  std::sort(codes.begin(), codes.end(),
            [](const std::string& a, const std::string& b) { return StartYear(a) < StartYear(b); });
  return codes;
}

absl::StatusOr<std::vector<SeasonData>> LoadLeague(const std::string& data_root,
                                                   const std::string& league,
                                                   const std::vector<std::string>& seasons,
                                                   ParseMode mode) {
  std::vector<std::string> codes = seasons;
  if (codes.empty()) {
    SUPERBET_ASSIGN_OR_RETURN(codes, FindSeasons(data_root, league));
  }
  std::vector<SeasonData> out;
  out.reserve(codes.size());
  for (const std::string& code : codes) {
    const std::string path = absl::StrCat(data_root, "/football-data/", league, "_", code, ".csv");
    SUPERBET_ASSIGN_OR_RETURN(SeasonData season, LoadSeasonFile(path, mode));
    out.push_back(std::move(season));
  }
  return out;
}

}  // namespace superbet::providers::football_data
