#include "services/fake_telegram.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <utility>

namespace superbet::testing {

FakeTelegram::FakeTelegram(std::string token)
    : token_(std::move(token)), server_(std::make_unique<httplib::Server>()) {
  server_->Post(R"(/bot([^/]+)/sendMessage)", [this](const httplib::Request& req,
                                                     httplib::Response& res) {
    Request got;
    nlohmann::json answer;
    const nlohmann::json body =
        nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_object()) {
      if (body.contains("chat_id") && body["chat_id"].is_string()) got.chat_id = body["chat_id"];
      if (body.contains("text") && body["text"].is_string()) got.text = body["text"];
      if (body.contains("parse_mode") && body["parse_mode"].is_string()) {
        got.parse_mode = body["parse_mode"];
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (req.matches[1] != token_) {
      got.status = 401;
      answer = {{"ok", false}, {"error_code", 401}, {"description", "Unauthorized"}};
    } else if (got.chat_id.empty() || got.text.empty()) {
      got.status = 400;
      answer = {{"ok", false},
                {"error_code", 400},
                {"description", "Bad Request: message text is empty"}};
    } else if (!failures_.empty() && failures_.front().status != 200) {
      const Failure f = failures_.front();
      failures_.pop_front();
      got.status = f.status;
      answer = {{"ok", false}, {"error_code", f.status}};
      if (f.status == 429) {
        answer["description"] = "Too Many Requests: retry after " + std::to_string(f.retry_after);
        if (f.retry_after > 0) answer["parameters"] = {{"retry_after", f.retry_after}};
      } else if (f.status == 400) {
        answer["description"] = "Bad Request: chat not found";
      } else {
        answer["description"] = "Internal Server Error";
      }
    } else {
      if (!failures_.empty()) failures_.pop_front();  // A scripted 200: answered normally.
      got.status = 200;
      answer = {{"ok", true},
                {"result",
                 {{"message_id", next_message_id_++},
                  {"sender_chat", {{"id", -1001234567890}, {"type", "channel"}}},
                  {"chat", {{"id", -1001234567890}, {"type", "channel"}, {"username", "itest"}}},
                  {"date", 1700000000},
                  {"text", got.text}}}};
    }
    requests_.push_back(got);
    res.status = got.status;
    res.set_content(answer.dump(), "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

FakeTelegram::~FakeTelegram() { Stop(); }

void FakeTelegram::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

void FakeTelegram::FailNext(const std::vector<Failure>& failures) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.insert(failures_.end(), failures.begin(), failures.end());
}

size_t FakeTelegram::pending_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_.size();
}

std::vector<FakeTelegram::Request> FakeTelegram::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<FakeTelegram::Request> FakeTelegram::delivered() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Request> out;
  for (const Request& r : requests_) {
    if (r.status == 200) out.push_back(r);
  }
  return out;
}

}  // namespace superbet::testing
