// UTF-8 scanning shared by the codecs (private to sio_protocol).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sio::protocol::detail {

struct utf8_step {
  std::size_t size;  // bytes of the sequence (valid), or of the maximal invalid subpart (>= 1)
  bool valid;
};

// The sequence at p[0], with n > 0 bytes available: structurally valid UTF-8 (no overlongs, no
// surrogates, nothing above U+10FFFF), or the maximal subpart that WHATWG decoding (Node's
// Buffer.toString) replaces by one U+FFFD.
inline utf8_step utf8_next(const unsigned char* p, std::size_t n) noexcept {
  const unsigned char c = p[0];
  if (c < 0x80) return {1, true};
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return {1, false};
  }
  for (std::size_t j = 1; j <= need; ++j) {
    if (j >= n || p[j] < lo || p[j] > hi) return {j, false};
    lo = 0x80;
    hi = 0xbf;
  }
  return {need + 1, true};
}

// Whole-string structural validation (as utf8_next), ASCII eight bytes at a time.
inline bool valid_utf8(const unsigned char* p, std::size_t n) noexcept {
  std::size_t i = 0;
  while (i < n) {
    while (i + 8 <= n) {
      std::uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const auto step = utf8_next(p + i, n - i);
    if (!step.valid) return false;
    i += step.size;
  }
  return true;
}

inline bool valid_utf8(std::string_view s) noexcept {
  return valid_utf8(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

}  // namespace sio::protocol::detail
