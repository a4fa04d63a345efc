#include <editor/ot/history.hpp>

#include <algorithm>

namespace editor::ot {

history::history(std::size_t capacity, std::uint64_t revision)
    : capacity_(std::max<std::size_t>(capacity, 1)), revision_(revision) {}

result<text_operation> history::rebase(text_operation op, std::uint64_t from_revision) const {
  if (from_revision > revision_) return error::revision_in_future;
  if (from_revision < oldest()) return error::revision_too_old;
  // The last operation's target is the current document: an op on it must cover all of it.
  if (from_revision == revision_ && !ops_.empty() &&
      op.base_length() != ops_.back().target_length()) {
    return error::length_mismatch;
  }
  for (auto it = ops_.begin() + static_cast<std::ptrdiff_t>(from_revision - oldest());
       it != ops_.end(); ++it) {
    auto pair = transform(op, *it);
    if (!pair) return pair.error();
    op = std::move(pair->first);
  }
  return op;
}

void history::push(text_operation op) {
  if (ops_.size() == capacity_) ops_.pop_front();
  ops_.push_back(std::move(op));
  ++revision_;
}

}  // namespace editor::ot
