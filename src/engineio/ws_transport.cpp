// The server side of RFC 6455 on a TCP socket or a TLS stream (see the class comment in
// detail.hpp).
#include "detail.hpp"

#include <sio/protocol/utf8.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include <openssl/evp.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sio::engineio::detail {
namespace {

constexpr std::size_t kScratch = 64 * 1024;  // per worker
constexpr std::size_t kFramesPerWrite = 64;  // frames gathered by one sendmsg
constexpr std::size_t kMaxQueuedForPong = 256;
constexpr std::size_t kTlsRead = 16 * 1024;    // one TLS record's worth
constexpr std::size_t kTlsKeepTx = 64 * 1024;  // write buffer capacity kept between bursts

enum : unsigned {
  op_cont = 0,
  op_text = 1,
  op_binary = 2,
  op_close = 8,
  op_ping = 9,
  op_pong = 10
};

constexpr std::uint16_t close_normal = 1000;
constexpr std::uint16_t close_protocol = 1002;
constexpr std::uint16_t close_bad_data = 1007;
constexpr std::uint16_t close_too_big = 1009;

// Size of a server frame header (never masked) for a payload of len bytes: 2, 4 or 10.
constexpr std::size_t header_size(std::size_t len) noexcept {
  return len < 126 ? 2 : len <= 0xffff ? 4 : 10;
}

// Writes that header; returns its size.
std::size_t write_header(unsigned char* h, unsigned op, std::size_t len) noexcept {
  const std::size_t size = header_size(len);
  h[0] = static_cast<unsigned char>(0x80u | op);
  if (size == 2) {
    h[1] = static_cast<unsigned char>(len);
  } else {
    h[1] = size == 4 ? 126 : 127;
    for (std::size_t i = 2; i < size; ++i)
      h[i] = static_cast<unsigned char>(std::uint64_t{len} >> (8 * (size - 1 - i)));
  }
  return size;
}

std::string control_frame(unsigned op, std::string_view payload) {
  std::string f(2, '\0');
  f[0] = static_cast<char>(0x80u | op);
  f[1] = static_cast<char>(payload.size());  // <= 125, checked by the callers
  f.append(payload);
  return f;
}

message_ptr close_message(std::uint16_t code) {
  const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return make_binary(control_frame(op_close, std::string_view(body, 2)));
}

const message_ptr& cached_close(std::uint16_t code) {
  static const message_ptr normal = close_message(close_normal);
  static const message_ptr protocol = close_message(close_protocol);
  static const message_ptr bad_data = close_message(close_bad_data);
  static const message_ptr too_big = close_message(close_too_big);
  static const message_ptr none;
  switch (code) {
    case close_protocol:
      return protocol;
    case close_bad_data:
      return bad_data;
    case close_too_big:
      return too_big;
    case close_normal:
      return normal;
    default:
      return none;
  }
}

void unmask(char* d, std::size_t len, const unsigned char* key) noexcept {
  std::uint32_t k4 = 0;
  std::memcpy(&k4, key, 4);
  const std::uint64_t k8 = (std::uint64_t{k4} << 32) | k4;
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, d + i, 8);
    w ^= k8;
    std::memcpy(d + i, &w, 8);
  }
  for (; i < len; ++i) d[i] = static_cast<char>(d[i] ^ static_cast<char>(key[i & 3]));
}

using sio::protocol::valid_utf8;

// Sec-WebSocket-Key: base64 of 16 bytes, as the `ws` package checks it.
bool valid_key(std::string_view k) noexcept {
  if (k.size() != 24 || k[22] != '=' || k[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i) {
    const char c = k[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
          c == '/'))
      return false;
  }
  return true;
}

std::string accept_key(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::array<char, 24 + guid.size()> in{};
  std::memcpy(in.data(), key.data(), 24);
  std::memcpy(in.data() + 24, guid.data(), guid.size());
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(in.data(), in.size(), md.data(), &md_len, EVP_sha1(), nullptr);
  std::array<unsigned char, 64> out{};
  const int n = EVP_EncodeBlock(out.data(), md.data(), static_cast<int>(md_len));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

// The first subprotocol a client offers, which the `ws` package (under the Node.js server) selects
// by default; a browser that offered protocols fails a 101 that names none. Empty when none is
// offered or the first is not an RFC 7230 token.
std::string_view first_subprotocol(std::string_view v) noexcept {
  v = v.substr(0, v.find(','));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  static constexpr std::string_view tchar_punct = "!#$%&'*+-.^_`|~";
  for (const char c : v) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && tchar_punct.find(c) == std::string_view::npos) return {};
  }
  return v;
}

