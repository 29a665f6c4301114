// Test harness: a throw-away PostgreSQL server for the store's integration tests.
//
// Start() runs initdb into a fresh temporary directory and starts `postgres` on 127.0.0.1 and a
// free port (plus a Unix socket in that directory), trust authentication, fsync off. As root
// (PostgreSQL refuses to run as root) the directory is given to the unprivileged user `nobody`
// and every server command runs through `runuser -u nobody`. The destructor stops the server
// (pg_ctl stop -m immediate) and removes the directory. Every step is bounded (pg_ctl -t 60).
//
// The binaries are looked up in $SUPERBET_PG_BIN, else /usr/lib/postgresql/<15..>/bin (Debian).
// When none is found Start() returns Unavailable and the tests SKIP with that message;
// scripts/install-deps installs `postgresql`, so CI always runs them.

#ifndef SUPERBET_TESTS_STORE_POSTGRES_HARNESS_H_
#define SUPERBET_TESTS_STORE_POSTGRES_HARNESS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace superbet::testing {

class PostgresServer {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start() {
    const std::string bin = FindBin();
    if (bin.empty()) {
      return absl::UnavailableError(
          "PostgreSQL server binaries not found (set SUPERBET_PG_BIN or apt-get install "
          "postgresql); skipping the PostgreSQL store suite");
    }
    char tmpl[] = "/tmp/superbet-pg-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
    auto server = std::unique_ptr<PostgresServer>(new PostgresServer(bin, tmpl));
    const bool root = geteuid() == 0;
    if (root) {
      server->as_user_ = "runuser -u nobody -- ";
      if (std::system(absl::StrCat("chown nobody '", server->dir_, "'").c_str()) != 0) {
        return absl::InternalError("chown nobody failed");
      }
    }
    server->port_ = FreePort();
    if (server->port_ == 0) return absl::InternalError("no free port on 127.0.0.1");
    const std::string initdb =
        absl::StrCat(server->as_user_, bin, "/initdb -D '", server->dir_,
                     "/data' -U superbet --auth=trust -E UTF8 --no-sync --no-instructions > '",
                     server->dir_, "/initdb.log' 2>&1");
    if (std::system(initdb.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("initdb failed, see ", server->dir_, "/initdb.log"));
    }
    const std::string start =
        absl::StrCat(server->as_user_, bin, "/pg_ctl -D '", server->dir_, "/data' -w -t 60 -l '",
                     server->dir_, "/server.log' -o \"-p ", server->port_, " -k ", server->dir_,
                     " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
                     " -c full_page_writes=off -c max_connections=40\" start > /dev/null 2>&1");
    if (std::system(start.c_str()) != 0) {
      return absl::InternalError(
          absl::StrCat("pg_ctl start failed, see ", server->dir_, "/server.log"));
    }
    server->running_ = true;
    return server;
  }

  ~PostgresServer() {
    if (running_) {
      (void)std::system(absl::StrCat(as_user_, bin_, "/pg_ctl -D '", dir_,
                                     "/data' -m immediate -w -t 60 stop > /dev/null 2>&1")
                            .c_str());
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  // A URL for database `db` ("postgres" exists after initdb).
  std::string Url(const std::string& db = "postgres") const {
    return absl::StrCat("postgres://superbet@127.0.0.1:", port_, "/", db);
  }
  // Creates database `name` and returns its URL.
  absl::StatusOr<std::string> CreateDatabase(const std::string& name) const {
    const std::string cmd = absl::StrCat(bin_, "/psql -q -X -d '", Url(), "' -c 'CREATE DATABASE ",
                                         name, "' > /dev/null 2>&1");
    if (std::system(cmd.c_str()) != 0) {
      return absl::InternalError(absl::StrCat("CREATE DATABASE ", name, " failed"));
    }
    return Url(name);
  }
  // Runs SQL through psql against `url`; true on success.
  bool Psql(const std::string& url, const std::string& sql) const {
    const std::string cmd = absl::StrCat(bin_, "/psql -q -X -v ON_ERROR_STOP=1 -d '", url,
                                         "' -c \"", sql, "\" > /dev/null 2>&1");
    return std::system(cmd.c_str()) == 0;
  }
  // The first row of a query through psql, columns joined by '|' ("" on error).
  std::string QueryOne(const std::string& url, const std::string& sql) const {
    const std::string cmd =
        absl::StrCat(bin_, "/psql -X -A -t -F '|' -d '", url, "' -c \"", sql, "\" 2> /dev/null");
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
      pclose(p);
    }
    const size_t nl = out.find('\n');
    return nl == std::string::npos ? out : out.substr(0, nl);
  }
  const std::string& bin() const { return bin_; }

 private:
  PostgresServer(std::string bin, std::string dir) : bin_(std::move(bin)), dir_(std::move(dir)) {}

  static std::string FindBin() {
    if (const char* env = std::getenv("SUPERBET_PG_BIN"); env && *env) {
      if (std::filesystem::exists(absl::StrCat(env, "/initdb"))) return env;
    }
    for (int v = 20; v >= 13; --v) {
      const std::string dir = absl::StrCat("/usr/lib/postgresql/", v, "/bin");
      if (std::filesystem::exists(dir + "/initdb") && std::filesystem::exists(dir + "/postgres")) {
        return dir;
      }
    }
    return "";
  }
  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  std::string bin_;
  std::string dir_;
  std::string as_user_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_STORE_POSTGRES_HARNESS_H_
