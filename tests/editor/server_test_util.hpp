// Where the editor's server tests keep their databases: a temporary SQLite file, or (in
// editor_pg_tests, built with EDITOR_TEST_PG) a fresh database on one throwaway PostgreSQL server.
#pragma once

#include "temp_dir.hpp"
#ifdef EDITOR_TEST_PG
#include "pg_server.hpp"
#endif

#include <editor/storage.hpp>

#include <memory>
#include <string>

namespace editor::test {

#ifdef EDITOR_TEST_PG
inline apps::test::pg_server& shared_pg() {
  static apps::test::pg_server server;  // initdb takes seconds: one per binary
  return server;
}
#endif

// One database per test; open() gives a new storage (its own connections) on it.
class database {
 public:
  explicit database(std::string backend) : backend_(std::move(backend)) {
#ifdef EDITOR_TEST_PG
    if (backend_ == "postgresql") url_ = shared_pg().create_database();
#endif
  }
  std::unique_ptr<storage> open() const {
    if (backend_ == "postgresql") return open_pg_storage(url_);
    return open_sqlite_storage(dir_.path() / "editor.db");
  }
  std::filesystem::path sqlite_path() const {
    return dir_.path() / "editor.db";
  }

 private:
  std::string backend_;
  std::string url_;
  apps::test::temp_dir dir_;
};

inline std::vector<std::string> backends() {
#ifdef EDITOR_TEST_PG
  return {"postgresql"};
#else
  return {"sqlite"};
#endif
}

}  // namespace editor::test
