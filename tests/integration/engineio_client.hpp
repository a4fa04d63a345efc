// Minimal blocking test clients over loopback, built on Beast: one HTTP request per TCP connection,
// a WebSocket client, and a raw TCP client for hostile input. Every operation is bounded by a
// deadline so that a server bug fails a test instead of hanging it. Compiled once
// (engineio_client.cpp, the library sio_test_engineio_client) for every test that uses them: the
// Beast HTTP and WebSocket templates behind them are heavy to instantiate.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/option.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

inline constexpr auto io_deadline = 10s;

struct http_reply {
  bool ok = false;  // a response arrived
  unsigned status = 0;
  std::string body;
  http::response<http::string_body> res;
  std::string header(http::field f) const { return std::string(res[f]); }
};

// One request header, named by Beast's enum or by its text ("X-Forwarded-For"); a name given
// twice is sent twice.
struct header {
  header(http::field f, std::string v) : name(http::to_string(f)), value(std::move(v)) {}
  header(std::string n, std::string v) : name(std::move(n)), value(std::move(v)) {}
  std::string name;
  std::string value;
};
using header_list = std::vector<header>;

http_reply http_request(std::uint16_t port, http::verb method, std::string target,
                        std::string body = {}, const header_list& headers = {});
http_reply http_get(std::uint16_t port, std::string target);
http_reply http_post(std::uint16_t port, std::string target, std::string body);

// A WebSocket client. Reads and writes block (bounded by io_deadline).
class ws_client {
 public:
  ws_client();
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // Offers permessage-deflate (Beast's own implementation) on connect().
  void offer_deflate(const websocket::permessage_deflate& o);

  // Returns the HTTP status of the handshake answer (101 on success), 0 on a transport error.
  unsigned connect(std::uint16_t port, const std::string& target, header_list headers = {});

  struct frame {
    bool binary = false;
    std::string data;
  };

  // The next message, or nullopt when the connection closed (or failed, see last_error()).
  std::optional<frame> read();
  // The next text message ("" when closed).
  std::string read_text();

  bool write(std::string data, bool binary = false);
  void close();

  beast::error_code last_error() const;
  // The Sec-WebSocket-Extensions of the handshake's answer.
  const std::string& extensions() const;
  websocket::close_reason close_reason() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Raw TCP: write bytes, read whatever comes until EOF (bounded).
class raw_client {
 public:
  explicit raw_client(std::uint16_t port);
  bool write(std::string_view bytes);
  // Writes within the deadline: the write's error, or asio::error::timed_out when the peer did not
  // take the bytes in time.
  beast::error_code write_for(std::string_view bytes,
                              std::chrono::steady_clock::duration deadline = io_deadline);
  // Reads until EOF/error or the deadline; returns what arrived.
  std::string read_all(std::chrono::steady_clock::duration deadline = io_deadline);
  // Reads until `needle` shows up (or EOF/deadline).
  std::string read_until(std::string_view needle);
  // One read (whatever has arrived, at most 64 KB); empty at EOF or after the deadline.
  std::string read_some();
  bool saw_eof() const { return eof_; }
  // Half-close: the server reads everything sent, then EOF.
  void shutdown_send();
  // Abortive close (RST).
  void reset();

 private:
  // Runs the started read for at most `deadline`; a read still pending then is cancelled.
  void run_for(std::chrono::steady_clock::duration deadline, const bool& done);

  asio::io_context ioc_;
  tcp::socket s_;
  bool eof_ = false;
};

// --- RFC 6455 framing by hand, for hostile input and extension tests ----------------------------

// A client frame (masked unless asked otherwise).
std::string client_frame(unsigned op, std::string_view payload, bool fin = true, bool mask = true,
                         unsigned rsv = 0);

struct server_frame {
  unsigned op = 0;
  std::string data;
  bool rsv1 = false;  // permessage-deflate: the payload is compressed
};

// A WebSocket client on a raw socket: the handshake by hand, frames parsed from the byte stream.
class raw_ws {
 public:
  explicit raw_ws(std::uint16_t port) : c_(port) {}
  std::string handshake(std::string_view target, std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==",
                        std::string_view version = "13", std::string_view extra_headers = {});
  bool write(std::string_view bytes) { return c_.write(bytes); }
  // The next frame, or nullopt at EOF.
  std::optional<server_frame> read();
  bool saw_eof() const { return c_.saw_eof(); }
  std::string rest() { return buf_ + c_.read_all(); }
  void shutdown_send() { c_.shutdown_send(); }
  void reset() { c_.reset(); }

 private:
  std::optional<server_frame> take();

  raw_client c_;
  std::string buf_;
};

// The close code of a close frame (0 when it is none or carries none).
std::uint16_t close_code(const server_frame& f);

}  // namespace sio::test
