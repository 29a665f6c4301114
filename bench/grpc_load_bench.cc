// gRPC load generator: latency (p50/p99/p99.9) and throughput over loopback, with an async
// (CompletionQueue) client, for
//   * TcpPingPong                 NOT gRPC: 64-byte messages echoed over a raw TCP socket by a
//                                 spawned server (one blocking thread per connection): the floor
//                                 the kernel and this VM's scheduler put under any RPC here;
//   * EchoService.Echo            a plain echo (64 B) in a spawned process on the services' runtime
//                                 (ServiceRuntime: health, reflection, the same builder), on
//                                 gRPC's callback API as agent-svc serves Decide; EchoSync is the
//                                 same server on the synchronous API (how every handler was served
//                                 before), EchoAsync1T the leanest gRPC server (async API, one
//                                 thread, no health/reflection): the gRPC floor; EchoAsync1TBusy
//                                 the same with its thread busy-polling the queue; EchoBusy the
//                                 echo on the runtime's busy-poll path (as agent-svc --busy_poll);
//   * AdapterService.GetLiveMatch adapter-svc's real handler (runtime plumbing: admission,
//                                 metrics, status mapping) over a replay of StatsBomb 3754097,
//                                 served in this process (synchronous API);
//   * AgentService.Decide         the real agent-svc PROCESS (spawned on 127.0.0.1, port 0; another
//                                 build's with SUPERBET_AGENT_SVC=path) with a
//                                 live checkpoint trained at start-up (MLP, seed 7, 300 steps on
//                                 3754097 + 3754300); one real live state of 3754237 per call,
//                                 cycling through its minutes, dry_run; DecideBusy: the same
//                                 agent-svc started with --busy_poll;
//   * BroadcastService.Publish    the real broadcast-svc PROCESS against a spawned redis-server
//                                 and an in-process fake Telegram Bot API; one accepted decision
//                                 per call: Man United v Tottenham, 2015-08-08, Bet365 1.65 / 4.0
//                                 / 6.0 (E0_1516.csv row 6).
// The plain servers are this program run as `--serve=echo|echo-sync|echo-async|tcp
// --ports_file=F`. Two modes, each bounded in requests and time:
//   open loop  requests sent at a fixed rate (1000/s) whatever the answers do; a request's
//              latency is measured from its SCHEDULED send time, so a stall is not hidden
//              (no coordinated omission); the pacing thread sleeps to 100 µs before the send time
//              and spins the rest (lag99_us: how late it sent, p99);
//   closed loop  C requests in flight at all times (C = 1, 4, 16, 64): the saturation QPS.
// Client: one CompletionQueue; every call is PrepareAsync + StartCall + Finish with the call object
// as the tag; channels with transparent retries off. Open-loop rows run twice: spin:0, the queue
// drained by one Poller thread sleeping in Next; spin:1, the spin client: the pacing thread
// itself polls the queue (AsyncNext, zero deadline, sched_yield() when empty) and never sleeps,
// as a latency-sensitive caller would (a core while it runs). The busy rows (EchoAsync1TBusy,
// DecideBusy) also run spin:2, the adaptive spin client: it polls only while a call is
// unanswered and otherwise sleeps like spin:0, so its core idles between calls. n:30000 rows
// (30 s each; TcpPingPong, EchoAsync1TBusy and DecideBusy) give a p99 over 300 calls instead of
// 30; the CI smoke run leaves them out (scripts/test). Counters: qps, p50_us, p99_us,
// p999_us, errors; open loop also lag99_us, cli_cpu_us (this process's CPU per call) and, for a
// spawned server, srv_cpu_us (its CPU per call). BM_Hiccup/threads:N: the VM's own stalls as a
// spinning thread sees them (gaps per second, p99, max).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "adapter/adapter_service.h"
#include "common/server.h"
#include "superbet/core/clock.h"
#include "superbet/hrl/checkpoint.h"
#include "superbet/hrl/live_worker.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/resilient_provider.h"
#include "superbet/v1/services.grpc.pb.h"
#include "live_fixture.h"

extern char** environ;

namespace superbet::services {
namespace {

namespace v1 = superbet::v1;
using Clock = std::chrono::steady_clock;

// EchoService.Echo on gRPC's callback API, as agent-svc serves Decide (ServiceRuntime::HandleUnary
// without the admission and metrics: a plain echo).
class EchoImpl final : public v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const v1::EchoMessage* req,
                                 v1::EchoMessage* resp) override {
    *resp = *req;
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// The same echo on gRPC's synchronous API (a poller thread hands each call to a worker thread),
// as every handler was served before: the API's own cost, measured the same way.
class EchoSyncImpl final : public v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*, const v1::EchoMessage* req,
                    v1::EchoMessage* resp) override {
    *resp = *req;
    return grpc::Status::OK;
  }
};

