// `superbet normalize`: maps provider files into canonical records, printed as JSON lines.

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/statsbomb/statsbomb.h"

ABSL_FLAG(std::string, provider, "",
          "Provider of the files given to `superbet normalize`: api-football, football-data or "
          "statsbomb.");

namespace superbet::cli {
namespace {

namespace af = providers::api_football;
namespace v1 = ::superbet::v1;

constexpr char kUsage[] =
    R"(superbet normalize: map provider files into canonical records (JSON lines).

Usage: superbet normalize --provider api-football|football-data|statsbomb PATH...

Prints one line per canonical record:
  {"source": PATH, "type": "superbet.v1.<Message>", "record": <protobuf JSON mapping>}
with proto field names; optional fields a provider lacks are absent (never 0).

  api-football   an API-Football v3 response body; the endpoint is read from the envelope's
                 `get` field (fixtures, fixtures/statistics, fixtures/events, fixtures/lineups,
                 fixtures/players, fixtures/headtohead, odds, odds/live, injuries, players,
                 predictions, standings); an envelope-less /fixtures/statistics element
                 ({"team", "statistics"}) is read as one TeamStatistics. fixtures gives a
                 Fixture, a LiveMatchState and the embedded MatchEvents per fixture. A non-empty
                 `errors` field is reported as that response's error.
  football-data  a football-data.co.uk season CSV (e.g. E0_1516.csv): Fixtures, then
                 BettingLines (lenient: malformed rows are skipped and counted on stderr).
  statsbomb      matches/<competition>/<season>.json (Fixtures), lineups/<id>.json (Lineups),
                 events/<id>.json (the per-minute LiveMatchState timeline; the match is looked up
                 in the matches files beside the events folder, or under --data).

Exit code: 0 when every file mapped, 1 when one failed (its error is printed on stderr and the
other files are still mapped), 2 on bad usage.
)";

class Printer {
 public:
  explicit Printer(std::string source) : source_(std::move(source)) {
    options_.preserve_proto_field_names = true;
    options_.always_print_primitive_fields = true;
  }
  absl::Status Print(const google::protobuf::Message& m) {
    std::string json;
    auto s = google::protobuf::util::MessageToJsonString(m, &json, options_);
    if (!s.ok()) return absl::InternalError(std::string(s.message()));
    std::string line = absl::StrCat("{\"source\":\"", Escape(source_), "\",\"type\":\"",
                                    m.GetDescriptor()->full_name(), "\",\"record\":", json, "}\n");
    std::fwrite(line.data(), 1, line.size(), stdout);
    ++count_;
    return absl::OkStatus();
  }
  template <typename T>
  absl::Status PrintAll(const std::vector<T>& messages) {
    for (const T& m : messages) SUPERBET_RETURN_IF_ERROR(Print(m));
    return absl::OkStatus();
  }
  int count() const { return count_; }

 private:
  static std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  }
  std::string source_;
  google::protobuf::util::JsonPrintOptions options_;
  int count_ = 0;
};

// Reports rejected values on stderr (they are counted, not fatal).
void ReportCounters(const std::string& path, const af::MapCounters& c) {
  if (c.total_rejected() == 0 && c.suspended_odds == 0) return;
  std::fprintf(stderr,
               "superbet normalize: %s: rejected odds=%lld minutes=%lld counts=%lld values=%lld; "
               "suspended odds skipped=%lld\n",
               path.c_str(), static_cast<long long>(c.rejected_odds),
               static_cast<long long>(c.rejected_minutes),
               static_cast<long long>(c.rejected_counts), static_cast<long long>(c.rejected_values),
               static_cast<long long>(c.suspended_odds));
}

absl::Status NormalizeApiFootball(const std::string& path, Printer& out) {
  SUPERBET_ASSIGN_OR_RETURN(std::string body, core::ReadFile(path));
  af::MapCounters c;
  auto endpoint = af::EnvelopeEndpoint(body);
  if (!endpoint.ok()) {
    if (endpoint.status().code() != absl::StatusCode::kNotFound) return endpoint.status();
    SUPERBET_ASSIGN_OR_RETURN(v1::TeamStatistics item, af::MapStatisticsItem(body, &c));
    ReportCounters(path, c);
    return out.Print(item);
  }
  const std::string& e = *endpoint;
  absl::Status status;
  if (e == "fixtures") {
    SUPERBET_ASSIGN_OR_RETURN(auto fixtures, af::MapLiveFixtures(body, absl::InfinitePast(), &c));
    for (const auto& f : fixtures) {
      SUPERBET_RETURN_IF_ERROR(out.Print(f.fixture));
      SUPERBET_RETURN_IF_ERROR(out.Print(f.state));
      SUPERBET_RETURN_IF_ERROR(out.PrintAll(f.events));
    }
  } else if (e == "fixtures/statistics") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapStatistics(body, &c));
    status = out.PrintAll(v);
  } else if (e == "fixtures/events") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapEvents(body, &c));
    status = out.PrintAll(v);
  } else if (e == "fixtures/lineups") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapLineups(body, &c));
    status = out.PrintAll(v);
  } else if (e == "fixtures/players") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapFixturePlayers(body, &c));
    status = out.PrintAll(v);
  } else if (e == "fixtures/headtohead") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapHeadToHead(body, &c));
    status = out.PrintAll(v);
  } else if (e == "odds") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapPrematchOdds(body, &c));
    status = out.PrintAll(v);
  } else if (e == "odds/live") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapLiveOdds(body, &c));
    status = out.PrintAll(v);
  } else if (e == "injuries") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapInjuries(body, &c));
    status = out.PrintAll(v);
  } else if (e == "players") {
    SUPERBET_ASSIGN_OR_RETURN(auto page, af::MapPlayers(body, &c));
    status = out.PrintAll(page.players);
  } else if (e == "predictions") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapPredictions(body, &c));
    status = out.PrintAll(v);
  } else if (e == "standings") {
    SUPERBET_ASSIGN_OR_RETURN(auto v, af::MapStandings(body, &c));
    status = out.PrintAll(v);
  } else {
    // An endpoint without a mapper: report its `errors` if any, else Unimplemented.
    SUPERBET_RETURN_IF_ERROR(af::EnvelopeStatus(body));
    return absl::UnimplementedError(
        absl::StrCat("api-football endpoint '", e, "' has no canonical mapping"));
  }
  ReportCounters(path, c);
  return status;
}

