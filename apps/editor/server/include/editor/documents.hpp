// editor::documents: the documents being edited, in memory, over an editor::storage. No
// Socket.IO: editor::realtime drives it.
//
// A document is loaded by its first open() (its snapshot plus the operations after it) and
// unloaded by its last close() (after a snapshot). submit() rebases an operation through the
// operations accepted since its revision, applies it and appends it to storage as the next
// revision. When storage already has that revision (another node of a cluster took it), the
// missed operations are loaded, the operation is rebased through them too and appended again, up
// to max_append_attempts times. Every operation kept in memory records its author (user id and
// client id), so a reconnecting client learns which of the missed operations were its own.
//
// Thread-safety: every member may be called from any thread. One document's open, submit and
// close run one at a time (a mutex per document, held across its short storage calls);
// different documents proceed in parallel.
#pragma once

#include <editor/ot/history.hpp>
#include <editor/storage.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace editor {

struct documents_options {
  // Operations kept in memory for rebasing and catching up (and at least these in storage).
  std::size_t history_capacity = 1000;
  // A snapshot is written every `snapshot_every` operations (and when the last editor closes).
  std::size_t snapshot_every = 100;
  // A document may not grow beyond this many bytes of UTF-8.
  std::size_t max_document_bytes = 1 << 20;
  // Appending one operation: attempts before giving up when other nodes keep taking the revision.
  int max_append_attempts = 8;
  ot::limits op_limits{};
};

struct document_view {
  id_type id = 0;
  std::string title;
  std::string text;
  std::uint64_t revision = 0;
};

// An operation a reconnecting client missed.
struct missed_operation {
  std::uint64_t revision = 0;  // the revision it made
  boost::json::value ops;
  id_type user_id = 0;
  bool own = false;  // recorded with the client id that asked
};

struct open_result {
  std::string error;  // empty on success
  document_view doc;
  // With a `since` revision: the operations after it, or nullopt when older than the history.
  std::optional<std::vector<missed_operation>> missed;
};

// An accepted operation, as the other editors receive it.
struct accepted_operation {
  id_type doc_id = 0;
  std::uint64_t revision = 0;  // the revision it made
  boost::json::value ops;      // transformed onto the previous revision
  id_type user_id = 0;
};

struct submit_result {
  std::string error;  // empty on success
  std::uint64_t revision = 0;
};

class documents {
 public:
  // `db` must outlive this object.
  explicit documents(storage& db, documents_options opts = {});
  ~documents();

  // Opens document `id` for one more editor (a later close() ends it). With `since`, also the
  // operations after that revision, `own` when recorded with `client_id`. Fails with "Document
  // not found" (nothing to close then).
  open_result open(id_type id, std::optional<std::uint64_t> since = std::nullopt,
                   std::string_view client_id = {});
  // One editor of `id` is done with it; the last one's close snapshots and unloads it.
  void close(id_type id);

  // Applies `ops` (ot.js JSON, made on `revision`) by `user` from `client_id` to open document
  // `id`. On success, `publish` is called with the accepted operation before the next operation of
  // that document is applied (so broadcasts leave in revision order). Errors are short sentences;
  // a failed submit changes nothing.
  submit_result submit(id_type id, std::uint64_t revision, const boost::json::value& ops,
                       id_type user, std::string_view client_id,
                       const std::function<void(const accepted_operation&)>& publish);

  // Documents in memory (opened and not yet closed by all).
  std::size_t loaded() const;

 private:
  struct author {
    id_type user_id = 0;
    std::string client_id;
  };
  struct document {
    std::mutex mu;
    std::size_t openers = 0;  // guarded by documents::mu_
    bool loaded = false;
    bool missing = false;
    document_info info;
    std::string text;
    std::uint64_t snapshot_revision = 0;
    ot::history history{1};
    std::deque<author> authors;  // authors[i]: of the operation that made history.oldest() + i + 1
  };

  void load(document& d, id_type id);
  // Applies the operations other nodes appended since the document's revision.
  void catch_up(document& d);
  void record(document& d, ot::text_operation op, author who);
  std::vector<missed_operation> missed(const document& d, std::uint64_t since,
                                       std::string_view client_id) const;
  submit_result try_submit(document& d, std::uint64_t revision, const ot::text_operation& op,
                           const author& who,
                           const std::function<void(const accepted_operation&)>& publish);
  void snapshot(document& d);
  std::shared_ptr<document> find(id_type id) const;

  storage& db_;
  const documents_options opts_;
  mutable std::mutex mu_;
  std::unordered_map<id_type, std::shared_ptr<document>> docs_;
};

}  // namespace editor
