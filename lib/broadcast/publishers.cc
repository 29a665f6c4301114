#include "superbet/broadcast/publishers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broadcast/internal/http.h"
#include "broadcast/internal/json_writer.h"
#include "simdjson.h"
#include "superbet/resilience/backoff.h"

namespace superbet::broadcast {

using internal::AppendJsonString;
using internal::HttpPost;
using internal::HttpResponse;

PublishResult ClassifyHttpStatus(long status, absl::string_view detail) {
  PublishResult r;
  if (status >= 200 && status < 300) {
    r.success = true;
    return r;
  }
  r.reason = status == 0 ? "network" : absl::StrCat("http_", status);
  r.error = std::string(detail.substr(0, 300));
  r.retry = status == 0 || status == 429 || status >= 500;
  return r;
}

namespace {

PublishResult FromTransportError(const absl::Status& s) {
  PublishResult r;
  r.retry = true;
  r.reason = s.code() == absl::StatusCode::kDeadlineExceeded ? "timeout" : "network";
  r.error = std::string(s.message());
  return r;
}

// Retry-After header (seconds or HTTP-date) relative to `now`.
std::optional<absl::Duration> RetryAfterHeader(const HttpResponse& resp, absl::Time now) {
  auto it = resp.headers.find("retry-after");
  if (it == resp.headers.end()) return std::nullopt;
  auto d = superbet::resilience::ParseRetryAfter(it->second, now);
  if (!d.ok()) return std::nullopt;
  return *d;
}

absl::StatusOr<std::string> EnvOrFile(const char* name) {
  if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return std::string(v);
  const std::string file_var = absl::StrCat(name, "_FILE");
  if (const char* f = std::getenv(file_var.c_str()); f != nullptr && *f != '\0') {
    std::ifstream in(f);
    if (!in) return absl::NotFoundError(absl::StrCat(file_var, ": cannot read '", f, "'"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }
  return absl::NotFoundError(
      absl::StrCat("credential $", name, " (or $", file_var, ") is not set"));
}

}  // namespace

// ---- sinks -------------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<DirSink>> DirSink::Create(std::string root, std::string platform) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("sink dir:", root, ": not an existing folder"));
  }
  std::string folder = absl::StrCat(root, "/", platform);
  if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::InvalidArgumentError(
        absl::StrCat("sink dir:", root, ": cannot make ", folder, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<DirSink>(new DirSink(std::move(folder), std::move(platform)));
}

PublishResult DirSink::Publish(const BroadcastEvent& event, absl::string_view json) {
  PublishResult r;
  std::string name;
  for (char c : event.id) name.push_back(c == '/' ? '_' : c);
  const std::string path = absl::StrCat(folder_, "/", name, ".json");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) {
    r.reason = errno == EEXIST ? "duplicate" : "io_error";
    r.error = absl::StrCat(path, ": ", std::strerror(errno));
    return r;
  }
  std::string body(json);
  body.push_back('\n');
  // Whole or nothing: a file cut short (full disk, file-size limit) is removed, so the retry
  // writes the event again instead of meeting its own fragment as a "duplicate".
  size_t written = 0;
  int error = 0;
  while (written < body.size()) {
    const ssize_t n = ::write(fd, body.data() + written, body.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      error = n < 0 ? errno : ENOSPC;
      break;
    }
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    r.retry = true;  // Space may come back; the plant's retries and breaker decide.
    r.reason = "io_error";
    r.error = absl::StrCat(path, ": write failed after ", written, " of ", body.size(),
                           " bytes: ", std::strerror(error));
    return r;
  }
  r.success = true;
  return r;
}

PublishResult StreamSink::Publish(const BroadcastEvent&, absl::string_view json) {
  std::string line = "{\"platform\":";
  AppendJsonString(&line, platform_);
  absl::StrAppend(&line, ",\"event\":", json, "}\n");
  PublishResult r;
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size()) {
    r.reason = "io_error";
    return r;
  }
  r.success = true;
  return r;
}

// ---- Telegram ----------------------------------------------------------------------------------

absl::StatusOr<std::string> CredentialFromEnv(const char* name) { return EnvOrFile(name); }

absl::StatusOr<TelegramOptions> LoadTelegramCredentials() {
  TelegramOptions o;
  auto token = EnvOrFile("TELEGRAM_BOT_TOKEN");
  if (!token.ok()) return token.status();
  auto chat = EnvOrFile("TELEGRAM_CHAT_ID");
  if (!chat.ok()) return chat.status();
  o.bot_token = *token;
  o.chat_id = *chat;
  if (const char* b = std::getenv("TELEGRAM_API_BASE"); b != nullptr && *b) o.base_url = b;
  return o;
}

PublishResult TelegramPublisher::Publish(const BroadcastEvent& event, absl::string_view) {
  std::string body = "{\"chat_id\":";
  AppendJsonString(&body, options_.chat_id);
  body.append(",\"text\":");
  AppendJsonString(&body, event.texts.telegram);
  body.append(",\"parse_mode\":\"MarkdownV2\"}");
  auto resp =
      HttpPost(absl::StrCat(options_.base_url, "/bot", options_.bot_token, "/sendMessage"),
               "telegram sendMessage", {"Content-Type: application/json"}, body, options_.timeout);
  if (!resp.ok()) return FromTransportError(resp.status());
  PublishResult r = ClassifyHttpStatus(resp->status, resp->body);
  if (!r.success) {
    // {"ok":false,"error_code":429,"description":"...","parameters":{"retry_after":N}}
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(resp->body).get(doc) == simdjson::SUCCESS) {
      int64_t after = 0;
      if (doc.at_pointer("/parameters/retry_after").get_int64().get(after) == simdjson::SUCCESS) {
        r.retry_after = absl::Seconds(after);
      }
      std::string_view desc;
      if (doc.at_pointer("/description").get_string().get(desc) == simdjson::SUCCESS) {
        r.error = std::string(desc);
      }
    }
  }
  return r;
}

