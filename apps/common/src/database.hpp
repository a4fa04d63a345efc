// apps::database: the one database of the demo server, shared by the accounts and every app: a
// SQLite file (sqlite_db) or a PostgreSQL URL (pg_pool). Each component keeps its own tables and
// schema version in it (sqlite_schema / pg_schema) and migrates when it opens its storage.
#pragma once

#include "pg_db.hpp"
#include "sqlite_db.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace apps {

struct database {
  std::shared_ptr<sqlite_db> sqlite;  // set for a SQLite file...
  std::shared_ptr<pg_pool> pg;        // ... or for a PostgreSQL URL
  std::string name;                   // for logs: the path, or the URL without its password
};

// Opens `location`: a postgresql:// or postgres:// URL (a pool of `pg_pool_size` connections), else
// a SQLite file path (":memory:": a private in-memory database). Throws std::runtime_error.
database open_database(const std::string& location, std::size_t pg_pool_size = 4);

}  // namespace apps