// Every client channel of this program, to 127.0.0.1:`port`: gRPC's transparent retries off
// (GRPC_ARG_ENABLE_RETRIES = 0; the retry filter costs each call ~5-10 µs here and a load
// generator must not retry), otherwise the defaults.
std::shared_ptr<grpc::Channel> BenchChannel(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

// One server with both services, started once for the whole program.
struct Fixture {
  std::unique_ptr<ServiceRuntime> rt;
  std::unique_ptr<providers::ReplayProvider> replay;
  std::unique_ptr<providers::ResilientProvider> provider;
  std::unique_ptr<AdapterServiceImpl> adapter;
  std::shared_ptr<grpc::Channel> channel;

  Fixture() {
    ServerOptions options;
    options.service = "grpc-load-bench";
    options.grpc_address = "127.0.0.1:0";
    options.metrics_address = "127.0.0.1:0";
    options.rate_limit_qps = 0;
    options.log_level = "warn";
    rt = *ServiceRuntime::Create(options, core::SystemClock::Instance());
    providers::ReplayLoadOptions load;
    load.only_matches = {"statsbomb:3754097"};
    auto data = providers::LoadReplayData(SUPERBET_SOURCE_DIR "/../shared/data", load);
    if (!data.ok()) std::abort();
    // Speed 1: the match stays live (minute ~0) for the whole run.
    replay = *providers::ReplayProvider::Create(*std::move(data), core::SystemClock::Instance(), 1);
    provider = std::make_unique<providers::ResilientProvider>(
        replay.get(), core::SystemClock::Instance(), [](absl::Duration) {});
    adapter = std::make_unique<AdapterServiceImpl>(rt.get(), provider.get(), 15);
    rt->AddService(adapter.get(), "superbet.v1.AdapterService");
    if (!rt->Start().ok()) std::abort();
    rt->SetReady(true);
    channel = BenchChannel(rt->grpc_port());
  }
};

Fixture& Shared() {
  static Fixture* f = new Fixture();
  return *f;
}

// The client's completion queue and its polling thread; every tag is an AsyncCall.
struct AsyncCall {
  virtual ~AsyncCall() = default;
  virtual void Done(bool ok) = 0;
};

class Poller {
 public:
  Poller()
      : thread_([this] {
          void* tag = nullptr;
          bool ok = false;
          while (cq_.Next(&tag, &ok)) static_cast<AsyncCall*>(tag)->Done(ok);
        }) {}
  ~Poller() {
    cq_.Shutdown();
    thread_.join();
  }
  grpc::CompletionQueue* cq() { return &cq_; }

 private:
  grpc::CompletionQueue cq_;
  std::thread thread_;
};

std::unique_ptr<Poller> g_poller;
Poller& SharedPoller() {
  if (!g_poller) g_poller = std::make_unique<Poller>();
  return *g_poller;
}

// The spin client (a benchmark's `spin:1`): the pacing thread itself polls this completion queue
// (AsyncNext with a zero deadline, sched_yield() when empty: the yielding idle strategy), as a
// latency-sensitive caller would, instead of sleeping while the Poller thread waits in Next. The
// Poller thread is stopped meanwhile: with gRPC's default epoll1 engine only one thread of the
// process waits in epoll_wait, and a thread blocked there would keep reading the answers.
std::unique_ptr<grpc::CompletionQueue> g_spin_cq;
bool g_spin = false;
bool g_spin_adaptive = false;  // spin:2: poll only while a call is unanswered (WaitUntil).
int g_spin_completions = 0;    // Calls SpinOnce completed (the pacing thread's own count).
void UseSpinClient(bool spin, bool adaptive = false) {
  g_spin = spin;
  g_spin_adaptive = spin && adaptive;
  if (spin) {
    g_poller.reset();  // Its thread ends once its queue is drained.
    if (!g_spin_cq) g_spin_cq = std::make_unique<grpc::CompletionQueue>();
  }
}
grpc::CompletionQueue* ClientCq() { return g_spin ? g_spin_cq.get() : SharedPoller().cq(); }
// One poll of the spin client's queue: completes one call, or yields the CPU when none is ready.
void SpinOnce() {
  void* tag = nullptr;
  bool ok = false;
  switch (g_spin_cq->AsyncNext(&tag, &ok, gpr_time_0(GPR_CLOCK_MONOTONIC))) {
    case grpc::CompletionQueue::GOT_EVENT:
      static_cast<AsyncCall*>(tag)->Done(ok);
      ++g_spin_completions;
      break;
    case grpc::CompletionQueue::TIMEOUT:
      sched_yield();
      break;
    case grpc::CompletionQueue::SHUTDOWN:
      break;
  }
}

// One unary call: `done(ok)` runs on the poller thread when it completes.
template <typename Req, typename Resp>
struct UnaryCall final : AsyncCall {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Resp>> reader;
  std::function<void(bool)> done;
  void Done(bool ok) override {
    done(ok && status.ok());
    delete this;
  }
};

// Issues one call; `done(ok)` runs on completion (on the poller thread).
using Issue = std::function<void(std::function<void(bool)>)>;

// `prepare(stub, ctx, req, cq)` is the stub's PrepareAsync<Method>; `fill(req, i)` the i-th
// request.
template <typename Stub, typename Req, typename Resp, typename Prepare, typename Fill>
Issue MakeIssue(std::shared_ptr<Stub> stub, Prepare prepare, Fill fill) {
  auto counter = std::make_shared<std::atomic<int64_t>>(0);
  return [stub, prepare, fill, counter](std::function<void(bool)> done) {
    auto* c = new UnaryCall<Req, Resp>();
    fill(c->req, counter->fetch_add(1));
    c->done = std::move(done);
    c->reader = ((*stub).*prepare)(&c->ctx, c->req, ClientCq());
    c->reader->StartCall();
    c->reader->Finish(&c->resp, &c->status, c);
  };
}

Issue GetLiveMatchIssue() {
  auto stub =
      std::shared_ptr<v1::AdapterService::Stub>(v1::AdapterService::NewStub(Shared().channel));
  return MakeIssue<v1::AdapterService::Stub, v1::GetLiveMatchRequest, v1::LiveMatchUpdate>(
      stub, &v1::AdapterService::Stub::PrepareAsyncGetLiveMatch,
      [](v1::GetLiveMatchRequest& r, int64_t) { r.set_match_id("statsbomb:3754097"); });
}

// ---- the spawned services ----------------------------------------------------------------

// A child process, SIGTERM + reaped by the destructor.
class Process {
 public:
  explicit Process(std::vector<std::string> argv, const std::string& log) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Process() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  bool ok() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The grpc port written by --ports_file, or 0 after `timeout_s`.
int WaitForGrpcPort(const std::string& file, double timeout_s) {
  const auto end = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (Clock::now() < end) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_discarded() && j.contains("grpc_port")) return j["grpc_port"].get<int>();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

// A channel once connected (the services open their gRPC port only once the checkpoint is
// loaded / Redis answers; the warm-up calls of each benchmark must then succeed).
std::shared_ptr<grpc::Channel> WaitForServing(int port) {
  auto channel = BenchChannel(port);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
    return nullptr;
  }
  return channel;
}

// A port free on 127.0.0.1 now (bound, read, closed).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

struct Scratch {
  std::string dir;
  Scratch() {
    dir = (std::filesystem::temp_directory_path() / ("grpc_load_bench_" + std::to_string(getpid())))
              .string();
    std::filesystem::create_directories(dir);
  }
  ~Scratch() { std::filesystem::remove_all(dir); }
};

std::unique_ptr<Scratch> g_scratch;
Scratch& SharedScratch() {
  if (!g_scratch) g_scratch = std::make_unique<Scratch>();
  return *g_scratch;
}

// agent-svc with a freshly trained tiny live checkpoint (trained once per run, shared by the
// default and the --busy_poll agent-svc); the live states of 3754237.
struct AgentFixture {
  std::unique_ptr<Process> svc;
  std::shared_ptr<grpc::Channel> channel;
  std::vector<v1::LiveMatchState> states;
  explicit AgentFixture(bool busy_poll) {
    const std::string dir = SharedScratch().dir;
    static const bool trained_ok = [&dir] {
      const auto checkpoint = superbet::bench::TrainTinyLiveCheckpoint();
      return hrl::SaveCheckpoint(dir + "/ckpt", checkpoint).ok();
    }();
    if (!trained_ok) std::abort();
    states = superbet::bench::QuotedStates(superbet::bench::LoadLiveMatch("3754237"));
    const char* agent_svc = std::getenv("SUPERBET_AGENT_SVC");  // Another build's, to compare.
    const std::string name = busy_poll ? "agent-busy" : "agent";
    std::vector<std::string> argv{agent_svc != nullptr ? agent_svc : AGENT_SVC,
                                  "--grpc_address=127.0.0.1:0",
                                  "--metrics_address=127.0.0.1:0",
                                  "--rate_limit_qps=0",
                                  "--log_level=warn",
                                  "--ports_file=" + dir + "/" + name + ".json",
                                  "--checkpoint=" + dir + "/ckpt"};
    if (busy_poll) argv.push_back("--busy_poll");
    std::filesystem::remove(dir + "/" + name + ".json");  // A restart's: not the last one's port.
    svc = std::make_unique<Process>(argv, dir + "/" + name + ".log");
    const int port = WaitForGrpcPort(dir + "/" + name + ".json", 60);
    if (port <= 0) return;
    // SUPERBET_AGENT_IDLE_CHANNELS=k: k other connections first, each making one GetModelInfo
    // call (a synchronous method) and kept open: the server spreads accepted connections over
    // its completion queues' pollsets in turn, so the measured one lands on another of them.
    const char* idle = std::getenv("SUPERBET_AGENT_IDLE_CHANNELS");
    for (int k = 0; idle != nullptr && k < std::atoi(idle); ++k) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // Its own connection.
      auto c = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                         grpc::InsecureChannelCredentials(), args);
      grpc::ClientContext ctx;
      v1::GetModelInfoResponse info;
      (void)v1::AgentService::NewStub(c)->GetModelInfo(&ctx, {}, &info);
      idle_channels.push_back(c);
    }
    channel = WaitForServing(port);
  }
  std::vector<std::shared_ptr<grpc::Channel>> idle_channels;
};

