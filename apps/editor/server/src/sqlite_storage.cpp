#include <editor/storage.hpp>

#include <sqlite3.h>

#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace editor {
namespace {

// migrations[i] brings the editor's tables from editor_schema.version i to i + 1 (in one
// transaction). Append, never edit a shipped one.
constexpr const char* migrations[] = {
    R"sql(
CREATE TABLE editor_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  snapshot TEXT NOT NULL DEFAULT '',
  snapshot_revision INTEGER NOT NULL DEFAULT 0);
CREATE INDEX editor_documents_by_update ON editor_documents (updated_ms DESC, id DESC);
CREATE TABLE editor_operations (
  doc_id INTEGER NOT NULL REFERENCES editor_documents(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  ops TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (doc_id, revision)) WITHOUT ROWID;
)sql",
};
constexpr std::int64_t schema_version = static_cast<std::int64_t>(std::size(migrations));

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  std::string msg = "editor sqlite: ";
  msg += what;
  if (db) {
    msg += ": ";
    msg += sqlite3_errmsg(db);
  }
  throw std::runtime_error(msg);
}

// One prepared statement, finalized on scope exit.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      fail(db, "prepare");
    }
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  statement& bind(int i, std::string_view v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
  }
  // Runs a statement that may violate a UNIQUE constraint: false on that violation.
  bool step_unique() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
    if (rc == SQLITE_CONSTRAINT) return false;
    fail(db_, "step");
  }
  std::int64_t int64(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(const std::filesystem::path& path) {
    const std::string p = path.string();
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(p.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("editor sqlite: cannot open " + p + ": " + msg);
    }
    try {
      sqlite3_busy_timeout(db_, 5000);
      if (p != ":memory:") exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = NORMAL");
      exec("PRAGMA foreign_keys = ON");
      migrate();
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~sqlite_storage() override { sqlite3_close(db_); }

  document_info create_document(std::string_view title, id_type user,
                                std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "INSERT INTO editor_documents (title, created_by, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?)");
    s.bind(1, title).bind(2, user).bind(3, now_ms).bind(4, now_ms).step();
    return document_info{sqlite3_last_insert_rowid(db_), std::string(title), user, now_ms, now_ms};
  }

  std::vector<document_info> list_documents(std::size_t limit) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "SELECT id, title, created_by, created_ms, updated_ms FROM editor_documents "
                "ORDER BY updated_ms DESC, id DESC LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<document_info> out;
    while (s.step()) out.push_back({s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4)});
    return out;
  }

  std::optional<stored_document> load_document(id_type id) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "SELECT id, title, created_by, created_ms, updated_ms, snapshot, "
                "snapshot_revision FROM editor_documents WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return stored_document{{s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4)},
                           s.text(5),
                           static_cast<std::uint64_t>(s.int64(6))};
  }

  std::vector<stored_operation> operations(id_type doc, std::uint64_t after) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "SELECT revision, ops, user_id, client_id, created_ms FROM editor_operations "
                "WHERE doc_id = ? AND revision > ? ORDER BY revision");
    s.bind(1, doc).bind(2, i64(after));
    std::vector<stored_operation> out;
    while (s.step()) {
      out.push_back({doc, static_cast<std::uint64_t>(s.int64(0)), s.text(1), s.int64(2), s.text(3),
                     s.int64(4)});
    }
    return out;
  }

  bool append_operation(const stored_operation& op) override {
    std::lock_guard lock(mutex_);
    exec("BEGIN IMMEDIATE");
    try {
      statement s(db_,
                  "INSERT INTO editor_operations (doc_id, revision, ops, user_id, client_id, "
                  "created_ms) VALUES (?, ?, ?, ?, ?, ?)");
      s.bind(1, op.doc_id).bind(2, i64(op.revision)).bind(3, op.ops).bind(4, op.user_id);
      s.bind(5, op.client_id).bind(6, op.created_ms);
      if (!s.step_unique()) {
        exec("ROLLBACK");
        return false;
      }
      statement u(db_, "UPDATE editor_documents SET updated_ms = ? WHERE id = ?");
      u.bind(1, op.created_ms).bind(2, op.doc_id).step();
      exec("COMMIT");
      return true;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void save_snapshot(id_type doc, std::string_view text, std::uint64_t revision,
                     std::uint64_t keep) override {
    std::lock_guard lock(mutex_);
    exec("BEGIN IMMEDIATE");
    try {
      statement s(db_,
                  "UPDATE editor_documents SET snapshot = ?, snapshot_revision = ? "
                  "WHERE id = ? AND snapshot_revision < ?");
      s.bind(1, text).bind(2, i64(revision)).bind(3, doc).bind(4, i64(revision)).step();
      if (revision > keep) {
        statement d(db_, "DELETE FROM editor_operations WHERE doc_id = ? AND revision <= ?");
        d.bind(1, doc).bind(2, i64(revision - keep)).step();
      }
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

 private:
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error(std::string("editor sqlite: ") + msg);
    }
  }

  // Applies the missing migrations, each in one transaction with its version bump; BEGIN
  // IMMEDIATE keeps two processes opening one file from migrating it twice.
  void migrate() {
    exec("CREATE TABLE IF NOT EXISTS editor_schema (version INTEGER NOT NULL)");
    for (;;) {
      exec("BEGIN IMMEDIATE");
      try {
        std::int64_t version = 0;
        {
          statement s(db_, "SELECT version FROM editor_schema");
          if (s.step()) version = s.int64(0);
        }
        if (version >= schema_version) {
          exec("COMMIT");
          return;
        }
        exec(migrations[version]);
        exec("DELETE FROM editor_schema");
        statement(db_, "INSERT INTO editor_schema (version) VALUES (?)")
            .bind(1, version + 1)
            .step();
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<storage> open_sqlite_storage(const std::filesystem::path& path) {
  return std::make_unique<sqlite_storage>(path);
}

}  // namespace editor
