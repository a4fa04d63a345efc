#include "utf8_walk.hpp"

#include <editor/ot/text_operation.hpp>

namespace editor::ot {
namespace {

boost::system::error_code to_error(detail::walk_status s) {
  switch (s) {
    case detail::walk_status::ok:
      return {};
    case detail::walk_status::past_end:
      return error::length_mismatch;
    case detail::walk_status::splits_pair:
      return error::splits_surrogate_pair;
    case detail::walk_status::invalid:
      return error::invalid_text;
  }
  return error::invalid_text;
}

std::size_t inserted_bytes(const text_operation& op) {
  std::size_t n = 0;
  for (const component& c : op.components()) n += c.text.size();
  return n;
}

}  // namespace

result<std::string> text_operation::apply(std::string_view text) const {
  std::string out;
  out.reserve(text.size() + inserted_bytes(*this));
  std::size_t at = 0;  // byte offset in `text`
  for (const component& c : components_) {
    if (c.type == kind::insert) {
      out.append(c.text);
      continue;
    }
    const auto w = detail::walk(text, at, c.length);
    if (w.status != detail::walk_status::ok) return to_error(w.status);
    if (c.type == kind::retain) out.append(text.substr(at, w.bytes));
    at += w.bytes;
  }
  if (at != text.size()) return error::length_mismatch;
  return out;
}

}  // namespace editor::ot
