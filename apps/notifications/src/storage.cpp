#include "backends.hpp"
#include "database.hpp"

namespace notifications {

std::unique_ptr<storage> open_storage(const apps::database& db) {
  if (db.pg) return open_pg_storage(db.pg);
  return open_sqlite_storage(db.sqlite);
}

std::string id_list(const std::vector<id_type>& ids) {
  std::string out = "id IN (";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + ")";
}

}  // namespace notifications
