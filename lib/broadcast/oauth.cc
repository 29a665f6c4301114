#include "superbet/broadcast/oauth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace superbet::broadcast {

std::string PercentEncode(absl::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string OAuth1SignatureBase(absl::string_view method, absl::string_view url,
                                const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(params.size());
  for (const auto& [k, v] : params) enc.emplace_back(PercentEncode(k), PercentEncode(v));
  std::sort(enc.begin(), enc.end());
  std::vector<std::string> parts;
  for (const auto& [k, v] : enc) parts.push_back(absl::StrCat(k, "=", v));
  return absl::StrCat(method, "&", PercentEncode(url), "&",
                      PercentEncode(absl::StrJoin(parts, "&")));
}

std::string Base64(absl::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

std::string Base64Url(absl::string_view bytes) {
  std::string s = Base64(bytes);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string OAuth1Signature(absl::string_view base, absl::string_view consumer_secret,
                            absl::string_view token_secret) {
  const std::string key =
      absl::StrCat(PercentEncode(consumer_secret), "&", PercentEncode(token_secret));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), md, &len);
  return Base64(absl::string_view(reinterpret_cast<const char*>(md), len));
}

std::string OAuth1Header(absl::string_view method, absl::string_view url,
                         const OAuth1Credentials& c, absl::string_view nonce, int64_t timestamp_s,
                         const std::vector<std::pair<std::string, std::string>>& extra_params) {
  std::vector<std::pair<std::string, std::string>> oauth = {
      {"oauth_consumer_key", c.consumer_key},
      {"oauth_nonce", std::string(nonce)},
      {"oauth_signature_method", "HMAC-SHA1"},
      {"oauth_timestamp", std::to_string(timestamp_s)},
      {"oauth_token", c.token},
      {"oauth_version", "1.0"}};
  std::vector<std::pair<std::string, std::string>> all = oauth;
  all.insert(all.end(), extra_params.begin(), extra_params.end());
  const std::string sig =
      OAuth1Signature(OAuth1SignatureBase(method, url, all), c.consumer_secret, c.token_secret);
  oauth.emplace_back("oauth_signature", sig);
  std::sort(oauth.begin(), oauth.end());
  std::vector<std::string> parts;
  for (const auto& [k, v] : oauth) {
    parts.push_back(absl::StrCat(PercentEncode(k), "=\"", PercentEncode(v), "\""));
  }
  return absl::StrCat("OAuth ", absl::StrJoin(parts, ", "));
}

absl::StatusOr<std::string> SignJwtRs256(absl::string_view claims_json,
                                         absl::string_view private_key_pem) {
  const std::string signing_input =
      absl::StrCat(Base64Url(R"({"alg":"RS256","typ":"JWT"})"), ".", Base64Url(claims_json));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return absl::InvalidArgumentError("private_key: not a PEM private key");
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return absl::InvalidArgumentError("private_key: not an RSA key (RS256 needs one)");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return absl::InternalError("RS256: signing failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return absl::InternalError("RS256: signing failed");
  }
  sig.resize(len);
  return absl::StrCat(signing_input, ".", Base64Url(sig));
}

}  // namespace superbet::broadcast
