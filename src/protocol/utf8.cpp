#include <sio/protocol/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sio::protocol {
namespace {

struct utf8_step {
  std::size_t size;  // bytes of the sequence (valid), or of the maximal invalid subpart (>= 1)
  bool valid;
};

// The sequence at p[0], with n > 0 bytes available: well-formed, or the maximal subpart that
// WHATWG decoding replaces by one U+FFFD.
utf8_step utf8_next(const unsigned char* p, std::size_t n) noexcept {
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

// Bytes from `i` up to the first non-ASCII byte (or n), eight at a time.
std::size_t skip_ascii(const unsigned char* p, std::size_t i, std::size_t n) noexcept {
  while (i + 8 <= n) {
    std::uint64_t w = 0;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull) break;
    i += 8;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = skip_ascii(p, 0, n); i < n; i = skip_ascii(p, i, n)) {
    const auto step = utf8_next(p + i, n - i);
    if (!step.valid) return false;
    i += step.size;
  }
  return true;
}

void append_utf8_lossy(std::string_view s, std::string& out) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t j = skip_ascii(p, i, n);
    out.append(s.data() + i, j - i);
    if (j == n) break;
    const auto step = utf8_next(p + j, n - j);
    if (step.valid) {
      out.append(s.data() + j, step.size);
    } else {
      out.append(replacement);
    }
    i = j + step.size;
  }
}

}  // namespace sio::protocol
