#include "utf8_walk.hpp"

#include <editor/ot/utf16.hpp>
#include <sio/protocol/utf8.hpp>

#include <cstdint>
#include <cstring>

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

namespace {

// Bytes of plain ASCII (one byte, one unit each) from byte `i`, in whole 8-byte words, at most
// `max`: the fast part of a walk over mostly-ASCII text.
std::size_t ascii_words(std::string_view text, std::size_t i, std::size_t max) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080u;
  std::size_t n = 0;
  while (max - n >= 8 && text.size() - i - n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i + n, 8);
    if (word & high_bits) break;
    n += 8;
  }
  return n;
}

}  // namespace

walk_result walk(std::string_view text, std::size_t from, std::size_t units) noexcept {
  std::size_t i = from;
  while (units > 0) {
    const std::size_t ascii = ascii_words(text, i, units);
    i += ascii;
    units -= ascii;
    // Then up to 8 sequences one by one, so that text that is not ASCII pays for one word test
    // per 8 sequences at most.
    for (int k = 0; k < 8 && units > 0; ++k) {
      if (i >= text.size()) return {walk_status::past_end, 0};
      const std::size_t n = sequence_bytes(static_cast<unsigned char>(text[i]));
      if (n == 0 || text.size() - i < n) return {walk_status::invalid, 0};
      const std::size_t u = n == 4 ? 2 : 1;
      if (u > units) return {walk_status::splits_pair, 0};
      units -= u;
      i += n;
    }
  }
  return {walk_status::ok, i - from};
}

}  // namespace detail
}  // namespace editor::ot
