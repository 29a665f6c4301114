// Test support: a real redis-server (Debian package redis-server) started by the test on
// 127.0.0.1 at a free port, in its own temporary folder, with AOF on (appendfsync always) so
// that a restart keeps every acknowledged write. Stopped and its folder removed on destruction.
// Every wait is bounded (5 s).

#ifndef SUPERBET_TESTS_SUPPORT_REDIS_SERVER_H_
#define SUPERBET_TESTS_SUPPORT_REDIS_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace superbet::testing {

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
inline int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

class RedisServer {
 public:
  RedisServer() {
    char tmpl[] = "/tmp/superbet-redis-XXXXXX";
    dir_ = ::mkdtemp(tmpl) ? tmpl : "";
    port_ = FreePort();
    started_ = Start();
  }
  ~RedisServer() {
    Stop(SIGTERM);
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ok() const { return started_; }
  int port() const { return port_; }
  std::string url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

  // Kills the server (SIGKILL: a crash) and starts it again on the same port and folder; the AOF
  // brings back everything written before the kill. Returns whether it came back.
  bool Restart() {
    Stop(SIGKILL);
    started_ = Start();
    return started_;
  }

 private:
  bool Start() {
    if (dir_.empty() || port_ == 0) return false;
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = std::to_string(port_);
      ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1",
               "--dir", dir_.c_str(), "--save", "", "--appendonly", "yes", "--appendfsync",
               "always", "--daemonize", "no", "--loglevel", "warning", "--logfile",
               (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Ready when a TCP connect succeeds (bounded).
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (absl::Now() < deadline) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(port_));
      const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
      ::close(fd);
      if (up) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  void Stop(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (absl::Now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    pid_ = -1;
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool started_ = false;
};

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SUPPORT_REDIS_SERVER_H_
