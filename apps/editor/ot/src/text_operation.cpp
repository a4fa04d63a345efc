#include <editor/ot/text_operation.hpp>
#include <editor/ot/utf16.hpp>

#include <algorithm>
#include <stdexcept>

namespace editor::ot {

text_operation& text_operation::retain(std::size_t units) {
  if (units == 0) return *this;
  base_length_ += units;
  target_length_ += units;
  if (!components_.empty() && components_.back().type == kind::retain) {
    components_.back().length += units;
  } else {
    components_.push_back({kind::retain, units, {}});
  }
  return *this;
}

text_operation& text_operation::insert(std::string_view utf8) {
  const auto units = utf16_length(utf8);
  if (!units) throw std::invalid_argument("text_operation::insert: text is not valid UTF-8");
  if (*units == 0) return *this;
  target_length_ += *units;
  // Inserts go before a trailing delete: "delete then insert" and "insert then delete" at one
  // place are the same edit, and normalising keeps one form of it.
  auto at = components_.end();
  if (at != components_.begin() && std::prev(at)->type == kind::remove) --at;
  if (at != components_.begin() && std::prev(at)->type == kind::insert) {
    std::prev(at)->length += *units;
    std::prev(at)->text.append(utf8);
  } else {
    components_.insert(at, {kind::insert, *units, std::string(utf8)});
  }
  return *this;
}

text_operation& text_operation::remove(std::size_t units) {
  if (units == 0) return *this;
  base_length_ += units;
  if (!components_.empty() && components_.back().type == kind::remove) {
    components_.back().length += units;
  } else {
    components_.push_back({kind::remove, units, {}});
  }
  return *this;
}

bool text_operation::is_noop() const noexcept {
  return std::all_of(components_.begin(), components_.end(),
                     [](const component& c) { return c.type == kind::retain; });
}

std::size_t transform_index(std::size_t index, const text_operation& op) noexcept {
  // `left` counts the base document's units still before the cursor.
  std::size_t left = std::min(index, op.base_length());
  std::size_t moved = left;
  for (const component& c : op.components()) {
    if (c.type == kind::insert) {
      moved += c.length;
      continue;
    }
    if (c.length > left) {
      if (c.type == kind::remove) moved -= left;
      break;
    }
    if (c.type == kind::remove) moved -= c.length;
    left -= c.length;
  }
  return moved;
}

}  // namespace editor::ot
