// A fake Telegram Bot API server on 127.0.0.1 (port 0) for the services' end-to-end tests.
//
// It answers POST /bot<token>/sendMessage as the real Bot API does
// (core.telegram.org/bots/api#sendmessage, #making-requests): 200
// {"ok":true,"result":{<Message>}} with a message_id counting from 1; 401 {"ok":false,
// "error_code":401,"description":"Unauthorized"} for another token; 400 for a body without
// chat_id or text. It can be told to fail the next requests: 429 with parameters.retry_after
// (#responseparameters), 500, or a permanent 400 — consumed in order, one per request (a scripted
// 200 is answered normally, to place a failure after a success).
//
// Everything it got is recorded (status answered, chat_id, text, parse_mode).
//
// Thread-safety: thread-safe (the server's threads and the test's thread share a mutex). Owns the
// httplib server and its listening thread; Stop() (or the destructor) joins it.
#ifndef SUPERBET_TESTS_SERVICES_FAKE_TELEGRAM_H_
#define SUPERBET_TESTS_SERVICES_FAKE_TELEGRAM_H_

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace superbet::testing {

class FakeTelegram {
 public:
  struct Request {
    int status = 0;  // What the fake answered.
    std::string chat_id;
    std::string text;
    std::string parse_mode;
  };
  struct Failure {
    int status = 500;     // 429, 500, 400, ...; 200 = answer normally.
    int retry_after = 0;  // Seconds, sent as parameters.retry_after with a 429 (0 = none).
  };

  // Serves the bot `token` on 127.0.0.1, any free port.
  explicit FakeTelegram(std::string token);
  ~FakeTelegram();
  FakeTelegram(const FakeTelegram&) = delete;
  FakeTelegram& operator=(const FakeTelegram&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The next requests (one each, in order) are answered with these failures.
  void FailNext(const std::vector<Failure>& failures);
  // Failures still queued.
  size_t pending_failures() const;

  std::vector<Request> requests() const;
  // Requests answered 200 (the messages Telegram would have posted).
  std::vector<Request> delivered() const;

  void Stop();

 private:
  const std::string token_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::deque<Failure> failures_;
  std::vector<Request> requests_;
  int next_message_id_ = 1;
};

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SERVICES_FAKE_TELEGRAM_H_
