// `superbet replay`: streams a recorded StatsBomb match minute by minute as JSON lines, with the
// football-data pre-match prices attached and, on request, the masked feature vector.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "cli/replay_agent.h"
#include "cli/replay_store.h"
#include "cli/store_flag.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/core/clock.h"
#include "superbet/core/status_macros.h"
#include "superbet/model/masking.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/statsbomb/statsbomb.h"
#include "superbet/store/store.h"

ABSL_FLAG(std::string, match, "",
          "StatsBomb match id (\"statsbomb:3754097\" or 3754097). Default: the first recorded "
          "match by kickoff.");
ABSL_FLAG(double, speed, 0.0,
          "Match minutes per real minute: 60 = one match minute per second, 1 = real time, "
          "0 = as fast as possible.");
ABSL_FLAG(bool, features, false,
          "Also print the masked feature vector (values + mask, ARCHITECTURE.md §2.3).");

namespace superbet::cli {
namespace {

constexpr char kUsage[] =
    R"(superbet replay: stream a recorded match's live states as JSON lines.

Usage: superbet replay [--data DIR] [--match ID] [--speed X] [--features] [--json PATH] [--strict]
       superbet replay --agent DIR [--ledger PATH] [--data DIR] [--match ID] [--json PATH]

Replays one StatsBomb open-data match (../shared/data/statsbomb: Premier League 2015/16, the 35
matches of weeks 1-4 whose events are recorded) joined to its football-data.co.uk row
(football-data/E0_1516.csv).

Output: one line per match minute k = 0 .. full time, in protobuf's JSON mapping of
superbet.v1.LiveMatchState with the proto field names (snake_case) and zero values printed:
minute, score_home/score_away, home/away SideStats (xg from shot.statsbomb_xg, shots,
shots_on_target, corners, yellow_cards, red_cards, possession = share of passes, absent until
the first pass; dangerous_attacks = possessions reaching the final third), status (LIVE, then
FINISHED on the last line), observed_at = kickoff + k minutes, and live_odds = the PRE-MATCH
Bet365 1X2 prices (no in-play prices exist in this data; the same triple is on every line).
Minute k holds every event before k:00 (see include/superbet/providers/statsbomb/statsbomb.h).

With --features each line is instead {"state": <the state>, "features": {"names": [...],
"values": [...], "mask": [...]}}: the 7 default live features (minute, score_home, score_away,
xg_home, xg_away, dangerous_attacks, staleness_norm); mask 1 = observed, 0 = missing (value 0).

Flags:
  --data DIR     data root laid out like ../shared/data (default: $SUPERBET_DATA, else
                 ../shared/data, else ../../shared/data).
  --match ID     StatsBomb match id, "statsbomb:3754097" or "3754097" (default: the first
                 recorded match by kickoff, 3754097 Manchester United v Tottenham Hotspur).
  --speed X      match minutes per real minute: 60 prints one line per second, 1 plays in real
                 time, 0 (default) prints everything at once.
  --features     add the masked feature vector to each line.
  --json PATH    write the JSON lines to PATH instead of stdout ('-' = stdout, the default); the
                 folder of PATH must exist. The summary line always goes to stderr.
  --store URL    replay from the store `superbet ingest` filled (sqlite:PATH, postgres://...):
                 the match's live_stats rows; each line is then {"state": ..., "momentum":
                 {"1m", "5m", "15m"}} (plus "features" with --features), the momentum buckets
                 as of that minute. --match is required.
  --strict       fail (exit 1) on the first bad or repeated event, naming its JSON path; by
                 default such events are left out, counted and listed on stderr.

Exit codes: 0 success, 1 the data could not be loaded (the message names the file) or PATH could
not be written, 2 bad usage: an unknown flag, an argument, a value that does not parse, --speed
< 0, a --match that is not a StatsBomb id, --json in a folder that does not exist (all checked
before any data is loaded).
)";

std::string FeaturesJson(const v1::LiveMatchState& state) {
  const model::MaskedFeatures f = model::Mask(state);
  const model::FeatureSpec& spec = model::FeatureSpec::Default();
  std::vector<std::string> names;
  for (const auto& def : spec.features()) names.push_back(absl::StrCat("\"", def.name, "\""));
  return absl::StrCat("{\"names\":[", absl::StrJoin(names, ","), "],\"values\":[",
                      absl::StrJoin(f.value, ","), "],\"mask\":[", absl::StrJoin(f.mask, ","),
                      "]}");
}

// Checks every flag before any data is loaded.
absl::Status CheckReplayFlags() {
  const double speed = absl::GetFlag(FLAGS_speed);
  if (!(speed >= 0) || speed > 1e9) {
    return absl::InvalidArgumentError(
        absl::StrCat("--speed must be >= 0 and <= 1e9 (0 = as fast as possible), got ", speed));
  }
  const std::string match = absl::GetFlag(FLAGS_match);
  if (!match.empty() && !providers::statsbomb::ParseStatsBombId(match).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--match must be a StatsBomb match id (3754097 or statsbomb:3754097), got '", match, "'"));
  }
  const std::string ledger = absl::GetFlag(FLAGS_ledger);
  if (!ledger.empty() && absl::GetFlag(FLAGS_agent).empty()) {
    return absl::InvalidArgumentError(
        "--ledger needs --agent DIR (the ledger records its decisions)");
  }
  if (!ledger.empty()) {
    SUPERBET_RETURN_IF_ERROR(CheckOutputFile("ledger", ledger));
  }
  return CheckJsonDestination();
}

// Where the JSON lines go: stdout, or the --json file (opened for writing, the caller closes it).
absl::StatusOr<std::FILE*> OpenLinesOutput() {
  const std::string path = absl::GetFlag(FLAGS_json);
  if (path.empty() || path == "-") return stdout;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::InternalError(absl::StrCat("cannot write --json ", path));
  return f;
}

// Closes the --json file; Internal when a write failed.
absl::Status CloseLinesOutput(std::FILE* out) {
  if (out == stdout) return absl::OkStatus();
  const bool failed = std::ferror(out) != 0;
  if (std::fclose(out) != 0 || failed) {
    return absl::InternalError(absl::StrCat("writing --json ", absl::GetFlag(FLAGS_json)));
  }
  return absl::OkStatus();
}

// Lenient mode: says on stderr how many events were left out (and why, the first reasons), so a
// replay whose score rests on a damaged events file never looks clean.
void PrintEventRejections(const providers::statsbomb::Timeline& timeline) {
  if (timeline.events_rejected == 0) return;
  std::fprintf(stderr,
               "superbet replay: warning: %lld event(s) rejected (%lld repeated id(s)); the "
               "replay leaves them out (--strict fails instead)\n",
               static_cast<long long>(timeline.events_rejected),
               static_cast<long long>(timeline.events_duplicated));
  for (const std::string& r : timeline.rejections) {
    std::fprintf(stderr, "superbet replay:   %s\n", r.c_str());
  }
}

int RunReplayCommand(const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "superbet replay: unexpected argument '%s'\n%s", args[0].c_str(), kUsage);
    return 2;
  }
  if (absl::Status s = CheckReplayFlags(); !s.ok()) {
    std::fprintf(stderr, "superbet replay: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  const double speed = absl::GetFlag(FLAGS_speed);
  const std::string store_url = absl::GetFlag(FLAGS_store);
  if (!store_url.empty()) {
    absl::Status s = store::ParseStoreUrl(store_url).status();
    if (s.ok() && absl::GetFlag(FLAGS_match).empty()) {
      s = absl::InvalidArgumentError("--store needs --match");
    }
    if (!s.ok()) {
      std::fprintf(stderr, "superbet replay: --store: %s\n", std::string(s.message()).c_str());
      return 2;
    }
  }
  std::unique_ptr<store::Store> replay_store;
  if (!store_url.empty()) {
    if (absl::Status s = CheckStoreToRead(store_url); !s.ok()) {
      std::fprintf(stderr, "superbet replay: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    auto opened = store::Store::Open(store_url, core::SystemClock::Instance());
    if (!opened.ok()) {
      std::fprintf(stderr, "superbet replay: %s\n", opened.status().ToString().c_str());
      return 1;
    }
    replay_store = std::move(*opened);
  }
  absl::StatusOr<std::string> root =
      replay_store ? absl::StatusOr<std::string>("") : ResolveDataRoot();
  if (!root.ok()) {
    std::fprintf(stderr, "superbet replay: %s\n", root.status().ToString().c_str());
    return 1;
  }
  providers::ReplayLoadOptions options;
  std::string match = absl::GetFlag(FLAGS_match);
  if (match.empty()) {
    auto matches = providers::ReplayableMatches(*root, options);
    if (!matches.ok() || matches->empty()) {
      std::fprintf(stderr, "superbet replay: %s\n",
                   matches.ok() ? "no recorded match" : matches.status().ToString().c_str());
      return 1;
    }
    match = matches->front().id();
  }
  options.only_matches = {match};
  if (absl::GetFlag(FLAGS_strict)) options.events_mode = providers::statsbomb::ParseMode::kStrict;
  absl::StatusOr<providers::ReplayData> data = replay_store
                                                   ? LoadReplayDataFromStore(*replay_store, match)
                                                   : providers::LoadReplayData(*root, options);
  if (!data.ok()) {
    std::fprintf(stderr, "superbet replay: %s\n", data.status().ToString().c_str());
    return 1;
  }
  if (data->timelines.empty()) {  // LoadReplayData promises NotFound instead; never index blind.
    std::fprintf(stderr, "superbet replay: no timeline loaded for match %s\n", match.c_str());
    return 1;
  }
  const providers::statsbomb::Timeline& timeline = data->timelines.front();
  PrintEventRejections(timeline);
  google::protobuf::util::JsonPrintOptions json_options;
  json_options.preserve_proto_field_names = true;
  json_options.always_print_primitive_fields = true;
  const bool with_features = absl::GetFlag(FLAGS_features);
  core::Clock& clock = core::SystemClock::Instance();
  absl::StatusOr<std::FILE*> out = OpenLinesOutput();
  if (!out.ok()) {
    std::fprintf(stderr, "superbet replay: %s\n", std::string(out.status().message()).c_str());
    return 1;
  }
  if (const std::string agent = absl::GetFlag(FLAGS_agent); !agent.empty()) {  // Live worker.
    const int code = RunReplayAgent(timeline, agent, absl::GetFlag(FLAGS_ledger), *out);
    const absl::Status closed = CloseLinesOutput(*out);
    if (!closed.ok()) std::fprintf(stderr, "superbet replay: %s\n", closed.ToString().c_str());
    return code != 0 ? code : (closed.ok() ? 0 : 1);
  }
  const absl::Time start = clock.Now();
  for (size_t k = 0; k < timeline.states.size(); ++k) {
    if (speed > 0) {  // Line k is due k match minutes after the start, at `speed`.
      const absl::Time due = start + absl::Seconds(60.0 * static_cast<double>(k) / speed);
      if (due > clock.Now()) absl::SleepFor(due - clock.Now());
    }
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(timeline.states[k], &json, json_options)
             .ok()) {
      std::fprintf(stderr, "superbet replay: cannot print minute %zu as JSON\n", k);
      (void)CloseLinesOutput(*out);
      return 1;
    }
    if (with_features || replay_store) {
      std::string wrapped = absl::StrCat("{\"state\":", json);
      if (with_features) {
        absl::StrAppend(&wrapped, ",\"features\":", FeaturesJson(timeline.states[k]));
      }
      if (replay_store) {
        const auto& at = timeline.states[k].observed_at();
        auto momentum =
            MomentumJson(*replay_store, timeline.fixture.id(),
                         absl::FromUnixSeconds(at.seconds()) + absl::Nanoseconds(at.nanos()));
        if (!momentum.ok()) {
          std::fprintf(stderr, "superbet replay: %s\n", momentum.status().ToString().c_str());
          (void)CloseLinesOutput(*out);
          return 1;
        }
        absl::StrAppend(&wrapped, ",\"momentum\":", *momentum);
      }
      json = wrapped + "}";
    }
    std::fwrite(json.data(), 1, json.size(), *out);
    std::fputc('\n', *out);
    if (speed > 0) std::fflush(*out);
  }
  if (absl::Status s = CloseLinesOutput(*out); !s.ok()) {
    std::fprintf(stderr, "superbet replay: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  if (replay_store) {
    std::fprintf(stderr, "superbet replay: %s %s v %s, %zu minutes, from the store's live_stats\n",
                 timeline.fixture.id().c_str(), timeline.fixture.home().name().c_str(),
                 timeline.fixture.away().name().c_str(), timeline.states.size());
    return 0;
  }
  std::fprintf(stderr, "superbet replay: %s %s v %s, %zu minutes, odds from %s (%zu lines)\n",
               timeline.fixture.id().c_str(), timeline.fixture.home().name().c_str(),
               timeline.fixture.away().name().c_str(), timeline.states.size(),
               timeline.football_data_fixture_id.c_str(), timeline.lines.size());
  return 0;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(replay, "replay",
                          "Stream a recorded StatsBomb match minute by minute as JSON lines.",
                          std::string(superbet::cli::kUsage) + "\nWith the live worker:\n" +
                              std::string(superbet::cli::ReplayAgentHelp()),
                          &superbet::cli::RunReplayCommand,
                          {"data", "json", "strict", "store", "agent", "ledger"});
