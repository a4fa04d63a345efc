// chat::sqlite_storage: chat::storage in the demo server's SQLite database (apps::sqlite_db),
// beside the accounts and the other apps' tables.
#pragma once

#include "sqlite_db.hpp"
#include "storage.hpp"

#include <memory>

namespace apps::chat {

// The chat's tables in `db`, created or migrated first (component "chat"; the accounts must be
// open already: messages refer to users). Throws std::runtime_error on failure.
std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<sqlite_db> db);

}  // namespace apps::chat
