// chat::sqlite_storage: chat::storage on one SQLite database file (WAL mode). A single connection
// guarded by a mutex: chat traffic is small writes, and SQLite serialises writers anyway.
#pragma once

#include "storage.hpp"

#include <filesystem>
#include <memory>

namespace chat {

// Opens (creating the file, its parent folders and the schema when missing) the database at
// `path`; ":memory:" gives a private in-memory database. Throws std::runtime_error on failure.
std::unique_ptr<storage> open_sqlite_storage(const std::filesystem::path& path);

}  // namespace chat
