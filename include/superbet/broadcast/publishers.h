// The platform publishers and the embedded sinks.
//
//   DirSink          dir:PATH: one file PATH/{platform}/{event id}.json holding the CloudEvent
//                    (structured JSON, data = BroadcastData). Created exclusively: a second write
//                    of the same event fails (permanent, reason "duplicate"), so a test can see it.
//                    Written whole or not at all: a failed write (full disk) removes the file and
//                    fails with reason "io_error", retry set (transient), naming the path and bytes
//                    written.
//   StreamSink       stdout: one line {"platform": "...", "event": <CloudEvent>} per publish.
//   TelegramPublisher  Bot API sendMessage (core.telegram.org/bots/api#sendmessage): POST
//                    {base}/bot{token}/sendMessage, JSON {chat_id, text, parse_mode "MarkdownV2"};
//                    a 429 carries parameters.retry_after (seconds) in its JSON body.
//   XPublisher       X API v2 POST {base}/2/tweets (docs.x.com/x-api/posts/creation-of-a-post),
//                    JSON {"text": ...}, OAuth 1.0a user context (oauth.h); a 429 carries
//                    x-rate-limit-reset (Unix seconds) or Retry-After.
//   FcmPublisher     FCM HTTP v1 POST {base}/v1/projects/{project}/messages:send
//                    (firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send) with a
//                    topic message {notification {title, body}, android {priority}} ("HIGH" for the
//                    critical and high tiers, "NORMAL" otherwise); the bearer token comes from the
//                    service account's token_uri with an RS256 JWT assertion
//                    (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer, scope
//                    https://www.googleapis.com/auth/firebase.messaging) and is cached until 60 s
//                    before its expiry.
//
// Base URLs are configurable (tests point them at local fake servers). Credentials come from the
// environment or files (Load*Credentials) and never appear in errors or logs.
//
// Thread-safety: thread-compatible. Clocks are not owned.

#ifndef SUPERBET_BROADCAST_PUBLISHERS_H_
#define SUPERBET_BROADCAST_PUBLISHERS_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "superbet/broadcast/oauth.h"
#include "superbet/broadcast/publisher.h"
#include "superbet/core/clock.h"

namespace superbet::broadcast {

class DirSink final : public Publisher {
 public:
  // Errors: InvalidArgument when `root` is not an existing folder (the platform folder is made).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DirSink>> Create(std::string root,
                                                                       std::string platform);
  absl::string_view platform() const override { return platform_; }
  PublishResult Publish(const BroadcastEvent& event, absl::string_view cloud_event_json) override;

 private:
  DirSink(std::string folder, std::string platform)
      : folder_(std::move(folder)), platform_(std::move(platform)) {}
  std::string folder_;
  std::string platform_;
};

class StreamSink final : public Publisher {
 public:
  // `out` is not owned (stdout).
  StreamSink(std::FILE* out, std::string platform) : out_(out), platform_(std::move(platform)) {}
  absl::string_view platform() const override { return platform_; }
  PublishResult Publish(const BroadcastEvent& event, absl::string_view cloud_event_json) override;

 private:
  std::FILE* out_;
  std::string platform_;
};

struct TelegramOptions {
  std::string base_url = "https://api.telegram.org";
  std::string bot_token;
  std::string chat_id;  // "@channel" or a numeric id.
  absl::Duration timeout = absl::Seconds(10);
};
// The credential $<name>, else the text of the file named by $<name>_FILE (trailing newlines and
// spaces removed). Errors: NotFound "credential $<name> (or $<name>_FILE) is not set", or
// "<name>_FILE: cannot read '<path>'". Never quotes the credential.
[[nodiscard]] absl::StatusOr<std::string> CredentialFromEnv(const char* name);

// From $TELEGRAM_BOT_TOKEN (or the file named by $TELEGRAM_BOT_TOKEN_FILE) and $TELEGRAM_CHAT_ID.
// Errors: NotFound naming the variable that is missing.
[[nodiscard]] absl::StatusOr<TelegramOptions> LoadTelegramCredentials();

class TelegramPublisher final : public Publisher {
 public:
  explicit TelegramPublisher(TelegramOptions options) : options_(std::move(options)) {}
  absl::string_view platform() const override { return "telegram"; }
  PublishResult Publish(const BroadcastEvent& event, absl::string_view cloud_event_json) override;

 private:
  TelegramOptions options_;
};

struct XOptions {
  std::string base_url = "https://api.x.com";
  OAuth1Credentials credentials;
  absl::Duration timeout = absl::Seconds(10);
};
// From $X_API_KEY, $X_API_SECRET, $X_ACCESS_TOKEN, $X_ACCESS_TOKEN_SECRET (each may instead name a
// file with the _FILE suffix). Errors: NotFound naming the missing variable.
[[nodiscard]] absl::StatusOr<XOptions> LoadXCredentials();

class XPublisher final : public Publisher {
 public:
  // `clock` gives oauth_timestamp; `seed` the nonces.
  XPublisher(XOptions options, const superbet::core::Clock& clock, uint64_t seed)
      : options_(std::move(options)), clock_(clock), rng_(seed) {}
  absl::string_view platform() const override { return "twitter"; }
  PublishResult Publish(const BroadcastEvent& event, absl::string_view cloud_event_json) override;

 private:
  XOptions options_;
  const superbet::core::Clock& clock_;
  std::mt19937_64 rng_;
};

struct FcmOptions {
  std::string base_url = "https://fcm.googleapis.com";
  std::string project_id;
  std::string topic = "predictions";
  std::string client_email;  // Service account.
  std::string private_key;   // PEM.
  std::string token_uri = "https://oauth2.googleapis.com/token";
  absl::Duration timeout = absl::Seconds(10);
};
// From the service-account JSON named by $GOOGLE_APPLICATION_CREDENTIALS (project_id,
// client_email, private_key, token_uri) and optional $FCM_TOPIC.
// Errors: NotFound for a missing variable or file; InvalidArgument naming a missing JSON field.
[[nodiscard]] absl::StatusOr<FcmOptions> LoadFcmCredentials();
// The same from a service-account JSON text.
[[nodiscard]] absl::StatusOr<FcmOptions> ParseServiceAccountJson(absl::string_view json);

class FcmPublisher final : public Publisher {
 public:
  FcmPublisher(FcmOptions options, const superbet::core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {}
  absl::string_view platform() const override { return "android"; }
  PublishResult Publish(const BroadcastEvent& event, absl::string_view cloud_event_json) override;
  // Token requests made so far (the cache's effect, for tests).
  int token_requests() const { return token_requests_; }

 private:
  PublishResult EnsureToken();
  FcmOptions options_;
  const superbet::core::Clock& clock_;
  std::string token_;
  absl::Time token_expires_ = absl::InfinitePast();
  int token_requests_ = 0;
};

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PUBLISHERS_H_
