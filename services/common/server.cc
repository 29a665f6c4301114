#include "common/server.h"

#include <grpc/grpc.h>
#include <grpc/support/time.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <httplib.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/health.h"
#include "common/json_log.h"
#include "common/status.h"
#include "common/tls_files.h"
#include "superbet/core/file.h"

namespace superbet::services {
namespace {

const char* const kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

std::string CodeName(grpc::StatusCode code) {
  const int c = static_cast<int>(code);
  return c >= 0 && c <= 16 ? kCodeNames[c] : "UNKNOWN";
}

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& address,
                                                          const char* flag) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " must be host:port with a port in 0..65535, got \"", address, "\""));
  }
  return std::make_pair(address.substr(0, colon), port);
}

// --reflection=false: removes the reflection plugin from one ServerBuilder. Not calling
// InitProtoReflectionServerBuilderPlugin is not enough: Debian's shared libgrpc++_reflection
// registers the plugin from a static initializer as soon as it is loaded.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    const std::string name = grpc::reflection::ProtoServerReflectionPlugin().name();
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [&](const auto& p) { return p->name() == name; }),
                   plugins->end());
  }
};

}  // namespace

void ServerOptions::Register(FlagSet& flags) {
  flags.String("grpc_address", &grpc_address, "gRPC listen address host:port (port 0 = any)");
  flags.String("metrics_address", &metrics_address,
               "HTTP address of /metrics, /health/live and /health/ready");
  flags.String("tls_cert", &tls_cert, "PEM certificate chain file; TLS when given with --tls_key");
  flags.String("tls_key", &tls_key, "PEM private key file");
  flags.String("token_file", &token_file,
               "file whose first line is the bearer token every call must send in "
               "'authorization: Bearer <token>'; empty = no auth");
  flags.Bool("reflection", &reflection,
             "serve grpc.reflection.v1alpha (answers without the bearer token, like health)");
  flags.Int("max_message_bytes", &max_message_bytes, "largest gRPC message accepted or sent");
  flags.Double("rate_limit_qps", &rate_limit_qps, "calls per second per client address; 0 = off");
  flags.Double("rate_limit_burst", &rate_limit_burst, "per-client burst (bucket capacity)");
  flags.Double("drain_deadline_s", &drain_deadline_s,
               "seconds in-flight calls get to finish after SIGTERM");
  flags.Double("drain_grace_s", &drain_grace_s,
               "seconds between NOT_SERVING and closing the listener on SIGTERM");
  flags.String("log_level", &log_level, "trace|debug|info|warn|error|critical|off");
  flags.String("ports_file", &ports_file, "write the bound ports here as JSON after start-up");
}

absl::Status ValidateServerOptions(const ServerOptions& options) {
  if (options.max_message_bytes < 1 || options.max_message_bytes > 2147483647) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_message_bytes must be in [1, 2147483647], got ", options.max_message_bytes));
  }
  if (!std::isfinite(options.rate_limit_qps) || options.rate_limit_qps < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rate_limit_qps must be finite and >= 0 (0 = off), got ", options.rate_limit_qps));
  }
  if (options.rate_limit_qps > 0 &&
      (!std::isfinite(options.rate_limit_burst) || options.rate_limit_burst < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rate_limit_burst must be finite and >= 1 call, got ", options.rate_limit_burst));
  }
  for (auto [value, flag] : {std::make_pair(options.drain_deadline_s, "drain_deadline_s"),
                             std::make_pair(options.drain_grace_s, "drain_grace_s")}) {
    if (!std::isfinite(value) || value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " must be a finite number of seconds >= 0, got ", value));
    }
  }
  return absl::OkStatus();
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string ClientAddress(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  const size_t first = peer.find(':');
  if (colon == std::string::npos || colon == first) return peer;
  return peer.substr(0, colon);
}

