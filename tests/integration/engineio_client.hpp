// Minimal blocking test clients over loopback, built on Beast: one HTTP request per TCP connection,
// a WebSocket client, and a raw TCP client for hostile input. Every operation is bounded by a
// deadline so that a server bug fails a test instead of hanging it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
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

inline http_reply http_request(std::uint16_t port, http::verb method, std::string target,
                               std::string body = {}, const header_list& headers = {}) {
  asio::io_context ioc;
  beast::tcp_stream s(ioc);
  http_reply out;
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& h : headers) req.insert(h.name, h.value);
  if (!body.empty() || method == http::verb::post) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  beast::flat_buffer buf;
  s.expires_after(io_deadline);
  s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                  [&](beast::error_code ec) {
                    if (ec) return;
                    s.expires_after(io_deadline);
                    http::async_write(s, req, [&](beast::error_code ec, std::size_t) {
                      if (ec) return;
                      s.expires_after(io_deadline);
                      http::async_read(s, buf, out.res, [&](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        out.ok = true;
                        out.status = out.res.result_int();
                        out.body = out.res.body();
                      });
                    });
                  });
  ioc.run();
  return out;
}

inline http_reply http_get(std::uint16_t port, std::string target) {
  return http_request(port, http::verb::get, std::move(target));
}
inline http_reply http_post(std::uint16_t port, std::string target, std::string body) {
  return http_request(port, http::verb::post, std::move(target), std::move(body));
}

// A WebSocket client. Reads and writes block (bounded by io_deadline).
class ws_client {
 public:
  ws_client() : ws_(ioc_) {}
  // Offers permessage-deflate (Beast's own implementation) on connect().
  void offer_deflate(const websocket::permessage_deflate& o) { ws_.set_option(o); }

  // Returns the HTTP status of the handshake answer (101 on success), 0 on a transport error.
  unsigned connect(std::uint16_t port, const std::string& target, header_list headers = {}) {
    beast::error_code ec;
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& h : headers) req.insert(h.name, h.value);
    }));
    beast::get_lowest_layer(ws_).expires_after(io_deadline);
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                         ec);
    if (ec) return 0;
    websocket::response_type res;
    bool done = false;
    ws_.async_handshake(res, "127.0.0.1", target, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    run(done);
    if (!done) return 0;
    extensions_ = std::string(res[http::field::sec_websocket_extensions]);
    if (!ec) {
      beast::get_lowest_layer(ws_).expires_never();
      ws_.set_option(websocket::stream_base::timeout{io_deadline, io_deadline, false});
      ws_.read_message_max(64 * 1024 * 1024);
    }
    return res.result_int();
  }

  struct frame {
    bool binary = false;
    std::string data;
  };

  // The next message, or nullopt when the connection closed (or failed, see last_error()).
  std::optional<frame> read() {
    beast::flat_buffer buf;
    std::optional<frame> out;
    bool done = false;
    ws_.async_read(buf, [&](beast::error_code ec, std::size_t) {
      done = true;
      last_error_ = ec;
      if (ec) return;
      out = frame{!ws_.got_text(), beast::buffers_to_string(buf.data())};
    });
    run(done);
    return out;
  }
  // The next text message ("" when closed).
  std::string read_text() {
    auto f = read();
    return f ? f->data : std::string{};
  }

  bool write(std::string data, bool binary = false) {
    ws_.binary(binary);
    beast::error_code ec;
    bool done = false;
    ws_.async_write(asio::buffer(data), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    run(done);
    return !ec;
  }

  void close() {
    bool done = false;
    ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    run(done);
  }

  beast::error_code last_error() const { return last_error_; }
  // The Sec-WebSocket-Extensions of the handshake's answer.
  const std::string& extensions() const { return extensions_; }
  websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  // Runs until the operation in progress completes (bounded by io_deadline).
  void run(const bool& done) {
    ioc_.restart();
    const auto deadline = std::chrono::steady_clock::now() + io_deadline;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      if (ioc_.run_one_until(deadline) == 0) break;
    }
  }

  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::error_code last_error_;
  std::string extensions_;
};

