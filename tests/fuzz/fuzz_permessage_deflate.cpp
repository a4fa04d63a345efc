// libFuzzer: permessage-deflate. The first byte chooses: even, the rest is a
// Sec-WebSocket-Extensions header (an accepted offer's response, read back as an offer, is accepted
// with the same parameters); odd, the rest is a compressed message inflated with a bound taken from
// the second byte (never more than the bound and one chunk, whatever the input), with and without
// context takeover, then a known message must still inflate on a stream without takeover.
#include <sio/protocol/permessage_deflate.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace pmd = sio::protocol::permessage_deflate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    const pmd::options o{.server_no_context_takeover = (data[0] & 2) != 0,
                         .client_max_window_bits = (data[0] & 4) != 0 ? 12 : 0};
    const auto n = pmd::negotiate(rest, o);
    if (n.result != pmd::outcome::accepted) return 0;
    if (n.response != pmd::format(n.agreed)) std::abort();
    const auto again = pmd::negotiate(n.response, pmd::options{.server_no_context_takeover = true});
    if (again.result != pmd::outcome::accepted) std::abort();
    if (again.agreed.server_max_window_bits != n.agreed.server_max_window_bits) std::abort();
    return 0;
  }
  const std::size_t bound = std::size_t{data[1]} * 64;
  const std::string_view in = rest.substr(1);
  std::string out;
  for (const bool reset : {false, true}) {
    pmd::inflater z(15, reset);
    const auto st = z.inflate(in, bound, out);
    if (st == pmd::inflater::status::ok && out.size() > bound) std::abort();
    if (out.size() > bound + 16 * 1024) std::abort();
    if (reset) {
      // The stream starts afresh after every message, failed or not.
      pmd::deflater d(15, -1, 8, true);
      std::string hello;
      d.compress({}, "hello", hello);
      if (z.inflate(hello, 100, out) != pmd::inflater::status::ok || out != "hello") std::abort();
    }
  }
  return 0;
}
