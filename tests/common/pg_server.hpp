// A throwaway PostgreSQL server for tests: initdb into a temporary folder, listening on a free
// loopback port (its unix socket in that folder too), trust authentication for the user "chat",
// fsync off; stopped (immediate mode) and removed at scope exit. As root (CI), initdb and pg_ctl
// run as the `postgres` user through runuser, since PostgreSQL refuses to run as root.
//
// Binaries: $SIO_PG_BINDIR, else the newest /usr/lib/postgresql/<v>/bin (Debian), else PATH.
#pragma once

#include "temp_dir.hpp"

#include <pqxx/pqxx>

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace apps::test {

class pg_server {
 public:
  pg_server() {
    namespace fs = std::filesystem;
    bindir_ = find_bindir();
    data_ = dir_.path() / "data";
    log_ = dir_.path() / "postgres.log";
    if (::geteuid() == 0) {
      passwd* pw = ::getpwnam("postgres");
      if (!pw) throw std::runtime_error("pg_server: running as root needs a `postgres` user");
      as_ = "runuser -u postgres -- ";
      fs::permissions(dir_.path(),
                      fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
      if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw std::runtime_error("pg_server: chown " + dir_.path().string());
      }
    }
    run(bin("initdb") + " -D " + quote(data_) +
        " -A trust -U chat --no-locale -E UTF8 --no-sync > " + quote(dir_.path() / "initdb.log") +
        " 2>&1");
    // A free port can be taken by someone else before postgres binds it: try a few.
    for (int attempt = 0;; ++attempt) {
      port_ = free_port();
      std::ostringstream opts;
      opts << "-p " << port_ << " -k " << dir_.path().string()
           << " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
           << " -c full_page_writes=off -c max_connections=200";
      int rc = std::system((as_ + bin("pg_ctl") + " -D " + quote(data_) + " -l " + quote(log_) +
                            " -w -t 60 -o '" + opts.str() + "' start > /dev/null 2>&1")
                               .c_str());
      if (rc == 0) break;
      if (attempt == 4) throw std::runtime_error("pg_server: pg_ctl start failed:\n" + log());
    }
  }

  ~pg_server() {
    std::system(
        (as_ + bin("pg_ctl") + " -D " + quote(data_) + " -m immediate -w stop > /dev/null 2>&1")
            .c_str());
  }
  pg_server(const pg_server&) = delete;
  pg_server& operator=(const pg_server&) = delete;

  int port() const noexcept { return port_; }
  std::string url(const std::string& database = "postgres") const {
    return "postgresql://chat@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  // A new empty database; returns its URL.
  std::string create_database() {
    static std::atomic<int> counter{0};
    std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    pqxx::connection c(url());
    pqxx::nontransaction t(c);
    t.exec("CREATE DATABASE " + name);
    return url(name);
  }

  std::string log() const {
    std::ifstream in(log_);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  static std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

  static std::filesystem::path find_bindir() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("SIO_PG_BINDIR"); env && *env) return env;
    std::error_code ec;
    fs::path best;
    int best_version = -1;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
      int v = std::atoi(e.path().filename().c_str());
      if (v > best_version && fs::exists(e.path() / "bin" / "initdb", ec)) {
        best_version = v;
        best = e.path() / "bin";
      }
    }
    return best;  // empty: from PATH
  }

  std::string bin(const char* name) const {
    return bindir_.empty() ? std::string(name) : quote(bindir_ / name);
  }

  void run(const std::string& cmd) const {
    if (std::system((as_ + cmd).c_str()) != 0) {
      std::ifstream in(dir_.path() / "initdb.log");
      std::ostringstream out;
      out << in.rdbuf();
      throw std::runtime_error("pg_server: failed: " + cmd + "\n" + out.str());
    }
  }

  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("pg_server: no free port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
  }

  temp_dir dir_;
  std::filesystem::path bindir_, data_, log_;
  std::string as_;
  int port_ = 0;
};

// One server for a whole test binary (initdb takes seconds); each test creates its own database.
inline pg_server& shared_pg_server() {
  static pg_server server;
  return server;
}

// The backend of a binary's storage test cases: SQLite (a temporary file per test), or PostgreSQL
// when SIO_TEST_BACKEND=postgresql. The *_pg_storage ctest tests run the unit test binaries'
// storage cases that way, on one shared_pg_server() per run.
inline bool testing_postgresql() {
  const char* backend = std::getenv("SIO_TEST_BACKEND");
  return backend != nullptr && std::string_view(backend) == "postgresql";
}

// The parameter of the storage suites: {"postgresql"} or {"sqlite"}, as testing_postgresql().
inline std::vector<std::string> storage_backends() {
  return {testing_postgresql() ? "postgresql" : "sqlite"};
}

}  // namespace apps::test
