// A text operation as ot.js defines it: a sequence of retain / insert / delete components that
// covers a whole document, and the functions of operational transformation over it (apply,
// compose, transform, transform_index) plus its JSON form (parse, to_json).
//
// Lengths and indexes are UTF-16 code units, as JavaScript counts them; text is UTF-8. An
// operation built here is always normalised as ot.js's builder leaves it: adjacent components of
// one kind merged, no empty component, an insert always before a delete at the same place. So two
// operations with the same effect compare equal and print the same JSON.
//
// Values: no shared state, no I/O; safe to use from any thread like any std:: value type.
#pragma once

#include <editor/ot/error.hpp>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace editor::ot {

template <class T>
using result = boost::system::result<T>;

enum class kind : unsigned char { retain, insert, remove };

struct component {
  kind type;
  std::size_t length;  // UTF-16 units retained, inserted or deleted
  std::string text;    // UTF-8, inserts only

  bool operator==(const component&) const = default;
};

class text_operation {
 public:
  // Builders in ot.js's manner; each returns *this. A zero length or empty text adds nothing.
  text_operation& retain(std::size_t units);
  // Throws std::invalid_argument when `utf8` is not valid UTF-8 (parse() reports it as an error).
  text_operation& insert(std::string_view utf8);
  text_operation& remove(std::size_t units);  // ot.js's `delete`

  const std::vector<component>& components() const noexcept { return components_; }
  std::size_t base_length() const noexcept { return base_length_; }      // the document it needs
  std::size_t target_length() const noexcept { return target_length_; }  // the one it leaves
  // True when it leaves every document as it was (only retains, or nothing).
  bool is_noop() const noexcept;

  // The document this operation makes of `text` (UTF-8 in and out, one pass; ot.js's
  // `op.apply(str)`, a member so that a call on a std::string never meets std::apply). Fails with
  // length_mismatch when `text` is not base_length() units long, splits_surrogate_pair when a
  // retain or delete would end inside a character beyond U+FFFF, invalid_text on a byte that
  // cannot start a UTF-8 sequence.
  result<std::string> apply(std::string_view text) const;

  bool operator==(const text_operation&) const = default;

 private:
  std::vector<component> components_;
  std::size_t base_length_ = 0;
  std::size_t target_length_ = 0;
};

// Bounds on what parse() accepts from a peer. The defaults fit documents up to 1 MB.
struct limits {
  std::size_t max_components = 10'000;     // array elements
  std::size_t max_insert_bytes = 1 << 20;  // UTF-8 bytes inserted, all inserts together
  std::size_t max_length = 1 << 20;        // base and target length, UTF-16 units
};

// The operation of an ot.js JSON array: a positive integer retains, a string inserts, a negative
// integer deletes (an empty string adds nothing, as in ot.js). Anything else is an error.
result<text_operation> parse(const boost::json::value& json, const limits& lim = {});
boost::json::value to_json(const text_operation& op);

// One operation with the effect of `a` then `b` (b.base_length() == a.target_length()).
result<text_operation> compose(const text_operation& a, const text_operation& b);

// For concurrent `a` and `b` on one document, the pair (a', b') with apply(apply(d, a), b') ==
// apply(apply(d, b), a'). When both insert at one place, a's text comes first (ot.js's rule).
result<std::pair<text_operation, text_operation>> transform(const text_operation& a,
                                                            const text_operation& b);

// Where a cursor at `index` of op's base document lands in its target (ot.js's transformIndex: an
// insert exactly at the cursor moves it right). An index past the base length counts as its end.
std::size_t transform_index(std::size_t index, const text_operation& op) noexcept;

}  // namespace editor::ot
