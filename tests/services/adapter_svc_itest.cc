// adapter-svc as a real process on 127.0.0.1 (ports 0), replaying the recorded StatsBomb match
// 3754097 (Manchester United 1-0 Tottenham, full time at replay minute 95) and the API-Football
// live snapshots of ../shared/data.
//
// Oracles: the hand-read match result; the documented gRPC contract (services.proto: codes,
// sequence numbers without gaps, finished on the last update); the token-bucket burst (a client
// allowed a burst of 3 at 0.001 calls/s gets exactly 3 calls through); the counts of calls this
// test itself made, compared with /metrics; `promtool check metrics` (Prometheus's own linter)
// on the live /metrics page; the gRPC health protocol (grpc/doc/health-checking.md).
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/support/sync_stream.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/process.h"
#include "simdjson.h"
#include "superbet/v1/services.grpc.pb.h"
#include "support/test_data.h"

namespace superbet::testing {
namespace {

namespace v1 = superbet::v1;

constexpr char kToken[] = "t0k3n-never-logged";

std::vector<std::string> AdapterArgs(const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> args = {ADAPTER_SVC, "--grpc_address=127.0.0.1:0",
                                   "--metrics_address=127.0.0.1:0",
                                   "--ports_file=" + dir.File("ports.json")};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::unique_ptr<v1::AdapterService::Stub> Stub(const std::shared_ptr<grpc::Channel>& channel) {
  return v1::AdapterService::NewStub(channel);
}

void Authorize(grpc::ClientContext& ctx, const std::string& token = kToken) {
  ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

// Every line of a service's output is one JSON object with the documented fields (parsed by
// simdjson, not by the formatter's own code), the timestamp RFC 3339 UTC. Returns the line count.
int JsonLines(const std::string& log) {
  simdjson::dom::parser parser;
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    INFO(line);
    ++lines;
    simdjson::dom::object o;
    REQUIRE(parser.parse(line.data(), line.size()).get_object().get(o) == simdjson::SUCCESS);
    std::string_view ts, level, service, message;
    CHECK(o["timestamp"].get_string().get(ts) == simdjson::SUCCESS);
    CHECK(o["level"].get_string().get(level) == simdjson::SUCCESS);
    CHECK(o["service"].get_string().get(service) == simdjson::SUCCESS);
    CHECK(o["message"].get_string().get(message) == simdjson::SUCCESS);
    CHECK(service == "adapter-svc");
    CHECK(ts.size() == 27);
    CHECK(ts.back() == 'Z');
  }
  return lines;
}

TEST_CASE("adapter-svc: replay over gRPC with auth, health, metrics and a clean SIGTERM drain",
          "[services][adapter]") {
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.File("token").c_str(), "w");
    std::fprintf(f, "%s\n", kToken);
    std::fclose(f);
  }
  Child svc(AdapterArgs(dir, {"--replay=" + DataDir(), "--matches=3754097", "--speed=1200",
                              "--token_file=" + dir.File("token"), "--drain_grace_s=1"}),
            dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                     grpc::InsecureChannelCredentials());
  auto stub = Stub(channel);

  // Ready: both health views agree (the process writes the ports file before SetReady(true)).
  for (int i = 0; i < 100 && HttpGet(ports->metrics, "/health/ready").first != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(HttpGet(ports->metrics, "/health/ready").first == 200);
  REQUIRE(HttpGet(ports->metrics, "/health/live").first == 200);
  CHECK(HealthCheck(channel, "") == 1);
  CHECK(HealthCheck(channel, "superbet.v1.AdapterService") == 1);

  // Auth: no token and a wrong token are refused; the log says why without the token.
  {
    grpc::ClientContext ctx;
    v1::GetCoverageResponse resp;
    CHECK(stub->GetCoverage(&ctx, v1::GetCoverageRequest(), &resp).error_code() ==
          grpc::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, "wrong-token");
    v1::GetCoverageResponse resp;
    const grpc::Status s = stub->GetCoverage(&ctx, v1::GetCoverageRequest(), &resp);
    CHECK(s.error_code() == grpc::UNAUTHENTICATED);
    CHECK(s.error_message() == "authorization: bearer token does not match");
  }

  // Errors name the field and the value; codes are the library's.
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::GetLiveMatchRequest req;
    v1::LiveMatchUpdate resp;
    CHECK(stub->GetLiveMatch(&ctx, req, &resp).error_message() == "match_id: empty");
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::GetLiveMatchRequest req;
    req.set_match_id("statsbomb:1");
    v1::LiveMatchUpdate resp;
    const grpc::Status s = stub->GetLiveMatch(&ctx, req, &resp);
    CHECK(s.error_code() == grpc::NOT_FOUND);
    CHECK(s.error_message().find("statsbomb:1") != std::string::npos);
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::GetCoverageRequest req;
    req.set_adapter("opta");
    v1::GetCoverageResponse resp;
    CHECK(stub->GetCoverage(&ctx, req, &resp).error_code() == grpc::NOT_FOUND);
  }

