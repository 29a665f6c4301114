// The TLS and token files a service is started with, read before the gRPC server is built
// (common/tls_files.h, ServiceRuntime::Create). Oracles: OpenSSL itself (`openssl req` makes two
// self-signed certificates with their keys; a key with the other certificate is a mismatch), and
// the operator's contract in services/README.md: a wrong path exits 1 with a message naming the
// flag and the path. Before this test, a missing file's message named the path only ("cannot open
// /x.pem"), and swapped or mismatched PEM files surfaced as "cannot listen on --grpc_address".
#include "common/tls_files.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/server.h"
#include "services/process.h"
#include "superbet/core/clock.h"

namespace superbet::services {
namespace {

using superbet::testing::TempDir;

void SelfSigned(const TempDir& dir, const std::string& name) {
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
      "-keyout " +
      dir.File(name + ".key") + " -out " + dir.File(name + ".crt") + " > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

TEST_CASE("services: TLS files are checked up front, each error naming the flag and the path",
          "[services][tls]") {
  TempDir dir;
  SelfSigned(dir, "a");
  SelfSigned(dir, "b");
  REQUIRE(ReadTlsFiles(dir.File("a.crt"), dir.File("a.key")).ok());

  absl::Status s = ReadTlsFiles("/nonexistent/cert.pem", dir.File("a.key")).status();
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message() ==
        "--tls_cert /nonexistent/cert.pem: cannot open /nonexistent/cert.pem: No such file or "
        "directory");
  s = ReadTlsFiles(dir.File("a.crt"), "/nonexistent/key.pem").status();
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message().rfind("--tls_key /nonexistent/key.pem: cannot open", 0) == 0);

  // Swapped: the key file given as the certificate.
  s = ReadTlsFiles(dir.File("a.key"), dir.File("a.crt")).status();
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message() == "--tls_cert " + dir.File("a.key") +
                           ": no PEM certificate in it (\"-----BEGIN CERTIFICATE-----\")");
  // A certificate given as the key.
  s = ReadTlsFiles(dir.File("a.crt"), dir.File("b.crt")).status();
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message().rfind("--tls_key " + dir.File("b.crt") + ": no unencrypted PEM private key",
                          0) == 0);
  // Another certificate's key.
  s = ReadTlsFiles(dir.File("a.crt"), dir.File("b.key")).status();
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message() == "--tls_key " + dir.File("b.key") +
                           " is not the key of the certificate in --tls_cert " + dir.File("a.crt"));
}

TEST_CASE("services: ServiceRuntime::Create names the flag of a TLS or token file it cannot use",
          "[services][tls]") {
  TempDir dir;
  SelfSigned(dir, "a");
  SelfSigned(dir, "b");
  auto create = [](ServerOptions o) {
    o.service = "test-svc";
    o.grpc_address = "127.0.0.1:0";
    o.metrics_address = "127.0.0.1:0";
    return ServiceRuntime::Create(o, core::SystemClock::Instance()).status();
  };
  ServerOptions tls;
  tls.tls_cert = "/nonexistent/cert.pem";
  tls.tls_key = dir.File("a.key");
  absl::Status s = create(tls);
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message().rfind("--tls_cert /nonexistent/cert.pem: ", 0) == 0);
  tls.tls_cert = dir.File("a.crt");
  tls.tls_key = dir.File("b.key");
  s = create(tls);
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message().find("is not the key of the certificate") != std::string::npos);

  ServerOptions token;
  token.token_file = "/nonexistent/token";
  s = create(token);
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message() ==
        "--token_file /nonexistent/token: cannot open /nonexistent/token: No such file or "
        "directory");
}

}  // namespace
}  // namespace superbet::services
