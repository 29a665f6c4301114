// broadcast-svc's Publish as a real process against a real redis-server (AOF, appendfsync always)
// and the fake Telegram Bot API, all on 127.0.0.1: the answer's stream id, the idempotency of a
// repeated Publish (one after the other, and 8 threads at once), one rejected Publish counted
// once, and 8 client threads publishing distinct decisions concurrently.
//
// Oracles: Redis itself (XRANGE risk.verified id id returns the entry with the published
// prediction; XLEN; the plant's consumer group has nothing pending or undelivered); the plant's
// documented filter (e2e_support.h DocumentedDropReason, written from filter.h: confidence 0.40
// is dropped as low_confidence, 0.72 passes) and the event id rule (DocumentedEventId), giving
// each event's expected terminal outcome in the plant's outcome hashes; the fake Telegram's
// record of what it was sent; the counts of calls this test made, against /metrics.

#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/e2e_support.h"
#include "services/fake_telegram.h"
#include "services/process.h"
#include "superbet/scoring/prediction_json.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;

// Man United v Tottenham 2015-08-08 (StatsBomb 3754097 is the id the other itests use), Bet365
// 2.10 / 3.40 / 4.00; `decided_s` makes the event id distinct.
v1::PublishRequest Accepted(int64_t decided_s, double confidence) {
  v1::PublishRequest r;
  v1::Decision* d = r.mutable_decision();
  d->set_verdict(v1::VERDICT_ACCEPTED);
  d->set_stake(25);
  d->set_bankroll_before(1000);
  v1::Prediction* p = d->mutable_prediction();
  p->set_match_id("statsbomb:3754097");
  p->set_home("Manchester United");
  p->set_away("Tottenham Hotspur");
  p->mutable_kickoff()->set_seconds(1439041500);
  p->set_pick("home");
  p->set_action(v1::ACTION_BET_HOME);
  p->mutable_prob()->set_home(0.58);
  p->mutable_prob()->set_draw(0.25);
  p->mutable_prob()->set_away(0.17);
  p->mutable_odds()->set_home(2.10);
  p->mutable_odds()->set_draw(3.40);
  p->mutable_odds()->set_away(4.00);
  p->set_confidence(confidence);
  p->set_vsnr(2.8);
  p->set_cas(0.58 * 2.10);
  p->set_kelly_fraction((0.58 * 2.10 - 1) / 1.10);
  p->mutable_decided_at()->set_seconds(decided_s);
  p->set_agent("live");
  p->set_model_version("itest");
  p->set_data_staleness_s(2.0);
  return r;
}

