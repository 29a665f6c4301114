// The plant end to end over HTTP and Redis: fake platform servers (cpp-httplib on 127.0.0.1,
// port chosen by the OS) that answer like the real APIs - Telegram Bot API sendMessage (429 with
// parameters.retry_after), X API v2 POST /2/tweets (OAuth 1.0a header required; 429 with
// x-rate-limit-reset), FCM HTTP v1 messages:send with its OAuth 2.0 token endpoint - with injected
// 5xx, 429 and timeouts; and a real redis-server started by the test (free port, temp dir, AOF).
// Oracle after each run: the invariant (plant_support.h CheckInvariant): every event dropped, or
// per platform published exactly once (counted on the server side) or in the DLQ with a reason.

#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "plant_support.h"
#include "simdjson.h"
#include "superbet/broadcast/metrics.h"
#include "superbet/broadcast/publishers.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/redis_transport.h"
#include "support/loopback_http.h"
#include "support/redis_server.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
namespace bus = superbet::bus;
using superbet::core::FakeClock;

namespace {

enum class Fault { kNone, k500, k429, kTimeout, k400, k429Reset };

// The Unix time an X 429 names in x-rate-limit-reset (Fault::k429Reset): 5 s after the tests'
// FakeClock start, 1690000000.
constexpr int64_t kXRateLimitReset = 1690000005;

// One local server for all three platforms. `fault(platform, n)` decides the answer to the n-th
// request (1-based) of a platform.
class FakePlatforms {
 public:
  using FaultFn = std::function<Fault(const std::string& platform, int n)>;
  explicit FakePlatforms(FaultFn fault = {}) : fault_(std::move(fault)) {
    server_.Post(R"(/bot([^/]+)/sendMessage)",
                 [this](const httplib::Request& q, httplib::Response& r) {
                   Handle("telegram", q, r, q.matches[1] == "TESTTOKEN", "/text");
                 });
    server_.Post("/2/tweets", [this](const httplib::Request& q, httplib::Response& r) {
      const std::string auth = q.get_header_value("Authorization");
      Handle("twitter", q, r,
             auth.rfind("OAuth ", 0) == 0 && auth.find("oauth_signature=") != std::string::npos,
             "/text");
    });
    server_.Post("/token", [this](const httplib::Request& q, httplib::Response& r) {
      ++token_requests_;
      const bool ok =
          q.body.find(
              "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey") == 0;
      r.status = ok ? 200 : 400;
      r.set_content(R"({"access_token":"ya29.test","expires_in":3599,"token_type":"Bearer"})",
                    "application/json");
    });
    server_.Post(R"(/v1/projects/([^/]+)/messages:send)", [this](const httplib::Request& q,
                                                                 httplib::Response& r) {
      Handle("android", q, r, q.get_header_value("Authorization") == "Bearer ya29.test",
             "/message/data/event_id");
    });
    http_.emplace(server_);
  }
  ~FakePlatforms() { http_.reset(); }  // Stops serving before the members go.
  std::string url() const { return http_->url(); }
  // Accepted payload keys (text or event id) -> count, per platform.
  std::map<std::string, int> accepted(const std::string& platform) {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_[platform];
  }
  int requests(const std::string& platform) {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_[platform];
  }
  int token_requests() const { return token_requests_.load(); }