bool valid_close_code(unsigned c) noexcept {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

std::size_t frame_size(const ws_frame& f) noexcept {
  if (f.k == ws_frame::kind::raw) return f.msg->data.size();
  const std::size_t len =
      f.msg && f.msg->binary ? f.msg->data.size() : 1 + (f.msg ? f.msg->data.size() : 0);
  return len + header_size(len);
}

// Up to kFramesPerWrite queued frames as one gather list: headers built in `hdrs`, payloads shared.
struct gathered {
  std::array<iovec, 2 * kFramesPerWrite> iov;  // only the first niov are written and read
  std::array<std::array<unsigned char, 11>, kFramesPerWrite> hdrs;
  std::size_t niov = 0;
  std::size_t frames = 0;
};

void gather(const packet_queue<ws_frame>& queue, gathered& g) noexcept {
  auto& iov = g.iov;
  std::size_t niov = 0;
  std::size_t frames = 0;
  for (auto it = queue.begin(); it != queue.end() && frames < kFramesPerWrite; ++it, ++frames) {
    const ws_frame& f = *it;
    if (f.k == ws_frame::kind::raw) {
      iov[niov++] = {const_cast<char*>(f.msg->data.data()), f.msg->data.size()};
      continue;
    }
    auto& h = g.hdrs[frames];
    if (f.msg && f.msg->binary) {
      const auto hl = write_header(h.data(), op_binary, f.msg->data.size());
      iov[niov++] = {h.data(), hl};
      if (!f.msg->data.empty())
        iov[niov++] = {const_cast<char*>(f.msg->data.data()), f.msg->data.size()};
      continue;
    }
    const std::size_t data_len = f.msg ? f.msg->data.size() : 0;
    auto hl = write_header(h.data(), op_text, 1 + data_len);
    h[hl++] = static_cast<unsigned char>('0' + static_cast<int>(f.type));
    iov[niov++] = {h.data(), hl};
    if (data_len != 0) iov[niov++] = {const_cast<char*>(f.msg->data.data()), data_len};
  }
  g.niov = niov;
  g.frames = frames;
}

}  // namespace

// --- worker: one flush per turn of the event loop -----------------------------------------------

void worker::schedule_flush(std::shared_ptr<ws_transport> t) {
  dirty.push_back(std::move(t));
  if (flush_posted) return;
  flush_posted = true;
  asio::post(ctx, [this] { run_flush(); });
}

void worker::run_flush() {
  flush_posted = false;
  flushing.swap(dirty);
  for (auto& t : flushing) t->flush_scheduled();
  flushing.clear();
}

// --- ws_transport -------------------------------------------------------------------------------

ws_transport::ws_transport(server_impl& srv, worker& w, tcp::socket s,
                           std::unique_ptr<tls_stream> tls, address_slot slot,
                           std::size_t max_payload)
    : srv_(srv),
      w_(w),
      live_(w),
      slot_(std::move(slot)),
      sock_(std::move(s)),
      tls_(std::move(tls)),
      max_payload_(max_payload) {
  srv_.connections.fetch_add(1);
  error_code ec;
  if (!tls_) sock_.non_blocking(true, ec);
}

ws_transport::~ws_transport() {
  srv_.connections.fetch_sub(1);
}

