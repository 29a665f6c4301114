// Tests of the services' shared plumbing (services/common). Oracles: the canonical code table
// (google/rpc/code.proto: OK = 0 ... UNAUTHENTICATED = 16, the numbers absl::StatusCode and
// grpc::StatusCode both use), the flag rules documented in flags.h, and the gRPC peer-string
// format ("ipv4:ADDR:PORT", "ipv6:[ADDR]:PORT", grpc/doc/naming.md).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/flags.h"
#include "common/json_log.h"
#include "common/server.h"
#include "common/status.h"

namespace superbet::services {
namespace {

TEST_CASE("services: absl and gRPC status codes map one to one, both ways", "[services]") {
  // Name pairs from google/rpc/code.proto, in number order.
  const std::vector<std::pair<absl::StatusCode, grpc::StatusCode>> table = {
      {absl::StatusCode::kOk, grpc::OK},
      {absl::StatusCode::kCancelled, grpc::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded, grpc::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied, grpc::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted, grpc::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition, grpc::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::UNAUTHENTICATED},
  };
  REQUIRE(table.size() == 17);
  for (const auto& [absl_code, grpc_code] : table) {
    const std::string message =
        absl_code == absl::StatusCode::kOk ? "" : "states[2].minute must be >= 0, got -3";
    const absl::Status a(absl_code, message);
    const grpc::Status g = ToGrpcStatus(a);
    CHECK(g.error_code() == grpc_code);
    CHECK(g.error_message() == message);
    const absl::Status back = FromGrpcStatus(g);
    CHECK(back.code() == absl_code);
    CHECK(back.message() == message);
  }
  // A code outside the canonical space (never sent by gRPC itself) is UNKNOWN, message kept.
  const absl::Status odd = FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(42), "x"));
  CHECK(odd.code() == absl::StatusCode::kUnknown);
  CHECK(odd.message() == "x");
}

TEST_CASE("services: bearer tokens compare equal only when identical", "[services]") {
  CHECK(ConstantTimeEquals("Bearer s3cret", "Bearer s3cret"));
  CHECK_FALSE(ConstantTimeEquals("Bearer s3cret", "Bearer s3creT"));
  CHECK_FALSE(ConstantTimeEquals("Bearer s3cret", "Bearer s3cret2"));  // Prefix.
  CHECK_FALSE(ConstantTimeEquals("Bearer s3cret2", "Bearer s3cret"));
  CHECK_FALSE(ConstantTimeEquals("", "x"));
  CHECK(ConstantTimeEquals("", ""));
  // A NUL byte inside is compared, not treated as the end.
  CHECK_FALSE(ConstantTimeEquals(std::string("ab\0c", 4), std::string("ab\0d", 4)));
}

TEST_CASE("services: client address drops the port of a gRPC peer string", "[services]") {
  CHECK(ClientAddress("ipv4:127.0.0.1:54321") == "ipv4:127.0.0.1");
  CHECK(ClientAddress("ipv6:[::1]:50051") == "ipv6:[::1]");
  CHECK(ClientAddress("unix:/tmp/sock") == "unix:/tmp/sock");
}

const char* FakeEnv(const char* name) {
  if (std::strcmp(name, "SUPERBET_REDIS") == 0) return "127.0.0.1:6380";
  if (std::strcmp(name, "SUPERBET_SPEED") == 0) return "120";
  if (std::strcmp(name, "SUPERBET_BAD") == 0) return "abc";
  return nullptr;
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return argv;
}

TEST_CASE("services: flags take the command line, then SUPERBET_<NAME>, then the default",
          "[services]") {
  std::string redis = "127.0.0.1:6379", replay;
  double speed = 60;
  int64_t port = 1;
  bool tls = true;
  FlagSet flags("test-svc", "summary");
  flags.String("redis", &redis, "redis");
  flags.String("replay", &replay, "replay");
  flags.Double("speed", &speed, "speed");
  flags.Int("port", &port, "port");
  flags.Bool("tls", &tls, "tls");
  std::vector<std::string> args = {"test-svc", "--replay=/data", "--speed", "30", "--notls"};
  auto argv = Argv(args);
  REQUIRE(flags.Parse(static_cast<int>(argv.size()), argv.data(), FakeEnv).ok());
  CHECK(replay == "/data");
  CHECK(speed == 30);                // Command line beats $SUPERBET_SPEED=120.
  CHECK(redis == "127.0.0.1:6380");  // From $SUPERBET_REDIS.
  CHECK(port == 1);                  // Default.
  CHECK_FALSE(tls);
  CHECK(flags.Usage().find("--redis\n      redis (default: 127.0.0.1:6379; env SUPERBET_REDIS)") !=
        std::string::npos);
}