 private:
  void Handle(const std::string& platform, const httplib::Request& q, httplib::Response& r,
              bool authorized, const char* key_path) {
    int n;
    {
      std::lock_guard<std::mutex> lock(mu_);
      n = ++requests_[platform];
    }
    if (!authorized) {
      r.status = 401;
      return;
    }
    const Fault f = fault_ ? fault_(platform, n) : Fault::kNone;
    switch (f) {
      case Fault::kTimeout:
        std::this_thread::sleep_for(std::chrono::milliseconds(400));  // Client timeout: 150 ms.
        r.status = 200;                                               // Too late: not counted.
        return;
      case Fault::k500:
        r.status = 500;
        r.set_content(R"({"ok":false,"error_code":500,"description":"Internal Server Error"})",
                      "application/json");
        return;
      case Fault::k429:
        r.status = 429;
        if (platform == "telegram") {
          r.set_content(
              R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}})",
              "application/json");
        } else {
          r.set_header("Retry-After", "2");
        }
        return;
      case Fault::k429Reset:  // X's own hint: the window's reset time, no Retry-After.
        r.status = 429;
        r.set_header("x-rate-limit-reset", std::to_string(kXRateLimitReset));
        return;
      case Fault::k400:
        r.status = 400;
        r.set_content(
            R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})",
            "application/json");
        return;
      case Fault::kNone:
        break;
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view key;
    if (parser.parse(q.body).get(doc) != simdjson::SUCCESS ||
        doc.at_pointer(key_path).get_string().get(key) != simdjson::SUCCESS) {
      r.status = 400;
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++accepted_[platform][std::string(key)];
    }
    r.status = 200;
    r.set_content(platform == "twitter" ? R"({"data":{"id":"1","text":"ok"}})"
                                        : R"({"ok":true,"result":{"message_id":1}})",
                  "application/json");
  }

  httplib::Server server_;
  std::optional<superbet::testing::LoopbackHttp> http_;
  FaultFn fault_;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, int>> accepted_;
  std::map<std::string, int> requests_;
  std::atomic<int> token_requests_{0};
};

std::string TestRsaKeyPem() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, len);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

// Credentials distinctive enough to be searched for (the fake X server checks the header's
// shape only, the fake Telegram server the token TESTTOKEN, the fake FCM server the bearer token
// it issued, ya29.test).
sb::OAuth1Credentials XSecrets() {
  return {"ck-S3CR3T-consumer-key", "cs-S3CR3T-consumer-secret", "tk-S3CR3T-access-token",
          "ts-S3CR3T-token-secret"};
}

// "Credentials never logged": none of the publishers' secrets appears in what the plant writes
// or reports - the DLQ entries (last_error holds the platforms' answers), the digest records,
// every outcome, the metrics text.
void CheckNoCredentials(bus::Transport& t, const sb::PlantMetrics& m,
                        const std::vector<std::string>& platforms) {
  std::string seen;
  for (absl::string_view stream : {bus::kDlq, bus::kDigestStream}) {
    auto entries = t.Range(stream);
    REQUIRE(entries.ok());
    for (const auto& e : *entries) {
      for (const auto& [k, v] : e.fields) absl::StrAppend(&seen, k, "=", v, "\n");
    }
  }
  for (const std::string& p : platforms) {
    auto h = t.HashGetAll(bus::OutcomeKey(p));
    REQUIRE(h.ok());
    for (const auto& [k, v] : *h) absl::StrAppend(&seen, k, "=", v, "\n");
  }
  auto text = sb::PrometheusText(m);
  REQUIRE(text.ok());
  seen += *text;
  for (const auto& [p, pm] : m.platforms) {
    for (const auto& [reason, n] : pm.publish_errors) absl::StrAppend(&seen, reason, "\n");
  }
  REQUIRE_FALSE(seen.empty());
  for (const char* secret : {"S3CR3T", "TESTTOKEN", "ya29.test", "PRIVATE KEY"}) {
    INFO(secret);
    CHECK(seen.find(secret) == std::string::npos);
  }
}

// The plant with HTTP publishers pointed at `fake`, on `transport`.
struct HttpRig {
  FakeClock clock{absl::FromUnixSeconds(1690000000)};
  std::unique_ptr<bus::Transport> transport;
  std::unique_ptr<sb::XPublisher> x;
  std::unique_ptr<sb::TelegramPublisher> tg;
  std::unique_ptr<sb::FcmPublisher> fcm;
  std::unique_ptr<sb::BroadcastPlant> plant;
  bool real_sleep = false;  // Redis idle times are real: sleep a little for real too.
  std::vector<std::unique_ptr<bus::Transport>> platform_transports;