// The agent-svc of each mode (false: default, true: --busy_poll), started on first use. Only one
// runs at a time: a busy-polling agent-svc takes a core, which the other mode's figures must not
// pay for.
std::unique_ptr<AgentFixture> g_agent;
bool g_agent_busy = false;
AgentFixture* SharedAgent(bool busy_poll = false) {
  if (g_agent && g_agent_busy != busy_poll) g_agent.reset();
  if (!g_agent) {
    g_agent = std::make_unique<AgentFixture>(busy_poll);
    g_agent_busy = busy_poll;
  }
  return g_agent->channel ? g_agent.get() : nullptr;
}

Issue DecideIssue(bool busy_poll) {
  AgentFixture* f = SharedAgent(busy_poll);
  auto stub = std::shared_ptr<v1::AgentService::Stub>(v1::AgentService::NewStub(f->channel));
  return MakeIssue<v1::AgentService::Stub, v1::DecideRequest, v1::DecideResponse>(
      stub, &v1::AgentService::Stub::PrepareAsyncDecide, [f](v1::DecideRequest& r, int64_t i) {
        *r.add_states() = f->states[static_cast<size_t>(i) % f->states.size()];
        r.set_dry_run(true);
      });
}

// redis-server, a fake Telegram Bot API (in this process) and broadcast-svc.
struct BroadcastFixture {
  std::unique_ptr<Process> redis, svc;
  httplib::Server telegram;
  std::thread telegram_thread;
  std::shared_ptr<grpc::Channel> channel;
  ~BroadcastFixture() {
    svc.reset();  // SIGTERM: the service drains first, then Redis and Telegram go.
    telegram.stop();
    if (telegram_thread.joinable()) telegram_thread.join();
    redis.reset();
  }
  BroadcastFixture() {
    const std::string dir = SharedScratch().dir;
    if (!std::filesystem::exists("/usr/bin/redis-server")) return;
    const int redis_port = FreePort();
    redis = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(redis_port),
                                 "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                                 dir},
        dir + "/redis.log");
    telegram.Post(R"(/bot([^/]+)/sendMessage)",
                  [](const httplib::Request&, httplib::Response& res) {
                    res.set_content(R"({"ok":true,"result":{"message_id":1}})", "application/json");
                  });
    const int tg_port = telegram.bind_to_any_port("127.0.0.1");
    telegram_thread = std::thread([this] { telegram.listen_after_bind(); });
    std::ofstream(dir + "/tg_token") << "123:BENCH\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    svc = std::make_unique<Process>(
        std::vector<std::string>{
            BROADCAST_SVC, "--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
            "--rate_limit_qps=0", "--log_level=warn", "--ports_file=" + dir + "/broadcast.json",
            "--redis=redis://127.0.0.1:" + std::to_string(redis_port),
            "--telegram_base_url=http://127.0.0.1:" + std::to_string(tg_port),
            "--telegram_token_file=" + dir + "/tg_token", "--telegram_chat_id=@bench",
            "--platforms=telegram", "--drain_deadline_s=2"},
        dir + "/broadcast.log");
    const int port = WaitForGrpcPort(dir + "/broadcast.json", 60);
    if (port > 0) channel = WaitForServing(port);
  }
};

