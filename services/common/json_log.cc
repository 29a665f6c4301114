#include "common/json_log.h"

#include <grpc/support/log.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "superbet/core/json_string.h"

namespace superbet::services {

std::string JsonEscape(const std::string& text) {
  std::string out;
  core::AppendJsonEscaped(&out, text);
  return out;
}

namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string service) : service_(std::move(service)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const absl::Time t = absl::FromChrono(msg.time);
    std::string line = absl::StrCat(
        "{\"timestamp\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone()),
        "\",\"level\":\"", spdlog::level::to_string_view(msg.level).data(), "\",\"logger\":\"",
        JsonEscape(std::string(msg.logger_name.data(), msg.logger_name.size())),
        "\",\"service\":\"", JsonEscape(service_), "\",\"message\":\"",
        JsonEscape(std::string(msg.payload.data(), msg.payload.size())), "\"");
    if (!msg.source.empty()) {
      absl::StrAppend(&line, ",\"file\":\"", JsonEscape(msg.source.filename), "\",\"function\":\"",
                      JsonEscape(msg.source.funcname), "\",\"line\":", msg.source.line);
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>(service_);
  }

 private:
  std::string service_;
};

// gRPC core's own log lines (gpr_log: e.g. a failed TLS handshake) go through the same logger,
// not as plain text to stderr.
void ForwardGrpcLog(gpr_log_func_args* args) {
  const spdlog::level::level_enum level =
      args->severity == GPR_LOG_SEVERITY_ERROR  ? spdlog::level::err
      : args->severity == GPR_LOG_SEVERITY_INFO ? spdlog::level::info
                                                : spdlog::level::debug;
  spdlog::default_logger()->log(spdlog::source_loc{args->file, args->line, "grpc"}, level, "{}",
                                args->message);
}

}  // namespace

absl::Status InstallJsonLogger(const std::string& service, const std::string& level) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_level must be trace, debug, info, warn, error, critical or off, got \"",
                     level, "\""));
  }
  auto logger =
      std::make_shared<spdlog::logger>(service, std::make_shared<spdlog::sinks::stdout_sink_mt>());
  logger->set_formatter(std::make_unique<JsonFormatter>(service));
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  gpr_set_log_function(&ForwardGrpcLog);
  return absl::OkStatus();
}

}  // namespace superbet::services