  // `concurrent_on`: when set, each platform gets its own connection to that server and thread.
  HttpRig(FakePlatforms& fake, std::unique_ptr<bus::Transport> t, std::string consumer,
          absl::Duration reclaim_idle = absl::Seconds(60),
          const st::RedisServer* concurrent_on = nullptr) {
    transport = t ? std::move(t) : std::make_unique<bus::EmbeddedTransport>(clock);
    sb::XOptions xo;
    xo.base_url = fake.url();
    xo.credentials = XSecrets();
    xo.timeout = absl::Milliseconds(150);
    x = std::make_unique<sb::XPublisher>(xo, clock, 1);
    sb::TelegramOptions to;
    to.base_url = fake.url();
    to.bot_token = "TESTTOKEN";
    to.chat_id = "@superbet";
    to.timeout = absl::Milliseconds(150);
    tg = std::make_unique<sb::TelegramPublisher>(to);
    static const std::string pem = TestRsaKeyPem();
    sb::FcmOptions fo;
    fo.base_url = fake.url();
    fo.project_id = "superbet-test";
    fo.client_email = "plant@superbet-test.iam.gserviceaccount.com";
    fo.private_key = pem;
    fo.token_uri = fake.url() + "/token";
    fo.timeout = absl::Milliseconds(150);
    fcm = std::make_unique<sb::FcmPublisher>(fo, clock);
    sb::PlantOptions o;
    o.platforms = {"twitter", "telegram", "android"};
    o.consumer = std::move(consumer);
    o.reclaim_idle = reclaim_idle;
    o.retention = absl::Hours(24 * 3650);
    auto p = sb::BroadcastPlant::Create(
        o, transport.get(), &clock,
        [this](absl::Duration d) {
          clock.Advance(d);
          if (real_sleep) absl::SleepFor(std::min(d, absl::Milliseconds(20)));
        },
        {{"twitter", x.get()}, {"telegram", tg.get()}, {"android", fcm.get()}});
    REQUIRE(p.ok());
    plant = *std::move(p);
    if (concurrent_on != nullptr) {
      std::map<std::string, bus::Transport*> own;
      for (const std::string& name : o.platforms) {
        auto pt = bus::RedisTransport::Connect(*bus::ParseRedisUrl(concurrent_on->url()));
        REQUIRE(pt.ok());
        platform_transports.push_back(*std::move(pt));
        own[name] = platform_transports.back().get();
      }
      REQUIRE(plant->SetPlatformTransports(own).ok());
      // And the priority stage on its own connection and thread beside the main stage.
      auto pt = bus::RedisTransport::Connect(*bus::ParseRedisUrl(concurrent_on->url()));
      REQUIRE(pt.ok());
      platform_transports.push_back(*std::move(pt));
      REQUIRE(plant->SetPriorityTransport(platform_transports.back().get()).ok());
    }
    REQUIRE(plant->Start().ok());
  }
};

// Event ids of the accepted payloads: X and Telegram carry texts, mapped back through the
// formatter (the match pairs of a season are distinct, so texts are unique); FCM carries the id.
std::map<std::string, std::map<std::string, int>> Received(FakePlatforms& fake,
                                                           const std::vector<std::string>& lines) {
  const sb::Formatter f = *sb::Formatter::Create({});
  std::map<std::string, std::string> by_x, by_tg;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto p = sb::ParsePredictionLine(lines[i], static_cast<int>(i + 1));
    if (!p.ok()) continue;
    const sb::FormattedTexts t = f.Format(*p);
    by_x[t.x] = sb::EventId(*p);
    by_tg[t.telegram] = sb::EventId(*p);
  }
  std::map<std::string, std::map<std::string, int>> out;
  for (const auto& [text, n] : fake.accepted("twitter")) out["twitter"][by_x.at(text)] += n;
  for (const auto& [text, n] : fake.accepted("telegram")) out["telegram"][by_tg.at(text)] += n;
  out["android"] = fake.accepted("android");
  return out;
}

