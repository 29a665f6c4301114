// Structured logs: one JSON object per line on stdout, through spdlog's default logger, so the
// library's own spdlog messages (breaker transitions, fallbacks) come out in the same shape:
//   {"timestamp":"2026-11-29T02:00:00.123456Z","level":"info","logger":"adapter-svc",
//    "service":"adapter-svc","message":"...","file":"main.cc","function":"Run","line":42}
// file/function/line appear when the call site recorded them (SPDLOG_INFO etc.). gRPC core's own
// log lines (gpr_log, e.g. "Handshake failed") are forwarded to the same logger (function
// "grpc"), so every line a service writes is JSON.
#ifndef SUPERBET_SERVICES_COMMON_JSON_LOG_H_
#define SUPERBET_SERVICES_COMMON_JSON_LOG_H_

#include <string>

#include "absl/status/status.h"

namespace superbet::services {

// Installs a stdout logger named `service` with the JSON formatter as spdlog's default logger.
// `level` is one of trace, debug, info, warn, error, critical, off.
// Errors: InvalidArgument naming the level when it is none of those.
[[nodiscard]] absl::Status InstallJsonLogger(const std::string& service, const std::string& level);

// `text` as the inside of a JSON string: quote, backslash and control characters escaped.
std::string JsonEscape(const std::string& text);

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_COMMON_JSON_LOG_H_
