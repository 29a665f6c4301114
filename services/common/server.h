// The plumbing every service shares: one gRPC server with health checking (NOT_SERVING until the
// service says it is ready), reflection, a maximum message size, optional TLS, bearer-token auth
// and a per-client rate limit; an HTTP endpoint with /metrics (Prometheus text format 0.0.4),
// /health/live and /health/ready; JSON logs; and the SIGTERM drain.
//
// A handler runs its body through Handle() (gRPC's synchronous API: a poller thread hands the call
// to a worker thread) or, for a short non-blocking unary body, HandleUnary() (gRPC's callback API:
// the body runs inline on the thread that read the request, no thread handoff; bench/README.md has
// the latency of both), or, opt-in, ServeUnaryBusyPoll() (gRPC's asynchronous API on a completion
// queue drained by one thread that never sleeps: see "Busy polling" below). Each admits the call
// (draining? token? rate?), catches any exception at the edge, maps absl::Status to grpc::Status
// one-to-one and records
//   grpc_server_started_total{grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_service,grpc_method}  (histogram, seconds)
//   grpc_server_rejected_total{grpc_service,reason}  reason = unauthenticated | rate_limited |
//                                                    draining
// Lifecycle: Create (blocks SIGTERM/SIGINT for every thread started later) -> AddService ->
// Start -> SetReady(true) -> WaitForShutdown: on SIGTERM or SIGINT, health NOT_SERVING and
// /health/ready 503, new calls UNAVAILABLE (after --drain_grace_s, during which load balancers
// see NOT_SERVING; the gRPC server itself refuses them from then on), in-flight calls finish (up to
// --drain_deadline_s, after which gRPC cancels them), the service's on_drain runs (flush, XACK),
// exit code 0.
//
// Busy polling (ServeUnaryBusyPoll, agent-svc --busy_poll): one dedicated thread spins on the
// method's completion queue (AsyncNext with a zero deadline, sched_yield() when it is empty:
// Aeron's YieldingIdleStrategy, the LMAX Disruptor's YieldingWaitStrategy), reads the request from
// the socket, runs the body inline and writes the answer, so a call wakes no server thread. It
// costs one CPU core all the time, whatever the load. It helps only if that thread does the socket
// reads, so in this mode no method may be on gRPC's callback API: the callback queue's two polling
// ("nexting") threads read the sockets of the connections given to their pollset (strace in
// bench/README.md: 2/3 of the reads, a wake-up each). The health service is then the runtime's
// own synchronous one (common/health.h; same protocol, statuses and drain as gRPC's built-in one,
// which is on the callback API). The process also uses gRPC's "poll" polling engine
// (UseBusyPollEngine(): GRPC_POLL_STRATEGY=poll unless the environment sets one, before gRPC
// starts), where each thread polls its own queue's sockets, rather than epoll1, where one thread
// of the process at a time waits in epoll_wait. A user wants the mode when one caller's latency
// matters more than a core (a strategy deciding on each live update, on a host with cores to
// spare); not on a small or shared host, where the spinning thread takes the CPU the callers need
// (bench/README.md has the figures).
//
// Thread-safety: Handle(), SetReady(), draining() and metrics() are thread-safe; the rest is
// called from main. Ownership: owns the gRPC server, the HTTP server and the metrics registry;
// services added with AddService are not owned and must outlive the runtime.
#ifndef SUPERBET_SERVICES_COMMON_SERVER_H_
#define SUPERBET_SERVICES_COMMON_SERVER_H_

#include <grpcpp/completion_queue.h>
#include <grpcpp/server.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/async_unary_call.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/flags.h"
#include "superbet/core/clock.h"
#include "superbet/core/metrics.h"
#include "superbet/resilience/token_bucket.h"

namespace httplib {
class Server;
}

