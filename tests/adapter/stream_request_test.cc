// StreamOptionsFromRequest: a StreamLiveMatches request as adapter-svc streams it. Oracle: the
// request contract in services.proto (interval_s 0 = the default, otherwise >= 0.01 s;
// max_updates > 0 a limit, 0 none) and the rule that a malformed request is INVALID_ARGUMENT
// naming the field and the value. Before this test a negative max_updates was taken as "no
// limit" (the stream ran until the client's deadline) and an empty match id reached the provider.
#include "superbet/adapter/stream_request.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace superbet::adapter {
namespace {

TEST_CASE("StreamOptionsFromRequest: the request's fields, the default interval for 0",
          "[adapter][stream]") {
  superbet::v1::StreamLiveMatchesRequest req;
  req.add_match_ids("statsbomb:3754097");
  req.add_match_ids("api-football:1035070");
  req.set_max_updates(7);
  auto o = StreamOptionsFromRequest(req, 15);
  REQUIRE(o.ok());
  CHECK(o->interval == absl::Seconds(15));
  CHECK(o->max_updates == 7);
  CHECK(o->match_ids == std::vector<std::string>{"statsbomb:3754097", "api-football:1035070"});
  req.set_interval_s(0.5);
  CHECK(StreamOptionsFromRequest(req, 15)->interval == absl::Milliseconds(500));
  req.set_max_updates(0);  // No limit.
  CHECK(StreamOptionsFromRequest(req, 15)->max_updates == 0);
}

TEST_CASE("StreamOptionsFromRequest: a malformed request names the field and the value",
          "[adapter][stream]") {
  auto message = [](void (*edit)(superbet::v1::StreamLiveMatchesRequest&)) {
    superbet::v1::StreamLiveMatchesRequest req;
    req.add_match_ids("statsbomb:3754097");
    edit(req);
    const absl::Status s = StreamOptionsFromRequest(req, 15).status();
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    return std::string(s.message());
  };
  CHECK(message([](auto& r) { r.set_max_updates(-3); }) ==
        "max_updates must be >= 0 (0 = no limit), got -3");
  CHECK(message([](auto& r) { r.add_match_ids(""); }) == "match_ids[1]: empty");
  CHECK(message([](auto& r) { r.set_interval_s(-1); }).find("got -1") != std::string::npos);
  CHECK(message([](auto& r) { r.set_interval_s(std::nan("")); }).find("interval_s") !=
        std::string::npos);
}

}  // namespace
}  // namespace superbet::adapter