std::unique_ptr<BroadcastFixture> g_broadcast;
BroadcastFixture* SharedBroadcast() {
  if (!g_broadcast) g_broadcast = std::make_unique<BroadcastFixture>();
  return g_broadcast->channel ? g_broadcast.get() : nullptr;
}

// ---- the plain servers: this program run with --serve=echo|tcp ------------------------------

constexpr int kPingBytes = 64;

// Reads exactly n bytes; false on EOF or error.
bool ReadFull(int fd, char* buf, int n) {
  for (int got = 0; got < n;) {
    const ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) return false;
    got += static_cast<int>(r);
  }
  return true;
}

// --serve=echo: EchoService alone, on the services' runtime (ServiceRuntime: the same server
// builder, threading and options as agent-svc), in its own process like agent-svc.
// The runtime's options for a spawned echo server `service` on free loopback ports.
ServerOptions EchoServerOptions(const std::string& service, const std::string& ports_file) {
  ServerOptions options;
  options.service = service;
  options.grpc_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.rate_limit_qps = 0;
  options.log_level = "warn";
  options.ports_file = ports_file;
  return options;
}

int ServeEcho(const std::string& ports_file, bool sync) {
  auto rt = ServiceRuntime::Create(EchoServerOptions("grpc-load-echo", ports_file),
                                   core::SystemClock::Instance());
  if (!rt.ok()) return 1;
  EchoImpl echo;
  EchoSyncImpl echo_sync;
  (*rt)->AddService(sync ? static_cast<grpc::Service*>(&echo_sync) : &echo,
                    "superbet.v1.EchoService");
  if (!(*rt)->Start().ok()) return 1;
  (*rt)->SetReady(true);
  return (*rt)->WaitForShutdown();
}

// --serve=echo-busy: the same echo through the runtime's busy-poll path, as agent-svc --busy_poll
// serves Decide (ServeUnaryBusyPoll: admission, metrics, the runtime's own health service, the
// poll engine, the HTTP and synchronous-server threads): with EchoAsync1TBusy beside it, the
// runtime's share of Decide's latency in the busy mode, apart from Decide's own body and messages.
int ServeEchoBusy(const std::string& ports_file) {
  UseBusyPollEngine();
  auto rt = ServiceRuntime::Create(EchoServerOptions("grpc-load-echo-busy", ports_file),
                                   core::SystemClock::Instance());
  if (!rt.ok()) return 1;
  v1::EchoService::WithAsyncMethod_Echo<v1::EchoService::Service> echo;
  (*rt)->ServeUnaryBusyPoll<v1::EchoMessage, v1::EchoMessage>(
      "EchoService", "Echo",
      [&echo](auto* ctx, auto* req, auto* writer, auto* cq, auto* notify, void* tag) {
        echo.RequestEcho(ctx, req, writer, cq, notify, tag);
      },
      [](const v1::EchoMessage& req, v1::EchoMessage* resp) {
        *resp = req;
        return absl::OkStatus();
      });
  (*rt)->AddService(&echo, "superbet.v1.EchoService");
  if (!(*rt)->Start().ok()) return 1;
  (*rt)->SetReady(true);
  return (*rt)->WaitForShutdown();
}

// --serve=echo-async: the gRPC floor with one thread. EchoService on the asynchronous API, one
// completion queue drained by this one thread (it reads, answers and writes), and nothing else:
// no health service, no reflection, no synchronous methods. gRPC 1.51 then has a single thread in
// its poller, so no call wakes a second server thread (the services' runtime has more: see
// bench/README.md). `busy_poll` (--serve=echo-async-busy): the thread spins on the queue
// (AsyncNext with a zero deadline, sched_yield() when empty) instead of sleeping in Next, as
// agent-svc --busy_poll serves Decide: it takes a core.
int ServeEchoAsync(const std::string& ports_file, bool busy_poll) {
  v1::EchoService::AsyncService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::ServerCompletionQueue> cq = builder.AddCompletionQueue();
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return 1;
  std::ofstream(ports_file + ".tmp") << "{\"grpc_port\":" << port << "}\n";
  std::rename((ports_file + ".tmp").c_str(), ports_file.c_str());
  struct Call {
    grpc::ServerContext ctx;
    v1::EchoMessage req;
    grpc::ServerAsyncResponseWriter<v1::EchoMessage> writer{&ctx};
    bool answered = false;
  };
  auto request = [&] {
    auto* c = new Call;
    service.RequestEcho(&c->ctx, &c->req, &c->writer, cq.get(), cq.get(), c);
  };
  request();
  void* tag = nullptr;
  bool ok = false;
  const gpr_timespec past = gpr_time_0(GPR_CLOCK_MONOTONIC);
  for (;;) {  // Runs until SIGTERM ends the process.
    if (busy_poll) {
      const auto next = cq->AsyncNext(&tag, &ok, past);
      if (next == grpc::CompletionQueue::SHUTDOWN) break;
      if (next == grpc::CompletionQueue::TIMEOUT) {
        sched_yield();
        continue;
      }
    } else if (!cq->Next(&tag, &ok)) {
      break;
    }
    auto* c = static_cast<Call*>(tag);
    if (c->answered || !ok) {
      delete c;
      continue;
    }
    request();
    c->answered = true;
    c->writer.Finish(c->req, grpc::Status::OK, c);
  }
  return 0;
}

