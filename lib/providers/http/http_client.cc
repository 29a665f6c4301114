#include "superbet/providers/http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace superbet::providers {
namespace {

// curl_global_init is not thread-safe; do it once before the first handle.
void GlobalInitOnce() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

constexpr size_t kBodyPadding = 64;

struct Transfer {
  HttpResponse* response;
  size_t max_body_bytes;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  if (t->response->body.size() + n > t->max_body_bytes) {
    t->too_large = true;
    return 0;  // Aborts the transfer (CURLE_WRITE_ERROR).
  }
  std::string& body = t->response->body;
  // Keep kBodyPadding spare bytes so that JSON parsers can read past the end without a copy.
  if (body.capacity() < body.size() + n + kBodyPadding) {
    body.reserve(std::max(2 * body.capacity(), body.size() + n + kBodyPadding));
  }
  body.append(data, n);
  return n;
}

size_t WriteHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response->headers.clear();  // A new response (after a redirect or 100-continue).
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  t->response->headers[std::move(name)] = std::move(value);
  return n;
}

}  // namespace

const std::string& HttpResponse::Header(const std::string& name) const {
  static const std::string* const kEmpty = new std::string();
  auto it = headers.find(name);
  return it == headers.end() ? *kEmpty : it->second;
}

std::string RedactUrl(const std::string& url) {
  const size_t cut = url.find_first_of("?#");
  return cut == std::string::npos ? url : url.substr(0, cut);
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  GlobalInitOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

absl::StatusOr<HttpResponse> HttpClient::Get(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::lock_guard<std::mutex> lock(mu_);
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return absl::UnavailableError("curl_easy_init failed");
  curl_easy_reset(curl);  // Keeps the connection cache; clears the previous request's options.

  HttpResponse response;
  response.body.reserve(4096);
  Transfer transfer{&response, options_.max_body_bytes};
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : headers) {
    header_list = curl_slist_append(header_list, absl::StrCat(name, ": ", value).c_str());
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.total_timeout)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);

  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(header_list);

  if (rc != CURLE_OK) {
    const std::string where = RedactUrl(url);
    if (transfer.too_large) {
      return absl::UnavailableError(
          absl::StrCat("GET ", where, ": body larger than ", options_.max_body_bytes, " bytes"));
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return absl::UnavailableError(absl::StrCat(
          "GET ", where, ": timeout after ", absl::ToInt64Milliseconds(options_.total_timeout),
          " ms (", error_buffer[0] ? error_buffer : curl_easy_strerror(rc), ")"));
    }
    return absl::UnavailableError(
        absl::StrCat("GET ", where, ": ", error_buffer[0] ? error_buffer : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace superbet::providers