namespace superbet::services {

class SyncHealthService;

struct ServerOptions {
  std::string service;                           // "adapter-svc"; names logs and metrics.
  std::string grpc_address = "0.0.0.0:50051";    // host:port; port 0 = any free port.
  std::string metrics_address = "0.0.0.0:9101";  // host:port of /metrics and /health/*.
  std::string tls_cert;                          // PEM files; both or neither.
  std::string tls_key;
  std::string token_file;  // Bearer token (first line); "" = no auth.
  // grpc.reflection.v1alpha on the gRPC port. Like health, reflection is not behind the bearer
  // token (probes and tools need no secret); a deployment that must not describe its API to
  // unauthenticated clients turns it off.
  bool reflection = true;
  int64_t max_message_bytes = 4 << 20;
  double rate_limit_qps = 2000;    // Per client address; 0 = no limit.
  double rate_limit_burst = 4000;  // Bucket capacity, calls.
  double drain_deadline_s = 30;
  double drain_grace_s = 0;  // NOT_SERVING this long before the server stops accepting.
  std::string log_level = "info";
  std::string ports_file;  // When set: {"grpc_port":N,"metrics_port":M} written after Start.

  // Registers the flags above (defaults as set in *this, so a service sets its ports first).
  void Register(FlagSet& flags);
};

// Checks the numeric options: max_message_bytes in [1, 2^31 - 1]; rate_limit_qps finite and >= 0;
// rate_limit_burst finite and >= 1 when the limit is on; drain_deadline_s and drain_grace_s
// finite and >= 0 (a NaN grace would never end the drain).
// Errors: InvalidArgument naming the flag and the value ("--drain_grace_s must be a finite number
// of seconds >= 0, got nan"). ServiceRuntime::Create runs it first.
[[nodiscard]] absl::Status ValidateServerOptions(const ServerOptions& options);

// True when `a` equals `b`; the time taken depends on the longer length only, not on where the
// strings first differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// "ipv4:127.0.0.1:5000" -> "ipv4:127.0.0.1"; "ipv6:[::1]:5000" -> "ipv6:[::1]".
std::string ClientAddress(const std::string& peer);

class ServiceRuntime {
 public:
  // Reads the token and TLS files, installs the JSON logger, blocks SIGTERM/SIGINT.
  // Errors: InvalidArgument for one TLS file without the other, a bad log level, or a bad
  // address; NotFound / PermissionDenied naming the flag and the file that cannot be read
  // ("--tls_cert /x.pem: cannot open /x.pem: ..."); FailedPrecondition for TLS files without a
  // PEM certificate / key or with a key that is not the certificate's (common/tls_files.h);
  // InvalidArgument for an empty token file.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(
      ServerOptions options, const core::Clock& clock);
  ~ServiceRuntime();

  core::MetricsRegistry& metrics() { return metrics_; }
  // Text appended to every /metrics answer after the registry's families: exposition text a
  // library writes itself (the broadcast plant's PrometheusText). Before Start().
  void AddExpositionText(std::function<std::string()> text) { extra_text_.push_back(text); }
  const ServerOptions& options() const { return options_; }

