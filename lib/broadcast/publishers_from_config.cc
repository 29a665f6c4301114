// Publishers from a plain configuration (moved from broadcast-svc's main).
#include "superbet/broadcast/publishers_from_config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "superbet/broadcast/publishers.h"
#include "superbet/core/file.h"

namespace superbet::broadcast {
namespace {

// "<platform>: <cause>" with the cause's code; InvalidArgument (a bad credential file) becomes
// FailedPrecondition, so that InvalidArgument always means a bad platform list.
absl::Status PlatformError(absl::string_view platform, const absl::Status& cause,
                           absl::string_view hint = "") {
  const absl::StatusCode code =
      absl::IsInvalidArgument(cause) ? absl::StatusCode::kFailedPrecondition : cause.code();
  return absl::Status(code, absl::StrCat(platform, ": ", cause.ToString(), hint));
}

// Each of the token and the chat id from the config when given, else from the environment
// (CredentialFromEnv); an error names the one that is missing and the config field that gives it.
absl::StatusOr<TelegramOptions> TelegramFromConfig(const PublisherConfig& config) {
  TelegramOptions t;
  t.base_url = config.telegram_base_url;
  if (!config.telegram_token_file.empty()) {
    auto token = superbet::core::ReadFile(config.telegram_token_file);
    if (!token.ok()) {
      return PlatformError(
          absl::StrCat("telegram: telegram_token_file ", config.telegram_token_file),
          token.status());
    }
    t.bot_token = token->substr(0, token->find_first_of("\r\n"));
  } else {
    auto token = CredentialFromEnv("TELEGRAM_BOT_TOKEN");
    if (!token.ok()) {
      return PlatformError("telegram", token.status(),
                           " (give telegram_token_file, or leave telegram out of the platforms)");
    }
    t.bot_token = *std::move(token);
  }
  if (!config.telegram_chat_id.empty()) {
    t.chat_id = config.telegram_chat_id;
  } else {
    auto chat = CredentialFromEnv("TELEGRAM_CHAT_ID");
    if (!chat.ok()) {
      return PlatformError("telegram", chat.status(),
                           " (give telegram_chat_id, or leave telegram out of the platforms)");
    }
    t.chat_id = *std::move(chat);
  }
  return t;
}

}  // namespace

absl::StatusOr<OwnedPublishers> PublishersFromConfig(const PublisherConfig& config,
                                                     const superbet::core::Clock& clock,
                                                     uint64_t seed) {
  OwnedPublishers out;
  for (const std::string& p : config.platforms) {
    if (p == "telegram") {
      auto t = TelegramFromConfig(config);
      if (!t.ok()) return t.status();
      out.owned.push_back(std::make_unique<TelegramPublisher>(*std::move(t)));
    } else if (p == "twitter") {
      auto c = LoadXCredentials();
      if (!c.ok()) return PlatformError("twitter", c.status());
      out.owned.push_back(std::make_unique<XPublisher>(*std::move(c), clock, seed));
    } else if (p == "android") {
      auto c = LoadFcmCredentials();
      if (!c.ok()) return PlatformError("android", c.status());
      out.owned.push_back(std::make_unique<FcmPublisher>(*std::move(c), clock));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown platform \"", p, "\""));
    }
    out.by_platform[p] = out.owned.back().get();
  }
  return out;
}

}  // namespace superbet::broadcast
