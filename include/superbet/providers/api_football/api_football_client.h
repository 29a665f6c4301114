// ApiFootballClient: the API-Football v3 HTTP adapter. Implements Provider
// over libcurl (HttpClient) and the pure mappers of api_football.h.
//
// Requests: GET <base_url><endpoint>?<query> with header `x-apisports-key: <key>`. The key comes
// from ApiFootballOptions::api_key or, when that is empty, from $SUPERBET_APIFOOTBALL_KEY (read
// once, at construction). The key is never logged and is redacted ("<redacted>") from every error
// message, whatever its length: transport and HTTP errors, and the mapper errors of a 200 answer
// (its `errors` field, the JSON text a type error quotes), since a server or proxy may echo the
// key. A key of 8 or more characters is also replaced in the response body before anything reads
// it, so that no clipped excerpt of the body can carry part of it (a shorter key could be ordinary
// data).
//
// Status mapping (provider.h):
//   transport failure, timeout, HTTP 5xx, HTTP 499   kUnavailable
//   HTTP 429                                        kResourceExhausted, "retry_after_s=N" from the
//                                                   Retry-After header when it is a number
//   HTTP 401 / 403, or no key configured            kUnauthenticated (no request is made without a
//   key) HTTP 404, HTTP 204 (no content)                 kNotFound other HTTP 4xx kInvalidArgument
//   HTTP 200 with a non-empty `errors` field        see api_football.h (InvalidArgument /
//                                                   Unauthenticated / ResourceExhausted)
//   truncated or malformed body                     kDataLoss (byte offset / JSON path)
// Every message starts with "api-football" and names the endpoint (never the key).
//
// Thread-safety: thread-safe; requests are serialised on one connection (create several clients
// for parallel requests). Owns its HttpClient; borrows the clock, which must outlive it.

#ifndef SUPERBET_PROVIDERS_API_FOOTBALL_API_FOOTBALL_CLIENT_H_
#define SUPERBET_PROVIDERS_API_FOOTBALL_API_FOOTBALL_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "superbet/core/clock.h"
#include "superbet/providers/api_football/api_football.h"
#include "superbet/providers/http/http_client.h"
#include "superbet/providers/provider.h"

namespace superbet::providers {

struct ApiFootballOptions {
  std::string base_url = "https://v3.football.api-sports.io";  // No trailing slash needed.
  std::string api_key;                                         // Empty: $SUPERBET_APIFOOTBALL_KEY.
  HttpClientOptions http;  // Timeouts: 5 s connect, 10 s total by default.
};

// The status an HTTP answer stands for (OkStatus for 2xx except 204), per the table above.
// `endpoint` names the request in the message ("/fixtures?live=all"); the body's first 200
// characters are quoted. Pure; no key in sight.
[[nodiscard]] absl::Status StatusFromHttp(const HttpResponse& response,
                                          const std::string& endpoint);

class ApiFootballClient final : public Provider {
 public:
  ApiFootballClient(ApiFootballOptions options, const core::Clock& clock);

  std::string name() const override { return api_football::kProviderName; }

  [[nodiscard]] absl::StatusOr<std::vector<LiveFixture>> LiveFixtures() override;
  // NotFound when the answer has no fixture.
  [[nodiscard]] absl::StatusOr<LiveFixture> GetFixture(const std::string& fixture_id) override;
  // Home = first team of the answer, away = second (InvalidArgument otherwise). minute and
  // scores are not part of /fixtures/statistics and stay absent (has_minute() is false).
  [[nodiscard]] absl::StatusOr<superbet::v1::LiveMatchState> Statistics(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::MatchEvent>> Events(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Lineup>> Lineups(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> PrematchOdds(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::BettingLine>> LiveOdds(
      const std::string& fixture_id) override;
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Injury>> Injuries(
      const std::string& fixture_id) override;
  // InvalidArgument when page < 1 or season outside 1900..2100.
  [[nodiscard]] absl::StatusOr<PlayerPage> Players(const std::string& team_id, int season,
                                                   int page) override;

  // Endpoints beyond the Provider interface.
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::PredictionSummary>> Predictions(
      const std::string& fixture_id);
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Standing>> Standings(int league_id,
                                                                              int season);
  [[nodiscard]] absl::StatusOr<std::vector<superbet::v1::Fixture>> HeadToHead(
      const std::string& team_a, const std::string& team_b);

  // The last `x-ratelimit-requests-remaining` the server sent (nullopt before the first answer
  // carrying it).
  std::optional<int64_t> requests_remaining() const;
  // What the mappers rejected so far (sum over all requests).
  api_football::MapCounters counters() const;
  // Requests made so far (answered or not).
  int64_t requests() const { return requests_.load(); }

 private:
  // GET base_url + endpoint; the body of a 2xx answer or the mapped status.
  [[nodiscard]] absl::StatusOr<std::string> Fetch(const std::string& endpoint);
  std::string Redact(std::string text) const;
  // Fetch(prefix + bare id of fixture_id), then mapper(body); defined in the .cc.
  template <typename Result>
  [[nodiscard]] absl::StatusOr<Result> FetchMapped(
      const std::string& prefix, const std::string& fixture_id,
      absl::StatusOr<Result> (*mapper)(absl::string_view, api_football::MapCounters*));
  void AddCounters(const api_football::MapCounters& c);

  ApiFootballOptions options_;
  const core::Clock& clock_;
  HttpClient http_;
  std::atomic<int64_t> remaining_{-1};
  std::atomic<int64_t> requests_{0};
  mutable std::mutex counters_mu_;
  api_football::MapCounters counters_;  // Guarded by counters_mu_.
};

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_API_FOOTBALL_API_FOOTBALL_CLIENT_H_
