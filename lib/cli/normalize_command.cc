// `superbet normalize`: maps provider files into canonical records, printed as JSON lines.

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/football_data/football_data.h"
#include "superbet/providers/football_data/text_encoding.h"
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

Usage: superbet normalize --provider api-football|football-data|statsbomb [--json PATH] PATH...

Prints one line per canonical record:
  {"source": PATH, "type": "superbet.v1.<Message>", "record": <protobuf JSON mapping>}
with proto field names; optional fields a provider lacks are absent (never 0). Every line is one
valid JSON value: the PATH string is JSON-escaped (control characters such as a newline or tab in
a path become \n, \t or \u00XX; bytes that are not UTF-8 become \ufffd).

  --json PATH    also write the same JSON lines to PATH (written to PATH.tmp.<pid> and renamed
                 when every file is done, even when one failed); --json=- is stdout (the lines
                 are then printed once).

  api-football   an API-Football v3 response body; the endpoint is read from the envelope's
                 `get` field (fixtures, fixtures/statistics, fixtures/events, fixtures/lineups,
                 fixtures/players, fixtures/headtohead, odds, odds/live, injuries, players,
                 predictions, standings); an envelope-less /fixtures/statistics element
                 ({"team", "statistics"}) is read as one TeamStatistics. fixtures gives a
                 Fixture, a LiveMatchState and the embedded MatchEvents per fixture. A non-empty
                 `errors` field is reported as that response's error.
  football-data  a football-data.co.uk season CSV (e.g. E0_1516.csv), streamed row by row:
                 each Fixture followed by its BettingLines (lenient: malformed, cut-off or duplicate rows, bad prices and
                 bad statistics cells are skipped; stderr gets the counts and each rejection
                 with its line, column, value and reason; a file that is not UTF-8 is read as
                 Windows-1252).
  statsbomb      matches/<competition>/<season>.json (Fixtures), lineups/<id>.json (Lineups),
                 events/<id>.json (the per-minute LiveMatchState timeline; the match is looked up
                 in the matches files beside the events folder, or under --data).

Messages on stderr name the path JSON-escaped and quoted. Exit code: 0 when every file mapped,
1 when one failed (its error is printed on stderr and the other files are still mapped) or the
--json file could not be written, 2 on bad usage (an unknown flag, no PATH, a bad --provider, a
--json PATH whose folder does not exist: all checked before any file is mapped).
)";

// `s` as the contents of a JSON string (RFC 8259 §7): '"' and '\\' escaped, control characters
// (U+0000-U+001F) and DEL as \n, \t, ... or \u00XX, each byte that is not part of well-formed
// UTF-8 as \ufffd (JSON text is UTF-8), everything else copied.
std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = providers::football_data::Utf8SequenceLength(s, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.data() + i, len);
      i += len;
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// A path or message for stderr: JSON-escaped and quoted, so that it stays on one line.
std::string Quoted(absl::string_view s) { return absl::StrCat("\"", JsonEscape(s), "\""); }

// Where the JSON lines go: stdout, and the --json file when one is given. The file is written
// to a temporary name beside it and renamed by Finish(). Owns the file; not thread-safe.
class Output {
 public:
  // Opens the --json destination (`json_path` empty or "-": stdout only).
  // Errors: Internal naming the path when the temporary file cannot be created.
  static absl::StatusOr<std::unique_ptr<Output>> Open(const std::string& json_path) {
    auto out = std::unique_ptr<Output>(new Output());
    if (json_path.empty() || json_path == "-") return out;
    out->path_ = json_path;
    out->tmp_path_ = absl::StrCat(json_path, ".tmp.", ::getpid());
    out->file_ = std::fopen(out->tmp_path_.c_str(), "wb");
    if (out->file_ == nullptr) {
      return absl::InternalError(absl::StrCat("cannot write --json ", Quoted(json_path)));
    }
    return out;
  }
  ~Output() {
    if (file_ != nullptr) {
      std::fclose(file_);
      std::remove(tmp_path_.c_str());
    }
  }
  void Write(absl::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    if (file_ != nullptr) std::fwrite(line.data(), 1, line.size(), file_);
  }
  // Flushes stdout; closes the --json file and renames it into place.
  // Errors: Internal naming the path when writing or renaming failed.
  absl::Status Finish() {
    std::fflush(stdout);
    if (file_ == nullptr) return absl::OkStatus();
    const bool written = std::fflush(file_) == 0 && !std::ferror(file_);
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!written || !closed || std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
      std::remove(tmp_path_.c_str());
      return absl::InternalError(absl::StrCat("cannot write --json ", Quoted(path_)));
    }
    return absl::OkStatus();
  }

 private:
  Output() = default;
  std::string path_, tmp_path_;
  std::FILE* file_ = nullptr;
};

// Prints the records of one source file as JSON lines. Not thread-safe.
class Printer {
 public:
  Printer(const std::string& source, Output* out) : source_(JsonEscape(source)), out_(out) {
    options_.preserve_proto_field_names = true;
    options_.always_print_primitive_fields = true;
  }
  [[nodiscard]] absl::Status Print(const google::protobuf::Message& m) {
    std::string json;
    auto s = google::protobuf::util::MessageToJsonString(m, &json, options_);
    if (!s.ok()) return absl::InternalError(std::string(s.message()));
    out_->Write(absl::StrCat("{\"source\":\"", source_, "\",\"type\":\"",
                             m.GetDescriptor()->full_name(), "\",\"record\":", json, "}\n"));
    ++count_;
    return absl::OkStatus();
  }
  template <typename T>
  [[nodiscard]] absl::Status PrintAll(const std::vector<T>& messages) {
    for (const T& m : messages) SUPERBET_RETURN_IF_ERROR(Print(m));
    return absl::OkStatus();
  }
  int count() const { return count_; }

