// libFuzzer: the incremental Engine.IO polling payload decoder. The input is fed whole and split at
// a position taken from its first byte; both runs must agree, and what decodes must re-encode to a
// payload that decodes to the same packets.
#include <sio/protocol/engineio.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace eio = sio::protocol::engineio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t cut = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  auto whole = eio::decode_payload(body, 4096);

  eio::payload_decoder d{4096};
  std::vector<eio::packet> split;
  const std::size_t c = cut % (body.size() + 1);
  auto r = d.feed(body.substr(0, c), split);
  if (r) r = d.feed(body.substr(c), split);
  if (r) r = d.finish(split);

  if (whole.has_value() != r.has_value()) std::abort();
  if (!whole) return 0;
  if (*whole != split) std::abort();

  // Packets that carry a record separator in their data cannot round-trip (as in the reference).
  for (const auto& p : *whole)
    if (!p.binary && p.data.find(eio::record_separator) != std::string::npos) return 0;
  const auto again = eio::decode_payload(eio::encode_payload(*whole), 1 << 20);
  if (!again || *again != *whole) std::abort();
  return 0;
}
