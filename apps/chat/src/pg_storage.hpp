// chat::pg_storage: chat::storage on PostgreSQL (libpqxx), for several sio-chat nodes sharing one
// database. Same tables and behaviour as sqlite_storage; the schema is created and migrated on
// open (table schema_version, under an advisory lock so that nodes starting together migrate once).
//
// Thread-safety: a small pool of connections; every member may be called from any thread. A
// connection that broke (PostgreSQL restarted) is dropped with every idle one and replaced on the
// next call; a read that hit a broken connection is retried once on a fresh one, a write is not
// (it fails: it may have been applied).
#pragma once

#include "storage.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace chat {

// The schema version this build migrates to.
inline constexpr int pg_schema_version = 3;

// True for a postgresql:// or postgres:// URL (what --db takes to select this backend).
bool is_postgres_url(std::string_view db);

// `url` with its password replaced by "***" (for logs and error messages).
std::string redact_url(std::string_view url);

// Connects to `url` (a libpq URI), creating or migrating the schema. Throws std::runtime_error
// when the server is unreachable, the credentials are refused or the schema is newer than this
// build. `pool_size` bounds the number of connections (at least 1).
std::unique_ptr<storage> open_pg_storage(const std::string& url, std::size_t pool_size = 4);

}  // namespace chat
