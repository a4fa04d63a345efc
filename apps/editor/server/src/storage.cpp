#include "backends.hpp"
#include "database.hpp"

namespace editor {

std::unique_ptr<storage> open_storage(const apps::database& db) {
  if (db.pg) return open_pg_storage(db.pg);
  return open_sqlite_storage(db.sqlite);
}

}  // namespace editor
