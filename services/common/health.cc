#include "common/health.h"

#include "absl/time/time.h"

namespace superbet::services {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

void SyncHealthService::SetServingStatus(const std::string& service, bool serving) {
  absl::MutexLock lock(&mu_);
  status_[service] = serving ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
  ++version_;
}

void SyncHealthService::EndWatches() {
  absl::MutexLock lock(&mu_);
  ended_ = true;
  ++version_;
}

SyncHealthService::Status SyncHealthService::StatusOf(const std::string& service) const {
  auto it = status_.find(service);
  return it == status_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second;
}

grpc::Status SyncHealthService::Check(grpc::ServerContext*, const HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  absl::MutexLock lock(&mu_);
  const Status status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "service name unknown");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status SyncHealthService::Watch(grpc::ServerContext* context,
                                      const HealthCheckRequest* request,
                                      grpc::ServerWriter<HealthCheckResponse>* writer) {
  int64_t seen = -1;  // The version last looked at; -1: nothing sent yet.
  Status sent = HealthCheckResponse::UNKNOWN;
  for (;;) {
    Status now;
    bool first, ended;
    {
      absl::MutexLock lock(&mu_);
      const auto changed = [this, &seen] { return version_ != seen; };
      mu_.AwaitWithTimeout(absl::Condition(&changed), absl::Milliseconds(100));
      first = seen < 0;
      seen = version_;
      now = StatusOf(request->service());
      ended = ended_;
    }
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    if (first || now != sent) {
      HealthCheckResponse response;
      response.set_status(now);
      if (!writer->Write(response)) return grpc::Status::CANCELLED;
      sent = now;
    }
    if (ended) return grpc::Status::OK;
  }
}

}  // namespace superbet::services
