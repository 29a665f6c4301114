// The PEM files of --tls_cert / --tls_key, read and checked before the gRPC server is built, so
// that a wrong file is reported naming the flag and the path rather than as gRPC's "Unable to
// create secure server" and a port that "cannot be listened on".
//
// Source: OpenSSL's PEM_read_bio_X509(3), PEM_read_bio_PrivateKey(3), X509_check_private_key(3).
#ifndef SUPERBET_SERVICES_COMMON_TLS_FILES_H_
#define SUPERBET_SERVICES_COMMON_TLS_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace superbet::services {

struct TlsPem {
  std::string cert_chain;   // The --tls_cert file's text.
  std::string private_key;  // The --tls_key file's text.
};

// Reads both files and checks that the certificate file holds a PEM certificate, the key file an
// unencrypted PEM private key, and that the key is the certificate's.
// Errors (each message names the flag and the path): NotFound / PermissionDenied when a file
// cannot be read ("--tls_cert /x.pem: cannot open /x.pem: No such file or directory");
// FailedPrecondition for a file without a PEM certificate / private key, or a key that does not
// match the certificate.
[[nodiscard]] absl::StatusOr<TlsPem> ReadTlsFiles(const std::string& cert_path,
                                                  const std::string& key_path);

}  // namespace superbet::services

#endif  // SUPERBET_SERVICES_COMMON_TLS_FILES_H_