  // Pre-match prices of the replayed match (football-data E0 2015/16): every price > 1.
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::GetOddsRequest req;
    req.set_fixture_id("statsbomb:3754097");
    v1::GetOddsResponse resp;
    REQUIRE(stub->GetOdds(&ctx, req, &resp).ok());
    REQUIRE(resp.lines_size() > 0);
    bool bet365 = false;
    for (const auto& l : resp.lines()) {
      CHECK(l.decimal_odds() > 1.0);
      bet365 = bet365 || l.bookmaker() == "Bet365";
    }
    CHECK(bet365);
  }

  // The stream: sequence 1..n without gaps, minutes never go back, the last one is full time.
  std::vector<v1::LiveMatchUpdate> updates;
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::StreamLiveMatchesRequest req;
    req.add_match_ids("statsbomb:3754097");
    req.set_interval_s(0.05);
    auto reader = stub->StreamLiveMatches(&ctx, req);
    v1::LiveMatchUpdate u;
    while (reader->Read(&u)) updates.push_back(u);
    REQUIRE(reader->Finish().ok());
  }
  REQUIRE(!updates.empty());
  for (size_t i = 0; i < updates.size(); ++i) {
    CHECK(updates[i].sequence() == static_cast<int64_t>(i) + 1);
    if (i > 0) CHECK(updates[i].state().minute() >= updates[i - 1].state().minute());
  }
  CHECK(updates.back().finished());
  CHECK(updates.back().state().minute() == 95);
  CHECK(updates.back().state().score_home() == 1);
  CHECK(updates.back().state().score_away() == 0);

  // The match is over: the live list holds only the API-Football snapshot fixtures, sorted.
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::ListLiveMatchesResponse resp;
    REQUIRE(stub->ListLiveMatches(&ctx, v1::ListLiveMatchesRequest(), &resp).ok());
    REQUIRE(resp.matches_size() > 55);  // fixtures_live_all_2021-04-21.json alone holds 55.
    for (int i = 0; i < resp.matches_size(); ++i) {
      CHECK(resp.matches(i).match_id().rfind("api-football:", 0) == 0);
      if (i > 0) CHECK(resp.matches(i - 1).match_id() < resp.matches(i).match_id());
    }
  }

  // /metrics: counts equal the calls made above, and Prometheus's linter accepts the page.
  const auto [code, metrics] = HttpGet(ports->metrics, "/metrics");
  REQUIRE(code == 200);
  CHECK(MetricValue(metrics,
                    "grpc_server_rejected_total{grpc_service=\"AdapterService\","
                    "reason=\"unauthenticated\"}") == 2.0);
  CHECK(MetricValue(metrics,
                    "grpc_server_handled_total{grpc_service=\"AdapterService\","
                    "grpc_method=\"GetLiveMatch\",grpc_code=\"NOT_FOUND\"}") == 1.0);
  CHECK(MetricValue(metrics,
                    "grpc_server_handled_total{grpc_service=\"AdapterService\","
                    "grpc_method=\"GetLiveMatch\",grpc_code=\"INVALID_ARGUMENT\"}") == 1.0);
  CHECK(MetricValue(metrics,
                    "grpc_server_handled_total{grpc_service=\"AdapterService\","
                    "grpc_method=\"StreamLiveMatches\",grpc_code=\"OK\"}") == 1.0);
  CHECK(MetricValue(metrics,
                    "grpc_server_handling_seconds_count{grpc_service=\"AdapterService\","
                    "grpc_method=\"GetOdds\"}") == 1.0);
  CHECK(MetricValue(metrics, "adapter_provider_breaker_state{provider=\"replay\"}") == 0.0);
  CHECK(MetricValue(metrics, "superbet_service_ready{service=\"adapter-svc\"}") == 1.0);
  {
    std::FILE* f = std::fopen(dir.File("metrics.txt").c_str(), "w");
    std::fputs(metrics.c_str(), f);
    std::fclose(f);
    CHECK(Shell("promtool check metrics < " + dir.File("metrics.txt") + " > " +
                dir.File("promtool.txt") + " 2>&1") == 0);
    INFO(Slurp(dir.File("promtool.txt")));
  }

  // SIGTERM: NOT_SERVING during the grace second, new calls refused, then exit 0.
  svc.Signal(SIGTERM);
  int ready = 0;
  for (int i = 0; i < 50 && (ready = HttpGet(ports->metrics, "/health/ready").first) == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(ready == 503);
  CHECK(HealthCheck(channel, "") == 2);
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    v1::GetCoverageResponse resp;
    CHECK(stub->GetCoverage(&ctx, v1::GetCoverageRequest(), &resp).error_code() ==
          grpc::UNAVAILABLE);
  }
  CHECK(svc.Wait(30) == std::optional<int>(0));

  // The logs are JSON lines; a rejected call is logged, the token never.
  const std::string log = Slurp(dir.File("log.jsonl"));
  CHECK(log.find("\"message\":\"rejected AdapterService/GetCoverage from ipv4:127.0.0.1: bearer "
                 "token does not match\"") != std::string::npos);
  CHECK(log.find(kToken) == std::string::npos);
  CHECK(log.find("wrong-token") == std::string::npos);
  CHECK(log.find("\"message\":\"drained; exiting 0\"") != std::string::npos);
  CHECK(JsonLines(log) >= 5);
}