// --serve=tcp: the floor under any RPC here. A blocking TCP echo of 64-byte messages on
// 127.0.0.1 (TCP_NODELAY), one thread per connection: one wake-up per message on each side,
// no framing, no HTTP/2, no protobuf.
int ServeTcp(const std::string& ports_file) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 16) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return 1;
  }
  std::ofstream(ports_file + ".tmp") << "{\"grpc_port\":" << ntohs(addr.sin_port) << "}\n";
  std::rename((ports_file + ".tmp").c_str(), ports_file.c_str());
  for (;;) {
    const int c = accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    std::thread([c] {
      const int one = 1;
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      char buf[kPingBytes];
      while (ReadFull(c, buf, kPingBytes) && write(c, buf, kPingBytes) == kPingBytes) {
      }
      close(c);
    }).detach();
  }
}

// A spawned `--serve=<mode>` server; `port` 0 when it did not start.
struct PlainServer {
  std::unique_ptr<Process> svc;
  int port = 0;
  explicit PlainServer(const std::string& mode) {
    const std::string dir = SharedScratch().dir;
    std::filesystem::remove(dir + "/" + mode + ".json");  // A restart's: not the last one's port.
    svc = std::make_unique<Process>(
        std::vector<std::string>{"/proc/self/exe", "--serve=" + mode,
                                 "--ports_file=" + dir + "/" + mode + ".json"},
        dir + "/" + mode + ".log");
    port = WaitForGrpcPort(dir + "/" + mode + ".json", 30);
  }
};

// The spawned echo servers, by --serve mode ("echo", "echo-sync", "echo-async"), and the TCP one.
std::map<std::string, std::unique_ptr<PlainServer>> g_echo;
std::map<std::string, std::shared_ptr<grpc::Channel>> g_echo_channel;
std::unique_ptr<PlainServer> g_tcp;
// The channel to the spawned echo server of `mode`, nullptr if it did not start.
std::shared_ptr<grpc::Channel> EchoChannel(const std::string& mode) {
  if (!g_echo[mode]) {
    g_echo[mode] = std::make_unique<PlainServer>(mode);
    if (g_echo[mode]->port > 0) g_echo_channel[mode] = WaitForServing(g_echo[mode]->port);
  }
  return g_echo_channel[mode];
}

std::function<Issue()> EchoIssue(std::string mode) {
  return [mode] {
    auto stub = std::shared_ptr<v1::EchoService::Stub>(v1::EchoService::NewStub(EchoChannel(mode)));
    return MakeIssue<v1::EchoService::Stub, v1::EchoMessage, v1::EchoMessage>(
        stub, &v1::EchoService::Stub::PrepareAsyncEcho,
        [](v1::EchoMessage& r, int64_t) { r.set_payload(std::string(kPingBytes, 'x')); });
  };
}

