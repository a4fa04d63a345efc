// RFC 7692 permessage-deflate, server side: the negotiation of a client's offer (with the rules and
// the answers of the `ws` package, the Node.js server's WebSocket) and the codec of one message
// (raw DEFLATE on zlib, the 00 00 ff ff tail removed on compression and restored on inflation).
// Pure: no I/O, no clock.
//
// A deflater or inflater holds one zlib stream (the LZ77 window and, for deflate, the hash tables:
// about 2^(window_bits+2) + 2^(mem_level+9) bytes; an inflater about 2^window_bits + 7 KB) and is
// not thread-safe; negotiate() is reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sio::protocol::permessage_deflate {

inline constexpr std::string_view extension_name = "permessage-deflate";
inline constexpr int min_window_bits = 8;
inline constexpr int max_window_bits = 15;

// The server's settings: the `ws` package's perMessageDeflate options, Node's defaults.
struct options {
  // Messages (the Engine.IO packet as framed) smaller than this go uncompressed.
  std::size_t threshold = 1024;
  // Asked of every client even when it did not offer them (RFC 7692 section 7.1.1). Without, an
  // offer with server_no_context_takeover is declined, as `ws` does.
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  // 8..15, or 0 (the default): as the client offers (15 when it names none). A client that offers
  // a smaller server window than server_max_window_bits is declined; client_max_window_bits is
  // agreed only with a client that offered client_max_window_bits.
  int server_max_window_bits = 0;
  int client_max_window_bits = 0;
  int level = -1;     // zlib compression level: -1 (zlib's default, 6) or 0..9
  int mem_level = 8;  // zlib memLevel, 1..9: the deflate hash table's size
  // Connections (server-wide) that may agree on context takeover, each then keeping its own zlib
  // streams between messages (about 300 KB at 15 window bits and mem_level 8, allocated with its
  // first compressed message). Beyond it, a new connection is asked for no context takeover both
  // ways and compresses with its worker's shared streams. The `ws` package has no such bound (its
  // concurrencyLimit bounds zlib jobs in flight; here zlib runs on the connection's worker, one
  // job at a time).
  std::size_t max_context_takeover = 1000;

  bool operator==(const options&) const = default;
};

// What one connection agreed.
struct params {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = max_window_bits;  // the window of the server's deflater
  int client_max_window_bits = max_window_bits;  // the window of the client's deflater
  bool operator==(const params&) const = default;
};

enum class outcome : std::uint8_t {
  none,      // no permessage-deflate offer (or an empty header): no extension
  accepted,  // `agreed` and `response` hold the agreement
  refused,   // the header is malformed or no offer is acceptable: the `ws` package answers 400
};

struct negotiation {
  outcome result = outcome::none;
  params agreed;
  std::string response;  // the Sec-WebSocket-Extensions value of the 101
};

// Reads a Sec-WebSocket-Extensions header (RFC 7230 tokens and quoted strings; offers of other
// extensions are skipped) and accepts the first permessage-deflate offer `o` can serve. Without
// `takeover`, the agreement has no context takeover either way (options::max_context_takeover).
negotiation negotiate(std::string_view header, const options& o, bool takeover = true);

// The Sec-WebSocket-Extensions value that states `p`.
std::string format(const params& p);

// Compresses whole messages. With no_context_takeover the stream is reset after each message (one
// deflater can then serve any number of connections that agreed on the same window).
class deflater {
 public:
  deflater(int window_bits, int level, int mem_level, bool no_context_takeover);
  ~deflater();
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;

  // The compressed form of `prefix` followed by `data` (one message) into `out` (replaced).
  // Throws std::bad_alloc when zlib has no memory.
  void compress(std::string_view prefix, std::string_view data, std::string& out);

 private:
  struct stream;
  std::unique_ptr<stream> z_;
  bool reset_;
};

// Inflates whole messages, refusing one that would grow past a bound before that memory is spent.
class inflater {
 public:
  enum class status : std::uint8_t { ok, too_big, invalid };
  inflater(int window_bits, bool no_context_takeover);
  ~inflater();
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  // Inflates one compressed message into `out` (replaced). too_big: it inflates to more than
  // `max_size` bytes (out then holds at most max_size + one chunk); invalid: not DEFLATE data.
  // After too_big or invalid the stream starts afresh (a connection with context takeover is closed
  // anyway; a shared stream serves the next connection).
  status inflate(std::string_view in, std::size_t max_size, std::string& out);

 private:
  struct stream;
  std::unique_ptr<stream> z_;
  bool reset_;
};

}  // namespace sio::protocol::permessage_deflate