std::unique_ptr<bus::Transport> Redis(const st::RedisServer& server) {
  auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(server.url()));
  REQUIRE(t.ok());
  return *std::move(t);
}

// Faults: Telegram answers 500 to requests 3-40 (its breaker opens, events wait in the digest),
// 429 with retry_after to requests 41-44, and 400 (chat not found, permanent) to request 60;
// X times out on requests 5-6 and answers 429 + Retry-After on 9; FCM answers 503... as 500 on 2.
Fault Faults(const std::string& platform, int n) {
  if (platform == "telegram") {
    if (n >= 3 && n <= 40) return Fault::k500;
    if (n >= 41 && n <= 44) return Fault::k429;
    if (n == 60) return Fault::k400;
  }
  if (platform == "twitter") {
    if (n == 5 || n == 6) return Fault::kTimeout;
    if (n == 9) return Fault::k429;
  }
  if (platform == "android" && n == 2) return Fault::k500;
  return Fault::kNone;
}

void RunFaultScenario(bool use_redis, bool concurrent = false) {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 80, 17);
  std::unique_ptr<st::RedisServer> server;
  if (use_redis) {
    server = std::make_unique<st::RedisServer>();
    REQUIRE(server->ok());
  }
  FakePlatforms fake(Faults);
  HttpRig rig(fake, use_redis ? Redis(*server) : nullptr, "plant-1", absl::Seconds(60),
              concurrent ? server.get() : nullptr);
  REQUIRE(sb::FeedAndDrain(*rig.plant, lines, &rig.clock).ok());
  CHECK_FALSE(*rig.plant->Outstanding());
  st::InvariantReport rep =
      st::CheckInvariant(*rig.transport, st::EventIds(lines), Received(fake, lines));
  const int passed = 80 - rep.dropped;
  auto m = rig.plant->metrics();
  INFO("passed " << passed);
  CHECK(rep.published["twitter"] + rep.dlq["twitter"] == passed);
  CHECK(rep.published["telegram"] + rep.dlq["telegram"] == passed);
  CHECK(rep.published["android"] + rep.dlq["android"] == passed);
  CHECK(m.platforms["telegram"].digest_buffered > 0);           // The breaker opened.
  CHECK(m.platforms["telegram"].digest_flushed_published > 0);  // Recovery flush published.
  CHECK(m.platforms["telegram"].publish_errors["http_500"] > 0);
  CHECK(m.platforms["twitter"].publish_errors["timeout"] == 2);
  CHECK(rep.dlq["twitter"] == 0);  // Timeouts and 429 were retried successfully.
  CHECK(m.platforms["telegram"].breaker_state == 0);
  // The FCM token is fetched at most once per message (its cache is tested below).
  CHECK(fake.token_requests() >= 1);
  CHECK(fake.token_requests() <= fake.requests("android"));
  CHECK(m.digest_flushes > 0);
  CHECK(rep.dlq["telegram"] > 0);  // The 400 (and what still failed): the DLQ has entries.
  CheckNoCredentials(*rig.transport, m, {"twitter", "telegram", "android"});
}

}  // namespace

TEST_CASE("plant over HTTP, embedded: 5xx, 429, timeouts, breaker, digest, recovery",
          "[plant_http]") {
  RunFaultScenario(false);
}

TEST_CASE("plant over HTTP, Redis: 5xx, 429, timeouts, breaker, digest, recovery",
          "[plant_http][redis]") {
  RunFaultScenario(true);
}

// The same faults with each platform, and the priority stage, on its own connection and thread
// (SetPlatformTransports, SetPriorityTransport):
// the platforms' retries and backoff sleeps interleave on the shared fake clock, so only the
// outcomes are compared, not the timing.
TEST_CASE("plant over HTTP, Redis, one connection and thread per stage: faults, invariant",
          "[plant_http][redis]") {
  RunFaultScenario(true, true);
}

