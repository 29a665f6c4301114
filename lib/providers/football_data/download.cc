// football-data.co.uk season download (libcurl); see include/superbet/providers/football_data/football_data.h.

#include <curl/curl.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "superbet/core/file.h"
#include "superbet/core/status_macros.h"
#include "superbet/providers/football_data/football_data.h"

namespace superbet::providers::football_data {
namespace {

constexpr long kConnectTimeoutMs = 5000;  // NOLINT(runtime/int): curl takes long.
constexpr long kTotalTimeoutMs = 30000;   // NOLINT(runtime/int)

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

bool AllOf(absl::string_view s, bool (*pred)(unsigned char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [pred](char c) {
           return pred(static_cast<unsigned char>(c));
         });
}

// curl_global_init is not thread-safe; run it exactly once.
void InitCurlOnce() {
  static const bool kInit = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)kInit;
}

// GET `url` into `body`. Errors: Unavailable (transfer), NotFound (404), Unavailable (>= 400).
absl::Status Fetch(const std::string& url, std::string* body) {
  InitCurlOnce();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::UnavailableError(absl::StrCat("curl_easy_init failed: ", url));
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kTotalTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "libsuperbet/0.1");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  const CURLcode rc = curl_easy_perform(curl);
  long http = 0;  // NOLINT(runtime/int)
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(
        "download failed: ", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc), ": ", url));
  }
  if (http == 404) return absl::NotFoundError(absl::StrCat("HTTP 404: ", url));
  if (http >= 400) return absl::UnavailableError(absl::StrCat("HTTP ", http, ": ", url));
  return absl::OkStatus();
}

}  // namespace

absl::Status DownloadSeason(const std::string& league, const std::string& season_code,
                            const std::string& cache_dir) {
  if (!AllOf(league, absl::ascii_isalnum) || season_code.size() != 4 ||
      !AllOf(season_code, absl::ascii_isdigit)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad league/season for football-data: '", league, "' '", season_code, "'"));
  }
  const std::string url = SeasonUrl(league, season_code);
  std::string body;
  SUPERBET_RETURN_IF_ERROR(Fetch(url, &body));
  const std::string dir = absl::StrCat(cache_dir, "/football-data");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  return core::WriteFileAtomically(absl::StrCat(dir, "/", league, "_", season_code, ".csv"), body);
}

}  // namespace superbet::providers::football_data
