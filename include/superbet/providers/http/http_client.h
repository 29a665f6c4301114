// A small blocking HTTP GET client over libcurl, used by the HTTP provider adapters.
//
// One client keeps one CURL easy handle (guarded by a mutex), so consecutive requests to the same
// host reuse the TCP/TLS connection (HTTP keep-alive). gzip/deflate/brotli bodies are requested
// and decoded (CURLOPT_ACCEPT_ENCODING ""). Response headers are captured with lower-cased names.
//
// Transport outcomes only: an HTTP 4xx/5xx answer is a successful Get() whose `status` says so;
// the caller maps it (see ApiFootballClient). Get() fails only when no HTTP answer was received.

#ifndef SUPERBET_PROVIDERS_HTTP_HTTP_CLIENT_H_
#define SUPERBET_PROVIDERS_HTTP_HTTP_CLIENT_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace superbet::providers {

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);  // 5 s connect.
  absl::Duration total_timeout = absl::Seconds(10);   // ... and 10 s for the whole transfer.
  std::string user_agent = "libsuperbet/0.1";
  // Upper bound on a response body, bytes; a larger body aborts the transfer (kUnavailable).
  size_t max_body_bytes = 64u << 20;
};

struct HttpResponse {
  long status = 0;  // HTTP status code (200, 429, ...).
  // Decoded (gunzipped) body. body.capacity() >= body.size() + 64: the spare bytes let simdjson
  // parse it in place (api_football::kJsonPadding).
  std::string body;
  // Response headers, names lower-cased ("x-ratelimit-requests-remaining"); the last value wins
  // when a header repeats.
  std::map<std::string, std::string> headers;

  // The header's value, or "" when absent. `name` must be lower-case.
  const std::string& Header(const std::string& name) const;
};

// Thread-safe: requests from several threads are serialised on the one handle (the adapters make
// one request at a time per client; create more clients for parallelism). Owns its CURL handle.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET `url` with the extra request `headers` ({name, value}). Header values are never logged and
  // never appear in error messages (they may hold keys).
  //
  // Errors: kUnavailable on every transport failure — DNS, connect refused, TLS, timeout (the
  // message says "timeout after N ms"), a body larger than max_body_bytes, a truncated transfer;
  // the message names the URL (without the query string) and curl's error text.
  [[nodiscard]] absl::StatusOr<HttpResponse> Get(
      const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers);

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
  std::mutex mu_;
  void* curl_ = nullptr;  // CURL*, guarded by mu_.
};

// `url` without its query string and fragment (for error messages).
std::string RedactUrl(const std::string& url);

}  // namespace superbet::providers

#endif  // SUPERBET_PROVIDERS_HTTP_HTTP_CLIENT_H_
