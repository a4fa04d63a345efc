#include "backends.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace editor {
namespace {

using apps::statement;

// migrations[i] brings the editor's tables from version i to i + 1 (component "editor"). Append,
// never edit a shipped one. Version 1 adopts the tables of a database written when the editor
// kept its version in a table of its own (editor_schema, dropped here), which had the same
// columns.
constexpr std::array<const char*, 1> migrations = {
    R"sql(
CREATE TABLE IF NOT EXISTS editor_documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  snapshot TEXT NOT NULL DEFAULT '',
  snapshot_revision INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS editor_documents_by_update
  ON editor_documents (updated_ms DESC, id DESC);
CREATE TABLE IF NOT EXISTS editor_operations (
  doc_id INTEGER NOT NULL REFERENCES editor_documents(id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  ops TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (doc_id, revision)) WITHOUT ROWID;
DROP TABLE IF EXISTS editor_schema;
)sql",
};

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

document_info read_info(statement& s) {
  return {s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4)};
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(std::shared_ptr<apps::sqlite_db> db) : db_(std::move(db)) {
    apps::migrate(*db_, {"editor", migrations, {}});
  }

  document_info create_document(std::string_view title, id_type user,
                                std::int64_t now_ms) override {
    auto lock = db_->lock();
    statement s(*db_,
                "INSERT INTO editor_documents (title, created_by, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?)");
    s.bind(1, title).bind(2, user).bind(3, now_ms).bind(4, now_ms).step();
    return document_info{db_->last_insert_rowid(), std::string(title), user, now_ms, now_ms};
  }

  std::vector<document_info> list_documents(std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT id, title, created_by, created_ms, updated_ms FROM editor_documents "
                "ORDER BY updated_ms DESC, id DESC LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<document_info> out;
    while (s.step()) out.push_back(read_info(s));
    return out;
  }

  std::optional<stored_document> load_document(id_type id) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT id, title, created_by, created_ms, updated_ms, snapshot, "
                "snapshot_revision FROM editor_documents WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return stored_document{read_info(s), s.text(5), static_cast<std::uint64_t>(s.int64(6))};
  }

  std::vector<stored_operation> operations(id_type doc, std::uint64_t after) override {
    auto lock = db_->lock();
    statement s(*db_,
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
    auto lock = db_->lock();
    return db_->transaction([&] {
      statement s(*db_,
                  "INSERT INTO editor_operations (doc_id, revision, ops, user_id, client_id, "
                  "created_ms) VALUES (?, ?, ?, ?, ?, ?)");
      s.bind(1, op.doc_id).bind(2, i64(op.revision)).bind(3, op.ops).bind(4, op.user_id);
      s.bind(5, op.client_id).bind(6, op.created_ms);
      if (!s.step_unique()) return false;
      statement u(*db_, "UPDATE editor_documents SET updated_ms = ? WHERE id = ?");
      u.bind(1, op.created_ms).bind(2, op.doc_id).step();
      return true;
    });
  }

  void save_snapshot(id_type doc, std::string_view text, std::uint64_t revision,
                     std::uint64_t keep) override {
    auto lock = db_->lock();
    db_->transaction([&] {
      statement s(*db_,
                  "UPDATE editor_documents SET snapshot = ?, snapshot_revision = ? "
                  "WHERE id = ? AND snapshot_revision < ?");
      s.bind(1, text).bind(2, i64(revision)).bind(3, doc).bind(4, i64(revision)).step();
      if (revision > keep) {
        statement d(*db_, "DELETE FROM editor_operations WHERE doc_id = ? AND revision <= ?");
        d.bind(1, doc).bind(2, i64(revision - keep)).step();
      }
      return true;
    });
  }

 private:
  std::shared_ptr<apps::sqlite_db> db_;
};

}  // namespace

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db) {
  return std::make_unique<sqlite_storage>(std::move(db));
}

}  // namespace editor
