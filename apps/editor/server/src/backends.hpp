// The editor's storage on each backend of apps::database; open_storage() picks one.
#pragma once

#include "pg_db.hpp"
#include "sqlite_db.hpp"

#include <editor/storage.hpp>

#include <memory>

namespace editor {

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db);
std::unique_ptr<storage> open_pg_storage(std::shared_ptr<apps::pg_pool> db);

}  // namespace editor
