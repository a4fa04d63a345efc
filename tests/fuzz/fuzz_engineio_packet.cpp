// libFuzzer: single Engine.IO packets (WebSocket text frames), base64, and the handshake query.
#include <sio/protocol/engineio.hpp>
#include <sio/protocol/engineio_route.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace eio = sio::protocol::engineio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto p = eio::decode_packet(in)) {
    // Text packets re-encode byte for byte; binary ones to the canonical base64 form.
    const auto wire = eio::encode_packet(*p);
    if (!p->binary && wire != in) std::abort();
    auto again = eio::decode_packet(wire);
    if (!again || *again != *p) std::abort();
  }

  if (auto b = eio::base64_decode(in)) {
    auto again = eio::base64_decode(eio::base64_encode(*b));
    if (!again || *again != *b) std::abort();
  }

  (void)eio::parse_query(in);
  const auto q = eio::parse_route_params(in);
  (void)eio::check_handshake(q, {});
  (void)eio::is_supported_version(q);
  return 0;
}