// The client of --serve=tcp: the caller writes, a reader thread completes the calls in order
// (the structure of the gRPC client: pacing thread sends, the CQ thread completes).
class TcpClient {
 public:
  explicit TcpClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    connected_ = true;
    reader_ = std::thread([this] {
      char buf[kPingBytes];
      while (ReadFull(fd_, buf, kPingBytes)) {
        std::function<void(bool)> done;
        {
          std::lock_guard<std::mutex> lock(mu_);
          done = std::move(pending_.front());
          pending_.pop_front();
        }
        done(true);
      }
    });
  }
  ~TcpClient() {
    shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    close(fd_);
  }
  bool connected() const { return connected_; }
  void Send(std::function<void(bool)> done) {
    static const std::string payload(kPingBytes, 'x');
    std::lock_guard<std::mutex> lock(mu_);  // Queue order = wire order.
    pending_.push_back(std::move(done));
    if (write(fd_, payload.data(), kPingBytes) != kPingBytes) {
      auto failed = std::move(pending_.back());
      pending_.pop_back();
      failed(false);
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::mutex mu_;
  std::deque<std::function<void(bool)>> pending_;
  std::thread reader_;
};

std::unique_ptr<TcpClient> g_tcp_client;
TcpClient* SharedTcp() {
  if (!g_tcp) {
    g_tcp = std::make_unique<PlainServer>("tcp");
    if (g_tcp->port > 0) g_tcp_client = std::make_unique<TcpClient>(g_tcp->port);
  }
  return g_tcp_client && g_tcp_client->connected() ? g_tcp_client.get() : nullptr;
}

Issue TcpIssue() {
  TcpClient* c = SharedTcp();
  return [c](std::function<void(bool)> done) { c->Send(std::move(done)); };
}

// Man United v Tottenham, 2015-08-08 (E0_1516.csv row 6, Bet365 1.65 / 4.0 / 6.0), backed home.
v1::PublishRequest PublishRequestFor(int64_t i) {
  v1::PublishRequest r;
  v1::Decision* d = r.mutable_decision();
  d->set_verdict(v1::VERDICT_ACCEPTED);
  d->set_stake(25);
  d->set_bankroll_before(1000);
  v1::Prediction* p = d->mutable_prediction();
  p->set_match_id("statsbomb:3754097");
  p->set_home("Manchester United");
  p->set_away("Tottenham Hotspur");
  p->mutable_kickoff()->set_seconds(1439046000);
  p->set_pick("home");
  p->set_action(v1::ACTION_BET_HOME);
  p->mutable_prob()->set_home(0.62);
  p->mutable_prob()->set_draw(0.23);
  p->mutable_prob()->set_away(0.15);
  p->mutable_odds()->set_home(1.65);
  p->mutable_odds()->set_draw(4.0);
  p->mutable_odds()->set_away(6.0);
  p->set_confidence(0.72);
  p->set_vsnr(2.8);
  p->set_cas(0.62 * 1.65);
  p->set_kelly_fraction((0.62 * 1.65 - 1) / 0.65);
  // One distinct decision time per call: distinct events (the plant's idempotency key).
  p->mutable_decided_at()->set_seconds(1439038000 + i);
  p->set_agent("live");
  p->set_model_version("grpc-load-bench");
  p->set_data_staleness_s(2.0);
  return r;
}

Issue PublishIssue() {
  BroadcastFixture* f = SharedBroadcast();
  auto stub =
      std::shared_ptr<v1::BroadcastService::Stub>(v1::BroadcastService::NewStub(f->channel));
  return MakeIssue<v1::BroadcastService::Stub, v1::PublishRequest, v1::PublishResponse>(
      stub, &v1::BroadcastService::Stub::PrepareAsyncPublish,
      // One sequence for every Publish benchmark of the run: they share one broadcast-svc and
      // Redis, and Publish is idempotent per event (a repeated decision is answered from its
      // marker without an XADD), so each call must be a new event.
      [](v1::PublishRequest& r, int64_t) {
        static std::atomic<int64_t> next{0};
        r = PublishRequestFor(next.fetch_add(1));
      });
}

struct Result {
  double qps = 0, p50_us = 0, p99_us = 0, p999_us = 0;
  double send_lag_p99_us = -1;  // Open loop: how late the pacing thread sent, p99 (µs).
  int64_t errors = 0;
};

// The q-quantile (0 < q < 1) of sorted `v`: the value at index floor(q * n), clamped.
double Quantile(const std::vector<double>& v, double q) {
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

Result Summarise(std::vector<double>& latencies_us, double seconds, int64_t errors) {
  Result r;
  std::sort(latencies_us.begin(), latencies_us.end());
  r.qps = static_cast<double>(latencies_us.size()) / seconds;
  r.p50_us = Quantile(latencies_us, 0.50);
  r.p99_us = Quantile(latencies_us, 0.99);
  r.p999_us = Quantile(latencies_us, 0.999);
  r.errors = errors;
  return r;
}

// What one run shares with its completion callbacks: held by shared_ptr, so a callback that
// finishes after the run has returned (a timeout) touches live memory.
struct RunState {
  explicit RunState(int n) : latency(n, 0.0), n(n) {}
  std::vector<double> latency;
  const int n;
  std::atomic<int> issued{0}, completed{0};
  std::atomic<int64_t> errors{0};
  std::mutex mu;
  std::condition_variable cv;
  void Completed(bool ok) {
    if (!ok) errors.fetch_add(1);
    if (completed.fetch_add(1) + 1 == n) {
      std::lock_guard<std::mutex> lock(mu);
      cv.notify_all();
    }
  }
  // Waits for every call (or `timeout`; the spin client polls its queue meanwhile); returns a
  // copy of the results so far.
  Result Finish(Clock::time_point start, std::chrono::seconds timeout) {
    if (g_spin) {
      const auto end = Clock::now() + timeout;
      while (completed.load() < n && Clock::now() < end) SpinOnce();
    } else {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait_for(lock, timeout, [&] { return completed.load() == n; });
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> copy;
    {
      std::lock_guard<std::mutex> lock(mu);
      copy = latency;
    }
    const int done = completed.load();
    return Summarise(copy, seconds, errors.load() + (n - done));
  }
};

// Waits until `t`. Default client: sleeps (timer slack 1 ns) until kSpin before it, then spins (a
// plain sleep_until wakes up to the thread's timer slack, 50 µs by default, plus a wake-up late,
// and in an open loop that lateness would be charged to the server). Spin client: polls its
// completion queue until `t` (completing the calls that answer meanwhile), never sleeping.
constexpr auto kSpin = std::chrono::microseconds(100);
// Adaptive spin client (`spin:2`): polls the queue while `outstanding` calls are unanswered,
// and sleeps like the default client when none is, so its core idles between calls.
void WaitUntil(Clock::time_point t, int outstanding) {
  if (g_spin && !g_spin_adaptive) {
    while (Clock::now() < t) SpinOnce();
    return;
  }
  if (g_spin) {
    while (outstanding > 0 && Clock::now() < t) {
      const int before = g_spin_completions;
      SpinOnce();
      outstanding -= g_spin_completions - before;
    }
  }
  if (t - Clock::now() > kSpin) std::this_thread::sleep_until(t - kSpin);
  while (Clock::now() < t) {
  }
}

// Open loop: n requests at `rate` per second, latency from the scheduled send time.
Result OpenLoop(const Issue& issue, double rate, int n) {
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // This (the pacing) thread only.
  auto st = std::make_shared<RunState>(n);
  std::vector<double> lag(n);
  const auto start = Clock::now() + std::chrono::milliseconds(10);
  const auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / rate));
  for (int i = 0; i < n; ++i) {
    const auto scheduled = start + i * period;
    WaitUntil(scheduled, i - st->completed.load());
    lag[i] = std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count();
    issue([st, i, scheduled](bool ok) {
      st->latency[i] = std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count();
      st->Completed(ok);
    });
  }
  Result r = st->Finish(start, std::chrono::seconds(30));
  std::sort(lag.begin(), lag.end());
  r.send_lag_p99_us = Quantile(lag, 0.99);
  return r;
}

// Closed loop: `concurrency` calls in flight until n have completed.
Result ClosedLoop(const Issue& issue, int concurrency, int n) {
  auto st = std::make_shared<RunState>(n);
  // Issues the next call; its callback (holding `st`) records it and issues the one after.
  auto next_ptr = std::make_shared<std::function<void(std::shared_ptr<RunState>)>>();
  *next_ptr = [issue, weak = std::weak_ptr<std::function<void(std::shared_ptr<RunState>)>>(
                          next_ptr)](std::shared_ptr<RunState> st) {
    const int i = st->issued.fetch_add(1);
    if (i >= st->n) return;
    const auto sent = Clock::now();
    auto self = weak.lock();
    issue([st, i, sent, self](bool ok) {
      st->latency[i] = std::chrono::duration<double, std::micro>(Clock::now() - sent).count();
      if (self) (*self)(st);  // Issue the next one before this one counts as done.
      st->Completed(ok);
    });
  };
  const auto start = Clock::now();
  for (int c = 0; c < concurrency; ++c) (*next_ptr)(st);
  Result r = st->Finish(start, std::chrono::seconds(60));
  return r;
}

// CPU time (user + system) of this process, and of process `pid` (/proc/<pid>/stat), seconds.
double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
double ProcessCpuSeconds(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');  // Fields after the command name, from field 3 on.
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int f = 3; f <= 15 && rest >> field; ++f) {
    if (f == 14) utime = std::stod(field);
    if (f == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void Report(benchmark::State& state, const Result& r) {
  state.counters["qps"] = r.qps;
  state.counters["p50_us"] = r.p50_us;
  state.counters["p99_us"] = r.p99_us;
  state.counters["p999_us"] = r.p999_us;
  if (r.send_lag_p99_us >= 0) state.counters["lag99_us"] = r.send_lag_p99_us;
  state.counters["errors"] = static_cast<double>(r.errors);
}

void Warm(const Issue& issue) { (void)ClosedLoop(issue, 4, 500); }

// Args: requests at 1000/s; spin client (0: the Poller thread waits in Next; 1: the pacing thread
// polls the queue, see UseSpinClient). `server_pid` > 0: the server process whose CPU time per
// call is reported (srv_cpu_us; cli_cpu_us is this process's).
void OpenLoopBench(benchmark::State& state, const std::function<Issue()>& make,
                   pid_t server_pid = 0) {
  UseSpinClient(state.range(1) != 0, state.range(1) == 2);
  const Issue issue = make();
  Warm(issue);
  for (auto _ : state) {
    const double cli0 = SelfCpuSeconds(), srv0 = ProcessCpuSeconds(server_pid);
    const int n = static_cast<int>(state.range(0));
    Report(state, OpenLoop(issue, 1000, n));
    state.counters["cli_cpu_us"] = 1e6 * (SelfCpuSeconds() - cli0) / n;
    if (server_pid > 0) {
      state.counters["srv_cpu_us"] = 1e6 * (ProcessCpuSeconds(server_pid) - srv0) / n;
    }
  }
  UseSpinClient(false);
}
// Arg: concurrency; 5000 requests.
void ClosedBench(benchmark::State& state, const std::function<Issue()>& make) {
  const Issue issue = make();
  Warm(issue);
  for (auto _ : state) Report(state, ClosedLoop(issue, static_cast<int>(state.range(0)), 5000));
}

pid_t EchoPid(const std::string& mode) { return g_echo[mode] ? g_echo[mode]->svc->pid() : 0; }

void BM_TcpPingPong_OpenLoop1k(benchmark::State& s) {
  if (s.range(1) != 0) return s.SkipWithError("no spin client for raw TCP");
  if (SharedTcp() == nullptr) return s.SkipWithError("tcp echo server did not start");
  OpenLoopBench(s, TcpIssue, g_tcp->svc->pid());
}
void EchoOpen(benchmark::State& s, const std::string& mode) {
  if (EchoChannel(mode) == nullptr) return s.SkipWithError("echo server did not start");
  OpenLoopBench(s, EchoIssue(mode), EchoPid(mode));
}
void EchoClosed(benchmark::State& s, const std::string& mode) {
  if (EchoChannel(mode) == nullptr) return s.SkipWithError("echo server did not start");
  ClosedBench(s, EchoIssue(mode));
}
void BM_Echo_OpenLoop1k(benchmark::State& s) { EchoOpen(s, "echo"); }
void BM_EchoSync_OpenLoop1k(benchmark::State& s) { EchoOpen(s, "echo-sync"); }
void BM_EchoAsync1T_OpenLoop1k(benchmark::State& s) { EchoOpen(s, "echo-async"); }
// The one-thread async echo server busy-polling its queue. Stopped after the benchmark: it takes
// a core, which the next benchmarks must not pay for.
void BM_EchoAsync1TBusy_OpenLoop1k(benchmark::State& s) {
  EchoOpen(s, "echo-async-busy");
  g_echo_channel.erase("echo-async-busy");
  g_echo.erase("echo-async-busy");
}
// The echo through the runtime's busy-poll path (--serve=echo-busy); stopped after the benchmark.
void BM_EchoBusy_OpenLoop1k(benchmark::State& s) {
  EchoOpen(s, "echo-busy");
  g_echo_channel.erase("echo-busy");
  g_echo.erase("echo-busy");
}
void BM_GetLiveMatch_OpenLoop1k(benchmark::State& s) { OpenLoopBench(s, GetLiveMatchIssue); }
void BM_Decide_OpenLoop1k(benchmark::State& s) {
  if (SharedAgent() == nullptr) return s.SkipWithError("agent-svc did not start");
  OpenLoopBench(
      s, [] { return DecideIssue(false); }, g_agent->svc->pid());
}
// agent-svc --busy_poll; stopped after the benchmark (it takes a core).
void BM_DecideBusy_OpenLoop1k(benchmark::State& s) {
  if (SharedAgent(true) == nullptr) return s.SkipWithError("agent-svc --busy_poll did not start");
  OpenLoopBench(
      s, [] { return DecideIssue(true); }, g_agent->svc->pid());
  g_agent.reset();
}
void BM_Publish_OpenLoop1k(benchmark::State& s) {
  if (SharedBroadcast() == nullptr) return s.SkipWithError("redis-server/broadcast-svc missing");
  OpenLoopBench(s, PublishIssue);
}
void BM_TcpPingPong_Closed(benchmark::State& s) {
  if (SharedTcp() == nullptr) return s.SkipWithError("tcp echo server did not start");
  ClosedBench(s, TcpIssue);
}
void BM_Echo_Closed(benchmark::State& s) { EchoClosed(s, "echo"); }
void BM_EchoSync_Closed(benchmark::State& s) { EchoClosed(s, "echo-sync"); }
void BM_EchoAsync1T_Closed(benchmark::State& s) { EchoClosed(s, "echo-async"); }
void BM_GetLiveMatch_Closed(benchmark::State& s) { ClosedBench(s, GetLiveMatchIssue); }
void BM_Decide_Closed(benchmark::State& s) {
  if (SharedAgent() == nullptr) return s.SkipWithError("agent-svc did not start");
  ClosedBench(s, [] { return DecideIssue(false); });
}
void BM_DecideBusy_Closed(benchmark::State& s) {
  if (SharedAgent(true) == nullptr) return s.SkipWithError("agent-svc --busy_poll did not start");
  ClosedBench(s, [] { return DecideIssue(true); });
  g_agent.reset();
}
void BM_Publish_Closed(benchmark::State& s) {
  if (SharedBroadcast() == nullptr) return s.SkipWithError("redis-server/broadcast-svc missing");
  ClosedBench(s, PublishIssue);
}

// The VM's own floor (a "hiccup meter", after jHiccup): `threads` threads each read steady_clock
// in a loop for 3 s and record every gap between two reads longer than 50 µs (the thread was not
// running: a timer tick, an interrupt, another task, the hypervisor). Counters: gaps per second
// (per thread), the gaps' p99 and max, µs. Any latency measured here pays such gaps whenever a
// call overlaps one on either CPU.
void BM_Hiccup(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  constexpr auto kRun = std::chrono::seconds(3);
  constexpr double kGapUs = 50;
  for (auto _ : state) {
    std::vector<std::vector<double>> gaps(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&gaps, t, kRun] {
        const auto end = Clock::now() + kRun;
        auto last = Clock::now();
        for (auto now = last; now < end; last = now) {
          now = Clock::now();
          const double us = std::chrono::duration<double, std::micro>(now - last).count();
          if (us > kGapUs) gaps[t].push_back(us);
        }
      });
    }
    for (auto& th : pool) th.join();
    std::vector<double> all;
    for (const auto& g : gaps) all.insert(all.end(), g.begin(), g.end());
    std::sort(all.begin(), all.end());
    const double seconds = std::chrono::duration<double>(kRun).count();
    state.counters["gaps_per_s"] = static_cast<double>(all.size()) / seconds / threads;
    state.counters["gap_p99_us"] = all.empty() ? 0 : Quantile(all, 0.99);
    state.counters["gap_max_us"] = all.empty() ? 0 : all.back();
    double stalled = 0;
    for (double g : all) stalled += g;
    state.counters["stalled_pct"] = 100 * stalled * 1e-6 / seconds / threads;
  }
}

#define SUPERBET_OPEN(fn)       \
  BENCHMARK(fn)                 \
      ->ArgNames({"n", "spin"}) \
      ->Args({3000, 0})         \
      ->Args({3000, 1})         \
      ->Iterations(1)           \
      ->UseRealTime()           \
      ->Unit(benchmark::kSecond)
#define SUPERBET_CLOSED(fn) \
  BENCHMARK(fn)->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()
SUPERBET_OPEN(BM_TcpPingPong_OpenLoop1k)->Args({30000, 0});
SUPERBET_OPEN(BM_Echo_OpenLoop1k);
SUPERBET_OPEN(BM_EchoSync_OpenLoop1k);
SUPERBET_OPEN(BM_EchoAsync1T_OpenLoop1k);
SUPERBET_OPEN(BM_EchoAsync1TBusy_OpenLoop1k)->Args({3000, 2})->Args({30000, 1})->Args({30000, 2});
SUPERBET_OPEN(BM_EchoBusy_OpenLoop1k);
SUPERBET_OPEN(BM_GetLiveMatch_OpenLoop1k);
SUPERBET_OPEN(BM_Decide_OpenLoop1k);
SUPERBET_OPEN(BM_DecideBusy_OpenLoop1k)->Args({3000, 2})->Args({30000, 1})->Args({30000, 2});
SUPERBET_OPEN(BM_Publish_OpenLoop1k);
SUPERBET_CLOSED(BM_TcpPingPong_Closed);
SUPERBET_CLOSED(BM_Echo_Closed);
SUPERBET_CLOSED(BM_EchoSync_Closed);
SUPERBET_CLOSED(BM_EchoAsync1T_Closed);
SUPERBET_CLOSED(BM_GetLiveMatch_Closed);
SUPERBET_CLOSED(BM_Decide_Closed);
SUPERBET_CLOSED(BM_DecideBusy_Closed);
SUPERBET_CLOSED(BM_Publish_Closed);
BENCHMARK(BM_Hiccup)->ArgName("threads")->Arg(1)->Arg(2)->Iterations(1)->UseRealTime();

}  // namespace