TEST_CASE("adapter-svc: the per-client rate limit lets exactly the burst through",
          "[services][adapter]") {
  TempDir dir;
  Child svc(AdapterArgs(dir, {"--replay=" + DataDir(), "--matches=3754097",
                              "--rate_limit_qps=0.001", "--rate_limit_burst=3"}),
            dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  auto stub = Stub(grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                       grpc::InsecureChannelCredentials()));
  std::vector<grpc::StatusCode> codes;
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext ctx;
    v1::GetCoverageResponse resp;
    codes.push_back(stub->GetCoverage(&ctx, v1::GetCoverageRequest(), &resp).error_code());
  }
  CHECK(codes == std::vector<grpc::StatusCode>{grpc::OK, grpc::OK, grpc::OK,
                                               grpc::RESOURCE_EXHAUSTED, grpc::RESOURCE_EXHAUSTED});
  const auto metrics = HttpGet(ports->metrics, "/metrics").second;
  CHECK(MetricValue(metrics,
                    "grpc_server_rejected_total{grpc_service=\"AdapterService\","
                    "reason=\"rate_limited\"}") == 2.0);
  svc.Signal(SIGINT);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  // The two refusals are one run: logged once (STYLE: degraded modes logged once and counted).
  const std::string log = Slurp(dir.File("log.jsonl"));
  const std::string line = "is over the rate limit of 0.001 calls/s (burst 3)";
  const size_t first = log.find(line);
  CHECK(first != std::string::npos);
  CHECK(log.find(line, first + 1) == std::string::npos);
}

// One grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo exchange with a raw request
// (the reflection protocol's messages are not installed as headers): the answer's bytes.
std::optional<std::string> Reflect(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  const grpc::internal::RpcMethod method(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &ctx));
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  if (!stream->Write(out)) return std::nullopt;
  stream->WritesDone();
  grpc::ByteBuffer in;
  std::optional<std::string> answer;
  if (stream->Read(&in)) {
    std::vector<grpc::Slice> slices;
    if (!in.Dump(&slices).ok()) return std::nullopt;
    answer.emplace();
    for (const grpc::Slice& sl : slices) {
      answer->append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
  }
  if (!stream->Finish().ok()) return std::nullopt;
  return answer;
}

// The length-delimited field `number` of a serialized message (the first one), or nullopt.
std::optional<std::string> Field(const std::string& bytes, int number) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return std::nullopt;
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& f = fields.field(i);
    if (f.number() == number && f.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      return f.length_delimited();
    }
  }
  return std::nullopt;
}