TEST_CASE("services: bad flags are usage errors naming the flag and the value", "[services]") {
  int64_t port = 0;
  double bad = 0;
  FlagSet flags("test-svc", "summary");
  flags.Int("port", &port, "port");
  flags.Double("bad", &bad, "bad");
  auto parse = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "test-svc");
    auto argv = Argv(args);
    return flags.Parse(static_cast<int>(argv.size()), argv.data(),
                       [](const char*) -> const char* { return nullptr; });
  };
  CHECK(parse({"--port=x1"}).message() == "--port: not an integer: \"x1\"");
  CHECK(parse({"--nope"}).message() == "unknown flag --nope");
  CHECK(parse({"--port"}).message() == "--port needs a value");
  CHECK(parse({"stray"}).message() == "unexpected argument \"stray\"");
  // An environment value is checked the same way and named by its variable.
  std::vector<std::string> args = {"test-svc"};
  auto argv = Argv(args);
  CHECK(flags.Parse(1, argv.data(), FakeEnv).message() == "$SUPERBET_BAD: not a number: \"abc\"");
  std::vector<std::string> help = {"test-svc", "--port=3", "--help"};
  auto hargv = Argv(help);
  FlagSet h("x", "y");
  REQUIRE(h.Parse(3, hargv.data(), FakeEnv).ok());
  CHECK(h.help_requested());
}

TEST_CASE("services: numeric server options out of range are usage errors naming the flag",
          "[services]") {
  // Oracle: the ranges documented in server.h (gRPC takes an int message size; a NaN or negative
  // drain time would never end, or end at once).
  CHECK(ValidateServerOptions(ServerOptions{}).ok());
  auto message = [](void (*edit)(ServerOptions&)) {
    ServerOptions o;
    edit(o);
    const absl::Status s = ValidateServerOptions(o);
    CHECK(absl::IsInvalidArgument(s));
    return std::string(s.message());
  };
  CHECK(message([](ServerOptions& o) { o.max_message_bytes = 0; }) ==
        "--max_message_bytes must be in [1, 2147483647], got 0");
  CHECK(message([](ServerOptions& o) { o.max_message_bytes = int64_t{1} << 31; }) ==
        "--max_message_bytes must be in [1, 2147483647], got 2147483648");
  CHECK(message([](ServerOptions& o) { o.rate_limit_qps = -5; }) ==
        "--rate_limit_qps must be finite and >= 0 (0 = off), got -5");
  CHECK(message([](ServerOptions& o) { o.rate_limit_burst = 0; }) ==
        "--rate_limit_burst must be finite and >= 1 call, got 0");
  CHECK(message([](ServerOptions& o) { o.drain_grace_s = std::nan(""); }) ==
        "--drain_grace_s must be a finite number of seconds >= 0, got nan");
  CHECK(message([](ServerOptions& o) { o.drain_deadline_s = -1; }) ==
        "--drain_deadline_s must be a finite number of seconds >= 0, got -1");
  ServerOptions off;  // No limit: the burst is not read.
  off.rate_limit_qps = 0;
  off.rate_limit_burst = 0;
  CHECK(ValidateServerOptions(off).ok());
}

TEST_CASE("services: JSON log escaping keeps every line valid JSON", "[services]") {
  CHECK(JsonEscape("a\"b\\c\nd\te\x01") == "a\\\"b\\\\c\\nd\\te\\u0001");
  CHECK(JsonEscape("Mönchengladbach") == "Mönchengladbach");
}

}  // namespace
}  // namespace superbet::services