TEST_CASE("broadcast-svc Publish: stream ids, idempotency, 8 concurrent publishers accounted for",
          "[services][broadcast][publish]") {
  TempDir dir;
  RedisServer redis(dir.path());
  REQUIRE(redis.WaitReady(10));
  FakeTelegram telegram("123:PUBLISH-ITEST-TOKEN");
  {
    std::FILE* f = std::fopen(dir.File("tg_token").c_str(), "w");
    std::fputs("123:PUBLISH-ITEST-TOKEN\n", f);
    std::fclose(f);
  }
  Child svc({BROADCAST_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--ports_file=" + dir.File("ports.json"), "--redis=" + redis.url(),
             "--telegram_base_url=" + telegram.base_url(),
             "--telegram_token_file=" + dir.File("tg_token"), "--telegram_chat_id=@itest",
             "--platforms=telegram", "--publish_connections=4", "--drain_deadline_s=5",
             "--rate_limit_qps=0"},
            dir.File("svc.log"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  REQUIRE(WaitUntil([&] { return HttpGet(ports->metrics, "/health/ready").first == 200; }, 30));
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::BroadcastService::NewStub(channel);
  auto call = [&](const v1::PublishRequest& r, v1::PublishResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return stub->Publish(&ctx, r, resp);
  };
  FilterRule rule;
  std::map<std::string, std::string> expected;  // event id -> "published" or the drop reason.
  auto expect = [&](const v1::PublishRequest& r) {
    const auto drop = DocumentedDropReason(r.decision().prediction(), rule);
    expected[DocumentedEventId(r.decision().prediction())] = drop.value_or("published");
  };

  // ---- one Publish: its stream id finds the entry holding the prediction -------------------
  const v1::PublishRequest one = Accepted(1439038000, 0.72);
  v1::PublishResponse first;
  REQUIRE(call(one, &first).ok());
  expect(one);
  CHECK(first.event_id() == DocumentedEventId(one.decision().prediction()));
  REQUIRE_FALSE(first.stream_id().empty());
  {
    // --raw: id, then field / value lines in order: event, <json>, event_id, <id>.
    const std::vector<std::string> lines = absl::StrSplit(
        redis.Cli("XRANGE risk.verified " + first.stream_id() + " " + first.stream_id()), '\n');
    REQUIRE(lines.size() >= 5);
    CHECK(lines[0] == first.stream_id());
    CHECK(lines[1] == "event");
    CHECK(lines[3] == "event_id");
    CHECK(lines[4] == first.event_id());
    auto p = scoring::PredictionFromJsonLine(lines[2], 1);
    REQUIRE(p.ok());
    CHECK(google::protobuf::util::MessageDifferencer::Equals(*p, one.decision().prediction()));
  }

  // ---- the same event again: the first stream id, nothing written ----------------------------
  v1::PublishResponse second;
  REQUIRE(call(one, &second).ok());
  CHECK(second.event_id() == first.event_id());
  CHECK(second.stream_id() == first.stream_id());
  CHECK(redis.StreamLength("risk.verified") == 1);

  // ---- a prediction the plant's reader refuses: INVALID_ARGUMENT naming the field ------------
  v1::PublishRequest bad = Accepted(1439038001, 0.72);
  bad.mutable_decision()->mutable_prediction()->mutable_odds()->set_home(0.97);
  v1::PublishResponse bad_resp;
  const grpc::Status b = call(bad, &bad_resp);
  CHECK(b.error_code() == grpc::INVALID_ARGUMENT);
  CHECK(b.error_message().rfind("decision.prediction rejected by the plant: odds.home: ", 0) == 0);
  CHECK(b.error_message().find("0.97") != std::string::npos);
  CHECK(redis.StreamLength("risk.verified") == 1);

  // ---- one event published by 8 threads at once: one entry, every caller gets its id --------
  const v1::PublishRequest same = Accepted(1439038002, 0.40);
  expect(same);
  {
    std::vector<std::string> got(8);
    std::atomic<int> same_failed{0};
    std::vector<std::thread> racers;
    for (int t = 0; t < 8; ++t) {
      racers.emplace_back([&, t] {
        v1::PublishResponse resp;
        if (!call(same, &resp).ok()) same_failed.fetch_add(1);
        got[t] = resp.stream_id();
      });
    }
    for (auto& th : racers) th.join();
    CHECK(same_failed.load() == 0);
    for (const std::string& id : got) CHECK(id == got[0]);
    CHECK_FALSE(got[0].empty());
    CHECK(redis.StreamLength("risk.verified") == 2);
  }

  // ---- 8 threads x 20 distinct decisions, concurrently --------------------------------------
  constexpr int kThreads = 8, kPerThread = 20;
  std::vector<v1::PublishRequest> requests;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      // Every 10th passes the filter (16 posts: under Telegram's 30/h), the rest are dropped.
      const int n = t * kPerThread + i;
      requests.push_back(Accepted(1439038100 + n, n % 10 == 0 ? 0.72 : 0.40));
      expect(requests.back());
    }
  }
  std::mutex mu;
  std::map<std::string, std::string> stream_id_of;  // event id -> stream id answered.
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto own = v1::BroadcastService::NewStub(grpc::CreateChannel(
          "127.0.0.1:" + std::to_string(ports->grpc), grpc::InsecureChannelCredentials()));
      for (int i = 0; i < kPerThread; ++i) {
        const v1::PublishRequest& r = requests[t * kPerThread + i];
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        v1::PublishResponse resp;
        if (!own->Publish(&ctx, r, &resp).ok() || resp.stream_id().empty()) {
          failed.fetch_add(1);
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        stream_id_of[resp.event_id()] = resp.stream_id();
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(failed.load() == 0);
  REQUIRE(stream_id_of.size() == static_cast<size_t>(kThreads * kPerThread));
  // Every answer is its own entry of risk.verified, holding its event.
  const auto entries = redis.Range("risk.verified");
  REQUIRE(entries.size() == static_cast<size_t>(2 + kThreads * kPerThread));
  std::set<std::string> ids;
  for (const auto& [event, id] : stream_id_of) ids.insert(id);
  CHECK(ids.size() == stream_id_of.size());
  {
    const std::vector<std::string> all =
        absl::StrSplit(redis.Cli("XRANGE risk.verified - +"), '\n');
    std::map<std::string, std::string> event_at;  // stream id -> event_id field.
    for (size_t i = 0; i + 4 < all.size(); i += 5) event_at[all[i]] = all[i + 4];
    for (const auto& [event, id] : stream_id_of) {
      INFO(event << " at " << id);
      CHECK(event_at[id] == event);
    }
  }

  // ---- the plant consumes them: every event has its one documented terminal outcome ---------
  size_t passing = 0;
  for (const auto& [event, fate] : expected) passing += fate == "published" ? 1 : 0;
  CHECK(passing == 17);
  REQUIRE(WaitUntil(
      [&] {
        return redis.HashGetAll("broadcast:outcome:dropped").size() + telegram.delivered().size() ==
               expected.size();
      },
      60));
  const auto dropped = redis.HashGetAll("broadcast:outcome:dropped");
  const auto outcome = redis.HashGetAll("broadcast:outcome:telegram");
  for (const auto& [event, fate] : expected) {
    INFO(event);
    if (fate == "published") {
      REQUIRE(outcome.count(event) == 1);
      CHECK(outcome.at(event) == "published");
      CHECK(dropped.count(event) == 0);
    } else {
      REQUIRE(dropped.count(event) == 1);
      CHECK(dropped.at(event) == fate);
      CHECK(outcome.count(event) == 0);
    }
  }
  CHECK(telegram.delivered().size() == passing);  // Posted once each, the repeat included.
  CHECK(telegram.requests().size() == passing);
  CHECK(redis.Pending("risk.verified", "broadcast-plant-main") == 0);
  CHECK(redis.GroupInfo("risk.verified", "broadcast-plant-main", "lag") ==
        std::optional<std::string>("0"));

  // ---- /metrics: each call counted once, where it belongs -----------------------------------
  const auto m = ParsePrometheusText(HttpGet(ports->metrics, "/metrics").second);
  const double calls = 2 + 1 + 8 + kThreads * kPerThread;
  CHECK(SumSamples(m, "broadcast_input_lines_total") == std::optional<double>(calls));
  CHECK(SumSamples(m, "broadcast_rejected_lines_total") == std::optional<double>(1));
  CHECK(SumSamples(m, "broadcast_rejected_lines_total", {{"reason", "odds.home"}}) ==
        std::optional<double>(1));
  CHECK(SumSamples(m, "broadcast_publish_duplicates_total") == std::optional<double>(1 + 7));
  CHECK(SumSamples(m, "grpc_server_handled_total",
                   {{"grpc_method", "Publish"}, {"grpc_code", "OK"}}) ==
        std::optional<double>(calls - 1));
  CHECK(SumSamples(m, "grpc_server_handled_total",
                   {{"grpc_method", "Publish"}, {"grpc_code", "INVALID_ARGUMENT"}}) ==
        std::optional<double>(1));
  CHECK(SumSamples(m, "broadcast_dropped_total", {{"reason", "low_confidence"}}) ==
        std::optional<double>(expected.size() - passing));
  CHECK(SumSamples(m, "broadcast_published_total", {{"platform", "telegram"}}) ==
        std::optional<double>(passing));

  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  CHECK(Slurp(dir.File("svc.log")).find("PUBLISH-ITEST-TOKEN") == std::string::npos);
}

}  // namespace
}  // namespace superbet::testing
