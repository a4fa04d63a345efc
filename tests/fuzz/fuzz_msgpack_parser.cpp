// libFuzzer target for the Socket.IO MessagePack packet codec (what a socket.io-msgpack-parser
// client sends: one binary Engine.IO message per packet).
//
// Input: any bytes, decoded as one packet. It must never crash; a decoded packet must survive
// encode -> decode -> encode unchanged.
#include <sio/protocol/msgpack_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mpp = sio::protocol::msgpack_parser;
  auto p = mpp::decode({reinterpret_cast<const char*>(data), size});
  if (!p) return 0;
  const std::string first = mpp::encode(*p);
  auto again = mpp::decode(first);
  if (!again) std::abort();
  if (mpp::encode(*again) != first) std::abort();
  return 0;
}
