// The server's memory of a document's recent operations: the last `capacity` accepted operations
// with their revisions, so that an operation based on an older revision can be rebased onto the
// current document (transformed against every operation accepted since its revision).
//
// Revision r is the document after r accepted operations; the operation that made revision r + 1
// is kept as long as fewer than `capacity` operations came after it. Not thread-safe: one owner
// (the document's) uses it.
#pragma once

#include <editor/ot/text_operation.hpp>

#include <cstdint>
#include <deque>

namespace editor::ot {

class history {
 public:
  // A history of a document at `revision`, keeping at most `capacity` operations (at least 1).
  explicit history(std::size_t capacity, std::uint64_t revision = 0);

  std::uint64_t revision() const noexcept { return revision_; }
  // The oldest revision that rebase() still accepts.
  std::uint64_t oldest() const noexcept { return revision_ - ops_.size(); }

  // `op`, based on `from_revision`, transformed against every operation accepted since then (the
  // incoming operation's inserts go first at a tie, as in ot.js's server). Fails with
  // revision_too_old, revision_in_future or length_mismatch; changes nothing.
  result<text_operation> rebase(text_operation op, std::uint64_t from_revision) const;

  // The kept operation that made `revision` (oldest() < revision <= revision()), else nullptr.
  const text_operation* made(std::uint64_t revision) const noexcept {
    if (revision <= oldest() || revision > revision_) return nullptr;
    return &ops_[revision - oldest() - 1];
  }

  // Records an operation accepted on the current document: the revision moves on by one.
  void push(text_operation op);

 private:
  std::size_t capacity_;
  std::uint64_t revision_;
  std::deque<text_operation> ops_;  // ops_[i] made revision oldest() + i + 1
};

}  // namespace editor::ot
