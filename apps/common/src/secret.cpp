#include "secret.hpp"

#include "auth.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace apps {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what) {
  throw std::runtime_error("JWT secret file " + path.string() + ": " + std::string(what));
}

std::string errno_text() {
  return std::generic_category().message(errno);
}

// Writes `data` to a new file `path` readable by its owner only; false when it exists.
bool write_new_private(const std::filesystem::path& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    fail(path, "cannot create: " + errno_text());
  }
  const bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) fail(path, "cannot write: " + errno_text());
  return true;
}

}  // namespace

std::filesystem::path secret_file_of(const std::filesystem::path& db) {
  auto p = db;
  p += ".jwt-secret";
  return p;
}

std::string read_secret_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot read it");
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string s = buf.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() < min_secret_bytes) {
    fail(path, "must hold at least " + std::to_string(min_secret_bytes) +
                   " bytes, e.g. the output of `openssl rand -hex 32`");
  }
  return s;
}

std::string persistent_secret(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return read_secret_file(path);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  // Written whole under a temporary name, then linked in place: a concurrent start either wins
  // or reads the winner's complete file.
  std::string secret = random_hex(32);
  auto tmp = path;
  tmp += ".tmp-" + random_hex(8);
  write_new_private(tmp, secret + "\n");
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  std::filesystem::remove(tmp, ec);
  if (linked == 0) return secret;
  if (link_errno != EEXIST)
    fail(path, "cannot create: " + std::generic_category().message(link_errno));
  return read_secret_file(path);
}

jwt_secret_choice choose_jwt_secret(const options& opts, bool postgres) {
  if (!opts.jwt_secret.empty()) return {opts.jwt_secret, {}};
  if (!opts.jwt_secret_file.empty()) return {read_secret_file(opts.jwt_secret_file), {}};
  if (postgres) {
    return {random_hex(32),
            "no --jwt-secret-file: logins are signed with a secret of this process only; they end "
            "with it and are refused by other nodes (give every node the same secret file)"};
  }
  if (opts.db == ":memory:") return {random_hex(32), {}};
  return {persistent_secret(secret_file_of(opts.db)), {}};
}

}  // namespace apps