// Stops the spawned services (SIGTERM, reaped) and removes the scratch folder.
void StopSpawned() {
  g_tcp_client.reset();
  g_tcp.reset();
  g_echo_channel.clear();
  g_echo.clear();
  g_agent.reset();
  g_broadcast.reset();
  if (g_spin_cq) {  // Drained before it is destroyed.
    g_spin_cq->Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (g_spin_cq->Next(&tag, &ok)) static_cast<AsyncCall*>(tag)->Done(ok);
    g_spin_cq.reset();
  }
  g_scratch.reset();
}

}  // namespace superbet::services

int main(int argc, char** argv) {
  // --serve=echo|tcp --ports_file=F: run as one of the plain servers (spawned by the benchmarks).
  if (argc == 3 && std::string(argv[1]).rfind("--serve=", 0) == 0 &&
      std::string(argv[2]).rfind("--ports_file=", 0) == 0) {
    const std::string mode = argv[1] + 8, ports_file = argv[2] + 13;
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    if (mode == "echo") return superbet::services::ServeEcho(ports_file, false);
    if (mode == "echo-sync") return superbet::services::ServeEcho(ports_file, true);
    if (mode == "echo-async") return superbet::services::ServeEchoAsync(ports_file, false);
    if (mode == "echo-async-busy") return superbet::services::ServeEchoAsync(ports_file, true);
    if (mode == "echo-busy") return superbet::services::ServeEchoBusy(ports_file);
    if (mode == "tcp") return superbet::services::ServeTcp(ports_file);
    return 2;
  }
  // As ServiceRuntime::Create does for the services: Abseil's mutex deadlock detection (on in
  // Debian's Abseil build) costs the client's gRPC mutexes a graph lookup on every lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  superbet::services::StopSpawned();
  return 0;
}
