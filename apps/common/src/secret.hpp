// The token signing secret of the demo server: given (--jwt-secret), read from a file
// (--jwt-secret-file) or, when neither is given, generated: once and kept in a file of its own next
// to the SQLite database (so sessions survive restarts, and the secret is neither in `ps` nor in
// the database), or per process with PostgreSQL (the nodes of a cluster must then be given one
// secret file).
#pragma once

#include "options.hpp"

#include <filesystem>
#include <string>

namespace apps {

struct jwt_secret_choice {
  std::string secret;
  std::string warning;  // non-empty: to print at start-up
};

// Throws std::runtime_error with a message for the operator (unreadable or short file, ...).
jwt_secret_choice choose_jwt_secret(const options& opts, bool postgres);

// The secret in `path` (trailing whitespace dropped); throws when it is unreadable or shorter
// than min_secret_bytes.
std::string read_secret_file(const std::filesystem::path& path);

// The secret kept in `path`, created (mode 0600, atomically: concurrent starts agree) with a
// random one when missing.
std::string persistent_secret(const std::filesystem::path& path);

// Where the generated secret of the SQLite database `db` is kept: "<db>.jwt-secret".
std::filesystem::path secret_file_of(const std::filesystem::path& db);

}  // namespace apps