// Raw TCP: write bytes, read whatever comes until EOF (bounded).
class raw_client {
 public:
  explicit raw_client(std::uint16_t port) : s_(ioc_) {
    s_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  bool write(std::string_view bytes) {
    beast::error_code ec;
    asio::write(s_, asio::buffer(bytes), ec);
    return !ec;
  }
  // Writes within the deadline: the write's error, or asio::error::timed_out when the peer did not
  // take the bytes in time.
  beast::error_code write_for(std::string_view bytes,
                              std::chrono::steady_clock::duration deadline = io_deadline) {
    beast::error_code out;
    bool done = false;
    asio::async_write(s_, asio::buffer(bytes), [&](beast::error_code ec, std::size_t) {
      out = ec;
      done = true;
    });
    run_for(deadline, done);
    return out == asio::error::operation_aborted ? asio::error::timed_out : out;
  }
  // Reads until EOF/error or the deadline; returns what arrived.
  std::string read_all(std::chrono::steady_clock::duration deadline = io_deadline) {
    std::string out;
    std::array<char, 4096> buf{};
    bool done = false;
    std::function<void()> step = [&] {
      s_.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
        out.append(buf.data(), n);
        if (ec) {
          done = true;
          eof_ = true;
          return;
        }
        step();
      });
    };
    step();
    run_for(deadline, done);
    return out;
  }
  // Reads until `needle` shows up (or EOF/deadline).
  std::string read_until(std::string_view needle) {
    std::string out;
    std::array<char, 4096> buf{};
    std::function<void()> step = [&] {
      s_.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
        out.append(buf.data(), n);
        if (ec) {
          eof_ = true;
          return;
        }
        if (out.find(needle) == std::string::npos) step();
      });
    };
    step();
    ioc_.restart();
    ioc_.run_for(io_deadline);
    return out;
  }
  // One read (whatever has arrived, at most 64 KB); empty at EOF or after the deadline.
  std::string read_some() {
    std::string out;
    std::array<char, 65536> buf{};
    bool done = false;
    s_.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
      out.assign(buf.data(), n);
      done = true;
      if (ec) eof_ = true;
    });
    run_for(io_deadline, done);
    return out;
  }
  bool saw_eof() const { return eof_; }
  // Half-close: the server reads everything sent, then EOF.
  void shutdown_send() {
    beast::error_code ec;
    s_.shutdown(tcp::socket::shutdown_send, ec);
  }
  // Abortive close (RST).
  void reset() {
    beast::error_code ec;
    s_.set_option(asio::socket_base::linger(true, 0), ec);
    s_.close(ec);
  }

 private:
  // Runs the started read for at most `deadline`; a read still pending then is cancelled.
  void run_for(std::chrono::steady_clock::duration deadline, const bool& done) {
    ioc_.restart();
    ioc_.run_for(deadline);
    if (!done) {
      beast::error_code ec;
      s_.cancel(ec);
      ioc_.restart();
      ioc_.run();
    }
  }

  asio::io_context ioc_;
  tcp::socket s_;
  bool eof_ = false;
};

// --- RFC 6455 framing by hand, for hostile input and extension tests ----------------------------

// A client frame (masked unless asked otherwise).
inline std::string client_frame(unsigned op, std::string_view payload, bool fin = true,
                                bool mask = true, unsigned rsv = 0) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80u : 0u) | rsv | op));
  const std::size_t n = payload.size();
  const unsigned m = mask ? 0x80u : 0u;
  if (n < 126) {
    f.push_back(static_cast<char>(m | n));
  } else if (n <= 0xffff) {
    f.push_back(static_cast<char>(m | 126u));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(m | 127u));
    for (int i = 7; i >= 0; --i)
      f.push_back(static_cast<char>((std::uint64_t{n} >> (8 * i)) & 0xff));
  }
  if (!mask) return f.append(payload);
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  f.append(key, 4);
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ key[i & 3]));
  return f;
}

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
                        std::string_view version = "13", std::string_view extra_headers = {}) {
    c_.write("GET " + std::string(target) +
             " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
             "Sec-WebSocket-Version: " +
             std::string(version) + "\r\nSec-WebSocket-Key: " + std::string(key) + "\r\n" +
             std::string(extra_headers) + "\r\n");
    buf_ = c_.read_until("\r\n\r\n");
    const auto end = buf_.find("\r\n\r\n");
    if (end == std::string::npos) return buf_;
    auto head = buf_.substr(0, end + 4);
    buf_.erase(0, end + 4);
    return head;
  }
  bool write(std::string_view bytes) { return c_.write(bytes); }
  // The next frame, or nullopt at EOF.
  std::optional<server_frame> read() {
    for (;;) {
      if (auto f = take()) return f;
      auto more = c_.read_some();
      if (more.empty()) return std::nullopt;
      buf_ += more;
    }
  }
  bool saw_eof() const { return c_.saw_eof(); }
  std::string rest() { return buf_ + c_.read_all(); }
  void shutdown_send() { c_.shutdown_send(); }
  void reset() { c_.reset(); }

 private:
  std::optional<server_frame> take() {
    if (buf_.size() < 2) return std::nullopt;
    const auto* u = reinterpret_cast<const unsigned char*>(buf_.data());
    EXPECT_EQ(u[1] & 0x80u, 0u) << "server frames are never masked";
    std::uint64_t len = u[1] & 0x7fu;
    std::size_t hdr = 2;
    if (len == 126) {
      if (buf_.size() < 4) return std::nullopt;
      len = (std::uint64_t{u[2]} << 8) | u[3];
      hdr = 4;
    } else if (len == 127) {
      if (buf_.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | u[2 + i];
      hdr = 10;
    }
    if (buf_.size() < hdr + len) return std::nullopt;
    server_frame f{u[0] & 0x0fu, buf_.substr(hdr, static_cast<std::size_t>(len)),
                   (u[0] & 0x40u) != 0};
    EXPECT_NE(u[0] & 0x80u, 0u) << "server frames are never fragmented";
    buf_.erase(0, hdr + static_cast<std::size_t>(len));
    return f;
  }

  raw_client c_;
  std::string buf_;
};

inline std::uint16_t close_code(const server_frame& f) {
  if (f.op != 8 || f.data.size() < 2) return 0;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(f.data[0]) << 8) |
                                    static_cast<unsigned char>(f.data[1]));
}

}  // namespace sio::test
