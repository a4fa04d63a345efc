// chat::pg_storage: chat::storage in the demo server's PostgreSQL database (apps::pg_pool), for
// several nodes sharing one database; same tables and behaviour as sqlite_storage.
#pragma once

#include "pg_db.hpp"
#include "storage.hpp"

#include <memory>

namespace apps::chat {

// The schema version this build migrates the chat's tables to.
inline constexpr int pg_schema_version = 2;

// The chat's tables in `db`, created or migrated first (component "chat"; the accounts must be
// open already). Throws std::runtime_error when the schema is newer than this build.
std::unique_ptr<storage> open_pg_storage(std::shared_ptr<pg_pool> db);

}  // namespace apps::chat
