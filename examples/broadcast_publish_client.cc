// Publishing a prediction through BroadcastService.Publish: an accepted decision goes to the
// plant (filter, score, format, per-platform rate limits and breakers, digest, DLQ).
//
//   example_broadcast_publish_client 127.0.0.1:50053 [token_file]
//
// Build: link superbet_grpc (the generated stubs of proto/superbet/v1/services.proto) and
// gRPC::grpc++.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "superbet/v1/services.grpc.pb.h"

int main(int argc, char** argv) {
  const std::string first = argc > 1 ? argv[1] : "";
  if (first == "--help" || first == "-h") {
    std::printf("usage: %s HOST:PORT [token_file]\n", argv[0]);
    return 0;
  }
  if (argc < 2 || argc > 3 || first.empty() || first[0] == '-') {  // Not an address: a usage error.
    std::fprintf(stderr, "usage: %s HOST:PORT [token_file]\n", argv[0]);
    return 2;
  }
  auto stub = superbet::v1::BroadcastService::NewStub(
      grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));

  superbet::v1::PublishRequest request;
  superbet::v1::Decision* decision = request.mutable_decision();
  decision->set_verdict(superbet::v1::VERDICT_ACCEPTED);
  decision->set_stake(25.0);  // Bankroll currency units.
  decision->set_bankroll_before(1000.0);
  superbet::v1::Prediction* p = decision->mutable_prediction();
  p->set_match_id("statsbomb:3754097");
  p->set_home("Manchester United");
  p->set_away("Tottenham Hotspur");
  p->mutable_kickoff()->set_seconds(1439041500);  // 2015-08-08 13:45 UTC.
  p->set_pick("home");
  p->set_action(superbet::v1::ACTION_BET_HOME);
  p->mutable_prob()->set_home(0.58);  // Calibrated probabilities.
  p->mutable_prob()->set_draw(0.25);
  p->mutable_prob()->set_away(0.17);
  p->mutable_odds()->set_home(2.10);  // Decimal odds the decision was taken at.
  p->mutable_odds()->set_draw(3.40);
  p->mutable_odds()->set_away(4.00);
  p->set_confidence(0.72);
  p->set_vsnr(2.8);
  p->set_cas(0.58 / (1 / 2.10));
  p->set_kelly_fraction((0.58 * 2.10 - 1) / (2.10 - 1));
  p->mutable_decided_at()->set_seconds(1439038000);
  p->set_agent("live");
  p->set_model_version("example");
  p->set_data_staleness_s(2.0);
  // request.event_id: left empty, the service derives the idempotency key from the decision.

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (argc > 2) {
    std::ifstream in(argv[2]);
    std::string token;
    std::getline(in, token);
    context.AddMetadata("authorization", "Bearer " + token);
  }
  superbet::v1::PublishResponse response;
  const grpc::Status status = stub->Publish(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "Publish failed: code %d: %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  // stream_id: the entry's id in the risk.verified Redis Stream (XRANGE risk.verified id id).
  // Publishing the same decision again is safe: it answers the same stream id.
  std::printf("published event %s as risk.verified entry %s\n", response.event_id().c_str(),
              response.stream_id().c_str());
  return 0;
}
