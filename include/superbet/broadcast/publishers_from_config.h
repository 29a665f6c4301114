// The platform publishers a broadcast plant posts with, built from a plain configuration (a
// service's flags, a config file): the platform names, the Telegram Bot API base URL, token file
// and chat id, and otherwise the credentials from the environment (superbet/broadcast/
// publishers.h: LoadTelegramCredentials, LoadXCredentials, LoadFcmCredentials).
//
//   telegram  TelegramPublisher. Token: the first line of telegram_token_file (a trailing "\r\n"
//             or "\n" and anything after it ignored); chat: telegram_chat_id. Each one left
//             empty comes from the environment: the token from $TELEGRAM_BOT_TOKEN (or the file
//             named by $TELEGRAM_BOT_TOKEN_FILE), the chat from $TELEGRAM_CHAT_ID (or
//             $TELEGRAM_CHAT_ID_FILE). The base URL is always telegram_base_url.
//   twitter   XPublisher, OAuth 1.0a credentials from $X_API_KEY, $X_API_SECRET, $X_ACCESS_TOKEN,
//             $X_ACCESS_TOKEN_SECRET (each or its _FILE variant); nonces seeded with `seed`.
//   android   FcmPublisher, the service account named by $GOOGLE_APPLICATION_CREDENTIALS.
//
// Credentials never appear in an error message.

#ifndef SUPERBET_BROADCAST_PUBLISHERS_FROM_CONFIG_H_
#define SUPERBET_BROADCAST_PUBLISHERS_FROM_CONFIG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "superbet/broadcast/publisher.h"
#include "superbet/core/clock.h"

namespace superbet::broadcast {

struct PublisherConfig {
  std::vector<std::string> platforms = {"telegram"};  // Any of twitter, telegram, android.
  std::string telegram_base_url = "https://api.telegram.org";
  std::string telegram_token_file;  // Empty: the environment (see the file comment).
  std::string telegram_chat_id;     // "@channel" or a numeric id; empty: $TELEGRAM_CHAT_ID.
};

// The publishers, owned, and the map BroadcastPlant::Create takes (platform -> publisher, the
// pointers into `owned`). Movable; the map stays valid as long as `owned` lives.
struct OwnedPublishers {
  std::vector<std::unique_ptr<Publisher>> owned;
  std::map<std::string, Publisher*> by_platform;
};

// One publisher per platform of config.platforms, in that order. `clock` (not owned, must outlive
// the publishers) gives X's OAuth timestamps and FCM's token expiry; `seed` X's OAuth nonces (the
// plant's PlantOptions::seed).
// Errors: InvalidArgument `unknown platform "x"` for a name other than twitter, telegram, android
// (a configuration error: nothing else returns InvalidArgument); otherwise the platform's name
// then the cause, e.g. `telegram: NOT_FOUND: credential $TELEGRAM_CHAT_ID (or
// $TELEGRAM_CHAT_ID_FILE) is not set (give telegram_chat_id, or leave telegram out of the
// platforms)` (the one credential missing, and the field that gives it), `telegram:
// telegram_token_file /x: NOT_FOUND: cannot open /x: ...`, with the cause's code (NotFound for a
// missing variable or
// file, PermissionDenied, Internal), except that a credential file that is not valid
// (InvalidArgument from the loader) is FailedPrecondition.
[[nodiscard]] absl::StatusOr<OwnedPublishers> PublishersFromConfig(
    const PublisherConfig& config, const superbet::core::Clock& clock, uint64_t seed);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PUBLISHERS_FROM_CONFIG_H_
