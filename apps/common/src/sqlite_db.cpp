#include "sqlite_db.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace apps {
namespace {

// Creates an empty database file readable by its owner only (SQLite gives its -wal and -shm
// files the same mode); an existing file is left as it is.
void create_private(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw std::runtime_error("sqlite: cannot create " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
}

constexpr const char* versions_table =
    "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, "
    "version INTEGER NOT NULL)";

}  // namespace

sqlite_db::sqlite_db(const std::filesystem::path& path) {
  const std::string p = path.string();
  if (p != ":memory:" && path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw std::runtime_error("cannot create " + path.parent_path().string() + ": " +
                               ec.message());
  }
  if (p != ":memory:") create_private(path);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(p.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("sqlite: cannot open " + p + ": " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    if (p != ":memory:") exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = NORMAL");
    exec("PRAGMA foreign_keys = ON");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

sqlite_db::~sqlite_db() {
  sqlite3_close(db_);
}

void sqlite_db::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + msg);
  }
}

std::int64_t sqlite_db::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(db_);
}

int sqlite_db::changes() const noexcept {
  return sqlite3_changes(db_);
}

bool sqlite_db::transaction(const std::function<bool()>& f) {
  exec("BEGIN IMMEDIATE");
  try {
    if (!f()) {
      exec("ROLLBACK");
      return false;
    }
    exec("COMMIT");
    return true;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void sqlite_db::fail(std::string_view what) const {
  std::string msg = "sqlite: ";
  msg += what;
  msg += ": ";
  msg += sqlite3_errmsg(db_);
  throw std::runtime_error(msg);
}

statement::statement(sqlite_db& db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    db.fail("prepare");
  }
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

statement& statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

statement& statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    db_.fail("bind");
  }
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

bool statement::step_unique() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
  if (rc == SQLITE_CONSTRAINT) return false;
  db_.fail("step");
}

std::int64_t statement::int64(int col) {
  return sqlite3_column_int64(stmt_, col);
}

std::string statement::text(int col) {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

int user_version(sqlite_db& db) {
  statement s(db, "PRAGMA user_version");
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

int schema_version(sqlite_db& db, std::string_view component) {
  db.exec(versions_table);
  statement s(db, "SELECT version FROM schema_versions WHERE component = ?");
  s.bind(1, component);
  return s.step() ? static_cast<int>(s.int64(0)) : 0;
}

void migrate(sqlite_db& db, const sqlite_schema& s) {
  auto lock = db.lock();
  const int latest = static_cast<int>(s.migrations.size());
  const std::string name(s.component);
  db.transaction([&] {
    // A component without a row yet starts from what the legacy scheme recorded.
    db.exec(versions_table);
    statement known(db, "SELECT 1 FROM schema_versions WHERE component = ?");
    known.bind(1, s.component);
    if (known.step()) return true;
    statement ins(db, "INSERT INTO schema_versions (component, version) VALUES (?, ?)");
    ins.bind(1, s.component).bind(2, s.legacy_version ? s.legacy_version(db) : 0);
    ins.step();
    return true;
  });
  const int version = schema_version(db, s.component);
  if (version > latest) {
    throw std::runtime_error("sqlite: the " + name + " schema is version " +
                             std::to_string(version) + ", newer than this build (" +
                             std::to_string(latest) + ")");
  }
  for (int v = version; v < latest; ++v) {
    db.transaction([&] {
      db.exec(s.migrations[static_cast<std::size_t>(v)]);
      statement up(db, "UPDATE schema_versions SET version = ? WHERE component = ?");
      up.bind(1, v + 1).bind(2, s.component);
      up.step();
      return true;
    });
  }
}

}  // namespace apps
