// Request signing for the platform publishers.
//
// OAuth 1.0a HMAC-SHA1 (RFC 5849 section 3.4; X's "Creating a signature" and "Authorizing a
// request" pages): the signature base string is METHOD & enc(base URL) & enc(sorted, encoded
// parameters), the key enc(consumer secret) & enc(token secret), the signature
// base64(HMAC-SHA1(key, base)). Percent-encoding is RFC 3986 with the unreserved set A-Z a-z 0-9
// - . _ ~ left as is.
//
// RS256 JSON Web Token (RFC 7515, RFC 7518 section 3.3) for Google's OAuth 2.0 service-account
// flow (developers.google.com/identity/protocols/oauth2/service-account): header
// {"alg":"RS256","typ":"JWT"}, claims iss, scope, aud, iat, exp, signed with the service account's
// PEM private key (OpenSSL EVP, RSASSA-PKCS1-v1_5 with SHA-256), base64url without padding.

#ifndef SUPERBET_BROADCAST_OAUTH_H_
#define SUPERBET_BROADCAST_OAUTH_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::broadcast {

// RFC 3986 percent-encoding (upper-case hex) of every byte outside A-Z a-z 0-9 - . _ ~.
std::string PercentEncode(absl::string_view s);

struct OAuth1Credentials {
  std::string consumer_key;
  std::string consumer_secret;
  std::string token;
  std::string token_secret;
};

// The signature base string of a request. `url` is the base URL (no query); `params` are the raw
// (unencoded) query, form-body and oauth_* parameters (oauth_signature excluded).
std::string OAuth1SignatureBase(absl::string_view method, absl::string_view url,
                                const std::vector<std::pair<std::string, std::string>>& params);

// base64(HMAC-SHA1(enc(consumer_secret) "&" enc(token_secret), base)).
std::string OAuth1Signature(absl::string_view base, absl::string_view consumer_secret,
                            absl::string_view token_secret);

// The Authorization header value "OAuth oauth_consumer_key=\"...\", ..." for a request whose only
// signed parameters are the oauth_* ones plus `extra_params` (a JSON body, as X API v2's
// POST /2/tweets, is not signed). `nonce` and `timestamp_s` are injected (a random source and the
// plant's clock).
std::string OAuth1Header(absl::string_view method, absl::string_view url,
                         const OAuth1Credentials& credentials, absl::string_view nonce,
                         int64_t timestamp_s,
                         const std::vector<std::pair<std::string, std::string>>& extra_params = {});

// base64url without padding (RFC 7515 appendix C).
std::string Base64Url(absl::string_view bytes);
// Standard base64 with padding.
std::string Base64(absl::string_view bytes);

// A signed RS256 JWT "header.claims.signature" for the given claims JSON object.
// Errors: InvalidArgument when `private_key_pem` is not a PEM RSA private key.
[[nodiscard]] absl::StatusOr<std::string> SignJwtRs256(absl::string_view claims_json,
                                                       absl::string_view private_key_pem);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_OAUTH_H_
