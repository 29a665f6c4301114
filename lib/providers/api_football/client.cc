#include <cstdlib>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/api_football/api_football_client.h"

namespace superbet::providers {

namespace af = api_football;
namespace v1 = ::superbet::v1;

namespace {

constexpr char kRedacted[] = "<redacted>";
// A body is searched for the key only when the key is at least this long: a shorter string could
// be ordinary data ("2024", a team id) that must not be rewritten.
constexpr size_t kMinKeyCharsInBody = 8;

// `key` as a JSON string would carry it (API-Football escapes '/' as "\/").
std::string JsonEscaped(const std::string& key) {
  return absl::StrReplaceAll(key, {{"\\", "\\\\"}, {"\"", "\\\""}, {"/", "\\/"}});
}

// Replaces every occurrence of `key`, raw or JSON-escaped, in *text by "<redacted>".
void RedactKey(const std::string& key, std::string* text) {
  if (key.empty()) return;
  const std::string escaped = JsonEscaped(key);
  if (escaped != key) absl::StrReplaceAll({{escaped, kRedacted}}, text);
  absl::StrReplaceAll({{key, kRedacted}}, text);
}

// Prefixes a mapper's error with the endpoint and redacts `key` from it: a 200 answer's `errors`
// and the JSON text an error quotes come from the server and may carry the key.
template <typename T>
absl::StatusOr<T> Named(absl::StatusOr<T> result, const std::string& endpoint,
                        const std::string& key) {
  if (result.ok()) return result;
  std::string message = absl::StrCat(endpoint, ": ", result.status().message());
  RedactKey(key, &message);
  return absl::Status(result.status().code(), message);
}

}  // namespace

absl::Status StatusFromHttp(const HttpResponse& r, const std::string& endpoint) {
  if (r.status >= 200 && r.status < 300 && r.status != 204) return absl::OkStatus();
  const std::string body = r.body.substr(0, 200);
  const std::string what = absl::StrCat("api-football GET ", endpoint, ": HTTP ", r.status,
                                        body.empty() ? "" : absl::StrCat(": ", body));
  if (r.status == 429) {
    int64_t seconds = 0;
    const std::string& retry = r.Header("retry-after");
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(retry), &seconds) && seconds >= 0) {
      return absl::ResourceExhaustedError(absl::StrCat(what, " retry_after_s=", seconds));
    }
    return absl::ResourceExhaustedError(what);
  }
  if (r.status == 401 || r.status == 403) return absl::UnauthenticatedError(what);
  if (r.status == 404 || r.status == 204) return absl::NotFoundError(what);
  if (r.status >= 500 || r.status == 499) return absl::UnavailableError(what);
  if (r.status >= 400) return absl::InvalidArgumentError(what);
  return absl::UnavailableError(absl::StrCat(what, " (unexpected status)"));
}

ApiFootballClient::ApiFootballClient(ApiFootballOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock), http_(options_.http) {
  if (options_.api_key.empty()) {
    if (const char* env = std::getenv("SUPERBET_APIFOOTBALL_KEY"); env != nullptr) {
      options_.api_key = env;
    }
  }
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

std::string ApiFootballClient::Redact(std::string text) const {
  RedactKey(options_.api_key, &text);  // Any length: a 3-character key is still a secret.
  return text;
}

absl::StatusOr<std::string> ApiFootballClient::Fetch(const std::string& endpoint) {
  if (options_.api_key.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("api-football GET ", endpoint,
                     ": no API key (set SUPERBET_APIFOOTBALL_KEY or ApiFootballOptions::api_key)"));
  }
  ++requests_;
  absl::StatusOr<HttpResponse> r =
      http_.Get(options_.base_url + endpoint, {{"x-apisports-key", options_.api_key}});
  if (!r.ok()) {
    return absl::Status(r.status().code(),
                        Redact(absl::StrCat("api-football ", r.status().message())));
  }
  int64_t remaining = 0;
  if (absl::SimpleAtoi(r->Header("x-ratelimit-requests-remaining"), &remaining)) {
    remaining_.store(remaining);
  }
  // A body that quotes the key (an echoing server or proxy) loses it before anything reads it, so
  // no excerpt of it (the first 200 characters below, an 80-character JSON token in a mapper
  // error) can carry even part of the key.
  if (options_.api_key.size() >= kMinKeyCharsInBody) RedactKey(options_.api_key, &r->body);
  absl::Status s = StatusFromHttp(*r, endpoint);
  if (!s.ok()) return absl::Status(s.code(), Redact(std::string(s.message())));
  return std::move(r->body);
}

void ApiFootballClient::AddCounters(const af::MapCounters& c) {
  std::lock_guard<std::mutex> lock(counters_mu_);
  counters_.Add(c);
}

af::MapCounters ApiFootballClient::counters() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  return counters_;
}

std::optional<int64_t> ApiFootballClient::requests_remaining() const {
  const int64_t r = remaining_.load();
  if (r < 0) return std::nullopt;
  return r;
}

absl::StatusOr<std::vector<LiveFixture>> ApiFootballClient::LiveFixtures() {
  const std::string endpoint = "/fixtures?live=all";
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  auto result = af::MapLiveFixtures(body, clock_.Now(), &c, body.capacity() - body.size());
  AddCounters(c);
  return Named(std::move(result), endpoint, options_.api_key);
}