TEST_CASE("a consumer killed mid-batch leaves entries another consumer reclaims (Redis)",
          "[plant_http][redis]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 40, 23);
  st::RedisServer server;
  REQUIRE(server.ok());
  FakePlatforms fake;
  // The survivor: idle entries are reclaimed after 300 ms of Redis time.
  HttpRig rig(fake, Redis(server), "survivor", absl::Milliseconds(300));
  rig.real_sleep = true;
  auto victim_t = Redis(server);
  for (size_t i = 0; i < lines.size(); ++i) {
    REQUIRE(rig.plant->Ingest(lines[i], static_cast<int>(i + 1)).ok());
  }
  // A victim consumer of the main stage takes a batch of 5 and dies without acknowledging it.
  auto batch = victim_t->ReadGroup(bus::kRiskVerified, bus::kMainGroup, "victim", 5);
  REQUIRE(batch.ok());
  REQUIRE(batch->size() == 5);
  // Another victim died in a platform stage between the idempotency guard and the publish's
  // result: the guard of one of the stolen events is left "inflight".
  const std::string guarded = batch->at(0).Field("event_id");
  REQUIRE(victim_t->SetIfAbsent(bus::SentKey("telegram", guarded), "inflight", absl::Seconds(86400))
              .value());
  std::vector<std::string> victim_ids = {guarded};
  victim_t.reset();  // Dies.
  REQUIRE(sb::FeedAndDrain(*rig.plant, {}, &rig.clock).ok());
  CHECK_FALSE(*rig.plant->Outstanding());
  st::InvariantReport rep =
      st::CheckInvariant(*rig.transport, st::EventIds(lines), Received(fake, lines));
  CHECK(*rig.transport->PendingCount(bus::kRiskVerified, bus::kMainGroup) == 0);
  auto dropped = rig.transport->HashGetAll(bus::kDroppedKey);
  bool guarded_dropped = false;
  for (const auto& [id, reason] : *dropped) guarded_dropped |= id == guarded;
  if (guarded_dropped) {  // The filter dropped it: no platform stage ever saw the guard.
    CHECK(rep.dlq["telegram"] == 0);
    return;
  }
  CHECK(rep.dlq["telegram"] == 1);  // The guarded one: unknown outcome, never posted twice.
  CHECK(rep.published["telegram"] == 40 - rep.dropped - 1);
  auto dlq = rig.transport->Range(bus::kDlq);
  REQUIRE(dlq.ok());
  REQUIRE(dlq->size() == 1);
  CHECK(dlq->at(0).Field("reason") == "unknown_outcome");
  CHECK(dlq->at(0).Field("event_id") == victim_ids[0]);
}

TEST_CASE("redis-server killed and restarted (AOF) mid-run: the invariant holds",
          "[plant_http][redis]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 60, 29);
  st::RedisServer server;
  REQUIRE(server.ok());
  FakePlatforms fake;
  HttpRig rig(fake, Redis(server), "plant-1");
  const std::vector<std::string> first(lines.begin(), lines.begin() + 30);
  const std::vector<std::string> second(lines.begin() + 30, lines.end());
  // First half: ingest and run a few pumps only (work in flight in every stream).
  for (size_t i = 0; i < first.size(); ++i) REQUIRE(rig.plant->Ingest(first[i], i + 1).ok());
  for (int i = 0; i < 3; ++i) REQUIRE(rig.plant->Pump().ok());
  REQUIRE(server.Restart());
  REQUIRE(sb::FeedAndDrain(*rig.plant, second, &rig.clock).ok());
  CHECK_FALSE(*rig.plant->Outstanding());
  st::InvariantReport rep =
      st::CheckInvariant(*rig.transport, st::EventIds(lines), Received(fake, lines));
  CHECK(rep.published["twitter"] == 60 - rep.dropped);
  CHECK(rep.published["telegram"] == 60 - rep.dropped);
  CHECK(rep.published["android"] == 60 - rep.dropped);
}