  // Before Start(). `full_name` is the service's proto name ("superbet.v1.AdapterService"),
  // the name health checks ask for.
  void AddService(grpc::Service* service, std::string full_name) {
    services_.push_back(service);
    service_names_.push_back(std::move(full_name));
  }
  // Binds both ports, starts serving with health NOT_SERVING, writes the ports file.
  // Errors: Unavailable when a port cannot be bound (names the address).
  [[nodiscard]] absl::Status Start();
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }

  // Health SERVING (true) or NOT_SERVING for the server and every added service.
  void SetReady(bool ready);
  bool draining() const { return draining_.load(); }
  // During WaitForShutdown's on_drain: what is left of --drain_deadline_s (counted from the end of
  // --drain_grace_s, the moment the server stops taking calls) after the in-flight calls ended, so
  // that the service's own drain (e.g. the broadcast plant's) fits in the same deadline; >= 0.
  // Before the drain: the whole deadline.
  absl::Duration DrainTimeLeft() const;

  // Admits the call, runs `body` (exceptions become INTERNAL), records metrics, maps the status.
  // `context` is a grpc::ServerContext (synchronous API) or a grpc::CallbackServerContext.
  // `service` and `method` must live as long as the runtime (string literals, as every handler
  // passes): their addresses key the cache of the method's metric children.
  grpc::Status Handle(grpc::ServerContextBase* context, const char* service, const char* method,
                      const std::function<absl::Status()>& body);

  // A unary method on gRPC's callback API (the generated WithCallbackMethod_<Method>): Handle()
  // run inline on gRPC's polling thread, then the call finished with its status; returns the
  // reactor the callback method must return. `body` must not block (no I/O, no long locks): while
  // it runs, that polling thread reads no other call.
  grpc::ServerUnaryReactor* HandleUnary(grpc::CallbackServerContext* context, const char* service,
                                        const char* method,
                                        const std::function<absl::Status()>& body);

  // One unary method served by the busy-polling thread (see the file comment); before Start().
  // `request` is the generated service's Request<Method> (the service is registered with
  // AddService and derives from WithAsyncMethod_<Method>); `body(request, response)` runs through
  // Handle() inline on the spinning thread and must not block. The thread starts with Start() and
  // stops after the drain (WaitForShutdown) or in the destructor.
  template <typename Req, typename Resp>
  using AsyncRequester =
      std::function<void(grpc::ServerContext*, Req*, grpc::ServerAsyncResponseWriter<Resp>*,
                         grpc::CompletionQueue*, grpc::ServerCompletionQueue*, void*)>;
  template <typename Req, typename Resp>
  void ServeUnaryBusyPoll(const char* service, const char* method,
                          AsyncRequester<Req, Resp> request,
                          std::function<absl::Status(const Req&, Resp*)> body);
  bool busy_polling() const { return !busy_methods_.empty(); }

  // Blocks until SIGTERM or SIGINT, then drains (see the file comment). Returns the exit code.
  int WaitForShutdown(const std::function<void()>& on_drain = {});

 private:
  ServiceRuntime(ServerOptions options, const core::Clock& clock);
  [[nodiscard]] absl::Status Admit(grpc::ServerContextBase* context, const char* service,
                                   const char* method);
  [[nodiscard]] absl::Status RegisterMetrics();

  // The metric children of one (service, method), each looked up on its first use and then kept:
  // a call then costs no label lookup (each is a string vector, a mutex and a hash). A race looks
  // the same child up twice.
  struct MethodMetrics {
    std::atomic<core::Counter*> started{nullptr};
    std::atomic<core::Histogram*> latency{nullptr};
    std::atomic<core::Counter*> handled[17] = {};
  };
  MethodMetrics& MetricsFor(const char* service, const char* method);

  // A tag on the busy-polling queue: Proceed(ok) is called by the spinning thread.
  class BusyCall {
   public:
    virtual ~BusyCall() = default;
    virtual void Proceed(bool ok) = 0;
  };
  // Posts one request for the next call of its method on `cq`.
  using BusyMethod = std::function<void(grpc::ServerCompletionQueue* cq)>;
  template <typename Req, typename Resp>
  class BusyUnaryCall;
  void SpinBusyQueue();
  void StopBusyQueue();

  const ServerOptions options_;
  const core::Clock& clock_;
  std::string token_;
  std::string tls_cert_pem_, tls_key_pem_;
  core::MetricsRegistry metrics_;
  core::CounterFamily* started_ = nullptr;
  core::CounterFamily* handled_ = nullptr;
  core::CounterFamily* rejected_ = nullptr;
  core::HistogramFamily* latency_ = nullptr;
  core::GaugeFamily* ready_gauge_ = nullptr;
  std::vector<grpc::Service*> services_;
  std::vector<std::function<std::string()>> extra_text_;
  std::vector<std::string> service_names_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<httplib::Server> http_;
  std::thread http_thread_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::atomic<bool> ready_{false};
  std::atomic<bool> draining_{false};
  absl::Time drain_until_ = absl::InfiniteFuture();  // Set by WaitForShutdown before on_drain.
  // Keyed by the handlers' string literals' addresses (the same name at two addresses gets two
  // entries holding the same children).
  absl::Mutex methods_mu_;
  absl::flat_hash_map<std::pair<const char*, const char*>, std::unique_ptr<MethodMetrics>> methods_
      ABSL_GUARDED_BY(methods_mu_);
  std::vector<BusyMethod> busy_methods_;
  std::unique_ptr<grpc::ServerCompletionQueue> busy_cq_;
  std::atomic<bool> busy_stopping_{false};          // Set before the server's Shutdown.
  std::unique_ptr<SyncHealthService> busy_health_;  // Health in the busy-poll mode.
  std::thread busy_thread_;
  // Per client address: its token bucket, and whether its last call was refused (a client's
  // refusals are logged once per run of refusals, and all counted).
  struct ClientLimit {
    ClientLimit(double burst, double qps, const core::Clock& clock) : bucket(burst, qps, clock) {}
    resilience::TokenBucket bucket;
    std::atomic<bool> limited{false};
  };
  absl::Mutex limits_mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<ClientLimit>> limits_
      ABSL_GUARDED_BY(limits_mu_);
};

