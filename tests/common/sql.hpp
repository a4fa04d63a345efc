// SQL on a test's database beside the code under test, on either backend (the location as
// apps::open_database takes it): to look at or change what a storage wrote.
#pragma once

#include "database.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace apps::test {

// A query answering one integer.
inline std::int64_t query_int(const std::string& location, const std::string& sql) {
  auto db = open_database(location);
  if (db.pg) {
    return db.pg->read([&](pqxx::connection& c) {
      pqxx::nontransaction t(c);
      return t.exec(sql)[0][0].as<std::int64_t>();
    });
  }
  auto lock = db.sqlite->lock();
  statement s(*db.sqlite, sql);
  if (!s.step()) throw std::runtime_error("no row: " + sql);
  return s.int64(0);
}

inline void exec_sql(const std::string& location, const std::string& sql) {
  auto db = open_database(location);
  if (db.pg) {
    db.pg->write([&](pqxx::connection& c) {
      pqxx::nontransaction t(c);
      t.exec(sql);
    });
    return;
  }
  auto lock = db.sqlite->lock();
  db.sqlite->exec(sql);
}

// The version `component` recorded in schema_versions.
inline std::int64_t schema_version_of(const std::string& location, const std::string& component) {
  return query_int(location,
                   "SELECT version FROM schema_versions WHERE component = '" + component + "'");
}

}  // namespace apps::test
