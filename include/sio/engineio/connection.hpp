// The seam between the Engine.IO layer and whatever speaks over it (the Socket.IO layer, the
// conformance echo server, tests). An engine session implements `connection`; the upper layer
// implements `handler`. Either side is testable without the other (tests/session uses an
// in-memory connection).
//
// Threading: a connection lives on one worker for its whole life. Every `handler` callback for a
// connection runs on that worker. `send`, `close` and `writable` must be called on that worker;
// from anywhere else, post to `executor()` first.
#pragma once

#include <sio/engineio/string_table.hpp>
#include <sio/protocol/engineio.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sio::engineio {

// One Engine.IO "message" payload, immutable once built, shared by every receiver of a broadcast
// (encode once, share bytes). `data` holds the payload only; the engine adds the framing of the
// transport in use (the '4' prefix for text, "b"+base64 on polling for binary).
struct message {
  bool binary = false;
  std::string data;
};
using message_ptr = std::shared_ptr<const message>;

inline message_ptr make_text(std::string s) {
  return std::make_shared<const message>(message{false, std::move(s)});
}
inline message_ptr make_binary(std::string s) {
  return std::make_shared<const message>(message{true, std::move(s)});
}

// What the client sent when it opened the session (the handshake request).
struct request_info {
  std::string url;  // request target of the handshake, e.g. /socket.io/?EIO=4&...
  // The client's IP as text: the TCP peer's, or, when the peer is a trusted proxy
  // (server_options::trust_proxy), the one X-Forwarded-For reports.
  std::string remote_address;
  std::uint16_t remote_port = 0;  // the TCP peer's port (the proxy's, behind a proxy)
  // HTTPS as seen by the client: X-Forwarded-Proto "https" from a trusted proxy. The engine does
  // not terminate TLS itself (yet); a TLS connection of its own would set this too.
  bool secure = false;
  // Header names are lower-cased; repeated headers are joined with ", ". Compact and immutable
  // (one allocation per table), since every connection keeps its request for its whole life.
  string_table headers;
  // Decoded query parameters (last value wins).
  string_table query;
  std::int64_t issued_ms = 0;  // wall clock of the handshake, ms since epoch
};

enum class send_result : std::uint8_t {
  queued,    // accepted: it leaves with the transport's next write
  dropped,   // volatile and the transport could not write now: dropped on purpose
  overflow,  // the bounded send queue is full: the session is being closed ("transport error")
  closed,    // the session is closed or closing
};

struct send_flags {
  bool volatile_ = false;  // drop when the transport cannot write right now
  // Node's compress flag: with permessage-deflate agreed on the session's WebSocket, a message of
  // at least the threshold goes compressed (endpoint_options::per_message_deflate); over polling, a
  // response goes compressed when one of its packets has it (endpoint_options::http_compression).
  bool compress = true;
};

// Why a session ended, with the Socket.IO/Engine.IO reason strings of the Node.js server.
enum class close_reason : std::uint8_t {
  transport_close,  // "transport close": peer went away / closed cleanly / sent close packet
  transport_error,  // "transport error": I/O error, protocol violation, send queue overflow
  ping_timeout,     // "ping timeout"
  parse_error,      // "parse error": undecodable packet
  forced_close,     // "forced close": the server (upper layer) closed it
  server_shutdown,  // "server shutting down"
};
std::string_view to_string(close_reason r) noexcept;

class connection {
 public:
  virtual ~connection() = default;

  virtual std::string_view id() const noexcept = 0;  // the Engine.IO sid
  virtual const request_info& request() const noexcept = 0;
  // The same request, shared: an upper layer keeps this instead of copying the header and query
  // maps per socket. The default copies; the engine's sessions return their own immutable copy.
  virtual std::shared_ptr<const request_info> shared_request() const {
    return std::make_shared<const request_info>(request());
  }
  virtual std::size_t worker_index() const noexcept = 0;
  virtual boost::asio::any_io_executor executor() const = 0;
  // "polling" or "websocket": the transport in use now.
  virtual std::string_view transport() const noexcept = 0;

  // Queue one message. Never blocks; see send_result.
  virtual send_result send(message_ptr m, send_flags f = {}) = 0;
  // True when a write could start now (no write in flight / a poll is waiting). Volatile uses it.
  virtual bool writable() const noexcept = 0;
  // Close the session (sends the close packet where the transport allows). Idempotent.
  // The handler's on_close runs once, with forced_close.
  virtual void close() = 0;
};
using connection_ptr = std::shared_ptr<connection>;

class handler {
 public:
  virtual ~handler() = default;
  // The session is open (handshake sent). Keep the pointer to send later.
  virtual void on_open(const connection_ptr& c) = 0;
  virtual void on_message(connection& c, std::string_view text) = 0;
  virtual void on_binary(connection& c, std::string_view bytes) = 0;
  // The session moved from polling to WebSocket (transport() now says "websocket").
  virtual void on_upgrade(connection& c) { (void)c; }
  // A request to this endpoint got one of the protocol's errors (Node's "connection_error"):
  // unknown transport or sid, bad handshake method or request, forbidden (allow_request, the
  // connection and handshake limits), unsupported protocol version. Runs on worker `worker`, the
  // request's.
  virtual void on_request_error(std::size_t worker, protocol::engineio::request_error e) {
    (void)worker;
    (void)e;
  }
  // Called exactly once per opened session; the connection accepts no more sends.
  virtual void on_close(connection& c, close_reason r) = 0;
  // The engine let go of this handler for good (engineio::server::detach, or the engine's
  // destruction): no callback follows. Runs once, on the thread that detached or destroyed it.
  virtual void on_detach() {}
};

}  // namespace sio::engineio