// One call of a busy-polled unary method: requested -> (request read) handled and finished ->
// (finish written) deleted. Owned by the completion queue's tags; runs on the spinning thread.
template <typename Req, typename Resp>
class ServiceRuntime::BusyUnaryCall final : public ServiceRuntime::BusyCall {
 public:
  struct Method {
    ServiceRuntime* rt;
    const char* service;
    const char* method;
    AsyncRequester<Req, Resp> request;
    std::function<absl::Status(const Req&, Resp*)> body;
  };
  BusyUnaryCall(std::shared_ptr<const Method> m, grpc::ServerCompletionQueue* cq)
      : m_(std::move(m)), cq_(cq) {
    m_->request(&ctx_, &req_, &writer_, cq_, cq_, this);
  }
  void Proceed(bool ok) override {
    if (answered_ || !ok) {  // Finished, or the request was cancelled by the server's shutdown.
      delete this;
      return;
    }
    // The next call of this method, before this one is handled; none once the server is shutting
    // down (its queue is shut down after the server, and a request on a shut-down queue is a
    // gRPC assertion failure).
    if (!m_->rt->busy_stopping_.load()) new BusyUnaryCall(m_, cq_);
    answered_ = true;
    const grpc::Status status =
        m_->rt->Handle(&ctx_, m_->service, m_->method, [&] { return m_->body(req_, &resp_); });
    if (status.ok()) {
      writer_.Finish(resp_, status, this);
    } else {
      writer_.FinishWithError(status, this);
    }
  }

 private:
  const std::shared_ptr<const Method> m_;
  grpc::ServerCompletionQueue* const cq_;
  grpc::ServerContext ctx_;
  Req req_;
  Resp resp_;
  grpc::ServerAsyncResponseWriter<Resp> writer_{&ctx_};
  bool answered_ = false;
};

template <typename Req, typename Resp>
void ServiceRuntime::ServeUnaryBusyPoll(const char* service, const char* method,
                                        AsyncRequester<Req, Resp> request,
                                        std::function<absl::Status(const Req&, Resp*)> body) {
  using Call = BusyUnaryCall<Req, Resp>;
  auto m = std::make_shared<const typename Call::Method>(
      typename Call::Method{this, service, method, std::move(request), std::move(body)});
  busy_methods_.push_back([m](grpc::ServerCompletionQueue* cq) { new Call(m, cq); });
}

// Sets GRPC_POLL_STRATEGY=poll unless the environment already sets a strategy, for the busy-poll
// mode (see the file comment). Must run before anything starts gRPC (grpc_init reads it once).
void UseBusyPollEngine();

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_COMMON_SERVER_H_