absl::StatusOr<LiveFixture> ApiFootballClient::GetFixture(const std::string& fixture_id) {
  SUPERBET_ASSIGN_OR_RETURN(std::string id, af::BareId(fixture_id));
  const std::string endpoint = absl::StrCat("/fixtures?id=", id);
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  auto result = af::MapLiveFixtures(body, clock_.Now(), &c, body.capacity() - body.size());
  AddCounters(c);
  SUPERBET_ASSIGN_OR_RETURN(std::vector<LiveFixture> fixtures,
                            Named(std::move(result), endpoint, options_.api_key));
  if (fixtures.empty()) {
    return absl::NotFoundError(absl::StrCat("api-football GET ", endpoint, ": no such fixture"));
  }
  return std::move(fixtures.front());
}

absl::StatusOr<v1::LiveMatchState> ApiFootballClient::Statistics(const std::string& fixture_id) {
  SUPERBET_ASSIGN_OR_RETURN(std::string id, af::BareId(fixture_id));
  const std::string endpoint = absl::StrCat("/fixtures/statistics?fixture=", id);
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  auto teams = af::MapStatistics(body, &c);
  AddCounters(c);
  SUPERBET_ASSIGN_OR_RETURN(std::vector<v1::TeamStatistics> t,
                            Named(std::move(teams), endpoint, options_.api_key));
  return Named(af::StatisticsToState(id, t, clock_.Now()), endpoint, options_.api_key);
}

template <typename Result>
absl::StatusOr<Result> ApiFootballClient::FetchMapped(
    const std::string& prefix, const std::string& fixture_id,
    absl::StatusOr<Result> (*mapper)(absl::string_view, af::MapCounters*)) {
  SUPERBET_ASSIGN_OR_RETURN(std::string id, af::BareId(fixture_id));
  const std::string endpoint = absl::StrCat(prefix, id);
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  absl::StatusOr<Result> result = mapper(body, &c);
  AddCounters(c);
  return Named(std::move(result), endpoint, options_.api_key);
}

absl::StatusOr<std::vector<v1::MatchEvent>> ApiFootballClient::Events(const std::string& id) {
  return FetchMapped("/fixtures/events?fixture=", id, &af::MapEvents);
}
absl::StatusOr<std::vector<v1::Lineup>> ApiFootballClient::Lineups(const std::string& id) {
  return FetchMapped("/fixtures/lineups?fixture=", id, &af::MapLineups);
}
absl::StatusOr<std::vector<v1::BettingLine>> ApiFootballClient::PrematchOdds(
    const std::string& id) {
  return FetchMapped("/odds?fixture=", id, &af::MapPrematchOdds);
}
absl::StatusOr<std::vector<v1::BettingLine>> ApiFootballClient::LiveOdds(const std::string& id) {
  return FetchMapped("/odds/live?fixture=", id, &af::MapLiveOdds);
}
absl::StatusOr<std::vector<v1::Injury>> ApiFootballClient::Injuries(const std::string& id) {
  return FetchMapped("/injuries?fixture=", id, &af::MapInjuries);
}
absl::StatusOr<std::vector<v1::PredictionSummary>> ApiFootballClient::Predictions(
    const std::string& id) {
  return FetchMapped("/predictions?fixture=", id, &af::MapPredictions);
}

absl::StatusOr<PlayerPage> ApiFootballClient::Players(const std::string& team_id, int season,
                                                      int page) {
  SUPERBET_ASSIGN_OR_RETURN(std::string team, af::BareId(team_id));
  if (page < 1 || season < 1900 || season > 2100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "api-football /players: need page >= 1 and season in 1900..2100, got page=", page,
        " season=", season));
  }
  const std::string endpoint =
      absl::StrCat("/players?team=", team, "&season=", season, "&page=", page);
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  auto result = af::MapPlayers(body, &c);
  AddCounters(c);
  return Named(std::move(result), endpoint, options_.api_key);
}

absl::StatusOr<std::vector<v1::Standing>> ApiFootballClient::Standings(int league_id, int season) {
  const std::string endpoint = absl::StrCat("/standings?league=", league_id, "&season=", season);
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  auto result = af::MapStandings(body, &c);
  AddCounters(c);
  return Named(std::move(result), endpoint, options_.api_key);
}

absl::StatusOr<std::vector<v1::Fixture>> ApiFootballClient::HeadToHead(const std::string& team_a,
                                                                       const std::string& team_b) {
  SUPERBET_ASSIGN_OR_RETURN(std::string a, af::BareId(team_a));
  SUPERBET_ASSIGN_OR_RETURN(std::string b, af::BareId(team_b));
  const std::string endpoint = absl::StrCat("/fixtures/headtohead?h2h=", a, "-", b);
  SUPERBET_ASSIGN_OR_RETURN(std::string body, Fetch(endpoint));
  af::MapCounters c;
  auto result = af::MapHeadToHead(body, &c);
  AddCounters(c);
  return Named(std::move(result), endpoint, options_.api_key);
}

}  // namespace superbet::providers
