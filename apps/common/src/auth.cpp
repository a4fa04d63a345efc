#include "auth.hpp"

#include <jwt.h>
#include <sodium.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace apps {

password_cost password_cost::interactive() noexcept {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
password_cost password_cost::minimal() noexcept {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

void init_crypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium: initialisation failed");
}

std::string hash_password(std::string_view password, password_cost cost) {
  init_crypto();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.ops_limit, cost.mem_limit) !=
      0) {
    throw std::runtime_error("crypto_pwhash_str failed (out of memory)");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) noexcept {
  if (sodium_init() < 0) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char buf[crypto_pwhash_STRBYTES] = {};
  hash.copy(buf, hash.size());
  return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0;
}

std::string random_hex(std::size_t bytes) {
  init_crypto();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

namespace {

struct jwt_deleter {
  void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};
using jwt_ptr = std::unique_ptr<jwt_t, jwt_deleter>;

struct str_deleter {
  void operator()(char* s) const noexcept { std::free(s); }
};

}  // namespace

token_service::token_service(std::string secret, std::chrono::seconds ttl) noexcept
    : secret_(std::move(secret)), ttl_(ttl) {}

std::string token_service::issue(id_type user_id, std::string_view username, std::int64_t version,
                                 std::int64_t now_s) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  jwt_ptr j(raw);
  const std::string sub = std::to_string(user_id);
  const std::string name(username);
  if (jwt_add_grant(j.get(), "sub", sub.c_str()) != 0 ||
      jwt_add_grant(j.get(), "username", name.c_str()) != 0 ||
      jwt_add_grant_int(j.get(), "ver", static_cast<long>(version)) != 0 ||
      jwt_add_grant_int(j.get(), "iat", static_cast<long>(now_s)) != 0 ||
      jwt_add_grant_int(j.get(), "exp", static_cast<long>(now_s + ttl_.count())) != 0 ||
      jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  static_cast<int>(secret_.size())) != 0) {
    throw std::runtime_error("jwt: cannot build token");
  }
  std::unique_ptr<char, str_deleter> out(jwt_encode_str(j.get()));
  if (!out) throw std::runtime_error("jwt_encode_str failed");
  return std::string(out.get());
}

std::optional<token_claims> token_service::verify(std::string_view token,
                                                  std::int64_t now_s) const {
  // Bound the work on hostile input; our tokens are a few hundred bytes.
  if (token.empty() || token.size() > 4096) return std::nullopt;
  if (token.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string t(token);
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, t.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0 ||
      raw == nullptr) {
    if (raw) jwt_free(raw);
    return std::nullopt;
  }
  jwt_ptr j(raw);
  // Never accept "none" or any other algorithm than the one we issue.
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) return std::nullopt;
  errno = 0;
  const long exp = jwt_get_grant_int(j.get(), "exp");
  if (errno != 0 || exp <= now_s) return std::nullopt;
  const char* sub = jwt_get_grant(j.get(), "sub");
  const char* name = jwt_get_grant(j.get(), "username");
  if (!sub || !name) return std::nullopt;
  std::string_view sv(sub);
  id_type id = 0;
  auto [p, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), id);
  if (ec != std::errc() || p != sv.data() + sv.size() || id <= 0) return std::nullopt;
  errno = 0;
  const long version = jwt_get_grant_int(j.get(), "ver");
  if (errno != 0 || version < 0) return std::nullopt;
  return token_claims{id, name, exp, version};
}

}  // namespace apps
