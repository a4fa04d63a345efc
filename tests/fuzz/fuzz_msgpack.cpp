// libFuzzer target for the MessagePack codec (what arrives on the Redis adapter's channels).
//
// Input: any bytes, decoded as one MessagePack value. It must never crash; a decoded value must
// survive encode -> decode -> encode unchanged. (Not decode -> encode: a map that looks like a
// placeholder {"_placeholder":true,"num":n} with n in range is written as that binary, the
// ambiguity the Socket.IO protocol itself has.)
#include <sio/protocol/msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mp = sio::protocol::msgpack;
  auto d = mp::decode({reinterpret_cast<const char*>(data), size});
  if (!d) return 0;
  const std::string first = mp::encode(d->value, d->attachments);
  auto again = mp::decode(first);
  if (!again) std::abort();
  if (mp::encode(again->value, again->attachments) != first) std::abort();
  return 0;
}
