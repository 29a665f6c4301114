// PublishersFromConfig (superbet/broadcast/publishers_from_config.h): the publishers broadcast-svc
// builds from its flags and the environment.
// Oracles: the Telegram Bot API's documented request (core.telegram.org/bots/api#sendmessage:
// POST {base}/bot{token}/sendMessage with JSON chat_id and text), seen by a fake server on
// 127.0.0.1 (port 0): which token, chat and base URL the publisher was given; the documented
// precedence (a non-empty field wins over the environment); the error contract (InvalidArgument
// only for an unknown platform, the platform named otherwise, credentials never in a message).

#include "superbet/broadcast/publishers_from_config.h"

#include <httplib.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "simdjson.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/broadcast/format.h"
#include "superbet/broadcast/prediction_input.h"
#include "support/loopback_http.h"

namespace sb = superbet::broadcast;
namespace st = superbet::testing;
using superbet::core::FakeClock;

namespace {

// Sets (or unsets, for nullopt) environment variables for a test and restores them after.
class EnvGuard {
 public:
  explicit EnvGuard(const std::map<std::string, std::optional<std::string>>& vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old == nullptr ? std::nullopt : std::optional<std::string>(old);
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// No platform credential in the environment.
std::map<std::string, std::optional<std::string>> NoCredentials() {
  std::map<std::string, std::optional<std::string>> vars;
  for (const char* v :
       {"TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN_FILE", "TELEGRAM_CHAT_ID", "TELEGRAM_API_BASE",
        "X_API_KEY", "X_API_KEY_FILE", "X_API_SECRET", "X_API_SECRET_FILE", "X_ACCESS_TOKEN",
        "X_ACCESS_TOKEN_FILE", "X_ACCESS_TOKEN_SECRET", "X_ACCESS_TOKEN_SECRET_FILE",
        "GOOGLE_APPLICATION_CREDENTIALS", "FCM_TOPIC"}) {
    vars[v] = std::nullopt;
  }
  return vars;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/superbet-pubcfg-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    path = tmpl;
    std::FILE* f = ::fdopen(fd, "w");
    REQUIRE(f != nullptr);
    std::fputs(content.c_str(), f);
    std::fclose(f);
  }
  ~TempFile() { std::filesystem::remove(path); }
};

// A fake Bot API: records the path and chat_id of each sendMessage, answers ok.
struct FakeBotApi {
  httplib::Server server;
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> calls;  // {path, chat_id}.
  FakeBotApi() {
    server.Post(R"(/bot(.+)/sendMessage)", [this](const httplib::Request& req,
                                                  httplib::Response& res) {
      simdjson::dom::parser parser;
      std::string_view chat;
      auto doc = parser.parse(req.body);
      const bool ok = !doc.error() && doc["chat_id"].get_string().get(chat) == simdjson::SUCCESS;
      std::lock_guard<std::mutex> lock(mu);
      calls.emplace_back(req.path, ok ? std::string(chat) : "(no chat_id)");
      res.set_content(R"({"ok":true,"result":{"message_id":1}})", "application/json");
    });
  }
};

sb::BroadcastEvent Event() {
  auto p = sb::ParsePredictionLine(
      R"({"match_id":"football-data:E0_2324:2","home":"Burnley","away":"Man City",)"
      R"("kickoff":"2023-08-11T19:00:00Z","pick":"away","prob":{"home":0.1,"draw":0.15,)"
      R"("away":0.75},"odds":{"home":8.0,"draw":5.5,"away":1.4},"confidence":0.8,"vsnr":3.0,)"
      R"("cas":1.1,"kelly_fraction":0.05,"decided_at":"2023-08-11T15:00:00Z","agent":"model",)"
      R"("model_version":"test"})",
      1);
  REQUIRE(p.ok());
  auto f = sb::Formatter::Create({});
  REQUIRE(f.ok());
  return sb::BuildEvent(*p, *f);
}

}  // namespace

TEST_CASE("PublishersFromConfig: telegram from a token file and a chat id, to the base URL",
          "[publishers]") {
  EnvGuard env(NoCredentials());
  FakeBotApi api;
  st::LoopbackHttp http(api.server);
  TempFile token("123:FILE-TOKEN\r\nsecond line ignored\n");
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::PublisherConfig config;
  config.platforms = {"telegram"};
  config.telegram_base_url = http.url();
  config.telegram_token_file = token.path;
  config.telegram_chat_id = "@itest";
  auto pubs = sb::PublishersFromConfig(config, clock, 42);
  REQUIRE(pubs.ok());
  REQUIRE(pubs->owned.size() == 1);
  REQUIRE(pubs->by_platform.size() == 1);
  CHECK(pubs->by_platform.at("telegram") == pubs->owned[0].get());
  CHECK(pubs->owned[0]->platform() == "telegram");
  const sb::PublishResult r = pubs->by_platform.at("telegram")->Publish(Event(), "{}");
  CHECK(r.success);
  std::lock_guard<std::mutex> lock(api.mu);
  REQUIRE(api.calls.size() == 1);
  CHECK(api.calls[0].first == "/bot123:FILE-TOKEN/sendMessage");  // The first line only.
  CHECK(api.calls[0].second == "@itest");
}

TEST_CASE("PublishersFromConfig: the environment fills what the config leaves empty",
          "[publishers]") {
  auto vars = NoCredentials();
  vars["TELEGRAM_BOT_TOKEN"] = "456:ENV-TOKEN";
  vars["TELEGRAM_CHAT_ID"] = "@from-env";
  vars["TELEGRAM_API_BASE"] = "http://127.0.0.1:1";  // The config's base URL wins.
  EnvGuard env(vars);
  FakeBotApi api;
  st::LoopbackHttp http(api.server);
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::PublisherConfig config;
  config.platforms = {"telegram"};
  config.telegram_base_url = http.url();
  SECTION("both from the environment") {
    auto pubs = sb::PublishersFromConfig(config, clock, 42);
    REQUIRE(pubs.ok());
    CHECK(pubs->by_platform.at("telegram")->Publish(Event(), "{}").success);
    std::lock_guard<std::mutex> lock(api.mu);
    REQUIRE(api.calls.size() == 1);
    CHECK(api.calls[0].first == "/bot456:ENV-TOKEN/sendMessage");
    CHECK(api.calls[0].second == "@from-env");
  }
  SECTION("a chat id given wins over $TELEGRAM_CHAT_ID") {
    config.telegram_chat_id = "-100200300";
    auto pubs = sb::PublishersFromConfig(config, clock, 42);
    REQUIRE(pubs.ok());
    CHECK(pubs->by_platform.at("telegram")->Publish(Event(), "{}").success);
    std::lock_guard<std::mutex> lock(api.mu);
    REQUIRE(api.calls.size() == 1);
    CHECK(api.calls[0].first == "/bot456:ENV-TOKEN/sendMessage");
    CHECK(api.calls[0].second == "-100200300");
  }
  SECTION("a token file given wins over $TELEGRAM_BOT_TOKEN") {
    TempFile token("789:FILE-TOKEN\n");
    config.telegram_token_file = token.path;
    auto pubs = sb::PublishersFromConfig(config, clock, 42);
    REQUIRE(pubs.ok());
    CHECK(pubs->by_platform.at("telegram")->Publish(Event(), "{}").success);
    std::lock_guard<std::mutex> lock(api.mu);
    REQUIRE(api.calls.size() == 1);
    CHECK(api.calls[0].first == "/bot789:FILE-TOKEN/sendMessage");
    CHECK(api.calls[0].second == "@from-env");
  }
}

TEST_CASE("PublishersFromConfig: errors name the platform, only a bad name is InvalidArgument",
          "[publishers]") {
  EnvGuard env(NoCredentials());
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::PublisherConfig config;

  config.platforms = {"myspace"};
  auto unknown = sb::PublishersFromConfig(config, clock, 42);
  CHECK(absl::IsInvalidArgument(unknown.status()));
  CHECK(unknown.status().message() == "unknown platform \"myspace\"");

  // Telegram without credentials anywhere: NotFound naming the variable, and the way out.
  config.platforms = {"telegram"};
  auto no_env = sb::PublishersFromConfig(config, clock, 42);
  CHECK(absl::IsNotFound(no_env.status()));
  CHECK(absl::StartsWith(no_env.status().message(), "telegram: NOT_FOUND: "));
  CHECK(absl::StrContains(no_env.status().message(), "TELEGRAM_BOT_TOKEN"));
  CHECK(absl::StrContains(no_env.status().message(),
                          "(give telegram_token_file, or leave telegram out"));

  // A token file but no chat id anywhere: the environment is asked, and says which is missing;
  // the token is never quoted.
  TempFile token("123:SECRET-TOKEN\n");
  config.telegram_token_file = token.path;
  auto no_chat = sb::PublishersFromConfig(config, clock, 42);
  CHECK(absl::IsNotFound(no_chat.status()));
  CHECK_FALSE(absl::StrContains(no_chat.status().message(), "SECRET"));
  // ... and it is the chat id that is named, not the token the file gave (it used to say
  // "credential $TELEGRAM_BOT_TOKEN ... is not set" to an operator who had given the token file).
  CHECK(no_chat.status().message() ==
        "telegram: NOT_FOUND: credential $TELEGRAM_CHAT_ID (or $TELEGRAM_CHAT_ID_FILE) is not set "
        "(give telegram_chat_id, or leave telegram out of the platforms)");
  {  // The other way round: a chat id given, no token anywhere.
    sb::PublisherConfig chat_only = config;
    chat_only.telegram_token_file.clear();
    chat_only.telegram_chat_id = "@c";
    auto no_token = sb::PublishersFromConfig(chat_only, clock, 42);
    CHECK(absl::IsNotFound(no_token.status()));
    CHECK(no_token.status().message() ==
          "telegram: NOT_FOUND: credential $TELEGRAM_BOT_TOKEN (or $TELEGRAM_BOT_TOKEN_FILE) is "
          "not set (give telegram_token_file, or leave telegram out of the platforms)");
  }

  config.telegram_chat_id = "@c";
  config.telegram_token_file = token.path + ".missing";
  auto missing_file = sb::PublishersFromConfig(config, clock, 42);
  CHECK(absl::IsNotFound(missing_file.status()));
  CHECK(absl::StartsWith(missing_file.status().message(),
                         "telegram: telegram_token_file " + token.path + ".missing: "));
  CHECK(absl::StrContains(missing_file.status().message(), ".missing"));

  // Telegram fine, twitter without credentials: the error names twitter.
  config.telegram_token_file = token.path;
  config.platforms = {"telegram", "twitter"};
  auto no_x = sb::PublishersFromConfig(config, clock, 42);
  CHECK(absl::IsNotFound(no_x.status()));
  CHECK(absl::StartsWith(no_x.status().message(), "twitter: NOT_FOUND: "));
  CHECK(absl::StrContains(no_x.status().message(), "X_API_KEY"));

  config.platforms = {"android"};
  auto no_fcm = sb::PublishersFromConfig(config, clock, 42);
  CHECK(absl::IsNotFound(no_fcm.status()));
  CHECK(absl::StartsWith(no_fcm.status().message(), "android: NOT_FOUND: "));
}

TEST_CASE("PublishersFromConfig: a bad credential file is FailedPrecondition, not a usage error",
          "[publishers]") {
  auto vars = NoCredentials();
  TempFile account(R"({"project_id":"p","client_email":"a@p.iam"})");  // No private_key.
  vars["GOOGLE_APPLICATION_CREDENTIALS"] = account.path;
  EnvGuard env(vars);
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::PublisherConfig config;
  config.platforms = {"android"};
  auto bad = sb::PublishersFromConfig(config, clock, 42);
  CHECK(bad.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StartsWith(bad.status().message(), "android: INVALID_ARGUMENT: "));
  CHECK(absl::StrContains(bad.status().message(), "private_key"));
}

TEST_CASE("PublishersFromConfig: every platform from the environment, in the configured order",
          "[publishers]") {
  auto vars = NoCredentials();
  vars["TELEGRAM_BOT_TOKEN"] = "1:T";
  vars["TELEGRAM_CHAT_ID"] = "@c";
  vars["X_API_KEY"] = "k";
  vars["X_API_SECRET"] = "s";
  vars["X_ACCESS_TOKEN"] = "t";
  vars["X_ACCESS_TOKEN_SECRET"] = "ts";
  EnvGuard env(vars);
  FakeClock clock(absl::FromUnixSeconds(1690000000));
  sb::PublisherConfig config;
  config.platforms = {"twitter", "telegram"};
  auto pubs = sb::PublishersFromConfig(config, clock, 42);
  REQUIRE(pubs.ok());
  REQUIRE(pubs->owned.size() == 2);
  CHECK(pubs->owned[0]->platform() == "twitter");
  CHECK(pubs->owned[1]->platform() == "telegram");
  CHECK(pubs->by_platform.at("twitter") == pubs->owned[0].get());
  CHECK(pubs->by_platform.at("telegram") == pubs->owned[1].get());
  config.platforms = {};
  auto none = sb::PublishersFromConfig(config, clock, 42);
  REQUIRE(none.ok());
  CHECK(none->owned.empty());
}