 private:
  std::string source_;  // JSON-escaped.
  Output* out_;
  google::protobuf::util::JsonPrintOptions options_;
  int count_ = 0;
};

// Reports rejected values on stderr (they are counted, not fatal).
void ReportCounters(const std::string& path, const af::MapCounters& c) {
  if (c.total_rejected() == 0 && c.suspended_odds == 0) return;
  std::fprintf(stderr,
               "superbet normalize: %s: rejected odds=%lld minutes=%lld counts=%lld values=%lld; "
               "suspended odds skipped=%lld\n",
               Quoted(path).c_str(), static_cast<long long>(c.rejected_odds),
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

// At most this many rejections of each kind are listed one per line; all are counted.
constexpr size_t kMaxListedRejections = 50;

void ListRejections(const std::vector<providers::football_data::RejectedRow>& rows) {
  for (size_t i = 0; i < rows.size() && i < kMaxListedRejections; ++i) {
    const auto& r = rows[i];
    const std::string where =
        r.column.empty() ? "" : absl::StrCat(" column ", Quoted(r.column), ":");
    const std::string value = r.column.empty() ? "" : absl::StrCat(", got ", Quoted(r.value));
    std::fprintf(stderr, "superbet normalize:   %s:%d:%s %s%s\n", Quoted(r.file).c_str(), r.line,
                 where.c_str(), Quoted(r.reason).c_str(), value.c_str());
  }
  if (rows.size() > kMaxListedRejections) {
    std::fprintf(stderr, "superbet normalize:   ... and %zu more\n",
                 rows.size() - kMaxListedRejections);
  }
}

// Counts of what a lenient season load rejected, then each rejection (capped) on stderr.
void ReportRejections(const std::string& path, const providers::football_data::SeasonData& s) {
  const auto& st = s.stats;
  if (st.rows_rejected == 0 && st.prices_rejected == 0 && st.cells_rejected == 0) return;
  std::fprintf(stderr,
               "superbet normalize: %s: skipped %d rows (%d duplicates), %d bad prices, %d bad "
               "statistics cells\n",
               Quoted(path).c_str(), st.rows_rejected, st.duplicates_rejected, st.prices_rejected,
               st.cells_rejected);
  ListRejections(s.rejected);
  ListRejections(s.rejected_prices);
  ListRejections(s.rejected_cells);
}

absl::Status NormalizeFootballData(const std::string& path, Printer& out) {
  // Streamed row by row: memory does not grow with the number of rows.
  const providers::football_data::RowConsumer print_row =
      [&out](const v1::Fixture& fixture, absl::Span<const v1::BettingLine> lines) {
        SUPERBET_RETURN_IF_ERROR(out.Print(fixture));
        for (const v1::BettingLine& l : lines) SUPERBET_RETURN_IF_ERROR(out.Print(l));
        return absl::OkStatus();
      };
  SUPERBET_ASSIGN_OR_RETURN(providers::football_data::SeasonData season,
                            providers::football_data::StreamSeasonFile(
                                path, providers::football_data::ParseMode::kLenient, print_row));
  ReportRejections(path, season);
  for (const std::string& w : season.warnings) {
    std::fprintf(stderr, "superbet normalize: %s: %s\n", Quoted(path).c_str(), Quoted(w).c_str());
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
    if (timeline.events_rejected >
        0) {  // Counted, not fatal; said so the output never looks clean.
      std::fprintf(stderr, "superbet normalize: %s: %lld event(s) rejected (%lld repeated id(s))\n",
                   Quoted(path).c_str(), static_cast<long long>(timeline.events_rejected),
                   static_cast<long long>(timeline.events_duplicated));
      for (const std::string& r : timeline.rejections) {
        std::fprintf(stderr, "superbet normalize:   %s\n", Quoted(r).c_str());
      }
    }
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
                 "statsbomb, got %s\n%s",
                 Quoted(provider).c_str(), kUsage);
    return 2;
  }
  if (args.empty()) {
    std::fprintf(stderr, "superbet normalize: no PATH given\n%s", kUsage);
    return 2;
  }
  if (absl::Status s = CheckJsonDestination(); !s.ok()) {  // Before any file is mapped.
    std::fprintf(stderr, "superbet normalize: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Output>> output = Output::Open(absl::GetFlag(FLAGS_json));
  if (!output.ok()) {
    std::fprintf(stderr, "superbet normalize: %s\n",
                 std::string(output.status().message()).c_str());
    return 1;
  }
  int failed = 0;
  for (const std::string& path : args) {
    Printer out(path, output->get());
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
      std::fprintf(stderr, "superbet normalize: %s: %s\n", Quoted(path).c_str(),
                   Quoted(s.ToString()).c_str());
    }
  }
  if (absl::Status s = (*output)->Finish(); !s.ok()) {
    std::fprintf(stderr, "superbet normalize: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(normalize, "normalize",
                          "Map provider files into canonical records, printed as JSON lines.",
                          superbet::cli::kUsage, &superbet::cli::RunNormalizeCommand,
                          {"data", "json"});
