// OAuth 1.0a: reproduces the signature examples of X's documentation ("Creating a signature":
// the POST statuses/update.json request with consumer secret kAcSOqF21..., token secret
// LswwdoUa..., documented signature hCtSmYh+iHYCEqBWrE7C7hYmtUk= for the v1.1 URL; "Authorizing
// a request": tnnArxj06cWHq44gCs1OSKk/jLY= for the same parameters on the v1 URL).
// RS256: a JWT signed with a freshly generated key verifies with OpenSSL's public-key verify.

#include "superbet/broadcast/oauth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"

namespace sb = superbet::broadcast;

namespace {
const std::vector<std::pair<std::string, std::string>> kParams = {
    {"status", "Hello Ladies + Gentlemen, a signed OAuth request!"},
    {"include_entities", "true"},
    {"oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"},
    {"oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"},
    {"oauth_signature_method", "HMAC-SHA1"},
    {"oauth_timestamp", "1318622958"},
    {"oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"},
    {"oauth_version", "1.0"}};
constexpr char kConsumerSecret[] = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
constexpr char kTokenSecret[] = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
}  // namespace

TEST_CASE("OAuth 1.0a signature reproduces X's documented example", "[oauth]") {
  const std::string base =
      sb::OAuth1SignatureBase("POST", "https://api.twitter.com/1.1/statuses/update.json", kParams);
  CHECK(
      base ==
      "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
      "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ"
      "2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth"
      "_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status"
      "%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%"
      "2521");
  CHECK(sb::OAuth1Signature(base, kConsumerSecret, kTokenSecret) == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
  CHECK(sb::OAuth1Signature(sb::OAuth1SignatureBase(
                                "POST", "https://api.twitter.com/1/statuses/update.json", kParams),
                            kConsumerSecret, kTokenSecret) == "tnnArxj06cWHq44gCs1OSKk/jLY=");
}

TEST_CASE("OAuth 1.0a header carries the seven oauth_ parameters, encoded", "[oauth]") {
  sb::OAuth1Credentials c{"xvz1evFS4wEEPTGEFPHBog", kConsumerSecret,
                          "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", kTokenSecret};
  const std::string h =
      sb::OAuth1Header("POST", "https://api.twitter.com/1.1/statuses/update.json", c,
                       "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958,
                       {{"status", "Hello Ladies + Gentlemen, a signed OAuth request!"},
                        {"include_entities", "true"}});
  CHECK(h.find("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\"") != std::string::npos);
  CHECK(h.rfind("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=", 0) == 0);
  CHECK(sb::PercentEncode("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen");
  CHECK(sb::PercentEncode("-._~") == "-._~");
}

TEST_CASE("RS256 JWT verifies with the public key", "[oauth]") {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  REQUIRE(key != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string pem(data, len);
  BIO_free(bio);
  auto jwt = sb::SignJwtRs256(R"({"iss":"a@b","iat":1})", pem);
  REQUIRE(jwt.ok());
  std::vector<std::string> parts = absl::StrSplit(*jwt, '.');
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == sb::Base64Url(R"({"alg":"RS256","typ":"JWT"})"));
  // Decode the base64url signature and verify.
  std::string sig_b64 = parts[2];
  for (char& ch : sig_b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (sig_b64.size() % 4) sig_b64.push_back('=');
  std::string sig(sig_b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(sig.data()),
                          reinterpret_cast<const unsigned char*>(sig_b64.data()),
                          static_cast<int>(sig_b64.size()));
  REQUIRE(n > 0);
  sig.resize(256);  // 2048-bit key: 256-byte signature (DecodeBlock pads with zeros).
  const std::string input = parts[0] + "." + parts[1];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1);
  CHECK(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  CHECK_FALSE(sb::SignJwtRs256("{}", "not a key").ok());
}
