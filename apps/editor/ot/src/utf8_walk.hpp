// Walking valid UTF-8 text in UTF-16 units (internal to sio_editor_ot).
#pragma once

#include <cstddef>
#include <string_view>

namespace editor::ot::detail {

// Bytes of the UTF-8 sequence that starts with `lead`, 0 for a byte that cannot start one.
inline std::size_t sequence_bytes(unsigned char lead) noexcept {
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF5) return 4;
  return 0;
}

enum class walk_status { ok, past_end, splits_pair, invalid };

struct walk_result {
  walk_status status;
  std::size_t bytes;  // bytes covered from the start offset when ok
};

// Covers `units` UTF-16 units of `text` starting at byte `from`: how many bytes they span. Fails
// when the text ends first, when the last unit is the first half of a surrogate pair, or on a byte
// that cannot start a sequence.
walk_result walk(std::string_view text, std::size_t from, std::size_t units) noexcept;

}  // namespace editor::ot::detail
