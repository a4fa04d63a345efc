#include "utf8_walk.hpp"

#include <editor/ot/utf16.hpp>
#include <sio/protocol/utf8.hpp>

namespace editor::ot {

std::optional<std::size_t> utf16_length(std::string_view utf8) noexcept {
  if (!sio::protocol::valid_utf8(utf8)) return std::nullopt;
  std::size_t units = 0;
  for (const char c : utf8) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) != 0x80) units += b >= 0xF0 ? 2 : 1;  // a lead byte: 4-byte ones are pairs
  }
  return units;
}

namespace detail {

walk_result walk(std::string_view text, std::size_t from, std::size_t units) noexcept {
  std::size_t i = from;
  while (units > 0) {
    if (i >= text.size()) return {walk_status::past_end, 0};
    const std::size_t n = sequence_bytes(static_cast<unsigned char>(text[i]));
    if (n == 0 || text.size() - i < n) return {walk_status::invalid, 0};
    const std::size_t u = n == 4 ? 2 : 1;
    if (u > units) return {walk_status::splits_pair, 0};
    units -= u;
    i += n;
  }
  return {walk_status::ok, i - from};
}

}  // namespace detail
}  // namespace editor::ot