void ws_transport::accept(const http::request<http::string_body>& req, std::string_view headers,
                          const accept_handler& done) {
  const auto k = req[http::field::sec_websocket_key];
  const auto v = req[http::field::sec_websocket_version];
  const std::string_view key(k.data(), k.size());
  const std::string_view version(v.data(), v.size());
  std::string_view refusal;
  if (!valid_key(key)) {
    refusal = "Missing or invalid Sec-WebSocket-Key header";
  } else if (version != "13" && version != "8") {
    refusal = "Missing or invalid Sec-WebSocket-Version header";
  }
  std::string res;
  if (!refusal.empty()) {
    // As the `ws` package answers a bad handshake under the Node.js server.
    res.append("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\n")
        .append("Content-Length: ")
        .append(std::to_string(refusal.size()))
        .append("\r\n\r\n")
        .append(refusal);
    queue_.push_back(ws_frame{eio::packet_type::message, make_binary(res), ws_frame::kind::raw});
    closing_ = close_queued_ = read_done_ = notified_ = true;
    schedule();
    start_reading();  // only to see the peer's EOF
    done(asio::error::invalid_argument);
    return;
  }
  res.reserve(160 + headers.size());
  res.append("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
      .append("Sec-WebSocket-Accept: ")
      .append(accept_key(key))
      .append("\r\n");
  const auto offered = req[http::field::sec_websocket_protocol];
  if (const auto proto = first_subprotocol(std::string_view(offered.data(), offered.size()));
      !proto.empty())
    res.append("Sec-WebSocket-Protocol: ").append(proto).append("\r\n");
  res.append(headers).append("\r\n");
  // The 101 and the first packets (the open packet) leave in one write.
  queue_.push_back(
      ws_frame{eio::packet_type::message, make_binary(std::move(res)), ws_frame::kind::raw});
  schedule();
  done({});
}

void ws_transport::start_reading() {
  if (tls_) return read_tls();
  // Data may already wait (it raised no readiness event while nobody waited): read first.
  asio::post(w_.ctx, [self = shared_from_this()] { self->on_readable(); });
}

void ws_transport::read_tls() {
  if (dead_) return;
  if (!tls_rx_) tls_rx_ = std::make_unique<char[]>(kTlsRead);
  tls_->async_read_some(asio::buffer(tls_rx_.get(), kTlsRead),
                        [self = shared_from_this()](error_code ec, std::size_t n) {
                          if (self->dead_) return;
                          // A peer that closes TCP without close_notify has simply gone.
                          if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
                          if (ec) return self->read_ended(ec);
                          if (self->consume(self->tls_rx_.get(), n)) self->read_tls();
                        });
}

void ws_transport::on_readable() {
  if (dead_) return;
  if (!w_.scratch) w_.scratch = std::make_unique<char[]>(kScratch);
  char* const scratch = w_.scratch.get();
  const int fd = sock_.native_handle();
  for (int round = 0;; ++round) {
    const auto n = ::recv(fd, scratch, kScratch, 0);
    if (n == 0) return read_ended(asio::error::eof);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return read_ended(error_code(errno, boost::system::system_category()));
    }
    const auto got = static_cast<std::size_t>(n);
    if (!consume(scratch, got)) return;
    if (got < kScratch) break;  // the socket had no more than this: nothing is left unread
    if (round == 7) {           // a fast sender: let the other connections of this worker run
      asio::post(w_.ctx, [self = shared_from_this()] { self->on_readable(); });
      return;
    }
  }
  sock_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
    if (ec) {
      self->read_ended(ec);
      return;
    }
    self->on_readable();
  });
}

bool ws_transport::consume(char* data, std::size_t n) {
  if (read_done_) return !dead_;  // only waiting for the peer's EOF
  if (!rx_ || rx_->partial.empty()) {
    const auto used = parse(data, n);
    if (used != std::string::npos && used < n && !read_done_) {
      if (!rx_) rx_ = std::make_unique<rx_state>();
      rx_->partial.assign(data + used, n - used);
    }
  } else {
    auto& partial = rx_->partial;
    partial.append(data, n);
    const auto used = parse(partial.data(), partial.size());
    if (used == std::string::npos || read_done_) {
      std::string().swap(partial);
    } else {
      partial.erase(0, used);
    }
  }
  release_rx();
  return !dead_;
}

std::size_t ws_transport::parse(char* p, std::size_t n) {
  std::size_t pos = 0;
  while (n - pos >= 2) {
    const auto* u = reinterpret_cast<const unsigned char*>(p + pos);
    const std::size_t avail = n - pos;
    const bool fin = (u[0] & 0x80u) != 0;
    const unsigned op = u[0] & 0x0fu;
    std::uint64_t len = u[1] & 0x7fu;
    std::size_t hdr = 2;
    if ((u[0] & 0x70u) != 0 || (u[1] & 0x80u) == 0) {  // reserved bits, or an unmasked frame
      fail(close_protocol, asio::error::invalid_argument);
      return std::string::npos;
    }
    if (op >= 8) {
      if ((op != op_close && op != op_ping && op != op_pong) || !fin || len > 125) {
        fail(close_protocol, asio::error::invalid_argument);
        return std::string::npos;
      }
    } else if (op > op_binary || (op == op_cont) != (message_op_ != 0)) {
      // unknown opcode, a continuation with no message, or a new message inside a fragmented one
      fail(close_protocol, asio::error::invalid_argument);
      return std::string::npos;
    }
    if (len == 126) {
      if (avail < 4) break;
      len = (std::uint64_t{u[2]} << 8) | u[3];
      hdr = 4;
      if (len < 126) {
        fail(close_protocol, asio::error::invalid_argument);
        return std::string::npos;
      }
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | u[2 + i];
      hdr = 10;
      if (len <= 0xffff || (len >> 63) != 0) {
        fail(close_protocol, asio::error::invalid_argument);
        return std::string::npos;
      }
    }
    if (op < 8 && (len > max_payload_ ||
                   (op == op_cont && rx_ && rx_->message.size() + len > max_payload_))) {
      fail(close_too_big, asio::error::message_size);  // refused before it is buffered
      return std::string::npos;
    }
    hdr += 4;
    if (avail < hdr + len) break;
    char* data = p + pos + hdr;
    unmask(data, static_cast<std::size_t>(len), u + hdr - 4);
    pos += hdr + static_cast<std::size_t>(len);
    if (!on_frame(op, fin, data, static_cast<std::size_t>(len))) return std::string::npos;
  }
  return pos;
}

