// editor::storage: where the editor's documents and their operations are kept: tables prefixed
// `editor_` in the demo server's one database (apps::database, SQLite or PostgreSQL), beside the
// accounts and the other apps' tables.
//
// A document is a snapshot (its text at some revision) plus the operations after it. The key
// (doc_id, revision) of the operations is unique: append_operation() of a revision someone else
// appended already returns false, which is how the nodes of a cluster agree on one order.
//
// Thread-safety: every member may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace apps {
struct database;
}

namespace editor {

using id_type = std::int64_t;

struct document_info {
  id_type id = 0;
  std::string title;
  id_type created_by = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// A document's info and its latest snapshot: `text` after `revision` operations.
struct stored_document {
  document_info info;
  std::string text;
  std::uint64_t revision = 0;
};

// The operation that made `revision` of document `doc_id` (ot.js JSON, as serialized text).
struct stored_operation {
  id_type doc_id = 0;
  std::uint64_t revision = 0;
  std::string ops;
  id_type user_id = 0;
  std::string client_id;
  std::int64_t created_ms = 0;
};

class storage {
 public:
  virtual ~storage() = default;

  // A new empty document at revision 0.
  virtual document_info create_document(std::string_view title, id_type user,
                                        std::int64_t now_ms) = 0;
  // The `limit` most recently updated documents, newest first.
  virtual std::vector<document_info> list_documents(std::size_t limit) = 0;
  virtual std::optional<stored_document> load_document(id_type id) = 0;
  // The kept operations of `doc` with a revision above `after`, in revision order.
  virtual std::vector<stored_operation> operations(id_type doc, std::uint64_t after) = 0;
  // Records `op` and the document's update time; false (nothing written) when that revision of
  // the document exists already.
  virtual bool append_operation(const stored_operation& op) = 0;
  // Replaces the snapshot when `revision` is newer than the stored one, and deletes the
  // operations at or below `revision - keep`.
  virtual void save_snapshot(id_type doc, std::string_view text, std::uint64_t revision,
                             std::uint64_t keep) = 0;
};

// The editor's tables in `db`, created or migrated first (component "editor" of the table
// schema_versions). Keeps a reference to `db`'s connection (SQLite) or pool (PostgreSQL). Throws
// std::runtime_error on failure.
std::unique_ptr<storage> open_storage(const apps::database& db);

}  // namespace editor
