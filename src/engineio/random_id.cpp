#include <sio/engineio/random_id.hpp>

#include <sio/protocol/engineio.hpp>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>
#include <utility>

namespace sio::engineio {

std::string random_id(std::size_t length) {
  // Whole groups of 3 bytes, 4 characters each (no padding); the last group is cut to length.
  std::array<unsigned char, 48> bytes;
  std::string id;
  while (id.size() < length) {
    const std::size_t chars = std::min<std::size_t>(length - id.size(), bytes.size() / 3 * 4);
    const std::size_t n = (chars + 3) / 4 * 3;
    if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1)
      throw std::runtime_error("RAND_bytes failed");
    auto part = protocol::engineio::base64url_encode(std::span(bytes.data(), n));
    if (id.empty()) {
      id = std::move(part);  // the usual single draw: no copy
    } else {
      id += part;
    }
  }
  id.resize(length);
  return id;
}

}  // namespace sio::engineio