// ---- X -----------------------------------------------------------------------------------------

absl::StatusOr<XOptions> LoadXCredentials() {
  XOptions o;
  for (auto [name, out] :
       {std::pair<const char*, std::string*>{"X_API_KEY", &o.credentials.consumer_key},
        {"X_API_SECRET", &o.credentials.consumer_secret},
        {"X_ACCESS_TOKEN", &o.credentials.token},
        {"X_ACCESS_TOKEN_SECRET", &o.credentials.token_secret}}) {
    auto v = EnvOrFile(name);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  if (const char* b = std::getenv("X_API_BASE"); b != nullptr && *b) o.base_url = b;
  return o;
}

PublishResult XPublisher::Publish(const BroadcastEvent& event, absl::string_view) {
  const std::string url = absl::StrCat(options_.base_url, "/2/tweets");
  const std::string nonce = absl::StrFormat("%016x%016x", rng_(), rng_());
  const absl::Time now = clock_.Now();
  const std::string auth =
      OAuth1Header("POST", url, options_.credentials, nonce, absl::ToUnixSeconds(now));
  std::string body = "{\"text\":";
  AppendJsonString(&body, event.texts.x);
  body.push_back('}');
  auto resp = HttpPost(url, "x /2/tweets",
                       {"Content-Type: application/json", absl::StrCat("Authorization: ", auth)},
                       body, options_.timeout);
  if (!resp.ok()) return FromTransportError(resp.status());
  PublishResult r = ClassifyHttpStatus(resp->status, resp->body);
  if (!r.success && resp->status == 429) {
    r.retry_after = RetryAfterHeader(*resp, now);
    auto it = resp->headers.find("x-rate-limit-reset");
    int64_t reset = 0;
    if (!r.retry_after && it != resp->headers.end() && absl::SimpleAtoi(it->second, &reset)) {
      r.retry_after = std::max(absl::ZeroDuration(), absl::FromUnixSeconds(reset) - now);
    }
  }
  return r;
}

// ---- FCM ---------------------------------------------------------------------------------------

absl::StatusOr<FcmOptions> ParseServiceAccountJson(absl::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("service account: not valid JSON");
  }
  FcmOptions o;
  for (auto [field, out] : {std::pair<const char*, std::string*>{"project_id", &o.project_id},
                            {"client_email", &o.client_email},
                            {"private_key", &o.private_key}}) {
    std::string_view v;
    if (doc[field].get_string().get(v) != simdjson::SUCCESS || v.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("service account: field '", field, "' is missing or not a string"));
    }
    out->assign(v.data(), v.size());
  }
  std::string_view uri;
  if (doc["token_uri"].get_string().get(uri) == simdjson::SUCCESS) o.token_uri = std::string(uri);
  return o;
}

