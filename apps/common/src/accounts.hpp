// apps::accounts: the users every app shares (name, password hash, token version) and a few
// settings, stored in the demo server's database as the component "accounts". SQLite and
// PostgreSQL (for several servers sharing one database) implement it.
//
// Thread-safety: every member function may be called from any thread concurrently.
#pragma once

#include "database.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace apps {

using id_type = std::int64_t;

struct user {
  id_type id = 0;
  std::string username;
  std::string password_hash;
  std::int64_t created_ms = 0;
  // Tokens carry the version they were issued with; revoke_tokens() bumps it, so that every token
  // issued before no longer authenticates.
  std::int64_t token_version = 0;
};

class accounts {
 public:
  virtual ~accounts() = default;

  // nullopt when the username is taken (case-insensitively).
  virtual std::optional<user> create_user(std::string_view username, std::string_view password_hash,
                                          std::int64_t now_ms) = 0;
  virtual std::optional<user> find_user(std::string_view username) = 0;  // case-insensitive
  virtual std::optional<user> find_user(id_type id) = 0;
  // Bumps the user's token version (logout); returns the new one, or nullopt for no such user.
  virtual std::optional<std::int64_t> revoke_tokens(id_type user_id) = 0;

  virtual std::optional<std::string> setting(std::string_view key) = 0;
  // Stores `value` unless the key exists; returns the stored value either way (atomic).
  virtual std::string setting_or_insert(std::string_view key, std::string_view value) = 0;
};

// The schema versions this build migrates the accounts to.
inline constexpr int accounts_schema_version = 2;

// The accounts in `db`, their tables created or migrated first (open them before any app's
// storage: the apps' tables refer to users). Throws std::runtime_error.
std::unique_ptr<accounts> open_accounts(const database& db);

}  // namespace apps
