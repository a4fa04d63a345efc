// Where the editor's server tests keep their databases: a temporary SQLite file, or (ctest
// editor_pg_storage: SIO_TEST_BACKEND=postgresql) a fresh database on one throwaway PostgreSQL
// server.
#pragma once

#include "database.hpp"
#include "pg_server.hpp"
#include "temp_dir.hpp"

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
    if (backend == "postgresql") location_ = apps::test::shared_pg_server().create_database();
    if (location_.empty()) location_ = (dir_.path() / "apps.db").string();
  }
  std::unique_ptr<storage> open() const { return open_storage(apps::open_database(location_)); }
  // As apps::open_database takes it: the SQLite file or the PostgreSQL URL.
  const std::string& location() const noexcept { return location_; }

 private:
  apps::test::temp_dir dir_;
  std::string location_;
};

inline std::vector<std::string> backends() {
  return apps::test::storage_backends();
}

}  // namespace editor::test
