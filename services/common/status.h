// absl::Status <-> grpc::Status at the RPC boundary. The two code spaces are the same canonical
// codes with the same numbers (OK = 0 ... UNAUTHENTICATED = 16, google.rpc.Code), so the mapping
// is one-to-one in both directions and the message passes unchanged. A gRPC code outside 0..16
// (never produced by gRPC itself) becomes UNKNOWN.
#ifndef SUPERBET_SERVICES_COMMON_STATUS_H_
#define SUPERBET_SERVICES_COMMON_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace superbet::services {

grpc::Status ToGrpcStatus(const absl::Status& status);
[[nodiscard]] absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_COMMON_STATUS_H_