bool ws_transport::on_frame(unsigned op, bool fin, char* data, std::size_t len) {
  switch (op) {
    case op_ping:
      // A peer that pings without reading cannot grow the queue: past a bound, pings go unanswered
      // (RFC 6455 allows answering only the latest).
      if (!close_queued_ && queue_.size() < kMaxQueuedForPong) {
        queue_.push_back(ws_frame{eio::packet_type::message,
                                  make_binary(control_frame(op_pong, std::string_view(data, len))),
                                  ws_frame::kind::raw});
        schedule();
      }
      return true;
    case op_pong:
      return true;
    case op_close: {
      std::uint16_t code = close_normal;
      if (len == 1) {
        fail(close_protocol, asio::error::invalid_argument);
        return false;
      }
      if (len >= 2) {
        const auto* u = reinterpret_cast<const unsigned char*>(data);
        code = static_cast<std::uint16_t>((u[0] << 8) | u[1]);
        if (!valid_close_code(code)) {
          fail(close_protocol, asio::error::invalid_argument);
          return false;
        }
        if (!valid_utf8(std::string_view(data + 2, len - 2))) {
          fail(close_bad_data, asio::error::invalid_argument);
          return false;
        }
      }
      read_done_ = true;
      if (!close_queued_) {
        // Answer with the same code; what was not started is dropped.
        drop_unsent();
        queue_close_frame(code);
      }
      notify_closed(websocket::error::closed);
      return false;
    }
    default:
      break;
  }
  bool text = op == op_text;
  const char* msg = data;
  std::size_t size = len;
  if (op != op_cont && !fin) {  // first fragment
    message_op_ = static_cast<std::uint8_t>(op);
    if (!rx_) rx_ = std::make_unique<rx_state>();
    rx_->message.assign(data, len);
    return true;
  }
  if (op == op_cont) {
    rx_->message.append(data, len);
    if (!fin) return true;
    text = message_op_ == op_text;
    msg = rx_->message.data();
    size = rx_->message.size();
  }
  const bool ok = !text || valid_utf8(std::string_view(msg, size));
  if (ok && !closing_) {
    if (auto s = session_.lock()) {
      s->on_ws_data(this, !text, std::string_view(msg, size));
    } else {
      close(false);
    }
  }
  if (op == op_cont) {
    message_op_ = 0;
    if (rx_) std::string().swap(rx_->message);
  }
  if (!ok) {
    fail(close_bad_data, asio::error::invalid_argument);
    return false;
  }
  return !read_done_ && !dead_;
}

void ws_transport::drop_unsent() {
  // Packets not started yet go; a frame partly written and the raw bytes queued before packets
  // (the 101 response) stay.
  while (queue_.size() > (head_off_ > 0 ? 1u : 0u) && queue_.back().k == ws_frame::kind::packet)
    queue_.pop_back();
}

void ws_transport::fail(std::uint16_t code, error_code ec) {
  read_done_ = true;
  if (!close_queued_) {
    drop_unsent();
    queue_close_frame(code);
  }
  notify_closed(ec);
}

void ws_transport::queue_close_frame(std::uint16_t code) {
  closing_ = true;
  close_queued_ = true;
  const auto& cached = cached_close(code);
  queue_.push_back(ws_frame{eio::packet_type::message, cached ? cached : close_message(code),
                            ws_frame::kind::raw});
  schedule();
}

void ws_transport::send(ws_frame f) {
  if (closing_) return;
  queue_.push_back(std::move(f));
  schedule();
}

void ws_transport::schedule() {
  if (scheduled_ || wait_write_ || dead_) return;
  scheduled_ = true;
  w_.schedule_flush(shared_from_this());
}

