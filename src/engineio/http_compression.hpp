// Compression of long-polling responses, as the Node.js server's httpCompression: the content
// coding a request accepts (Accept-Encoding, negotiated as Node's `negotiator` package does), the
// decision for one response, and the zlib streams a worker reuses for every body it compresses.
// The coding and the decision are pure (unit-tested); the compressor is used on its worker's thread
// only. Private to sio_engineio.
#pragma once

#include <sio/engineio/server.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct z_stream_s;

namespace sio::engineio::detail {

enum class content_coding : std::uint8_t { identity, gzip, deflate };

// The Content-Encoding value of a coding ("" for identity).
std::string_view to_string(content_coding c) noexcept;

// The coding, of the two the server offers (gzip, deflate), that an Accept-Encoding value prefers:
// the highest q, then a name over "*", then the earlier entry, then gzip before deflate; an entry
// with q=0 (or a q that is not a number) refuses. identity when it accepts neither (an empty or
// absent header included).
content_coding accepted_coding(std::string_view accept_encoding) noexcept;

// How a polling response is sent (Node's polling transport, doWrite): compressed when the endpoint
// compresses, one of its packets was sent with `compress`, its body has at least `threshold` bytes
// and the request accepts gzip or deflate; identity otherwise. The header is read only then.
content_coding polling_coding(const http_compression_options& o, bool compress,
                              std::size_t body_bytes, std::string_view accept_encoding) noexcept;

// A gzip (RFC 1952) and a deflate (zlib format, RFC 1950, as Node's createDeflate) stream, each
// created on first use and reset for every body: one per worker instead of one per response.
class body_compressor {
 public:
  body_compressor() noexcept;
  ~body_compressor();
  body_compressor(const body_compressor&) = delete;
  body_compressor& operator=(const body_compressor&) = delete;

  // `in` compressed with `c` (gzip or deflate) at zlib level `level` (-1..9) into `out`, which is
  // replaced. False when zlib fails (no memory, a level out of range).
  bool compress(content_coding c, int level, std::string_view in, std::string& out);

 private:
  struct stream;
  stream* get(content_coding c, int level);

  std::unique_ptr<stream> gzip_;
  std::unique_ptr<stream> deflate_;
};

}  // namespace sio::engineio::detail