absl::Status NormalizeFootballData(const std::string& path, Printer& out) {
  SUPERBET_ASSIGN_OR_RETURN(providers::football_data::SeasonData season,
                            providers::football_data::LoadSeasonFile(
                                path, providers::football_data::ParseMode::kLenient));
  SUPERBET_RETURN_IF_ERROR(out.PrintAll(season.fixtures));
  SUPERBET_RETURN_IF_ERROR(out.PrintAll(season.lines));
  if (!season.rejected.empty() || !season.rejected_prices.empty()) {
    std::fprintf(stderr, "superbet normalize: %s: skipped %zu malformed rows, %zu bad prices\n",
                 path.c_str(), season.rejected.size(), season.rejected_prices.size());
  }
  for (const std::string& w : season.warnings) {
    std::fprintf(stderr, "superbet normalize: %s: %s\n", path.c_str(), w.c_str());
  }
  return absl::OkStatus();
}

// The fixture of StatsBomb match `id` from the matches files near `events_path` or under --data.
absl::StatusOr<v1::Fixture> FindStatsBombFixture(const std::string& events_path, int64_t id) {
  namespace fs = std::filesystem;
  std::vector<fs::path> roots;
  const fs::path events_dir = fs::path(events_path).parent_path();
  roots.push_back(events_dir.parent_path() / "matches");
  if (auto data = ResolveDataRoot(); data.ok())
    roots.push_back(fs::path(*data) / "statsbomb/matches");
  const std::string wanted = absl::StrCat("statsbomb:", id);
  std::error_code ec;
  for (const fs::path& root : roots) {
    if (!fs::is_directory(root, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->path().extension() != ".json") continue;
      auto fixtures = providers::statsbomb::LoadMatchesFile(it->path().string());
      if (!fixtures.ok()) continue;
      for (const v1::Fixture& f : *fixtures) {
        if (f.id() == wanted) return f;
      }
    }
  }
  return absl::NotFoundError(absl::StrCat("statsbomb match ", id,
                                          " is in no matches/*/*.json beside ", events_path,
                                          " or under --data"));
}

absl::Status NormalizeStatsBomb(const std::string& path, Printer& out) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const std::string folder = p.parent_path().filename().string();
  const std::string stem = p.stem().string();
  if (folder == "lineups" || folder == "events") {
    SUPERBET_ASSIGN_OR_RETURN(int64_t id, providers::statsbomb::ParseStatsBombId(stem));
    if (folder == "lineups") {
      SUPERBET_ASSIGN_OR_RETURN(auto lineups, providers::statsbomb::LoadLineupsFile(
                                                  path, absl::StrCat("statsbomb:", id)));
      return out.PrintAll(lineups);
    }
    if (!core::FileExists(path)) {  // Say so before looking for the match (issue 12 item 16).
      return absl::NotFoundError(absl::StrCat(path, ": no such StatsBomb events file"));
    }
    SUPERBET_ASSIGN_OR_RETURN(v1::Fixture fixture, FindStatsBombFixture(path, id));
    SUPERBET_ASSIGN_OR_RETURN(auto timeline, providers::statsbomb::LoadTimelineFile(path, fixture));
    SUPERBET_RETURN_IF_ERROR(out.Print(timeline.fixture));
    return out.PrintAll(timeline.states);
  }
  SUPERBET_ASSIGN_OR_RETURN(auto fixtures, providers::statsbomb::LoadMatchesFile(path));
  return out.PrintAll(fixtures);
}

int RunNormalizeCommand(const std::vector<std::string>& args) {
  const std::string provider = absl::GetFlag(FLAGS_provider);
  if (provider != "api-football" && provider != "football-data" && provider != "statsbomb") {
    std::fprintf(stderr,
                 "superbet normalize: --provider must be api-football, football-data or "
                 "statsbomb, got '%s'\n%s",
                 provider.c_str(), kUsage);
    return 2;
  }
  if (args.empty()) {
    std::fprintf(stderr, "superbet normalize: no PATH given\n%s", kUsage);
    return 2;
  }
  int failed = 0;
  for (const std::string& path : args) {
    Printer out(path);
    absl::Status s;
    if (provider == "api-football") {
      s = NormalizeApiFootball(path, out);
    } else if (provider == "football-data") {
      s = NormalizeFootballData(path, out);
    } else {
      s = NormalizeStatsBomb(path, out);
    }
    if (!s.ok()) {
      ++failed;
      std::fprintf(stderr, "superbet normalize: %s: %s\n", path.c_str(), s.ToString().c_str());
    }
  }
  std::fflush(stdout);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(normalize, "normalize",
                          "Map provider files into canonical records, printed as JSON lines.",
                          superbet::cli::kUsage, &superbet::cli::RunNormalizeCommand);