// Each publisher against the fake servers: the platform's retry hint is read where that API puts
// it (Telegram: the body's parameters.retry_after, no header; X and FCM: the Retry-After header),
// 429 / 5xx / timeouts are retried, a 4xx is not, and no result carries a credential.
TEST_CASE("publishers: retry hints where each API puts them, retry classes, no credentials",
          "[plant_http]") {
  // Per platform: request 1 -> 429, 2 -> 500, 3 -> timeout, 4 -> 400, then 200; X's request 6
  // -> 429 with x-rate-limit-reset only.
  FakePlatforms fake([](const std::string& platform, int n) {
    const Fault faults[] = {Fault::k429, Fault::k500, Fault::kTimeout, Fault::k400};
    if (platform == "twitter" && n == 6) return Fault::k429Reset;
    return n <= 4 ? faults[n - 1] : Fault::kNone;
  });
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::XOptions xo;
  xo.base_url = fake.url();
  xo.credentials = XSecrets();
  xo.timeout = absl::Milliseconds(150);
  sb::XPublisher x(xo, clock, 1);
  sb::TelegramOptions to;
  to.base_url = fake.url();
  to.bot_token = "TESTTOKEN";
  to.chat_id = "@superbet";
  to.timeout = absl::Milliseconds(150);
  sb::TelegramPublisher tg(to);
  sb::FcmOptions fo;
  fo.base_url = fake.url();
  fo.project_id = "superbet-test";
  fo.client_email = "plant@superbet-test.iam.gserviceaccount.com";
  fo.private_key = TestRsaKeyPem();
  fo.token_uri = fake.url() + "/token";
  fo.timeout = absl::Milliseconds(150);
  sb::FcmPublisher fcm(fo, clock);
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 1, 5);
  const sb::BroadcastEvent e =
      sb::BuildEvent(*sb::ParsePredictionLine(lines[0], 1), *sb::Formatter::Create({}));
  for (sb::Publisher* pub : std::initializer_list<sb::Publisher*>{&x, &tg, &fcm}) {
    INFO(pub->platform());
    std::vector<sb::PublishResult> r;
    for (int i = 0; i < 5; ++i) r.push_back(pub->Publish(e, ""));
    CHECK(r[0].reason == "http_429");
    CHECK(r[0].retry);
    REQUIRE(r[0].retry_after.has_value());
    CHECK(*r[0].retry_after == absl::Seconds(2));
    if (pub == &tg) CHECK(r[0].error == "Too Many Requests: retry after 2");  // The description.
    CHECK(r[1].reason == "http_500");
    CHECK(r[1].retry);
    CHECK(r[2].reason == "timeout");
    CHECK(r[2].retry);
    CHECK(r[3].reason == "http_400");
    CHECK_FALSE(r[3].retry);
    CHECK(r[4].success);
    if (pub == &x) {  // x-rate-limit-reset 1690000005, clock at 1690000000: 5 s.
      const sb::PublishResult reset = x.Publish(e, "");
      CHECK(reset.reason == "http_429");
      REQUIRE(reset.retry_after.has_value());
      CHECK(*reset.retry_after == absl::Seconds(5));
    }
    for (const sb::PublishResult& one : r) {
      for (const char* secret : {"S3CR3T", "TESTTOKEN", "ya29.test", "PRIVATE KEY"}) {
        INFO(secret << " in " << one.error);
        CHECK(one.error.find(secret) == std::string::npos);
        CHECK(one.reason.find(secret) == std::string::npos);
      }
    }
  }
}

