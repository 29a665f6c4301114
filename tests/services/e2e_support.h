// Test support for the end-to-end tests of the three services (e2e_itest.cc): a redis-server
// child with AOF on, redis-cli calls, a Prometheus text parser, health-transition polling and the
// documented filter rule of the broadcast plant. Every wait is bounded.
#ifndef SUPERBET_TESTS_SERVICES_E2E_SUPPORT_H_
#define SUPERBET_TESTS_SERVICES_E2E_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "services/process.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::testing {

// A free TCP port on 127.0.0.1 (bound then released: another process may take it in between,
// which the callers tolerate by failing loudly rather than hanging).
int FreePort();

// Polls `done` every 20 ms until it is true or `timeout_s` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& done, double timeout_s);

// redis-server on 127.0.0.1:port() with AOF on (appendonly yes, appendfsync always), files in
// `dir`; killed by the destructor if still running.
class RedisServer {
 public:
  explicit RedisServer(const std::string& dir);
  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  // True once PING answers PONG (within timeout_s).
  bool WaitReady(double timeout_s) const;
  // redis-cli -p port --raw <args> (args are shell-quoted by the caller when needed); stdout.
  std::string Cli(const std::string& args) const;
  // HGETALL key as a map.
  std::map<std::string, std::string> HashGetAll(const std::string& key) const;
  // XLEN stream (0 when absent).
  int64_t StreamLength(const std::string& stream) const;
  // The number of pending entries (XPENDING summary count) of `group` on `stream`; 0 when absent.
  int64_t Pending(const std::string& stream, const std::string& group) const;
  // A field of `group`'s XINFO GROUPS record on `stream` ("lag", "pending", ...), or nullopt.
  std::optional<std::string> GroupInfo(const std::string& stream, const std::string& group,
                                       const std::string& field) const;
  // Every entry of `stream` as field -> value maps, oldest first.
  std::vector<std::map<std::string, std::string>> Range(const std::string& stream) const;
  Child& child() { return *child_; }

 private:
  int port_;
  std::unique_ptr<Child> child_;
};

// A Prometheus text exposition (format 0.0.4) parsed into samples: series "name{labels}" exactly
// as written -> value.
std::map<std::string, double> ParsePrometheusText(const std::string& text);
// Sum of the samples of metric `name` whose labels include every label="value" of `labels`
// (nullopt when no sample matches: absent is not 0).
std::optional<double> SumSamples(const std::map<std::string, double>& samples,
                                 const std::string& name,
                                 const std::map<std::string, std::string>& labels = {});

// The health answers (1 SERVING, 2 NOT_SERVING, -code) of `service` seen while polling every
// 10 ms for up to `timeout_s`, consecutive repeats collapsed, until `stop_at` is seen.
std::vector<int> HealthTransitions(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& service, int stop_at, double timeout_s);

// The broadcast plant's documented filter (include/superbet/broadcast/filter.h: confidence, VSNR,
// CAS checked in that order against their thresholds, defaults 0.65, 2.2, 1.0; a value equal to
// its threshold passes; absent VSNR / CAS dropped with their own reasons), written here from the
// documentation: the drop reason, or nullopt when the prediction passes.
struct FilterRule {
  double min_confidence = 0.65;
  double min_vsnr = 2.2;
  double min_cas = 1.0;
};
std::optional<std::string> DocumentedDropReason(const superbet::v1::Prediction& p,
                                                const FilterRule& rule);

// The event id the plant gives a prediction: "pred-<match_id>-<decided_at in Unix ms>" (the
// CloudEvent id, include/superbet/broadcast/cloud_event.h).
std::string DocumentedEventId(const superbet::v1::Prediction& p);

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SERVICES_E2E_SUPPORT_H_
