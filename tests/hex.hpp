// Hex text to bytes and back, for test vectors written as hex strings.
#pragma once

#include <string>
#include <string_view>

namespace sio::test {

// "a1ff" -> the bytes 0xa1 0xff (a trailing odd digit is ignored).
inline std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// The bytes as lower-case hex, two digits each.
inline std::string hex(std::string_view b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

}  // namespace sio::test