TEST_CASE("FCM: the OAuth 2.0 token is cached until 60 s before its expiry", "[plant_http]") {
  FakePlatforms fake;
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::FcmOptions fo;
  fo.base_url = fake.url();
  fo.project_id = "superbet-test";
  fo.client_email = "plant@superbet-test.iam.gserviceaccount.com";
  fo.private_key = TestRsaKeyPem();
  fo.token_uri = fake.url() + "/token";
  sb::FcmPublisher fcm(fo, clock);
  sb::BroadcastEvent e;
  e.id = "pred-x-1";
  e.texts.android = {"Brighton & Hove Albion vs Nott'm Forest", "home 62% | G\u00fcven: 81%"};
  CHECK(fcm.Publish(e, "").success);
  clock.Advance(absl::Seconds(3599 - 61));  // expires_in 3599: still 61 s left.
  CHECK(fcm.Publish(e, "").success);
  CHECK(fake.token_requests() == 1);
  clock.Advance(absl::Seconds(2));  // Within 60 s of expiry: a new token.
  CHECK(fcm.Publish(e, "").success);
  CHECK(fake.token_requests() == 2);
  CHECK(fake.accepted("android").at("pred-x-1") == 3);
}

namespace {

std::function<absl::StatusOr<std::unique_ptr<bus::Transport>>()> Connector(
    const st::RedisServer& server) {
  return [url = server.url()]() -> absl::StatusOr<std::unique_ptr<bus::Transport>> {
    auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(url));
    if (!t.ok()) return t.status();
    return std::unique_ptr<bus::Transport>(*std::move(t));
  };
}

}  // namespace