void ws_transport::flush_scheduled() {
  scheduled_ = false;
  if (!wait_write_) flush();
}

void ws_transport::flush() {
  if (dead_) return;
  if (tls_) return flush_tls();
  const int fd = sock_.native_handle();
  while (!queue_.empty()) {
    gathered g;
    gather(queue_, g);
    auto& iov = g.iov;
    const std::size_t niov = g.niov;
    // Skip what a previous partial write sent of the first frame.
    std::size_t first = 0;
    for (std::size_t skip = head_off_; skip > 0;) {
      if (skip >= iov[first].iov_len) {
        skip -= iov[first].iov_len;
        ++first;
      } else {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + skip;
        iov[first].iov_len -= skip;
        skip = 0;
      }
    }
    msghdr m{};
    m.msg_iov = iov.data() + first;
    m.msg_iovlen = niov - first;
    const auto n = ::sendmsg(fd, &m, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_writable();
      // The peer is gone: the session hears of it as a reset (a clean close).
      close_socket();
      notify_closed(asio::error::connection_reset);
      return;
    }
    auto left = static_cast<std::size_t>(n);
    while (left > 0) {
      const std::size_t rest = frame_size(queue_.front()) - head_off_;
      if (left < rest) {
        head_off_ += left;
        break;
      }
      left -= rest;
      head_off_ = 0;
      queue_.pop_front();
    }
    if (head_off_ > 0) return wait_writable();  // the socket buffer is full
  }
  if (close_queued_) after_close_frame();
}

void ws_transport::flush_tls() {
  if (wait_write_) return;  // the write in flight goes on with what is queued
  if (queue_.empty()) {
    if (close_queued_) after_close_frame();
    return;
  }
  gathered g;
  gather(queue_, g);
  tls_tx_.clear();
  for (std::size_t i = 0; i < g.niov; ++i)
    tls_tx_.append(static_cast<const char*>(g.iov[i].iov_base), g.iov[i].iov_len);
  for (std::size_t i = 0; i < g.frames; ++i) queue_.pop_front();
  wait_write_ = true;
  asio::async_write(*tls_, asio::buffer(tls_tx_),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      self->wait_write_ = false;
                      if (self->dead_) return;
                      if (ec) {
                        self->close_socket();
                        self->notify_closed(asio::error::connection_reset);
                        return;
                      }
                      if (self->tls_tx_.capacity() > kTlsKeepTx) std::string().swap(self->tls_tx_);
                      self->flush_tls();
                    });
}

void ws_transport::wait_writable() {
  wait_write_ = true;
  sock_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code ec) {
    self->wait_write_ = false;
    if (ec || self->dead_) return;
    self->flush();
  });
}

void ws_transport::after_close_frame() {
  if (dead_ || close_timer_) return;
  // Our close frame is out: no more data from us (FIN). Wait, bounded, for the peer to finish its
  // side (its close frame, then EOF) so that nothing it still sends makes our close a reset.
  error_code ec;
  socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return close_socket();
  arm_close_timer();
}

void ws_transport::arm_close_timer() {
  close_timer_ = std::make_unique<asio::steady_timer>(w_.ctx);
  close_timer_->expires_after(srv_.opts.header_timeout);
  close_timer_->async_wait([self = shared_from_this()](error_code ec) {
    if (ec) return;
    self->close_socket();
    self->notify_closed(asio::error::timed_out);
  });
}

void ws_transport::close(bool graceful) {
  if (closing_) return;
  if (dead_) {
    closing_ = true;
    return;
  }
  if (!graceful) {
    drop_unsent();
  }
  queue_close_frame(close_normal);
}

void ws_transport::read_ended(error_code ec) {
  read_done_ = true;
  closing_ = true;
  close_socket();
  notify_closed(ec);
}

void ws_transport::notify_closed(error_code ec) {
  if (notified_) return;
  notified_ = true;
  if (auto s = session_.lock()) s->on_ws_closed(this, ec);
}

void ws_transport::close_socket() {
  if (dead_) return;
  dead_ = true;
  closing_ = true;
  error_code ec;
  socket().close(ec);  // cancels the waits and TLS operations
  if (close_timer_) close_timer_->cancel();
  queue_.clear();
  head_off_ = 0;
}

void ws_transport::release_rx() noexcept {
  // Idle connections hold no read state (never called while a parse may use it).
  if (rx_ && rx_->partial.empty() && message_op_ == 0) rx_.reset();
}

}  // namespace sio::engineio::detail
