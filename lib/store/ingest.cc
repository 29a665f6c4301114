// Ingest of the recorded data root into a Store (include/superbet/store/ingest.h).

#include "superbet/store/ingest.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/core/file.h"
#include "superbet/core/json_string.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/statsbomb/football_data_join.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::store {
namespace {

namespace fs = std::filesystem;
namespace fd = superbet::providers::football_data;
namespace sb = superbet::providers::statsbomb;
namespace af = superbet::providers::api_football;

constexpr size_t kSkipsShown = 50;

std::vector<std::string> FilesIn(const std::string& dir, absl::string_view suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && absl::EndsWith(p, suffix)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string BaseName(const std::string& path) { return fs::path(path).filename().string(); }

std::string JsonNumber(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  for (int p = 15; p <= 17; ++p) {  // Shortest round-trip.
    std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

using core::JsonString;

// A map<string, double> as a JSON object, keys sorted; a key "side.stat" is nested
// ({"home.shots": 11} -> {"home": {"shots": 11}}), so football-data's and StatsBomb's statistics
// answer the same JSON path ("home.shots").
template <typename Map>
std::string MapJson(const Map& m) {
  std::map<std::string, std::map<std::string, double>> nested;
  std::map<std::string, double> flat;
  for (const auto& [k, v] : m) {
    const size_t dot = k.find('.');
    if (dot == std::string::npos) {
      flat[k] = v;
    } else {
      nested[k.substr(0, dot)][k.substr(dot + 1)] = v;
    }
  }
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& [k, v] : flat) members.emplace_back(k, JsonNumber(v));
  for (const auto& [k, inner] : nested) {
    if (flat.count(k)) continue;  // A key both flat and nested: keep the flat value.
    std::string obj = "{";
    for (const auto& [ik, iv] : inner) {
      absl::StrAppend(&obj, obj.size() > 1 ? "," : "", JsonString(ik), ":", JsonNumber(iv));
    }
    members.emplace_back(k, obj + "}");
  }
  std::sort(members.begin(), members.end());
  std::string out = "{";
  for (const auto& [k, v] : members) {
    absl::StrAppend(&out, out.size() > 1 ? "," : "", JsonString(k), ":", v);
  }
  return out + "}";
}

std::string ProtoJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, o).ok()) return "null";
  return out;
}

template <typename Messages>
std::string ProtoJsonArray(const Messages& ms) {
  std::vector<std::string> parts;
  for (const auto& m : ms) parts.push_back(ProtoJson(m));
  return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
}

std::string Rejection(const fd::RejectedRow& r) {
  return absl::StrCat(r.file, ":", r.line, r.column.empty() ? "" : ": column ", r.column, ": ",
                      r.reason, r.value.empty() ? "" : " (got '", r.value,
                      r.value.empty() ? "" : "')");
}

// The first rejections of a file, as LoadBacktestData shows them (rows, prices, cells).
constexpr size_t kRejectionsKept = 20;