// Persistent stage workers (StartWorkers): main, priority and each platform stage loop on their
// own thread and connection with blocking reads. Oracle: the invariant (every event dropped or
// published exactly once per platform, counted by the fake servers) and nothing outstanding.
TEST_CASE("persistent stage workers over Redis: every event published once, drained",
          "[plant_http][redis][workers]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 120, 31);
  st::RedisServer server;
  REQUIRE(server.ok());
  FakePlatforms fake;
  HttpRig rig(fake, Redis(server), "plant-1");
  REQUIRE(rig.plant->StartWorkers(Connector(server), absl::Milliseconds(5)).ok());
  CHECK(rig.plant->workers_running());
  CHECK(rig.plant->StartWorkers(Connector(server)).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(rig.plant->Pump().status().code() == absl::StatusCode::kFailedPrecondition);
  // An on-demand flush stops the workers for the flush and starts them again.
  auto flushed = rig.plant->FlushDigestNow();
  REQUIRE(flushed.ok());
  CHECK(flushed->buckets == 0);
  CHECK(rig.plant->workers_running());
  REQUIRE(sb::FeedAndDrain(*rig.plant, lines, nullptr).ok());
  CHECK_FALSE(*rig.plant->Outstanding());
  // metrics() while the workers run: their counters as of their last step.
  const sb::PlantMetrics running = rig.plant->metrics();
  REQUIRE(rig.plant->StopWorkers().ok());
  CHECK_FALSE(rig.plant->workers_running());
  st::InvariantReport rep =
      st::CheckInvariant(*rig.transport, st::EventIds(lines), Received(fake, lines));
  CHECK(rep.dropped < 120);
  CHECK(running.passed_filter == 120 - rep.dropped);
  CHECK(rig.plant->metrics().passed_filter == 120 - rep.dropped);
  for (const std::string p : {"twitter", "telegram", "android"}) {
    CHECK(rep.published[p] == 120 - rep.dropped);
    CHECK(rep.dlq[p] == 0);
    int64_t published = 0;
    for (const auto& [tier, n] : running.platforms.at(p).published_by_tier) published += n;
    CHECK(published == 120 - rep.dropped);
  }
  // Stopped: Pump runs again and finds nothing.
  CHECK_FALSE(*rig.plant->Pump());
}

// Workers stopped mid-run (faults in flight: an open breaker, retries, digest buckets): the
// entries they hold stay held and Pump / FeedAndDrain finish the run on the replay clock.
// Oracle: the invariant after the hand-back.
TEST_CASE("persistent stage workers stopped mid-run hand their entries back to Pump (faults)",
          "[plant_http][redis][workers]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 80, 17);
  st::RedisServer server;
  REQUIRE(server.ok());
  FakePlatforms fake(Faults);
  HttpRig rig(fake, Redis(server), "plant-1");
  REQUIRE(rig.plant->StartWorkers(Connector(server), absl::Milliseconds(5)).ok());
  REQUIRE(rig.plant->IngestLines(lines, 1).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  REQUIRE(rig.plant->StopWorkers().ok());
  REQUIRE(sb::FeedAndDrain(*rig.plant, {}, &rig.clock).ok());
  CHECK_FALSE(*rig.plant->Outstanding());
  st::InvariantReport rep =
      st::CheckInvariant(*rig.transport, st::EventIds(lines), Received(fake, lines));
  const int passed = 80 - rep.dropped;
  for (const std::string p : {"twitter", "telegram", "android"}) {
    CHECK(rep.published[p] + rep.dlq[p] == passed);
  }
  CHECK(rig.plant->metrics().platforms["telegram"].publish_errors["http_500"] > 0);
}

// The digest buckets are found through their index set (broadcast:digest-index:{platform}), not
// by scanning the keyspace: a bucket left by an older plant (a plain list, no index) joins the
// index at Start and is flushed; after Start no SCAN runs however many guards the run writes.
// Oracle: the server's own INFO commandstats (no cmdstat_scan), the bucket's event published on
// telegram (its outcome hash) and the bucket gone.
TEST_CASE("digest buckets come from their index: no keyspace scan after Start (Redis)",
          "[plant_http][redis]") {
  const auto lines = st::PredictionLines("football-data/E0_2324.csv", 31, 37);
  const std::vector<std::string> fed(lines.begin(), lines.begin() + 30);
  st::RedisServer server;
  REQUIRE(server.ok());
  FakePlatforms fake;
  // The older plant's bucket, two 15-minute buckets before the rig's clock, holding the event of
  // the 31st line (not fed).
  auto older = Redis(server);
  auto prediction = sb::ParsePredictionLine(lines[30], 31);
  REQUIRE(prediction.ok());
  const std::string event_id = sb::EventId(*prediction);
  std::string json;
  sb::AppendCloudEventJson(sb::BuildEvent(*prediction, *sb::Formatter::Create({})), &json);
  const int64_t bucket = 1690000000 / 900 - 2;
  REQUIRE(older
              ->ListPush(bus::DigestKey("telegram", bucket),
                         absl::StrCat("0.5\t1689998000000\t", event_id, "\t", json),
                         absl::Seconds(1800))
              .ok());
  HttpRig rig(fake, Redis(server), "plant-1");  // Start: the bucket joins the index.
  const auto cli = [&](const std::string& args) {
    std::string out;
    FILE* p = ::popen(absl::StrCat("redis-cli -p ", server.port(), " ", args).c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
    ::pclose(p);
    return out;
  };
  cli("CONFIG RESETSTAT");
  REQUIRE(sb::FeedAndDrain(*rig.plant, fed, &rig.clock).ok());
  CHECK_FALSE(*rig.plant->Outstanding());
  const sb::PlantMetrics m = rig.plant->metrics();
  CHECK(m.digest_flushes >= 1);
  CHECK(older->HashGetMany(bus::OutcomeKey("telegram"), {event_id})->at(0) ==
        std::optional<std::string>("published"));
  CHECK_FALSE(older->Get(bus::DigestKey("telegram", bucket))->has_value());
  CHECK(older->IndexedKeys(bus::DigestIndexKey("telegram"))->empty());
  const std::string stats = cli("INFO commandstats");
  CHECK(stats.find("cmdstat_xadd") != std::string::npos);  // The stats are the run's.
  CHECK(stats.find("cmdstat_scan") == std::string::npos);
  // Every event of the run and the bucket's once on telegram (the fake server's count).
  auto received = Received(fake, lines);
  CHECK(received["telegram"][event_id] == 1);
  auto dropped = rig.transport->HashGetAll(bus::kDroppedKey);
  REQUIRE(dropped.ok());
  CHECK(received["telegram"].size() == 31 - dropped->size());
  for (const auto& [id, n] : received["telegram"]) CHECK(n == 1);
}
