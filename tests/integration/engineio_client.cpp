#include "engineio_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <utility>

namespace sio::test {

http_reply http_request(std::uint16_t port, http::verb method, std::string target, std::string body,
                        const header_list& headers) {
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

http_reply http_get(std::uint16_t port, std::string target) {
  return http_request(port, http::verb::get, std::move(target));
}
http_reply http_post(std::uint16_t port, std::string target, std::string body) {
  return http_request(port, http::verb::post, std::move(target), std::move(body));
}

// --- ws_client
// ------------------------------------------------------------------------------------

struct ws_client::impl {
  impl() : ws(ioc) {}

  // Runs until the operation in progress completes (bounded by io_deadline).
  void run(const bool& done) {
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + io_deadline;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      if (ioc.run_one_until(deadline) == 0) break;
    }
  }

  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws;
  beast::error_code last_error;
  std::string extensions;
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}
ws_client::~ws_client() = default;

void ws_client::offer_deflate(const websocket::permessage_deflate& o) {
  impl_->ws.set_option(o);
}

unsigned ws_client::connect(std::uint16_t port, const std::string& target, header_list headers) {
  auto& ws = impl_->ws;
  beast::error_code ec;
  ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& h : headers) req.insert(h.name, h.value);
  }));
  beast::get_lowest_layer(ws).expires_after(io_deadline);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  websocket::response_type res;
  bool done = false;
  ws.async_handshake(res, "127.0.0.1", target, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  impl_->run(done);
  if (!done) return 0;
  impl_->extensions = std::string(res[http::field::sec_websocket_extensions]);
  if (!ec) {
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::timeout{io_deadline, io_deadline, false});
    ws.read_message_max(64 * 1024 * 1024);
  }
  return res.result_int();
}

std::optional<ws_client::frame> ws_client::read() {
  beast::flat_buffer buf;
  std::optional<frame> out;
  bool done = false;
  impl_->ws.async_read(buf, [&](beast::error_code ec, std::size_t) {
    done = true;
    impl_->last_error = ec;
    if (ec) return;
    out = frame{!impl_->ws.got_text(), beast::buffers_to_string(buf.data())};
  });
  impl_->run(done);
  return out;
}

std::string ws_client::read_text() {
  auto f = read();
  return f ? f->data : std::string{};
}

bool ws_client::write(std::string data, bool binary) {
  impl_->ws.binary(binary);
  beast::error_code ec;
  bool done = false;
  impl_->ws.async_write(asio::buffer(data), [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  impl_->run(done);
  return !ec;
}

void ws_client::close() {
  bool done = false;
  impl_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  impl_->run(done);
}

beast::error_code ws_client::last_error() const {
  return impl_->last_error;
}
const std::string& ws_client::extensions() const {
  return impl_->extensions;
}
websocket::close_reason ws_client::close_reason() const {
  return impl_->ws.reason();
}

// --- raw_client
// -----------------------------------------------------------------------------------

raw_client::raw_client(std::uint16_t port) : s_(ioc_) {
  s_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

bool raw_client::write(std::string_view bytes) {
  beast::error_code ec;
  asio::write(s_, asio::buffer(bytes), ec);
  return !ec;
}

beast::error_code raw_client::write_for(std::string_view bytes,
                                        std::chrono::steady_clock::duration deadline) {
  beast::error_code out;
  bool done = false;
  asio::async_write(s_, asio::buffer(bytes), [&](beast::error_code ec, std::size_t) {
    out = ec;
    done = true;
  });
  run_for(deadline, done);
  return out == asio::error::operation_aborted ? asio::error::timed_out : out;
}

std::string raw_client::read_all(std::chrono::steady_clock::duration deadline) {
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

std::string raw_client::read_until(std::string_view needle) {
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

std::string raw_client::read_some() {
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

void raw_client::shutdown_send() {
  beast::error_code ec;
  s_.shutdown(tcp::socket::shutdown_send, ec);
}

void raw_client::reset() {
  beast::error_code ec;
  s_.set_option(asio::socket_base::linger(true, 0), ec);
  s_.close(ec);
}

void raw_client::run_for(std::chrono::steady_clock::duration deadline, const bool& done) {
  ioc_.restart();
  ioc_.run_for(deadline);
  if (!done) {
    beast::error_code ec;
    s_.cancel(ec);
    ioc_.restart();
    ioc_.run();
  }
}

// --- RFC 6455 framing by hand
// ---------------------------------------------------------------------

std::string client_frame(unsigned op, std::string_view payload, bool fin, bool mask, unsigned rsv) {
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

std::string raw_ws::handshake(std::string_view target, std::string_view key,
                              std::string_view version, std::string_view extra_headers) {
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

std::optional<server_frame> raw_ws::read() {
  for (;;) {
    if (auto f = take()) return f;
    auto more = c_.read_some();
    if (more.empty()) return std::nullopt;
    buf_ += more;
  }
}

std::optional<server_frame> raw_ws::take() {
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

std::uint16_t close_code(const server_frame& f) {
  if (f.op != 8 || f.data.size() < 2) return 0;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(f.data[0]) << 8) |
                                    static_cast<unsigned char>(f.data[1]));
}

}  // namespace sio::test
