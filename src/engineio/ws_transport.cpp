// The server side of RFC 6455 on a TCP socket or a TLS stream (see the class comment in
// detail.hpp).
#include "detail.hpp"

#include "../common/recycling_allocator.hpp"

#include <sio/protocol/permessage_deflate.hpp>
#include <sio/protocol/utf8.hpp>
#include <sio/protocol/websocket.hpp>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include <openssl/evp.h>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sio::engineio::detail {
namespace {

constexpr std::size_t kScratch = 64 * 1024;  // per worker
constexpr std::size_t kFramesPerWrite = 64;  // frames gathered by one sendmsg
constexpr std::size_t kMaxQueuedForPong = 256;
constexpr std::size_t kTlsRead = 16 * 1024;       // one TLS record's worth
constexpr std::size_t kTlsKeepTx = 64 * 1024;     // write buffer capacity kept between bursts
constexpr std::size_t kInflatedKeep = 64 * 1024;  // the worker's inflate buffer kept between uses

namespace ws = sio::protocol::websocket;
using ws::close_code::normal;

// The allocator of the readiness wait an idle connection keeps pending for its whole life. With
// none, Asio recycles freed operation memory per thread, and the wait takes over whatever block the
// last completed operation left (the ~300-byte HTTP read chain of the upgrade request); with its
// own allocator it takes a block of its own size (~170 bytes), recycled from wait to wait.
template <class T>
using wait_allocator = sio::detail::recycling_allocator<T>;

message_ptr close_message(std::uint16_t code) {
  return make_binary(ws::close_frame(code));
}

const message_ptr& cached_close(std::uint16_t code) {
  static const message_ptr normal_close = close_message(normal);
  static const message_ptr protocol = close_message(ws::close_code::protocol_error);
  static const message_ptr bad_data = close_message(ws::close_code::invalid_payload);
  static const message_ptr too_big = close_message(ws::close_code::message_too_big);
  static const message_ptr none;
  switch (code) {
    case ws::close_code::protocol_error:
      return protocol;
    case ws::close_code::invalid_payload:
      return bad_data;
    case ws::close_code::message_too_big:
      return too_big;
    case normal:
      return normal_close;
    default:
      return none;
  }
}

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

// SHA-1 fetched from OpenSSL's provider once (kept for the process): EVP_sha1() makes every
// digest look the algorithm up again, which costs more than the digest of a key.
const EVP_MD* sha1() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    return fetched ? fetched : EVP_sha1();
  }();
  return md;
}

std::string accept_key(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::array<char, 24 + guid.size()> in{};
  std::memcpy(in.data(), key.data(), 24);
  std::memcpy(in.data() + 24, guid.data(), guid.size());
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  EVP_Digest(in.data(), in.size(), md.data(), &md_len, sha1(), nullptr);
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

std::size_t frame_size(const ws_frame& f) noexcept {
  if (f.k == ws_frame::kind::raw) return f.msg->data.size();
  if (f.k == ws_frame::kind::deflated)
    return f.msg->data.size() + ws::header_size(f.msg->data.size());
  const std::size_t len =
      f.msg && f.msg->binary ? f.msg->data.size() : 1 + (f.msg ? f.msg->data.size() : 0);
  return len + ws::header_size(len);
}

// Up to kFramesPerWrite queued frames as one gather list: headers built in `hdrs`, payloads shared.
struct gathered {
  std::array<iovec, 2 * kFramesPerWrite> iov;  // only the first niov are written and read
  std::array<std::array<unsigned char, ws::max_header_size + 1>, kFramesPerWrite> hdrs;
  std::size_t niov = 0;
  std::size_t frames = 0;
};

void gather(const inline_front_queue<ws_frame>& queue, gathered& g) noexcept {
  auto& iov = g.iov;
  std::size_t niov = 0;
  std::size_t frames = 0;
  const std::size_t n = std::min(queue.size(), kFramesPerWrite);
  for (; frames < n; ++frames) {
    const ws_frame& f = queue[frames];
    if (f.k == ws_frame::kind::raw) {
      iov[niov++] = {const_cast<char*>(f.msg->data.data()), f.msg->data.size()};
      continue;
    }
    auto& h = g.hdrs[frames];
    if (f.k == ws_frame::kind::deflated) {  // the payload as compressed, RSV1 set
      const auto op = f.msg->binary ? ws::opcode::binary : ws::opcode::text;
      const auto hl = ws::write_header(h.data(), op, f.msg->data.size(), true);
      iov[niov++] = {h.data(), hl};
      if (!f.msg->data.empty())
        iov[niov++] = {const_cast<char*>(f.msg->data.data()), f.msg->data.size()};
      continue;
    }
    if (f.msg && f.msg->binary) {
      const auto hl = ws::write_header(h.data(), ws::opcode::binary, f.msg->data.size());
      iov[niov++] = {h.data(), hl};
      if (!f.msg->data.empty())
        iov[niov++] = {const_cast<char*>(f.msg->data.data()), f.msg->data.size()};
      continue;
    }
    const std::size_t data_len = f.msg ? f.msg->data.size() : 0;
    auto hl = ws::write_header(h.data(), ws::opcode::text, 1 + data_len);
    h[hl++] = static_cast<unsigned char>('0' + static_cast<int>(f.type));
    iov[niov++] = {h.data(), hl};
    if (data_len != 0) iov[niov++] = {const_cast<char*>(f.msg->data.data()), data_len};
  }
  g.niov = niov;
  g.frames = frames;
}

}  // namespace