ServiceRuntime::ServiceRuntime(ServerOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

ServiceRuntime::~ServiceRuntime() {
  if (http_) http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
  busy_stopping_.store(true);
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
  StopBusyQueue();
  server_.reset();  // Before its completion queue (busy_cq_) is destroyed.
}

void UseBusyPollEngine() { setenv("GRPC_POLL_STRATEGY", "poll", /*overwrite=*/0); }

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(ServerOptions options,
                                                                       const core::Clock& clock) {
  // Abseil's mutex deadlock detection is on when Abseil itself was built without NDEBUG: a
  // profile of agent-svc under load (bench/README.md) showed GraphCycles::GetId on every lock of
  // the hot path. Services run with it off; the tests build their own binaries.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (absl::Status s = ValidateServerOptions(options); !s.ok()) return s;
  if (absl::Status s = InstallJsonLogger(options.service, options.log_level); !s.ok()) return s;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together: give both or neither");
  }
  for (auto [address, flag] : {std::make_pair(options.grpc_address, "grpc_address"),
                               std::make_pair(options.metrics_address, "metrics_address")}) {
    if (auto hp = SplitHostPort(address, flag); !hp.ok()) return hp.status();
  }
  std::unique_ptr<ServiceRuntime> rt(new ServiceRuntime(options, clock));
  if (!options.token_file.empty()) {
    auto text = core::ReadFile(options.token_file);
    if (!text.ok()) {
      return absl::Status(text.status().code(), absl::StrCat("--token_file ", options.token_file,
                                                             ": ", text.status().message()));
    }
    std::string token = text->substr(0, text->find('\n'));
    token = std::string(absl::StripAsciiWhitespace(token));
    if (token.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token_file ", options.token_file, ": first line is empty"));
    }
    rt->token_ = token;
  }
  if (!options.tls_cert.empty()) {
    auto pem = ReadTlsFiles(options.tls_cert, options.tls_key);
    if (!pem.ok()) return pem.status();
    rt->tls_cert_pem_ = std::move(pem->cert_chain);
    rt->tls_key_pem_ = std::move(pem->private_key);
  }
  if (absl::Status s = rt->RegisterMetrics(); !s.ok()) return s;
  // Threads started from now on (gRPC, HTTP) inherit the mask: only WaitForShutdown sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return rt;
}

absl::Status ServiceRuntime::RegisterMetrics() {
  auto started = metrics_.AddCounter("grpc_server_started_total", "RPCs started on the server.",
                                     {"grpc_service", "grpc_method"});
  auto handled = metrics_.AddCounter("grpc_server_handled_total",
                                     "RPCs completed on the server, by status code.",
                                     {"grpc_service", "grpc_method", "grpc_code"});
  auto rejected =
      metrics_.AddCounter("grpc_server_rejected_total", "RPCs refused before their handler ran.",
                          {"grpc_service", "reason"});
  auto latency = metrics_.AddHistogram(
      "grpc_server_handling_seconds", "Time from admission to the handler's return, seconds.",
      {"grpc_service", "grpc_method"}, core::LatencyBucketsSeconds());
  auto ready = metrics_.AddGauge("superbet_service_ready", "1 when the service reports SERVING.",
                                 {"service"});
  for (const absl::Status& s :
       {started.status(), handled.status(), rejected.status(), latency.status(), ready.status()}) {
    if (!s.ok()) return s;
  }
  started_ = *started;
  handled_ = *handled;
  rejected_ = *rejected;
  latency_ = *latency;
  ready_gauge_ = *ready;
  (*ready_gauge_->WithLabels({options_.service}))->Set(0);
  return absl::OkStatus();
}

absl::Status ServiceRuntime::Start() {
  // gRPC's health service is on the callback API; the busy-poll mode serves its own (server.h).
  grpc::EnableDefaultHealthCheckService(busy_methods_.empty());
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (!options_.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  if (!busy_methods_.empty()) {
    busy_health_ = std::make_unique<SyncHealthService>();
    builder.RegisterService(busy_health_.get());
  }
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!tls_cert_pem_.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({tls_key_pem_, tls_cert_pem_});
    creds = grpc::SslServerCredentials(ssl);
  }
  // gRPC sets SO_REUSEPORT on its listeners by default: a second process on the same address
  // would bind too and silently take part of the connections. Off: it fails to start instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options_.grpc_address, creds, &grpc_port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
  for (grpc::Service* s : services_) builder.RegisterService(s);
  if (!busy_methods_.empty()) busy_cq_ = builder.AddCompletionQueue();
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on --grpc_address ", options_.grpc_address,
                     " (in use by another process, or not an address of this host)"));
  }
  SetReady(false);
  if (busy_cq_) {
    for (const BusyMethod& request : busy_methods_) request(busy_cq_.get());
    busy_thread_ = std::thread([this] { SpinBusyQueue(); });
  }

  http_ = std::make_unique<httplib::Server>();
  // cpp-httplib's default socket options add SO_REUSEPORT (see the gRPC listener above): only
  // SO_REUSEADDR here, so that a restart binds at once and a second process cannot.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string text = metrics_.Exposition();
    for (const auto& extra : extra_text_) text += extra();
    res.set_content(text, core::kExpositionContentType);
  });
  http_->Get("/health/live", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("live\n", "text/plain");
  });
  http_->Get("/health/ready", [this](const httplib::Request&, httplib::Response& res) {
    const bool ok = ready_.load() && !draining_.load();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ready\n" : (draining_.load() ? "draining\n" : "not ready\n"),
                    "text/plain");
  });
  auto hp = SplitHostPort(options_.metrics_address, "metrics_address");
  if (!hp.ok()) return hp.status();
  metrics_port_ = hp->second == 0 ? http_->bind_to_any_port(hp->first)
                                  : (http_->bind_to_port(hp->first, hp->second) ? hp->second : -1);
  if (metrics_port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on --metrics_address ", options_.metrics_address,
                     " (in use by another process, or not an address of this host)"));
  }
  http_thread_ = std::thread([this] { http_->listen_after_bind(); });

  if (!options_.ports_file.empty()) {
    const std::string tmp = options_.ports_file + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) return absl::NotFoundError("cannot write --ports_file " + tmp);
    std::fprintf(f, "{\"grpc_port\":%d,\"metrics_port\":%d}\n", grpc_port_, metrics_port_);
    std::fclose(f);
    std::rename(tmp.c_str(), options_.ports_file.c_str());
  }
  spdlog::info("listening: grpc {} (port {}, tls {}, auth {}, busy poll {}), metrics port {}",
               options_.grpc_address, grpc_port_, tls_cert_pem_.empty() ? "off" : "on",
               token_.empty() ? "off" : "bearer", busy_cq_ ? "on" : "off", metrics_port_);
  return absl::OkStatus();
}

