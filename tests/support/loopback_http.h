// Test support: serves an httplib::Server (its routes already set) on 127.0.0.1 at a free port
// (bound to port 0), from its own thread, for as long as the object lives. The fake provider and
// platform servers of the integration tests start and stop this way.
//
// Thread-safety: construct and destroy on one thread; the server's handlers run on its thread.
// Ownership: `server` is borrowed and must outlive this object.

#ifndef SUPERBET_TESTS_SUPPORT_LOOPBACK_HTTP_H_
#define SUPERBET_TESTS_SUPPORT_LOOPBACK_HTTP_H_

#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

namespace superbet::testing {

class LoopbackHttp {
 public:
  // Binds, starts listening and waits (up to 1 s) until the server runs; REQUIREs both.
  explicit LoopbackHttp(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(server_.is_running());
  }
  // Stops the server and joins its thread.
  ~LoopbackHttp() {
    server_.stop();
    thread_.join();
  }
  LoopbackHttp(const LoopbackHttp&) = delete;
  LoopbackHttp& operator=(const LoopbackHttp&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:{port}".
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server& server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SUPPORT_LOOPBACK_HTTP_H_
