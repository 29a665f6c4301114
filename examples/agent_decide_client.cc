// Calling AgentService.Decide from C++: one live match state in, one decision out (a dry run:
// nothing is recorded or published).
//
//   example_agent_decide_client 127.0.0.1:50052 [token_file]
//
// Build: link superbet_grpc (the generated stubs of proto/superbet/v1/services.proto) and
// gRPC::grpc++. The state below is filled by hand; a real client takes it from
// AdapterService.StreamLiveMatches.
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
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  auto stub = superbet::v1::AgentService::NewStub(channel);

  superbet::v1::DecideRequest request;
  request.set_dry_run(true);
  superbet::v1::LiveMatchState* state = request.add_states();
  state->set_match_id("statsbomb:3754097");
  state->set_home_team("Manchester United");
  state->set_away_team("Tottenham Hotspur");
  state->set_minute(60);
  state->set_score_home(1);
  state->set_score_away(0);
  state->set_status(superbet::v1::FIXTURE_STATUS_LIVE);
  state->mutable_home()->set_shots(9);  // Absent fields stay absent: never a stand-in 0.
  state->mutable_away()->set_shots(7);
  superbet::v1::OddsTriple* odds = state->mutable_live_odds();
  odds->set_home(1.55);  // Decimal odds.
  odds->set_draw(3.9);
  odds->set_away(6.5);

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (argc > 2) {  // The service's bearer token, read from a file (never from the command line).
    std::ifstream in(argv[2]);
    std::string token;
    std::getline(in, token);
    context.AddMetadata("authorization", "Bearer " + token);
  }
  superbet::v1::DecideResponse response;
  const grpc::Status status = stub->Decide(&context, request, &response);
  if (!status.ok()) {  // The code is the library's absl::Status code; the message names the field.
    std::fprintf(stderr, "Decide failed: code %d: %s\n", status.error_code(),
                 status.error_message().c_str());
    return 1;
  }
  for (const superbet::v1::Decision& d : response.decisions()) {
    std::printf("%s: %s pick=%s stake=%.2f kelly=%.4f %s\n", d.prediction().match_id().c_str(),
                superbet::v1::Verdict_Name(d.verdict()).c_str(), d.prediction().pick().c_str(),
                d.stake(), d.prediction().kelly_fraction(), d.reason().c_str());
  }
  return 0;
}