void ServiceRuntime::SetReady(bool ready) {
  ready_.store(ready);
  (*ready_gauge_->WithLabels({options_.service}))->Set(ready ? 1 : 0);
  if (server_ == nullptr) return;
  if (busy_health_) {
    busy_health_->SetServingStatus("", ready);
    for (const std::string& name : service_names_) busy_health_->SetServingStatus(name, ready);
  } else {
    grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
    health->SetServingStatus(ready);
    for (const std::string& name : service_names_) health->SetServingStatus(name, ready);
  }
  spdlog::info("health {}", ready ? "SERVING" : "NOT_SERVING");
}

namespace {

// `*slot`, or `lookup()` stored there first (a family's WithLabels with the right label count).
template <typename Metric, typename Lookup>
Metric* Cached(std::atomic<Metric*>& slot, const Lookup& lookup) {
  Metric* metric = slot.load(std::memory_order_acquire);
  if (metric == nullptr) {
    metric = *lookup();
    slot.store(metric, std::memory_order_release);
  }
  return metric;
}

}  // namespace

ServiceRuntime::MethodMetrics& ServiceRuntime::MetricsFor(const char* service, const char* method) {
  const std::pair<const char*, const char*> key(service, method);
  {
    absl::ReaderMutexLock lock(&methods_mu_);
    auto it = methods_.find(key);
    if (it != methods_.end()) return *it->second;
  }
  absl::MutexLock lock(&methods_mu_);
  std::unique_ptr<MethodMetrics>& slot = methods_[key];
  if (!slot) slot = std::make_unique<MethodMetrics>();
  return *slot;
}

absl::Status ServiceRuntime::Admit(grpc::ServerContextBase* context, const char* service,
                                   const char* method) {
  auto reject = [&](const char* reason, absl::Status status) {
    (*rejected_->WithLabels({service, reason}))->Increment();
    return status;
  };
  if (draining_.load()) {
    return reject("draining", absl::UnavailableError("server is draining (SIGTERM received)"));
  }
  if (token_.empty() && options_.rate_limit_qps <= 0) return absl::OkStatus();
  const std::string peer = ClientAddress(context->peer());
  if (!token_.empty()) {
    const auto& md = context->client_metadata();
    auto it = md.find("authorization");
    const char* why = nullptr;
    if (it == md.end()) {
      why = "no authorization metadata";
    } else if (!ConstantTimeEquals(std::string(it->second.data(), it->second.size()),
                                   "Bearer " + token_)) {
      why = "bearer token does not match";
    }
    if (why != nullptr) {
      spdlog::warn("rejected {}/{} from {}: {}", service, method, peer, why);
      return reject("unauthenticated",
                    absl::UnauthenticatedError(absl::StrCat("authorization: ", why)));
    }
  }
  if (options_.rate_limit_qps > 0) {
    ClientLimit* limit;
    {
      absl::MutexLock lock(&limits_mu_);
      if (limits_.size() > 10000) limits_.clear();  // Bounded: forget idle clients wholesale.
      auto& slot = limits_[peer];
      if (!slot) {
        slot = std::make_unique<ClientLimit>(options_.rate_limit_burst, options_.rate_limit_qps,
                                             clock_);
      }
      limit = slot.get();
    }
    if (!limit->bucket.TryAcquire()) {
      std::string message =
          absl::StrCat("client ", peer, " is over the rate limit of ", options_.rate_limit_qps,
                       " calls/s (burst ", options_.rate_limit_burst, ")");
      if (!limit->limited.exchange(true)) {  // Logged once per run of refusals.
        spdlog::warn(
            "rejected {}/{}: {}; its next refusals are counted in "
            "grpc_server_rejected_total{{reason=\"rate_limited\"}}, not logged",
            service, method, message);
      }
      return reject("rate_limited", absl::ResourceExhaustedError(std::move(message)));
    }
    limit->limited.store(false, std::memory_order_relaxed);
  }
  return absl::OkStatus();
}

