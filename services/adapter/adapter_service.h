// AdapterServiceImpl: superbet.v1.AdapterService over a ResilientProvider (adapter-svc's
// handlers; also linked by bench/grpc_load_bench). Each handler is a call to live_updates.h run
// through ServiceRuntime::Handle.
//
// Thread-safety: thread-safe (the provider and the runtime are). Ownership: neither the runtime
// nor the provider is owned; both must outlive the service.
#ifndef SUPERBET_SERVICES_ADAPTER_ADAPTER_SERVICE_H_
#define SUPERBET_SERVICES_ADAPTER_ADAPTER_SERVICE_H_

#include "common/server.h"
#include "superbet/providers/resilient_provider.h"
#include "superbet/v1/services.grpc.pb.h"

namespace superbet::services {

class AdapterServiceImpl final : public superbet::v1::AdapterService::Service {
 public:
  // `default_interval_s`: StreamLiveMatches' poll period when the request gives none.
  AdapterServiceImpl(ServiceRuntime* rt, providers::ResilientProvider* provider,
                     double default_interval_s)
      : rt_(rt), provider_(provider), default_interval_s_(default_interval_s) {}

  grpc::Status GetLiveMatch(grpc::ServerContext* ctx, const superbet::v1::GetLiveMatchRequest* req,
                            superbet::v1::LiveMatchUpdate* resp) override;
  grpc::Status ListLiveMatches(grpc::ServerContext* ctx,
                               const superbet::v1::ListLiveMatchesRequest* req,
                               superbet::v1::ListLiveMatchesResponse* resp) override;
  grpc::Status StreamLiveMatches(
      grpc::ServerContext* ctx, const superbet::v1::StreamLiveMatchesRequest* req,
      grpc::ServerWriter<superbet::v1::LiveMatchUpdate>* writer) override;
  grpc::Status GetFixture(grpc::ServerContext* ctx, const superbet::v1::GetFixtureRequest* req,
                          superbet::v1::Fixture* resp) override;
  grpc::Status GetOdds(grpc::ServerContext* ctx, const superbet::v1::GetOddsRequest* req,
                       superbet::v1::GetOddsResponse* resp) override;
  grpc::Status GetCoverage(grpc::ServerContext* ctx, const superbet::v1::GetCoverageRequest* req,
                           superbet::v1::GetCoverageResponse* resp) override;

 private:
  ServiceRuntime* const rt_;
  providers::ResilientProvider* const provider_;
  const double default_interval_s_;
};

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_ADAPTER_ADAPTER_SERVICE_H_