// --- permessage-deflate: a worker's shared streams, a connection's agreement ---------------------

message_ptr deflate_packet(pmd::deflater& z, eio::packet_type type, const message_ptr& m) {
  const char digit = static_cast<char>('0' + static_cast<int>(type));
  std::string out;
  z.compress(m->binary ? std::string_view{} : std::string_view(&digit, 1), m->data, out);
  if (out.capacity() > 2 * out.size() + 64) out.shrink_to_fit();  // it may be kept for a while
  return std::make_shared<const message>(message{m->binary, std::move(out)});
}

pmd::deflater& deflate_pool::deflater(int bits, int level, int mem_level) {
  for (auto& d : deflaters)
    if (d.bits == bits && d.level == level && d.mem_level == mem_level) return *d.z;
  deflaters.push_back(
      {bits, level, mem_level, std::make_unique<pmd::deflater>(bits, level, mem_level, true)});
  return *deflaters.back().z;
}

pmd::inflater& deflate_pool::inflater(int bits) {
  for (auto& i : inflaters)
    if (i.bits == bits) return *i.z;
  inflaters.push_back({bits, std::make_unique<pmd::inflater>(bits, true)});
  return *inflaters.back().z;
}

message_ptr deflate_pool::compress(pmd::deflater& z, eio::packet_type type,
                                   const message_ptr& src) {
  for (const auto& k : kept)
    if (k.by == &z && k.type == type && k.src.lock() == src) return k.out;
  auto out = deflate_packet(z, type, src);
  kept[next_kept] = {src, &z, type, out};
  next_kept = (next_kept + 1) % kept.size();
  return out;
}

struct ws_transport::deflate_state {
  pmd::params agreed;
  std::size_t max_payload = 0;
  std::atomic<std::size_t>* takeover = nullptr;  // the server's count this agreement is in
  // Context takeover: the connection's own streams, from its first compressed message on.
  std::unique_ptr<pmd::deflater> tx;
  std::unique_ptr<pmd::inflater> rx;

  deflate_state() = default;
  deflate_state(const deflate_state&) = delete;
  deflate_state& operator=(const deflate_state&) = delete;
  ~deflate_state() {
    if (takeover) takeover->fetch_sub(1);
  }
};

// --- worker: one flush per turn of the event loop -----------------------------------------------

void worker::schedule_flush(std::shared_ptr<ws_transport> t) {
  dirty.push_back(std::move(t));
  if (flush_posted) return;
  flush_posted = true;
  if (flush_delay.count() > 0 && std::chrono::steady_clock::now() - last_flush < flush_delay) {
    flush_timer.expires_at(last_flush + flush_delay);
    flush_timer.async_wait([this](const error_code&) { run_flush(); });
    return;
  }
  asio::post(ctx, [this] { run_flush(); });
}

void worker::run_flush() {
  flush_posted = false;
  flushing.swap(dirty);
  for (auto& t : flushing) t->flush_scheduled();
  flushing.clear();
  if (flush_delay.count() > 0) last_flush = std::chrono::steady_clock::now();
}

// --- ws_transport -------------------------------------------------------------------------------

ws_transport::ws_transport(server_impl& srv, worker& w, tcp::socket s, tcp proto,
                           std::unique_ptr<tls_stream> tls, address_slot slot,
                           const endpoint_options& opts)
    : srv_(srv),
      w_(w),
      live_(w),
      slot_(std::move(slot)),
      sock_(w.ctx.get_executor()),
      tls_(tls ? std::make_unique<tls_part>(tls_part{std::move(tls), nullptr, {}}) : nullptr),
      rx_(opts.max_payload),
      deflate_opts_(opts.per_message_deflate ? &*opts.per_message_deflate : nullptr) {
  srv_.connections.fetch_add(1);
  if (!tls_) adopt(std::move(s), proto);
}

