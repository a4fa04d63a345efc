// Password hashing (libsodium Argon2id, crypto_pwhash_str) and session tokens (JWT HS256 via
// libjwt). Both are free of global state: every function is safe to call from any thread.
// Hashing is deliberately slow (tens of ms, 64 MiB): call it off the network workers.
#pragma once

#include "accounts.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace apps {

// Cost of one Argon2id hash. `interactive` is libsodium's recommendation for logins; tests use
// `minimal` to stay fast.
struct password_cost {
  unsigned long long ops_limit;
  std::size_t mem_limit;
  static password_cost interactive() noexcept;
  static password_cost minimal() noexcept;
};

// Initialises libsodium (idempotent, thread-safe). Throws std::runtime_error if it cannot.
void init_crypto();

// The encoded Argon2id hash ("$argon2id$v=19$..."). Throws std::runtime_error when out of memory.
std::string hash_password(std::string_view password,
                          password_cost cost = password_cost::interactive());
// Constant-time verification; false for a wrong password or a malformed hash.
bool verify_password(std::string_view hash, std::string_view password) noexcept;

// `bytes` random bytes as lower-case hex (libsodium's CSPRNG).
std::string random_hex(std::size_t bytes);

struct token_claims {
  id_type user_id = 0;
  std::string username;
  std::int64_t expires_s = 0;
  std::int64_t version = 0;  // the user's token version when it was issued (storage.hpp)
};

// Issues and verifies HS256 JWTs:
// {"sub":"<userId>","username":...,"ver":<token version>,"iat":...,"exp":...}.
class token_service {
 public:
  explicit token_service(std::string secret,
                         std::chrono::seconds ttl = std::chrono::hours(24 * 7)) noexcept;

  // Throws std::runtime_error if libjwt fails (out of memory).
  std::string issue(id_type user_id, std::string_view username, std::int64_t version,
                    std::int64_t now_s) const;
  // nullopt for a bad signature, another algorithm, a malformed token, a missing/invalid
  // claim or an expired token.
  std::optional<token_claims> verify(std::string_view token, std::int64_t now_s) const;

  std::chrono::seconds ttl() const noexcept { return ttl_; }

 private:
  std::string secret_;
  std::chrono::seconds ttl_;
};

}  // namespace apps
