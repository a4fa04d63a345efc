#include "utf8_walk.hpp"

#include <editor/ot/utf16.hpp>

namespace editor::ot {
namespace {

bool continuation(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

// The second byte's range that keeps a sequence shortest-form, below U+10FFFF and off surrogates.
bool second_byte_ok(unsigned char lead, unsigned char second) noexcept {
  switch (lead) {
    case 0xE0:
      return second >= 0xA0 && second <= 0xBF;
    case 0xED:
      return second >= 0x80 && second <= 0x9F;
    case 0xF0:
      return second >= 0x90 && second <= 0xBF;
    case 0xF4:
      return second >= 0x80 && second <= 0x8F;
    default:
      return continuation(second);
  }
}

}  // namespace

std::optional<std::size_t> utf16_length(std::string_view utf8) noexcept {
  std::size_t units = 0;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const std::size_t n = detail::sequence_bytes(lead);
    if (n == 0 || utf8.size() - i < n) return std::nullopt;
    if (n > 1 && !second_byte_ok(lead, static_cast<unsigned char>(utf8[i + 1]))) {
      return std::nullopt;
    }
    for (std::size_t k = 2; k < n; ++k) {
      if (!continuation(static_cast<unsigned char>(utf8[i + k]))) return std::nullopt;
    }
    units += n == 4 ? 2 : 1;
    i += n;
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
