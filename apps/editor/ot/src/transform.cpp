#include "utf8_walk.hpp"

#include <editor/ot/text_operation.hpp>

#include <algorithm>

namespace editor::ot {
namespace {

// Reads an operation's components a number of UTF-16 units at a time, splitting a component where
// the other operation's components end.
class cursor {
 public:
  explicit cursor(const text_operation& op) : c_(op.components()) {}

  bool done() const noexcept { return i_ == c_.size(); }
  kind type() const noexcept { return c_[i_].type; }
  std::size_t left() const noexcept { return c_[i_].length - used_; }

  // Consumes `units` (at most left()); for an insert, returns the UTF-8 text they span, and fails
  // when they end between the two halves of a surrogate pair.
  result<std::string_view> take(std::size_t units) {
    std::string_view text;
    if (type() == kind::insert) {
      const std::string& all = c_[i_].text;
      const auto w = detail::walk(all, byte_, units);
      if (w.status != detail::walk_status::ok) return error::splits_surrogate_pair;
      text = std::string_view(all).substr(byte_, w.bytes);
      byte_ += w.bytes;
    }
    used_ += units;
    if (used_ == c_[i_].length) {
      ++i_;
      used_ = 0;
      byte_ = 0;
    }
    return text;
  }

  result<std::string_view> take_all() { return take(left()); }

 private:
  const std::vector<component>& c_;
  std::size_t i_ = 0;
  std::size_t used_ = 0;  // units of c_[i_] already consumed
  std::size_t byte_ = 0;  // bytes of c_[i_].text already consumed
};

bool at_insert(const cursor& c) {
  return !c.done() && c.type() == kind::insert;
}

// One step of compose() where neither a's delete nor b's insert goes first.
boost::system::error_code compose_overlap(cursor& a, cursor& b, text_operation& out) {
  const std::size_t n = std::min(a.left(), b.left());
  const kind ta = a.type();
  const kind tb = b.type();
  const auto text = a.take(n);
  if (!text) return text.error();
  (void)b.take(n);
  if (tb == kind::remove) {
    if (ta == kind::retain) out.remove(n);  // an insert of a deleted by b leaves nothing
  } else if (ta == kind::retain) {
    out.retain(n);
  } else {
    out.insert(*text);
  }
  return {};
}

// One step of transform() over the base document both operations share.
void transform_overlap(cursor& a, cursor& b, text_operation& a2, text_operation& b2) {
  const std::size_t n = std::min(a.left(), b.left());
  const kind ta = a.type();
  const kind tb = b.type();
  (void)a.take(n);
  (void)b.take(n);
  if (ta == kind::retain && tb == kind::retain) {
    a2.retain(n);
    b2.retain(n);
  } else if (ta == kind::remove && tb == kind::retain) {
    a2.remove(n);
  } else if (ta == kind::retain && tb == kind::remove) {
    b2.remove(n);
  }  // both delete the same text: neither has to any more
}

}  // namespace

result<text_operation> compose(const text_operation& a, const text_operation& b) {
  if (a.target_length() != b.base_length()) return error::length_mismatch;
  cursor ca(a);
  cursor cb(b);
  text_operation out;
  while (!ca.done() || !cb.done()) {
    if (!ca.done() && ca.type() == kind::remove) {
      out.remove(ca.left());
      (void)ca.take_all();
    } else if (at_insert(cb)) {
      out.insert(*cb.take_all());
    } else if (ca.done() || cb.done()) {
      return error::length_mismatch;
    } else if (auto ec = compose_overlap(ca, cb, out)) {
      return ec;
    }
  }
  return out;
}

result<std::pair<text_operation, text_operation>> transform(const text_operation& a,
                                                            const text_operation& b) {
  if (a.base_length() != b.base_length()) return error::length_mismatch;
  cursor ca(a);
  cursor cb(b);
  text_operation a2;
  text_operation b2;
  while (!ca.done() || !cb.done()) {
    if (at_insert(ca)) {  // a's insert first: ot.js's tie-break
      b2.retain(ca.left());
      a2.insert(*ca.take_all());
    } else if (at_insert(cb)) {
      a2.retain(cb.left());
      b2.insert(*cb.take_all());
    } else if (ca.done() || cb.done()) {
      return error::length_mismatch;
    } else {
      transform_overlap(ca, cb, a2, b2);
    }
  }
  return std::pair{std::move(a2), std::move(b2)};
}

}  // namespace editor::ot