TEST_CASE("adapter-svc: reflection lists and describes the services, max message size, GetFixture",
          "[services][adapter]") {
  // Oracles: the reflection protocol (grpc/src/proto/grpc/reflection/v1alpha/reflection.proto:
  // request field 4 file_containing_symbol, 7 list_services; response field 4
  // file_descriptor_response {1: file_descriptor_proto}, 6 list_services_response {1: service
  // {1: name}}) against services.proto itself; gRPC's RESOURCE_EXHAUSTED for a message over the
  // limit in either direction; the hand-read fixture (StatsBomb 3754097: Manchester United v
  // Tottenham Hotspur, 1-0).
  TempDir dir;
  Child svc(AdapterArgs(dir, {"--replay=" + DataDir()}), dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                     grpc::InsecureChannelCredentials());
  auto stub = Stub(channel);

  // list_services (field 7, ""): the service names, health and reflection among them.
  {
    auto answer = Reflect(channel, std::string("\x3a\x00", 2));
    REQUIRE(answer.has_value());
    auto list = Field(*answer, 6);
    REQUIRE(list.has_value());
    google::protobuf::UnknownFieldSet services;
    REQUIRE(services.ParseFromString(*list));
    std::vector<std::string> names;
    for (int i = 0; i < services.field_count(); ++i) {
      auto name = Field(services.field(i).length_delimited(), 1);
      if (name.has_value()) names.push_back(*name);
    }
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"grpc.health.v1.Health",
                                            "grpc.reflection.v1alpha.ServerReflection",
                                            "superbet.v1.AdapterService"});
  }
  // file_containing_symbol (field 4): the file that defines AdapterService, with its six methods.
  {
    const std::string symbol = "superbet.v1.AdapterService";
    auto answer =
        Reflect(channel, std::string("\x22", 1) + static_cast<char>(symbol.size()) + symbol);
    REQUIRE(answer.has_value());
    auto files = Field(*answer, 4);
    REQUIRE(files.has_value());
    auto first = Field(*files, 1);
    REQUIRE(first.has_value());
    google::protobuf::FileDescriptorProto file;
    REQUIRE(file.ParseFromString(*first));
    CHECK(file.name() == "superbet/v1/services.proto");
    std::vector<std::string> methods;
    for (const auto& service : file.service()) {
      if (service.name() != "AdapterService") continue;
      for (const auto& m : service.method()) methods.push_back(m.name());
    }
    CHECK(methods == std::vector<std::string>{"GetLiveMatch", "ListLiveMatches",
                                              "StreamLiveMatches", "GetFixture", "GetOdds",
                                              "GetCoverage"});
  }

  // GetFixture: the replayed match; an empty id names the field; an unknown one is NOT_FOUND.
  {
    grpc::ClientContext ctx;
    v1::GetFixtureRequest req;
    req.set_fixture_id("statsbomb:3754097");
    v1::Fixture f;
    const grpc::Status s = stub->GetFixture(&ctx, req, &f);
    REQUIRE(s.ok());
    CHECK(f.id() == "statsbomb:3754097");
    CHECK(f.home().name().find("Manchester United") != std::string::npos);
    CHECK(f.away().name().find("Tottenham") != std::string::npos);
  }
  {
    grpc::ClientContext ctx;
    v1::Fixture f;
    const grpc::Status s = stub->GetFixture(&ctx, v1::GetFixtureRequest(), &f);
    CHECK(s.error_code() == grpc::INVALID_ARGUMENT);
    CHECK(s.error_message() == "fixture_id: empty");
  }
  {
    grpc::ClientContext ctx;
    v1::GetFixtureRequest req;
    req.set_fixture_id("statsbomb:1");
    v1::Fixture f;
    const grpc::Status s = stub->GetFixture(&ctx, req, &f);
    CHECK(s.error_code() == grpc::NOT_FOUND);
    CHECK(s.error_message().find("statsbomb:1") != std::string::npos);
  }
  // --max_message_bytes 4096 (another process): a larger request is refused, and so is a larger
  // answer (the live list: 55 snapshot fixtures and more).
  TempDir small_dir;
  Child small(AdapterArgs(small_dir, {"--replay=" + DataDir(), "--max_message_bytes=4096"}),
              small_dir.File("log.jsonl"));
  auto small_ports = WaitForPorts(small_dir.File("ports.json"), 60);
  REQUIRE(small_ports.has_value());
  auto small_stub = Stub(grpc::CreateChannel("127.0.0.1:" + std::to_string(small_ports->grpc),
                                             grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext ctx;
    v1::GetLiveMatchRequest req;
    req.set_match_id(std::string(5000, 'x'));
    v1::LiveMatchUpdate resp;
    CHECK(small_stub->GetLiveMatch(&ctx, req, &resp).error_code() == grpc::RESOURCE_EXHAUSTED);
  }
  {
    grpc::ClientContext ctx;
    v1::ListLiveMatchesResponse resp;
    const grpc::Status s = small_stub->ListLiveMatches(&ctx, v1::ListLiveMatchesRequest(), &resp);
    CHECK(s.error_code() == grpc::RESOURCE_EXHAUSTED);
  }
  {
    grpc::ClientContext ctx;
    v1::GetCoverageRequest req;
    req.set_adapter("statsbomb");
    v1::GetCoverageResponse resp;
    CHECK(small_stub->GetCoverage(&ctx, req, &resp).ok());  // Under the limit: served.
  }
  small.Signal(SIGTERM);
  CHECK(small.Wait(30) == std::optional<int>(0));
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
}