grpc::Status ServiceRuntime::Handle(grpc::ServerContextBase* context, const char* service,
                                    const char* method, const std::function<absl::Status()>& body) {
  const absl::Time begin = absl::Now();
  MethodMetrics& m = MetricsFor(service, method);
  absl::Status status = Admit(context, service, method);
  if (status.ok()) {
    Cached(m.started, [&] { return started_->WithLabels({service, method}); })->Increment();
    try {
      status = body();
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat(method, ": unexpected exception: ", e.what()));
    } catch (...) {
      status = absl::InternalError(absl::StrCat(method, ": unexpected exception"));
    }
    Cached(m.latency, [&] {
      return latency_->WithLabels({service, method});
    })->Observe(absl::ToDoubleSeconds(absl::Now() - begin));
  }
  grpc::Status out = ToGrpcStatus(status);
  const int code = static_cast<int>(out.error_code());
  auto handled = [&] {
    return handled_->WithLabels({service, method, CodeName(out.error_code())});
  };
  if (code >= 0 && code <= 16) {
    Cached(m.handled[code], handled)->Increment();
  } else {
    (*handled())->Increment();
  }
  return out;
}

grpc::ServerUnaryReactor* ServiceRuntime::HandleUnary(grpc::CallbackServerContext* context,
                                                      const char* service, const char* method,
                                                      const std::function<absl::Status()>& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(Handle(context, service, method, body));
  return reactor;
}

void ServiceRuntime::SpinBusyQueue() {
  void* tag = nullptr;
  bool ok = false;
  const gpr_timespec now = gpr_time_0(GPR_CLOCK_MONOTONIC);  // A deadline already past: no wait.
  for (;;) {
    switch (busy_cq_->AsyncNext(&tag, &ok, now)) {
      case grpc::CompletionQueue::SHUTDOWN:
        return;
      case grpc::CompletionQueue::TIMEOUT:
        sched_yield();  // Empty: let any other runnable thread of this CPU go first.
        break;
      case grpc::CompletionQueue::GOT_EVENT:
        static_cast<BusyCall*>(tag)->Proceed(ok);
        break;
    }
  }
}

// After the server's Shutdown (which needs the spinner to finish the calls in flight): the queue
// is shut down and the spinner drains it (every call object is deleted) and returns.
void ServiceRuntime::StopBusyQueue() {
  if (!busy_thread_.joinable()) return;
  busy_cq_->Shutdown();
  busy_thread_.join();
}

absl::Duration ServiceRuntime::DrainTimeLeft() const {
  if (drain_until_ == absl::InfiniteFuture()) return absl::Seconds(options_.drain_deadline_s);
  return std::max(absl::ZeroDuration(), drain_until_ - absl::Now());
}

int ServiceRuntime::WaitForShutdown(const std::function<void()>& on_drain) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {} received: draining (deadline {} s)", sig, options_.drain_deadline_s);
  SetReady(false);
  draining_.store(true);
  absl::SleepFor(absl::Seconds(options_.drain_grace_s));
  // One deadline for the in-flight calls and on_drain (DrainTimeLeft). Wall time: gRPC's
  // Shutdown takes a system_clock deadline.
  drain_until_ = absl::Now() + absl::Seconds(options_.drain_deadline_s);
  const auto deadline = absl::ToChronoTime(drain_until_);
  if (busy_health_) busy_health_->EndWatches();  // Streams end at the drain, as gRPC's own do.
  busy_stopping_.store(true);
  server_->Shutdown(deadline);
  server_->Wait();
  StopBusyQueue();
  if (on_drain) on_drain();
  http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
  spdlog::info("drained; exiting 0");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace superbet::services
