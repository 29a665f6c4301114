// Test support for the services' integration tests: child processes on 127.0.0.1, the ports
// file a service writes, HTTP GETs, and gRPC health checks without generated health stubs.
// Every wait is bounded.
#ifndef SUPERBET_TESTS_SERVICES_PROCESS_H_
#define SUPERBET_TESTS_SERVICES_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace superbet::testing {

// A child process; killed (SIGKILL) and reaped by the destructor if still running.
class Child {
 public:
  // Starts `argv[0]` with `argv`, stdout and stderr appended to `log_path`.
  Child(const std::vector<std::string>& argv, const std::string& log_path);
  ~Child();
  pid_t pid() const { return pid_; }
  void Signal(int sig) const;
  // The exit code once the child exits within `timeout_s`; 128+signal when killed by a signal;
  // nullopt on timeout.
  std::optional<int> Wait(double timeout_s);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A fresh temporary directory, removed with its files by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct Ports {
  int grpc = 0;
  int metrics = 0;
};
// Waits (up to timeout_s) for the {"grpc_port":N,"metrics_port":M} file.
std::optional<Ports> WaitForPorts(const std::string& ports_file, double timeout_s);

// GET http://127.0.0.1:port/path: status and body; status -1 when the connection failed.
std::pair<int, std::string> HttpGet(int port, const std::string& path);

// grpc.health.v1.Health/Check for `service` ("" = the server): 1 SERVING, 2 NOT_SERVING, or -code
// of the failed call (e.g. -14 UNAVAILABLE).
int HealthCheck(const std::shared_ptr<grpc::Channel>& channel, const std::string& service);

// The value of the first sample line starting with `series` ("name{labels}"), or nullopt.
std::optional<double> MetricValue(const std::string& exposition, const std::string& series);

// Polls `done` every 50 ms until it returns true or `timeout_s` seconds pass; returns its last
// answer.
template <typename F>
bool WaitFor(F done, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Runs a shell command, returns its exit status (0 = success).
int Shell(const std::string& command);

// The whole file ("" when absent).
std::string Slurp(const std::string& path);

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SERVICES_PROCESS_H_