TEST_CASE("adapter-svc: --reflection=false serves no reflection, health needs no token",
          "[services][adapter]") {
  // Oracle: gRPC answers a method no service registered with UNIMPLEMENTED (Reflect: nullopt);
  // the health protocol is deliberately outside the bearer token (probes carry no secret).
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.File("token").c_str(), "w");
    std::fprintf(f, "%s\n", kToken);
    std::fclose(f);
  }
  Child svc(AdapterArgs(dir, {"--replay=" + DataDir(), "--matches=3754097", "--reflection=false",
                              "--token_file=" + dir.File("token")}),
            dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                     grpc::InsecureChannelCredentials());
  for (int i = 0; i < 100 && HealthCheck(channel, "") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(HealthCheck(channel, "superbet.v1.AdapterService") == 1);
  CHECK_FALSE(Reflect(channel, std::string("\x3a\x00", 2)).has_value());
  grpc::ClientContext ctx;
  v1::GetCoverageResponse resp;
  CHECK(Stub(channel)->GetCoverage(&ctx, v1::GetCoverageRequest(), &resp).error_code() ==
        grpc::UNAUTHENTICATED);
}

TEST_CASE("adapter-svc: SIGTERM ends a stream that waits a long poll interval, exit 0",
          "[services][adapter]") {
  // Oracle: the documented drain (services/README.md: streams end OK at the drain; in-flight
  // calls get --drain_deadline_s): a client asking for one poll every 10 minutes does not hold
  // the process past the deadline.
  TempDir dir;
  Child svc(
      AdapterArgs(dir, {"--replay=" + DataDir(), "--matches=3754097", "--drain_deadline_s=3"}),
      dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  auto stub = Stub(grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                       grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::StreamLiveMatchesRequest req;
  req.add_match_ids("statsbomb:3754097");
  req.set_interval_s(600);
  auto reader = stub->StreamLiveMatches(&ctx, req);
  v1::LiveMatchUpdate u;
  REQUIRE(reader->Read(&u));  // The first poll; the next one is 10 minutes away.
  CHECK(u.sequence() == 1);
  svc.Signal(SIGTERM);
  while (reader->Read(&u)) {
  }
  CHECK(reader->Finish().ok());  // The stream ends OK at the drain.
  // Within the deadline (a handler sleeping out its 10 minutes would hold the process: gRPC
  // cancels the call at the deadline but waits for the handler to return).
  CHECK(svc.Wait(10) == std::optional<int>(0));
}

TEST_CASE("adapter-svc: TLS from cert and key files, a plaintext client is refused",
          "[services][adapter]") {
  TempDir dir;
  REQUIRE(Shell("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
                "-addext subjectAltName=DNS:localhost -keyout " +
                dir.File("key.pem") + " -out " + dir.File("cert.pem") + " > /dev/null 2>&1") == 0);
  Child svc(
      AdapterArgs(dir, {"--replay=" + DataDir(), "--matches=3754097",
                        "--tls_cert=" + dir.File("cert.pem"), "--tls_key=" + dir.File("key.pem")}),
      dir.File("log.jsonl"));
  auto ports = WaitForPorts(dir.File("ports.json"), 60);
  REQUIRE(ports.has_value());
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Slurp(dir.File("cert.pem"));
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto secure = Stub(grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                               grpc::SslCredentials(ssl), args));
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetCoverageRequest req;
    req.set_adapter("statsbomb");
    v1::GetCoverageResponse resp;
    REQUIRE(secure->GetCoverage(&ctx, req, &resp).ok());
    CHECK(resp.adapters(0).adapter() == "statsbomb");
  }
  auto plain = Stub(grpc::CreateChannel("127.0.0.1:" + std::to_string(ports->grpc),
                                        grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::GetCoverageResponse resp;
    CHECK_FALSE(plain->GetCoverage(&ctx, v1::GetCoverageRequest(), &resp).ok());
  }
  svc.Signal(SIGTERM);
  CHECK(svc.Wait(30) == std::optional<int>(0));
  // gRPC core's own report of the refused handshake is a JSON line too, not plain stderr text.
  const std::string log = Slurp(dir.File("log.jsonl"));
  CHECK(log.find("Handshake failed") != std::string::npos);
  CHECK(JsonLines(log) >= 3);
}

TEST_CASE("adapter-svc: --help exits 0 naming the env fallbacks, a bad flag exits 2",
          "[services][adapter]") {
  TempDir dir;
  Child help({ADAPTER_SVC, "--help"}, dir.File("help.txt"));
  CHECK(help.Wait(10) == std::optional<int>(0));
  CHECK(Slurp(dir.File("help.txt")).find("--replay") != std::string::npos);
  CHECK(Slurp(dir.File("help.txt")).find("env SUPERBET_TOKEN_FILE") != std::string::npos);
  Child bad({ADAPTER_SVC, "--speed=fast"}, dir.File("bad.txt"));
  CHECK(bad.Wait(10) == std::optional<int>(2));
  CHECK(Slurp(dir.File("bad.txt")).find("--speed: not a number: \"fast\"") != std::string::npos);
  Child half({ADAPTER_SVC, "--tls_cert=/nonexistent.pem"}, dir.File("half.txt"));
  CHECK(half.Wait(10) == std::optional<int>(2));
  // Values a number flag parses but cannot mean: usage errors naming the flag and the value
  // (a NaN grace used to hang the SIGTERM drain forever; an interval of 0 polled without pause).
  const std::vector<std::pair<std::string, std::string>> out_of_range = {
      {"--drain_grace_s=nan", "--drain_grace_s must be a finite number of seconds >= 0, got nan"},
      {"--max_message_bytes=0", "--max_message_bytes must be in [1, 2147483647], got 0"},
      {"--rate_limit_qps=-5", "--rate_limit_qps must be finite and >= 0 (0 = off), got -5"},
      {"--interval_s=0", "--interval_s must be >= 0.01 s, got 0"}};
  // Live mode without any API-Football key would serve nothing but errors: a usage error.
  {
    const std::string log = dir.File("nokey.txt");
    CHECK(Shell("env -u SUPERBET_APIFOOTBALL_KEY timeout -k 2 20 " + std::string(ADAPTER_SVC) +
                " --grpc_address=127.0.0.1:0 --metrics_address=127.0.0.1:0 > " + log + " 2>&1") !=
          0);
    CHECK(Slurp(log).find("live mode (no --replay) needs the API-Football key") !=
          std::string::npos);
    std::FILE* empty = std::fopen(dir.File("empty_key").c_str(), "w");
    std::fclose(empty);
    Child c({ADAPTER_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
             "--api_key_file=" + dir.File("empty_key")},
            dir.File("empty.txt"));
    if (std::getenv("SUPERBET_APIFOOTBALL_KEY") == nullptr) {
      CHECK(c.Wait(20) == std::optional<int>(2));
    }
  }
  for (const auto& [flag, message] : out_of_range) {
    INFO(flag);
    const std::string log = dir.File("range.txt");
    std::remove(log.c_str());
    Child c({ADAPTER_SVC, "--replay=" + DataDir(), "--grpc_address=127.0.0.1:0",
             "--metrics_address=127.0.0.1:0", flag},
            log);
    CHECK(c.Wait(20) == std::optional<int>(2));
    CHECK(Slurp(log).find(message) != std::string::npos);
  }
}

}  // namespace
}  // namespace superbet::testing
