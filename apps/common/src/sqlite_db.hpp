// apps::sqlite_db: one SQLite database file (WAL mode) shared by the accounts and every app's
// storage, with its prepared statement wrapper and per-component schema migrations. A single
// connection guarded by a mutex: the apps' traffic is small writes, and SQLite serialises writers
// anyway.
//
// Thread-safety: lock() before any statement, exec() or transaction; the lock is the connection's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace apps {

class sqlite_db {
 public:
  // Opens (creating the file, mode 0600, and its parent folders when missing) the database at
  // `path`; ":memory:" gives a private in-memory database. Throws std::runtime_error on failure.
  explicit sqlite_db(const std::filesystem::path& path);
  ~sqlite_db();
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  [[nodiscard]] std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  sqlite3* handle() const noexcept { return db_; }
  // Runs SQL (several statements allowed); throws std::runtime_error on failure.
  void exec(const std::string& sql);
  std::int64_t last_insert_rowid() const noexcept;
  int changes() const noexcept;
  // Runs `f` in BEGIN IMMEDIATE ... COMMIT; rolls back when it throws or returns false.
  bool transaction(const std::function<bool()>& f);
  [[noreturn]] void fail(std::string_view what) const;

 private:
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

// One prepared statement, finalized on scope exit. Call with the database locked.
class statement {
 public:
  statement(sqlite_db& db, std::string_view sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::int64_t v);
  statement& bind(int i, std::string_view v);
  // True while a row is available.
  bool step();
  // Runs a statement that may violate a UNIQUE constraint: false on that violation.
  bool step_unique();
  std::int64_t int64(int col);
  std::string text(int col);

 private:
  sqlite_db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// The schema of one component (the accounts, an app) in a database several components share.
// Each keeps its own version in the table schema_versions (component, version), so components
// migrate independently, in the order the host opens them.
struct sqlite_schema {
  std::string_view component;               // "accounts", "chat", "editor", ...
  std::span<const char* const> migrations;  // migrations[i] brings version i to i + 1
  // The version of a database written before the component had a row in schema_versions (the
  // chat kept one PRAGMA user_version for the accounts and its rooms); empty: 0.
  std::function<int(sqlite_db&)> legacy_version;
};

// Applies the migrations the database lacks, each with its version bump in one transaction.
// Throws std::runtime_error when the stored version is newer than `s` knows. Locks `db`.
void migrate(sqlite_db& db, const sqlite_schema& s);
// The component's version (0: none yet). Call with the database locked.
int schema_version(sqlite_db& db, std::string_view component);
// PRAGMA user_version. Call with the database locked.
int user_version(sqlite_db& db);

}  // namespace apps