void ws_transport::adopt(tcp::socket s, tcp proto) {
  // The descriptor moves from the accepted socket to sock_ (re-registered with the reactor).
  // On failure sock_ stays closed and the first read or write ends the connection.
  error_code ec;
  const auto fd = s.release(ec);
  if (ec) return;
  sock_.assign(proto, fd, ec);
  if (ec) {
    ::close(fd);
    return;
  }
  sock_.non_blocking(true, ec);
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
  std::string extensions;
  if (!valid_key(key)) {
    refusal = "Missing or invalid Sec-WebSocket-Key header";
  } else if (version != "13" && version != "8") {
    refusal = "Missing or invalid Sec-WebSocket-Version header";
  } else if (!negotiate_deflate(req, extensions)) {
    refusal = "Invalid or unacceptable Sec-WebSocket-Extensions header";
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
  res.append(extensions).append(headers).append("\r\n");
  // The 101 and the first packets (the open packet) leave in one write.
  queue_.push_back(
      ws_frame{eio::packet_type::message, make_binary(std::move(res)), ws_frame::kind::raw});
  schedule();
  done({});
}

bool ws_transport::negotiate_deflate(const http::request<http::string_body>& req,
                                     std::string& response) {
  if (!deflate_opts_) return true;  // the header is not even read, as in Node without the option
  std::string header;               // repeated header lines are one list
  for (const auto& f : req)
    if (f.name() == http::field::sec_websocket_extensions)
      header.append(header.empty() ? "" : ", ").append(f.value().data(), f.value().size());
  if (header.empty()) return true;
  const auto& o = *deflate_opts_;
  // A context takeover slot is taken first (no race between workers), given back when unused.
  const bool slot = srv_.deflate_takeover.fetch_add(1) < o.max_context_takeover;
  const auto n = pmd::negotiate(header, o, slot);
  const bool takeover =
      n.result == pmd::outcome::accepted &&
      !(n.agreed.server_no_context_takeover && n.agreed.client_no_context_takeover);
  if (!(slot && takeover)) srv_.deflate_takeover.fetch_sub(1);
  if (n.result != pmd::outcome::accepted) return n.result == pmd::outcome::none;
  deflate_ = std::make_unique<deflate_state>();
  deflate_->agreed = n.agreed;
  deflate_->max_payload = rx_.max_message();
  if (slot && takeover) deflate_->takeover = &srv_.deflate_takeover;
  rx_.allow_compressed(true);
  response.append("Sec-WebSocket-Extensions: ").append(n.response).append("\r\n");
  return true;
}

void ws_transport::deflate(ws_frame& f) {
  const auto& o = *deflate_opts_;
  const std::size_t size = f.msg->binary ? f.msg->data.size() : 1 + f.msg->data.size();
  if (size < o.threshold) return;
  if (!w_.deflate) w_.deflate = std::make_unique<deflate_pool>();
  const auto& a = deflate_->agreed;
  message_ptr out;
  if (a.server_no_context_takeover) {
    auto& pool = *w_.deflate;
    out =
        pool.compress(pool.deflater(a.server_max_window_bits, o.level, o.mem_level), f.type, f.msg);
  } else {
    if (!deflate_->tx)
      deflate_->tx =
          std::make_unique<pmd::deflater>(a.server_max_window_bits, o.level, o.mem_level, false);
    out = deflate_packet(*deflate_->tx, f.type, f.msg);
  }
  f = ws_frame{f.type, std::move(out), ws_frame::kind::deflated};
}

void ws_transport::on_compressed(const ws::event& e) {
  if (!w_.deflate) w_.deflate = std::make_unique<deflate_pool>();
  auto& pool = *w_.deflate;
  const auto& a = deflate_->agreed;
  pmd::inflater* z = nullptr;
  if (a.client_no_context_takeover) {
    z = &pool.inflater(a.client_max_window_bits);
  } else {
    if (!deflate_->rx)
      deflate_->rx = std::make_unique<pmd::inflater>(a.client_max_window_bits, false);
    z = deflate_->rx.get();
  }
  std::string& out = pool.inflated;
  const auto st = z->inflate(e.payload, deflate_->max_payload, out);
  const bool valid = st == pmd::inflater::status::ok && (e.binary || protocol::valid_utf8(out));
  if (valid) deliver(e.binary, out);
  if (out.capacity() > kInflatedKeep) {
    std::string().swap(out);
  } else {
    out.clear();
  }
  if (st == pmd::inflater::status::too_big)
    return fail(ws::close_code::message_too_big, asio::error::message_size);
  if (!valid) fail(ws::close_code::invalid_payload, asio::error::invalid_argument);
}

void ws_transport::deliver(bool binary, std::string_view data) {
  if (auto s = session_.lock()) return s->on_ws_data(this, binary, data);
  close(false);
}

void ws_transport::start_reading() {
  if (tls_) return read_tls();
  // Data may already wait (it raised no readiness event while nobody waited): read first.
  asio::post(w_.ctx, [self = shared_from_this()] { self->on_readable(); });
}

void ws_transport::read_tls() {
  if (dead_) return;
  if (!tls_->rx) tls_->rx = std::make_unique<char[]>(kTlsRead);
  tls_->stream->async_read_some(asio::buffer(tls_->rx.get(), kTlsRead),
                                [self = shared_from_this()](error_code ec, std::size_t n) {
                                  if (self->dead_) return;
                                  // A peer that closes TCP without close_notify has simply gone.
                                  if (ec == asio::ssl::error::stream_truncated)
                                    ec = asio::error::eof;
                                  if (ec) return self->read_ended(ec);
                                  if (self->consume(self->tls_->rx.get(), n)) self->read_tls();
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
  sock_.async_wait(
      tcp::socket::wait_read,
      asio::bind_allocator(wait_allocator<void>(), [self = shared_from_this()](error_code ec) {
        if (ec) {
          self->read_ended(ec);
          return;
        }
        self->on_readable();
      }));
}

bool ws_transport::consume(char* data, std::size_t n) {
  if (read_done_) return !dead_;  // only waiting for the peer's EOF
  rx_.feed(data, n);
  while (!read_done_ && !dead_) {
    const auto e = rx_.next();
    if (e.what == ws::event::kind::need_more) break;
    on_event(e);
  }
  return !dead_;
}

void ws_transport::on_event(const ws::event& e) {
  using kind = ws::event::kind;
  switch (e.what) {
    case kind::ping:
      // A peer that pings without reading cannot grow the queue: past a bound, pings go unanswered
      // (RFC 6455 allows answering only the latest).
      if (!close_queued_ && queue_.size() < kMaxQueuedForPong) {
        queue_.push_back(ws_frame{eio::packet_type::message,
                                  make_binary(ws::control_frame(ws::opcode::pong, e.payload)),
                                  ws_frame::kind::raw});
        schedule();
      }
      return;
    case kind::close:
      read_done_ = true;
      if (!close_queued_) {
        // Answer with the same code; what was not started is dropped.
        drop_unsent();
        queue_close_frame(e.code == ws::close_code::no_status ? normal : e.code);
      }
      return notify_closed(websocket::error::closed);
    case kind::error:
      return fail(e.code, e.code == ws::close_code::message_too_big
                              ? asio::error::message_size
                              : asio::error::invalid_argument);
    case kind::message:
      if (closing_) return;
      if (e.compressed) return on_compressed(e);
      return deliver(e.binary, e.payload);
    default:
      return;
  }
}

void ws_transport::drop_unsent() {
  // Packets (compressed or not) not started yet go; a frame partly written and the raw bytes queued
  // before packets (the 101 response) stay.
  while (queue_.size() > (head_off_ > 0 ? 1u : 0u) && queue_.back().k != ws_frame::kind::raw)
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
  if (deflate_ && f.k == ws_frame::kind::packet && f.compress && f.msg) deflate(f);
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
  tls_->tx.clear();
  for (std::size_t i = 0; i < g.niov; ++i)
    tls_->tx.append(static_cast<const char*>(g.iov[i].iov_base), g.iov[i].iov_len);
  for (std::size_t i = 0; i < g.frames; ++i) queue_.pop_front();
  wait_write_ = true;
  asio::async_write(*tls_->stream, asio::buffer(tls_->tx),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      self->wait_write_ = false;
                      if (self->dead_) return;
                      if (ec) {
                        self->close_socket();
                        self->notify_closed(asio::error::connection_reset);
                        return;
                      }
                      if (self->tls_->tx.capacity() > kTlsKeepTx)
                        std::string().swap(self->tls_->tx);
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
  with_socket([&](auto& sock) { sock.shutdown(tcp::socket::shutdown_send, ec); });
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
  queue_close_frame(normal);
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
  with_socket([&](auto& sock) { sock.close(ec); });  // cancels the waits and TLS operations
  if (close_timer_) close_timer_->cancel();
  queue_.clear();
  head_off_ = 0;
}

}  // namespace sio::engineio::detail
