// One HTTP POST through libcurl for the platform publishers (private to broadcast/).

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_HTTP_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_HTTP_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace superbet::broadcast::internal {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // Names lower-cased.
};

// POSTs `body`. Errors: DeadlineExceeded on a timeout, Unavailable on any other transport error.
// Messages name `label` (e.g. "telegram sendMessage"), never the URL or headers, which may carry
// credentials (Telegram's bot token is part of the URL).
[[nodiscard]] absl::StatusOr<HttpResponse> HttpPost(absl::string_view url, absl::string_view label,
                                                    const std::vector<std::string>& headers,
                                                    absl::string_view body, absl::Duration timeout);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_HTTP_H_