absl::StatusOr<FcmOptions> LoadFcmCredentials() {
  const char* path = std::getenv("GOOGLE_APPLICATION_CREDENTIALS");
  if (path == nullptr || *path == '\0') {
    return absl::NotFoundError("credential $GOOGLE_APPLICATION_CREDENTIALS is not set");
  }
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("service account file '", path, "' unreadable"));
  std::stringstream ss;
  ss << in.rdbuf();
  auto o = ParseServiceAccountJson(ss.str());
  if (!o.ok()) return o.status();
  if (const char* t = std::getenv("FCM_TOPIC"); t != nullptr && *t) o->topic = t;
  if (const char* b = std::getenv("FCM_API_BASE"); b != nullptr && *b) o->base_url = b;
  return o;
}

PublishResult FcmPublisher::EnsureToken() {
  PublishResult r;
  const absl::Time now = clock_.Now();
  if (!token_.empty() && now < token_expires_ - absl::Seconds(60)) {
    r.success = true;
    return r;
  }
  const int64_t iat = absl::ToUnixSeconds(now);
  std::string claims = "{\"iss\":";
  AppendJsonString(&claims, options_.client_email);
  absl::StrAppend(&claims,
                  ",\"scope\":\"https://www.googleapis.com/auth/firebase.messaging\",\"aud\":");
  AppendJsonString(&claims, options_.token_uri);
  absl::StrAppend(&claims, ",\"iat\":", iat, ",\"exp\":", iat + 3600, "}");
  auto jwt = SignJwtRs256(claims, options_.private_key);
  if (!jwt.ok()) {
    r.reason = "credentials";
    r.error = std::string(jwt.status().message());
    return r;
  }
  ++token_requests_;
  const std::string body = absl::StrCat(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=", *jwt);
  auto resp = HttpPost(options_.token_uri, "oauth2 token",
                       {"Content-Type: application/x-www-form-urlencoded"}, body, options_.timeout);
  if (!resp.ok()) return FromTransportError(resp.status());
  r = ClassifyHttpStatus(resp->status, "token endpoint");
  if (!r.success) {
    r.reason = absl::StrCat("token_", r.reason);
    return r;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view tok;
  int64_t expires_in = 0;
  if (parser.parse(resp->body).get(doc) != simdjson::SUCCESS ||
      doc["access_token"].get_string().get(tok) != simdjson::SUCCESS) {
    r.success = false;
    r.retry = true;
    r.reason = "token_invalid_response";
    return r;
  }
  if (doc["expires_in"].get_int64().get(expires_in) != simdjson::SUCCESS) expires_in = 3600;
  token_ = std::string(tok);
  token_expires_ = now + absl::Seconds(expires_in);
  return r;
}

PublishResult FcmPublisher::Publish(const BroadcastEvent& event, absl::string_view) {
  PublishResult t = EnsureToken();
  if (!t.success) return t;
  const bool high = event.tier == PriorityTier::kCritical || event.tier == PriorityTier::kHigh;
  std::string body = "{\"message\":{\"topic\":";
  AppendJsonString(&body, options_.topic);
  body.append(",\"notification\":{\"title\":");
  AppendJsonString(&body, event.texts.android.title);
  body.append(",\"body\":");
  AppendJsonString(&body, event.texts.android.body);
  absl::StrAppend(&body, "},\"android\":{\"priority\":\"", high ? "HIGH" : "NORMAL",
                  "\"},\"data\":{\"event_id\":");
  AppendJsonString(&body, event.id);
  body.append("}}}");
  auto resp = HttpPost(
      absl::StrCat(options_.base_url, "/v1/projects/", options_.project_id, "/messages:send"),
      "fcm messages:send",
      {"Content-Type: application/json", absl::StrCat("Authorization: Bearer ", token_)}, body,
      options_.timeout);
  if (!resp.ok()) return FromTransportError(resp.status());
  PublishResult r = ClassifyHttpStatus(resp->status, resp->body);
  if (!r.success) {
    if (resp->status == 401) token_.clear();  // Expired or revoked: fetch a new one next time.
    r.retry_after = RetryAfterHeader(*resp, clock_.Now());
  }
  return r;
}

}  // namespace superbet::broadcast
