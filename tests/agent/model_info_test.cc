// AllocateBankroll and DescribeModel: agent-svc's Allocate and GetModelInfo without gRPC.
//
// Oracles: the manager's rule written out (stake = 5 % of the bankroll, skipped below a stake of
// 1 currency unit: hrl::ManagerOptions' defaults), and the checkpoint's own fields.

#include "superbet/agent/model_info.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "agent/agent_support.h"

namespace superbet::agent {
namespace {

namespace v1 = superbet::v1;

TEST_CASE("AllocateBankroll gives the live worker 5 % of the bankroll, 0 below a 1-unit stake",
          "[agent][info]") {
  v1::AllocateRequest req;
  req.set_bankroll(2500);
  v1::AllocateResponse resp;
  REQUIRE(AllocateBankroll(req, &resp).ok());
  REQUIRE(resp.allocations_size() == 1);
  CHECK(resp.allocations(0).agent() == "live");
  CHECK(resp.allocations(0).fraction_of_bankroll() == Approx(0.05).margin(1e-15));
  CHECK(resp.allocations(0).settled_bets() == 0);

  req.set_bankroll(10);  // 0.05 * 10 = 0.5 < 1: skipped.
  v1::AllocateResponse small;
  REQUIRE(AllocateBankroll(req, &small).ok());
  CHECK(small.allocations(0).fraction_of_bankroll() == 0.0);
}

TEST_CASE("AllocateBankroll refuses a bankroll that is not finite and > 0", "[agent][info]") {
  for (double b : {-5.0, 0.0, std::numeric_limits<double>::quiet_NaN()}) {
    v1::AllocateRequest req;
    req.set_bankroll(b);
    v1::AllocateResponse resp;
    absl::Status s = AllocateBankroll(req, &resp);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message().rfind("bankroll must be finite and > 0, got ", 0) == 0);
    CHECK(resp.allocations_size() == 0);
  }
  v1::AllocateRequest req;
  req.set_bankroll(-5);
  v1::AllocateResponse resp;
  CHECK(AllocateBankroll(req, &resp).message() == "bankroll must be finite and > 0, got -5");
}

TEST_CASE("DescribeModel reports the loaded checkpoint and its folder", "[agent][info]") {
  const v1::Checkpoint& c = agent_testing::TinyCheckpoint();
  auto decider = hrl::LiveDecider::FromCheckpoint(c, "/models/live-7", {});
  REQUIRE(decider.ok());
  v1::GetModelInfoResponse resp;
  DescribeModel(**decider, &resp);
  REQUIRE(resp.models_size() == 1);
  const auto& m = resp.models(0);
  CHECK(m.agent() == c.agent());
  CHECK(m.model_version() == c.model_version());
  CHECK(m.format_version() == c.format_version());
  CHECK(m.feature_spec() == "live-v1 v" + std::to_string(c.feature_spec().version()));
  CHECK(m.library_version() == c.library_version());
  CHECK(m.seed() == 3);
  CHECK(m.path() == "/models/live-7");
}

}  // namespace
}  // namespace superbet::agent
