#include "common/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "superbet/core/file.h"

namespace superbet::services {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> Bio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

absl::StatusOr<std::string> Read(const char* flag, const std::string& path) {
  auto text = core::ReadFile(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("--", flag, " ", path, ": ", text.status().message()));
  }
  return text;
}

}  // namespace

absl::StatusOr<TlsPem> ReadTlsFiles(const std::string& cert_path, const std::string& key_path) {
  auto cert_text = Read("tls_cert", cert_path);
  if (!cert_text.ok()) return cert_text.status();
  auto key_text = Read("tls_key", key_path);
  if (!key_text.ok()) return key_text.status();
  auto cert_bio = Bio(*cert_text);
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();  // Leaves no error on this thread's queue for gRPC's own OpenSSL calls.
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls_cert ", cert_path, ": no PEM certificate in it (\"-----BEGIN CERTIFICATE-----\")"));
  }
  auto key_bio = Bio(*key_text);
  // An empty passphrase callback: an encrypted key fails here instead of prompting on a tty.
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(
      key_bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls_key ", key_path, ": no unencrypted PEM private key in it (\"-----BEGIN ",
        "PRIVATE KEY-----\")"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat("--tls_key ", key_path,
                                                      " is not the key of the certificate in "
                                                      "--tls_cert ",
                                                      cert_path));
  }
  return TlsPem{*std::move(cert_text), *std::move(key_text)};
}

}  // namespace superbet::services
