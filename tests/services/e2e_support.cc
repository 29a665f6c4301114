#include "services/e2e_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

namespace superbet::testing {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool WaitUntil(const std::function<bool()>& done, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

RedisServer::RedisServer(const std::string& dir) : port_(FreePort()) {
  child_ = std::make_unique<Child>(
      std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                               "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync",
                               "always", "--dir", dir},
      dir + "/redis.log");
}

bool RedisServer::WaitReady(double timeout_s) const {
  return WaitUntil([&] { return Cli("PING") == "PONG\n"; }, timeout_s);
}

std::string RedisServer::Cli(const std::string& args) const {
  const std::string command = "timeout 10 redis-cli -h 127.0.0.1 -p " + std::to_string(port_) +
                              " --raw " + args + " 2>/dev/null";
  std::string out;
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

}  // namespace

std::map<std::string, std::string> RedisServer::HashGetAll(const std::string& key) const {
  const std::vector<std::string> lines = Lines(Cli("HGETALL " + key));
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < lines.size(); i += 2) out[lines[i]] = lines[i + 1];
  return out;
}

int64_t RedisServer::StreamLength(const std::string& stream) const {
  const std::string s = Cli("XLEN " + stream);
  return s.empty() ? 0 : std::stoll(s);
}

int64_t RedisServer::Pending(const std::string& stream, const std::string& group) const {
  const std::vector<std::string> lines = Lines(Cli("XPENDING " + stream + " " + group));
  if (lines.empty()) return 0;
  try {
    return std::stoll(lines[0]);
  } catch (...) {
    return 0;  // NOGROUP: no such group, nothing pending.
  }
}

std::optional<std::string> RedisServer::GroupInfo(const std::string& stream,
                                                  const std::string& group,
                                                  const std::string& field) const {
  const std::vector<std::string> lines = Lines(Cli("XINFO GROUPS " + stream));
  for (size_t i = 0; i + 1 < lines.size(); i += 2) {
    if (lines[i] != "name" || lines[i + 1] != group) continue;
    for (size_t j = i + 2; j + 1 < lines.size() && lines[j] != "name"; j += 2) {
      if (lines[j] == field) return lines[j + 1];
    }
  }
  return std::nullopt;
}

std::vector<std::map<std::string, std::string>> RedisServer::Range(
    const std::string& stream) const {
  // --raw XRANGE prints, per entry, the id line and then field and value lines (the plant's
  // values have no newlines: its JSON is written on one line).
  std::vector<std::map<std::string, std::string>> out;
  std::map<std::string, std::string> current;
  const std::vector<std::string> lines = Lines(Cli("XRANGE " + stream + " - + COUNT 100000"));
  auto is_id = [](const std::string& s) {
    const size_t dash = s.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 >= s.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i != dash && (s[i] < '0' || s[i] > '9')) return false;
    }
    return true;
  };
  size_t i = 0;
  while (i < lines.size()) {
    if (is_id(lines[i])) {
      if (!current.empty()) out.push_back(current);
      current.clear();
      current["_id"] = lines[i];
      ++i;
      continue;
    }
    if (i + 1 < lines.size()) current[lines[i]] = lines[i + 1];
    i += 2;
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

std::map<std::string, double> ParsePrometheusText(const std::string& text) {
  std::map<std::string, double> out;
  for (const std::string& line : Lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (...) {
    }
  }
  return out;
}

std::optional<double> SumSamples(const std::map<std::string, double>& samples,
                                 const std::string& name,
                                 const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  for (const auto& [series, value] : samples) {
    if (series.rfind(name, 0) != 0) continue;
    const std::string rest = series.substr(name.size());
    if (!rest.empty() && rest[0] != '{') continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      if (rest.find(k + "=\"" + v + "\"") == std::string::npos) all = false;
    }
    if (!all) continue;
    sum = sum.value_or(0) + value;
  }
  return sum;
}

std::vector<int> HealthTransitions(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& service, int stop_at, double timeout_s) {
  std::vector<int> seen;
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  while (std::chrono::steady_clock::now() < end) {
    const int h = HealthCheck(channel, service);
    if (seen.empty() || seen.back() != h) seen.push_back(h);
    if (h == stop_at) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return seen;
}

std::optional<std::string> DocumentedDropReason(const superbet::v1::Prediction& p,
                                                const FilterRule& rule) {
  if (p.confidence() < rule.min_confidence) return "low_confidence";
  if (!p.has_vsnr()) return "missing_vsnr";
  if (p.vsnr() < rule.min_vsnr) return "low_vsnr";
  if (!p.has_cas()) return "missing_cas";
  if (p.cas() < rule.min_cas) return "low_cas";
  return std::nullopt;
}

std::string DocumentedEventId(const superbet::v1::Prediction& p) {
  return "pred-" + p.match_id() + "-" +
         std::to_string(p.decided_at().seconds() * 1000 + p.decided_at().nanos() / 1000000);
}

}  // namespace superbet::testing
