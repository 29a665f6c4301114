// grpc.health.v1.Health (the gRPC Health Checking Protocol, grpc/doc/health-checking.md) on gRPC's
// synchronous API: Check and Watch with the semantics of gRPC's built-in service (Check of an
// unknown service: NOT_FOUND; Watch of one: SERVICE_UNKNOWN, then its changes). ServiceRuntime
// serves it in place of the built-in service in the busy-poll mode: the built-in one runs on the
// callback API, whose polling threads would read the busy-polled method's socket themselves
// (server.h, "Busy polling").
//
// Thread-safety: every method is thread-safe. Owns its status table.
#ifndef SUPERBET_SERVICES_COMMON_HEALTH_H_
#define SUPERBET_SERVICES_COMMON_HEALTH_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace superbet::services {

class SyncHealthService final : public grpc::health::v1::Health::Service {
 public:
  // SERVING (true) or NOT_SERVING for `service` ("" = the whole server); a service set once is
  // known from then on. Wakes the Watch calls.
  void SetServingStatus(const std::string& service, bool serving);
  // Ends every Watch call (OK) after it has sent the status it has not sent yet, now and for
  // calls started later: the drain must not wait for streams that never end.
  void EndWatches();

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the status now, then each change, until the client cancels or EndWatches(); checks
  // for a cancellation every 100 ms.
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
  Status StatusOf(const std::string& service) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Status> status_ ABSL_GUARDED_BY(mu_);
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;  // Bumped by every change.
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_COMMON_HEALTH_H_