absl::Time TimeOf(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace

void IngestSummary::Skip(std::string where, std::string reason, bool expected, int64_t count) {
  if (count <= 0) return;
  skipped += count;
  if (!expected) unexpected += count;
  skipped_by_reason[reason] += count;
  if (skipped_shown.size() < kSkipsShown) {
    skipped_shown.push_back({std::move(where), std::move(reason), expected});
  }
}

absl::Status IngestFootballDataFile(Store& store, const std::string& path, IngestSummary& summary) {
  const std::string file = BaseName(path);
  std::vector<MatchRecord> records;
  const fd::RowConsumer keep = [&](const superbet::v1::Fixture& fixture,
                                   absl::Span<const superbet::v1::BettingLine> lines) {
    MatchRecord r;
    r.fixture = fixture;
    r.statistics_json = MapJson(fixture.statistics());
    r.source_file = file;
    r.source_seq = static_cast<int64_t>(records.size());
    r.lines.assign(lines.begin(), lines.end());
    r.line_source = "football-data";
    records.push_back(std::move(r));
    return absl::OkStatus();
  };
  auto season = fd::StreamSeasonFile(path, fd::ParseMode::kLenient, keep);
  ++summary.files;
  if (!season.ok()) {
    summary.Skip(file, absl::StrCat("unreadable season file: ", season.status().message()), false);
    return absl::OkStatus();
  }
  for (const fd::RejectedRow& r : season->rejected) {
    summary.Skip(absl::StrCat(r.file, ":", r.line), absl::StrCat("football-data row: ", r.reason),
                 true);
  }
  for (const fd::RejectedRow& r : season->rejected_prices) {
    summary.Skip(absl::StrCat(r.file, ":", r.line, ": ", r.column),
                 absl::StrCat("football-data price: ", r.reason), true);
  }
  for (const fd::RejectedRow& r : season->rejected_cells) {
    summary.Skip(absl::StrCat(r.file, ":", r.line, ": ", r.column),
                 absl::StrCat("football-data cell: ", r.reason), true);
  }
  auto written = store.PutMatches(records);
  if (!written.ok()) {
    return absl::Status(written.status().code(),
                        absl::StrCat(file, ": ", written.status().message()));
  }
  summary.written.Add(*written);
  summary.rows_read["matches_master"] += static_cast<int64_t>(records.size());
  for (const MatchRecord& r : records) {
    summary.rows_read["daily_betting_lines"] += static_cast<int64_t>(r.lines.size());
  }
  SourceFileRecord f;
  f.file = file;
  f.provider = "football-data";
  f.league = season->league;
  f.season_code = season->season_code;
  f.season_label = season->season_label;
  f.fixtures = season->stats.fixtures;
  f.lines = season->stats.lines;
  f.rows_rejected = season->stats.rows_rejected;
  f.duplicates_rejected = season->stats.duplicates_rejected;
  f.prices_rejected = season->stats.prices_rejected;
  f.cells_rejected = season->stats.cells_rejected;
  for (const auto* list : {&season->rejected, &season->rejected_prices, &season->rejected_cells}) {
    for (const fd::RejectedRow& r : *list) {
      if (f.rejections.size() >= kRejectionsKept) break;
      f.rejections.push_back(Rejection(r));
    }
  }
  auto n = store.PutSourceFile(f);
  if (!n.ok()) return n.status();
  summary.written.source_files += *n;
  summary.rows_read["source_files"] += 1;
  return absl::OkStatus();
}

absl::Status IngestStatsBombMatches(Store& store, const std::string& statsbomb_root,
                                    const std::string& matches_file, IngestSummary& summary,
                                    const IngestOptions& options) {
  auto matches = sb::LoadMatchesFile(matches_file, sb::ParseMode::kLenient);
  ++summary.files;
  if (!matches.ok()) {
    summary.Skip(BaseName(matches_file),
                 absl::StrCat("unreadable StatsBomb matches file: ", matches.status().message()),
                 false);
    return absl::OkStatus();
  }
  for (const std::string& r : matches->rejections) {
    summary.Skip(matches_file, absl::StrCat("StatsBomb match: ", r), true);
  }
  const std::string rel = fs::relative(matches_file, statsbomb_root).string();
  // The football-data season of the same matches, whose pre-match prices the replay attaches to
  // every state (statsbomb/football_data_join.h), as `superbet replay` does.
  std::optional<fd::SeasonData> prices;
  if (!matches->fixtures.empty()) {
    const auto& first = matches->fixtures.front();
    const std::string league = first.competition() == "Premier League" ? "E0"
                               : first.competition() == "Championship" ? "E1"
                                                                       : "";
    const std::string& season = first.season();  // "2015/16".
    if (!league.empty() && season.size() == 7) {
      const std::string path = absl::StrCat(statsbomb_root, "/../football-data/", league, "_",
                                            season.substr(2, 2), season.substr(5, 2), ".csv");
      if (core::FileExists(path)) {
        auto s = fd::LoadSeasonFile(path, fd::ParseMode::kLenient);
        if (s.ok()) prices = std::move(*s);
      }
    }
  }
  int64_t done = 0;
  const int64_t total = static_cast<int64_t>(matches->fixtures.size());
  for (size_t i = 0; i < matches->fixtures.size(); ++i) {
    const superbet::v1::Fixture& fixture = matches->fixtures[i];
    MatchRecord r;
    r.fixture = fixture;
    r.source_file = rel;
    r.source_seq = static_cast<int64_t>(i);
    auto id = sb::ParseStatsBombId(fixture.id());
    if (!id.ok()) return id.status();
    const std::string events = absl::StrCat(statsbomb_root, "/events/", *id, ".json");
    if (core::FileExists(events)) {
      ++summary.files;
      auto timeline = sb::LoadTimelineFile(events, fixture, sb::ParseMode::kLenient);
      if (!timeline.ok()) {
        summary.Skip(fixture.id(),
                     absl::StrCat("unreadable events file: ", timeline.status().message()), false);
      } else {
        if (prices) {
          absl::Status joined = sb::AttachOdds(prices->fixtures, prices->lines, &*timeline);
          if (!joined.ok()) {
            summary.Skip(fixture.id(), absl::StrCat("no football-data prices: ", joined.message()),
                         true);
          }
        }
        for (const std::string& why : timeline->rejections) {
          summary.Skip(fixture.id(), absl::StrCat("StatsBomb event: ", why), true);
        }
        if (timeline->events_rejected > static_cast<int64_t>(timeline->rejections.size())) {
          summary.Skip(
              fixture.id(), "StatsBomb event: further rejections (not listed)", true,
              timeline->events_rejected - static_cast<int64_t>(timeline->rejections.size()));
        }
        std::string lineups_json = "[]";
        const std::string lineups = absl::StrCat(statsbomb_root, "/lineups/", *id, ".json");
        if (core::FileExists(lineups)) {
          ++summary.files;
          auto l = sb::LoadLineupsFile(lineups, fixture.id());
          if (l.ok()) {
            lineups_json = ProtoJsonArray(*l);
          } else {
            summary.Skip(fixture.id(),
                         absl::StrCat("unreadable lineups file: ", l.status().message()), false);
          }
        }
        const auto& last =
            timeline->states.empty() ? superbet::v1::LiveMatchState() : timeline->states.back();
        r.statistics_json = absl::StrCat(
            "{\"home\":", ProtoJson(last.home()), ",\"away\":", ProtoJson(last.away()),
            ",\"lineups\":", lineups_json, ",\"events\":", ProtoJsonArray(timeline->events),
            ",\"timeline\":", ProtoJsonArray(timeline->states),
            timeline->football_data_fixture_id.empty() ? "" : ",\"football_data_fixture_id\":",
            timeline->football_data_fixture_id.empty()
                ? ""
                : JsonString(timeline->football_data_fixture_id),
            "}");
        for (const superbet::v1::LiveMatchState& s : timeline->states) {
          r.live.push_back({TimeOf(s.observed_at()), s, "replay"});
        }
      }
    } else {
      summary.Skip(fixture.id(), "StatsBomb match without an events file (fixture stored alone)",
                   true);
    }
    auto written = store.PutMatches({&r, 1});
    if (!written.ok()) {
      return absl::Status(written.status().code(),
                          absl::StrCat(fixture.id(), ": ", written.status().message()));
    }
    summary.written.Add(*written);
    summary.rows_read["matches_master"] += 1;
    summary.rows_read["live_stats"] += static_cast<int64_t>(r.live.size());
    ++done;
    if (options.progress) options.progress(done, total, fixture.id());
  }
  return absl::OkStatus();
}

absl::Status IngestApiFootballFile(Store& store, const std::string& path, IngestSummary& summary) {
  const std::string file = BaseName(path);
  ++summary.files;
  auto body = core::ReadFile(path);
  if (!body.ok()) {
    summary.Skip(file, absl::StrCat("unreadable: ", body.status().message()), false);
    return absl::OkStatus();
  }
  auto endpoint = af::EnvelopeEndpoint(*body);
  std::string ep;
  if (endpoint.ok()) {
    ep = *endpoint;
  } else if (absl::IsNotFound(endpoint.status())) {
    ep = "fixtures/statistics item";  // An envelope-less element of a statistics answer.
  } else {
    summary.Skip(file, absl::StrCat("not JSON: ", endpoint.status().message()), false);
    return absl::OkStatus();
  }
  auto raw = store.PutResponse(file, af::kProviderName, ep, *body);
  if (!raw.ok()) return raw.status();
  summary.written.responses += *raw;
  summary.rows_read["provider_responses"] += 1;
  if (endpoint.ok()) {
    absl::Status env = af::EnvelopeStatus(*body);
    if (!env.ok()) {
      summary.Skip(file, absl::StrCat("provider error response (kept raw): ", env.message()), true);
      return absl::OkStatus();
    }
  }
  af::MapCounters counters;
  absl::Status mapped = absl::OkStatus();
  if (ep == "fixtures" || ep == "fixtures/headtohead") {
    std::vector<MatchRecord> records;
    auto fixtures = af::MapLiveFixtures(*body, absl::InfinitePast(), &counters);
    if (!fixtures.ok()) {
      mapped = fixtures.status();
    } else {
      for (const auto& lf : *fixtures) {
        MatchRecord r;
        r.fixture = lf.fixture;
        r.source_file = file;
        r.source_seq = static_cast<int64_t>(records.size());
        r.statistics_json = absl::StrCat("{\"home\":", ProtoJson(lf.state.home()),
                                         ",\"away\":", ProtoJson(lf.state.away()),
                                         ",\"events\":", ProtoJsonArray(lf.events), "}");
        if (lf.fixture.status() == superbet::v1::FIXTURE_STATUS_LIVE && lf.state.has_minute() &&
            lf.fixture.has_kickoff()) {
          // The replay timestamp of a recorded live snapshot: kickoff + elapsed minutes.
          const absl::Time at = TimeOf(lf.fixture.kickoff()) + absl::Minutes(lf.state.minute());
          superbet::v1::LiveMatchState s = lf.state;
          const int64_t us = absl::ToUnixMicros(at);
          s.mutable_observed_at()->set_seconds(us / 1000000);
          s.mutable_observed_at()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
          r.live.push_back({at, s, "api"});
        }
        records.push_back(std::move(r));
      }
      auto w = store.PutMatches(records);
      if (!w.ok()) return w.status();
      summary.written.Add(*w);
      summary.rows_read["matches_master"] += static_cast<int64_t>(records.size());
      for (const auto& r : records) {
        summary.rows_read["live_stats"] += static_cast<int64_t>(r.live.size());
      }
    }
  } else if (ep == "odds") {
    auto lines = af::MapPrematchOdds(*body, &counters);
    if (!lines.ok()) {
      mapped = lines.status();
    } else {
      auto n = store.PutLines(*lines, "api");
      if (!n.ok()) return n.status();
      summary.written.lines += *n;
      summary.rows_read["daily_betting_lines"] += static_cast<int64_t>(lines->size());
    }
  } else if (ep == "players" || ep == "fixtures/players" || ep == "injuries") {
    std::vector<PlayerRecord> players;
    if (ep == "players") {
      auto page = af::MapPlayers(*body, &counters);
      if (!page.ok())
        mapped = page.status();
      else
        for (const auto& p : page->players) players.push_back({p, af::kProviderName, ""});
    } else if (ep == "fixtures/players") {
      auto ps = af::MapFixturePlayers(*body, &counters);
      if (!ps.ok())
        mapped = ps.status();
      else
        for (const auto& p : *ps) players.push_back({p, af::kProviderName, ""});
    } else {
      auto injuries = af::MapInjuries(*body, &counters);
      if (!injuries.ok()) {
        mapped = injuries.status();
      } else {
        for (const auto& inj : *injuries) {
          superbet::v1::Player p = inj.player();
          if (!p.has_team_id() && !inj.team_id().empty()) p.set_team_id(inj.team_id());
          players.push_back({p, af::kProviderName, ProtoJson(inj)});
        }
      }
    }
    if (mapped.ok()) {
      auto n = store.PutPlayers(players);
      if (!n.ok()) return n.status();
      summary.written.players += *n;
      summary.rows_read["players_db"] += static_cast<int64_t>(players.size());
    }
  } else if (ep == "fixtures/statistics" || ep == "fixtures/statistics item" ||
             ep == "fixtures/events" || ep == "fixtures/lineups" || ep == "predictions" ||
             ep == "standings") {
    // Kept raw (provider_responses): their fixtures are not among the recordings.
  } else {
    summary.Skip(file, absl::StrCat("unknown API-Football endpoint '", ep, "' (kept raw)"), false);
  }
  if (!mapped.ok()) {
    summary.Skip(file, absl::StrCat("unmappable ", ep, " response: ", mapped.message()), false);
  }
  summary.Skip(file, "API-Football odds value rejected", true, counters.rejected_odds);
  summary.Skip(file, "API-Football minute rejected", true, counters.rejected_minutes);
  summary.Skip(file, "API-Football count rejected", true, counters.rejected_counts);
  summary.Skip(file, "API-Football value rejected", true, counters.rejected_values);
  return absl::OkStatus();
}

absl::StatusOr<IngestSummary> IngestDataRoot(Store& store, const std::string& root,
                                             const IngestOptions& options) {
  IngestSummary summary;
  const std::vector<std::string> seasons = FilesIn(root + "/football-data", ".csv");
  std::vector<std::string> matches_files;
  for (const std::string& dir : [&] {
         std::vector<std::string> dirs;
         std::error_code ec;
         if (fs::is_directory(root + "/statsbomb/matches", ec)) {
           for (const auto& e : fs::directory_iterator(root + "/statsbomb/matches", ec)) {
             if (e.is_directory()) dirs.push_back(e.path().string());
           }
         }
         std::sort(dirs.begin(), dirs.end());
         return dirs;
       }()) {
    for (const std::string& f : FilesIn(dir, ".json")) matches_files.push_back(f);
  }
  const std::vector<std::string> api = FilesIn(root + "/api-football", ".json");
  if (seasons.empty()) summary.Skip(root + "/football-data", "no season files", true);
  if (matches_files.empty()) summary.Skip(root + "/statsbomb/matches", "no matches files", true);
  if (api.empty()) summary.Skip(root + "/api-football", "no recorded responses", true);

  // Progress: one step per season file, per StatsBomb match and per API-Football file.
  int64_t sb_matches = 0;
  std::vector<int64_t> per_file;
  for (const std::string& f : matches_files) {
    auto m = sb::LoadMatchesFile(f, sb::ParseMode::kLenient);
    per_file.push_back(m.ok() ? static_cast<int64_t>(m->fixtures.size()) : 0);
    sb_matches += per_file.back();
  }
  const int64_t total = static_cast<int64_t>(seasons.size() + api.size()) + sb_matches;
  int64_t done = 0;
  const auto step = [&](absl::string_view note) {
    ++done;
    if (options.progress) options.progress(done, total, note);
  };
  for (const std::string& f : seasons) {
    absl::Status s = IngestFootballDataFile(store, f, summary);
    if (!s.ok()) return s;
    step(BaseName(f));
  }
  for (size_t i = 0; i < matches_files.size(); ++i) {
    IngestOptions inner;
    const int64_t base = done;
    inner.progress = [&](int64_t d, int64_t, absl::string_view note) {
      done = base + d;
      if (options.progress) options.progress(done, total, note);
    };
    absl::Status s =
        IngestStatsBombMatches(store, root + "/statsbomb", matches_files[i], summary, inner);
    if (!s.ok()) return s;
    done = base + per_file[i];
  }
  for (const std::string& f : api) {
    absl::Status s = IngestApiFootballFile(store, f, summary);
    if (!s.ok()) return s;
    step(BaseName(f));
  }
  return summary;
}

}  // namespace superbet::store
