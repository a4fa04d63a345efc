// Where the editor's server tests keep their databases: a temporary SQLite file, or (in
// editor_pg_tests, built with EDITOR_TEST_PG) a fresh database on one throwaway PostgreSQL server.
#pragma once

#include "database.hpp"
#include "temp_dir.hpp"
#ifdef EDITOR_TEST_PG
#include "pg_server.hpp"
#endif

#include <editor/storage.hpp>

#include <memory>
#include <string>
#include <vector>

namespace editor::test {

// One database per test; open() opens it again (connections of its own, as another node would)
// and gives the editor's storage on it.
class database {
 public:
  explicit database(const std::string& backend) {
#ifdef EDITOR_TEST_PG
    if (backend == "postgresql") location_ = apps::test::shared_pg_server().create_database();
#endif
    if (location_.empty()) location_ = (dir_.path() / "apps.db").string();
  }
  std::unique_ptr<storage> open() const {
    return open_storage(apps::open_database(location_));
  }
  // As apps::open_database takes it: the SQLite file or the PostgreSQL URL.
  const std::string& location() const noexcept {
    return location_;
  }

 private:
  apps::test::temp_dir dir_;
  std::string location_;
};

inline std::vector<std::string> backends() {
#ifdef EDITOR_TEST_PG
  return {"postgresql"};
#else
  return {"sqlite"};
#endif
}

}  // namespace editor::test
