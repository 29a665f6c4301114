// Live-worker fixtures shared by the services' integration tests: real StatsBomb matches and the
// tiny MLP live checkpoint agent-svc is started with.
#ifndef SUPERBET_TESTS_SERVICES_LIVE_SUPPORT_H_
#define SUPERBET_TESTS_SERVICES_LIVE_SUPPORT_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "process.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "support/redis_server.h"
#include "support/test_data.h"

namespace superbet::testing {

// The recorded StatsBomb match `id` (e.g. "3754097") prepared for the live worker.
inline hrl::LiveMatch LoadLiveMatch(const std::string& id) {
  providers::ReplayLoadOptions options;
  options.only_matches = {id};
  auto d = providers::LoadReplayData(DataDir(), options);
  REQUIRE(d.ok());
  REQUIRE(d->timelines.size() == 1);
  auto m = hrl::PrepareLiveMatch(d->timelines[0], {});
  REQUIRE(m.ok());
  return *m;
}

// A tiny live worker (MLP, seed 7, 300 environment steps on matches 3754097 and 3754300): enough
// for a checkpoint agent-svc loads, seconds to train.
inline auto TrainTinyLiveWorker() {
  hrl::LiveTrainOptions o;
  o.architecture = hrl::LiveArchitecture::kMlp;
  o.seed = 7;
  o.total_env_steps = 300;
  o.ppo.rollout_steps = 300;
  return hrl::TrainLiveWorker({LoadLiveMatch("3754097"), LoadLiveMatch("3754300")}, o, {});
}

// Trains the tiny live worker and saves its checkpoint as dir/ckpt, what agent-svc is started with.
inline void WriteTinyCheckpoint(const TempDir& dir) {
  auto trained = TrainTinyLiveWorker();
  REQUIRE(trained.ok());
  REQUIRE(hrl::SaveCheckpoint(dir.File("ckpt"), trained->checkpoint).ok());
}

// A started redis-server (RedisServer) with one connection to it. Single-threaded.
class ConnectedRedis : public RedisServer {
 public:
  ConnectedRedis() {
    REQUIRE(ok());
    auto t = bus::RedisTransport::Connect(*bus::ParseRedisUrl(url()));
    REQUIRE(t.ok());
    transport_ = *std::move(t);
  }
  bus::Transport& transport() { return *transport_; }

 private:
  std::unique_ptr<bus::RedisTransport> transport_;
};

// The ports a service wrote to `ports_file`, once its /health/ready answers 200 (up to 60 s for
// the file, then 10 s).
inline Ports Ready(const std::string& ports_file) {
  auto ports = WaitForPorts(ports_file, 60);
  REQUIRE(ports.has_value());
  WaitFor([&] { return HttpGet(ports->metrics, "/health/ready").first == 200; }, 10);
  REQUIRE(HttpGet(ports->metrics, "/health/ready").first == 200);
  return *ports;
}

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SERVICES_LIVE_SUPPORT_H_
