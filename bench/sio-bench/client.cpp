// The clients of sio-bench: the protocol part shared by both transports, then the WebSocket and
// the HTTP long-polling transports.
//
// Hot-path wire forms (pre-agreed with the bench servers, see BENCHMARKS.md "contract"):
//   echo     42<seq>["echo",<seq>,<t>,"<pad>"]          -> 43<seq>[<seq>,<t>,"<pad>"]
//   join     420["join",{"room":"r<k>"}]                 -> 430[]
//   fanout   42["fanout",{"room":"r<k>","payload":[<room seq>,<seq>,<t>,"<pad>"]}]
//            -> every member of r<k>: 42["fanout",[<room seq>,<seq>,<t>,"<pad>"]]
// <t> is the intended send time in ns of the generator's steady clock.
// With --parser msgpack the same packets go as socket.io-msgpack-parser writes them (one binary
// message each, through sio's codec), the Engine.IO ping/pong as text.
#include "bench.hpp"
#include "upgrade.hpp"

#include <sio/protocol/engineio.hpp>
#ifdef SIO_BENCH_HAVE_MSGPACK
#include <sio/protocol/msgpack_parser.hpp>
#endif
#include <sio/protocol/permessage_deflate.hpp>
#include <sio/protocol/socketio.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace sio::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace eio = sio::protocol::engineio;
namespace sioc = sio::protocol::socketio;
using boost::system::error_code;
// The io_context's own executor rather than any_io_executor: no type erasure per operation.
using socket_t = net::basic_stream_socket<tcp, net::io_context::executor_type>;

namespace {

constexpr char eio_digit(eio::packet_type t) {
  return eio::type_char(t);
}
constexpr char sio_digit(sioc::packet_type t) {
  return static_cast<char>('0' + static_cast<int>(t));
}

void append_u64(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Consumes leading decimal digits of s; false when there are none.
bool take_u64(std::string_view& s, std::uint64_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr == s.data()) return false;
  s.remove_prefix(static_cast<std::size_t>(r.ptr - s.data()));
  return true;
}

bool take_char(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

// Tail of an echo/fanout argument list after the last number: ,"<pad>"] (+ extra closers).
bool pad_matches(std::string_view rest, std::string_view pad) {
  if (!take_char(rest, ',') || !take_char(rest, '"')) return false;
  if (rest.size() < pad.size() + 2 || rest.substr(0, pad.size()) != pad) return false;
  rest.remove_prefix(pad.size());
  return rest.substr(0, 2) == "\"]";
}

void prepare_socket(socket_t& s, net::ip::address_v4 src, error_code& ec) {
  if (s.is_open()) s.close(ec);
  ec = {};
  s.open(tcp::v4(), ec);
  if (ec) return;
  if (!src.is_unspecified()) {
    // Let connect() pick the port per destination: binding alone would reserve it per address.
    int one = 1;
    ::setsockopt(s.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    s.bind(tcp::endpoint(src, 0), ec);
  }
}

// Connects s from src to ep (TCP_NODELAY on), then calls done(connected).
template <class F>
void connect_nodelay(socket_t& s, net::ip::address_v4 src, const tcp::endpoint& ep, F done) {
  error_code ec;
  prepare_socket(s, src, ec);
  if (ec) return done(false);
  s.async_connect(ep, [&s, done](error_code ec) {
    if (ec) return done(false);
    s.set_option(tcp::no_delay(true), ec);
    done(true);
  });
}

}  // namespace

// --- protocol part ---------------------------------------------------------------------------

client::client(worker& w, std::uint32_t index, role r, std::uint32_t room, net::ip::address_v4 src)
    : w_(w),
      sh_(w.sh),
      target_(w.sh.target_of(index)),
      src_(src),
      index_(index),
      room_(room),
      role_(r) {
  if (r == role::receiver) expect_rseq_.assign(sh_.cfg.senders, 0);
}

void client::close() {
  if (closing_) return;
  closing_ = true;
  phase_ = phase::dead;
  close_transport();
}

void client::fail(bool protocol_error) {
  if (closing_) return;
  if (protocol_error) w_.c.protocol_errors.add();
  auto was = phase_;
  closing_ = true;
  phase_ = phase::dead;
  close_transport();
  if (was == phase::connecting || was == phase::open)
    w_.on_connect_done(*this, false);
  else if (was == phase::connected)
    w_.c.disconnected.add();
}

#ifdef SIO_BENCH_HAVE_MSGPACK
namespace {

// The Socket.IO packet of m, for --parser msgpack.
sioc::packet msgpack_packet(const client::out_msg& m, const std::string& pad) {
  using kind = client::msg_kind;
  sioc::packet p;
  const auto t = static_cast<std::uint64_t>(m.t);
  const auto room = "r" + std::to_string(m.room);
  switch (m.kind) {
    case kind::sio_connect:
      p.type = sioc::packet_type::connect;
      break;
    case kind::echo:
      p.id = m.a;
      p.data = boost::json::array{"echo", m.a, t, boost::json::string(pad)};
      break;
    case kind::join:
      p.id = 0;
      p.data = boost::json::array{"join", boost::json::object{{"room", room}}};
      break;
    case kind::fanout:
      p.data = boost::json::array{
          "fanout", boost::json::object{
                        {"room", room},
                        {"payload", boost::json::array{m.a, m.b, t, boost::json::string(pad)}}}};
      break;
    case kind::pong:
      break;
  }
  return p;
}

std::uint64_t u64_at(const boost::json::array& a, std::size_t i, bool& ok) {
  if (i < a.size()) {
    if (const auto* u = a[i].if_uint64()) return *u;
    if (const auto* s = a[i].if_int64(); s && *s >= 0) return static_cast<std::uint64_t>(*s);
  }
  ok = false;
  return 0;
}

bool pad_at(const boost::json::array& a, std::size_t i, std::string_view pad) {
  return i < a.size() && a[i].is_string() && a[i].get_string() == pad;
}

}  // namespace

#endif

void client::on_binary(std::string_view bytes) {
#ifdef SIO_BENCH_HAVE_MSGPACK
  if (!sh_.cfg.msgpack) return;  // attachments: not part of the contract, ignored
  auto p = protocol::msgpack_parser::decode(bytes);
  if (!p) return fail(true);
  w_.c.received_total.add();
  const auto* a = p->data.if_array();
  bool ok = true;
  switch (p->type) {
    case sioc::packet_type::connect:
      if (phase_ != phase::open) return fail(true);
      return sio_connected();
    case sioc::packet_type::ack: {
      if (!p->id || !a) return w_.c.protocol_errors.add();
      if (*p->id == 0) return join_answered();
      const auto seq = u64_at(*a, 0, ok);
      const auto t = u64_at(*a, 1, ok);
      if (!ok) return w_.c.protocol_errors.add();
      return echo_answered(*p->id, seq, t, !sh_.cfg.verify || pad_at(*a, 2, sh_.pad));
    }
    case sioc::packet_type::event: {
      const auto* f = a && a->size() == 2 && a->at(0) == "fanout" ? a->at(1).if_array() : nullptr;
      if (!f) return w_.c.protocol_errors.add();
      const auto rseq = u64_at(*f, 0, ok), gseq = u64_at(*f, 1, ok), t = u64_at(*f, 2, ok);
      if (!ok) return w_.c.protocol_errors.add();
      return fanout_received(rseq, gseq, t, !sh_.cfg.verify || pad_at(*f, 3, sh_.pad));
    }
    default:
      return fail(p->type == sioc::packet_type::connect_error);
  }
#endif
}

void client::format(const out_msg& m, std::string& out) const {
#ifdef SIO_BENCH_HAVE_MSGPACK
  if (binary(m)) return protocol::msgpack_parser::encode(msgpack_packet(m, sh_.pad), out);
#endif
  const char message = eio_digit(eio::packet_type::message);
  const char event = sio_digit(sioc::packet_type::event);
  switch (m.kind) {
    case msg_kind::sio_connect:
      out += message;
      out += sio_digit(sioc::packet_type::connect);
      break;
    case msg_kind::pong:
      out += eio_digit(eio::packet_type::pong);
      break;
    case msg_kind::echo:
      out += message;
      out += event;
      append_u64(out, m.a);
      out += "[\"echo\",";
      append_u64(out, m.a);
      out += ',';
      append_u64(out, static_cast<std::uint64_t>(m.t));
      out += ",\"";
      out += sh_.pad;
      out += "\"]";
      break;
    case msg_kind::join:
      out += message;
      out += event;
      out += "0[\"join\",{\"room\":\"r";
      append_u64(out, m.room);
      out += "\"}]";
      break;
    case msg_kind::fanout:
      out += message;
      out += event;
      out += "[\"fanout\",{\"room\":\"r";
      append_u64(out, m.room);
      out += "\",\"payload\":[";
      append_u64(out, m.a);
      out += ',';
      append_u64(out, m.b);
      out += ',';
      append_u64(out, static_cast<std::uint64_t>(m.t));
      out += ",\"";
      out += sh_.pad;
      out += "\"]}]";
      break;
  }
}

void client::send_echo(std::int64_t t) {
  if (phase_ != phase::connected) return;
  w_.c.sent_total.add();
  if (t >= sh_.window_start && t < sh_.window_end) w_.c.sent_window.add();
  out_msg m{msg_kind::echo, 0, next_seq_, 0, t};
  if (push(m))
    ++next_seq_;
  else
    w_.c.overruns.add();
}

void client::send_join() {
  if (phase_ != phase::connected) return;
  if (!push(out_msg{msg_kind::join, room_, 0, 0, 0})) w_.c.overruns.add();
}

void client::send_fanout(std::uint32_t room, std::uint64_t room_seq, std::uint64_t global_seq,
                         std::int64_t t) {
  if (phase_ != phase::connected) return;
  w_.c.sent_total.add();
  if (!push(out_msg{msg_kind::fanout, room, room_seq, global_seq, t})) w_.c.overruns.add();
}

void client::on_packet(std::string_view p) {
  if (p.empty()) return fail(true);
  switch (p.front()) {
    case eio_digit(eio::packet_type::open): {
      if (phase_ != phase::connecting) return fail(true);
      // Slow path, once per connection: the handshake JSON.
      auto pk = eio::decode_packet(p);
      if (!pk) return fail(true);
      error_code ec;
      auto v = boost::json::parse(pk->data, ec);
      if (ec || !v.is_object() || !v.as_object().contains("sid") ||
          !v.as_object().at("sid").is_string())
        return fail(true);
      sid_ = v.as_object().at("sid").as_string();
      phase_ = phase::open;
      if (!push(out_msg{msg_kind::sio_connect})) return fail(false);
      return;
    }
    case eio_digit(eio::packet_type::ping):
      if (!push(out_msg{msg_kind::pong})) w_.c.overruns.add();
      return;
    case eio_digit(eio::packet_type::pong):
    case eio_digit(eio::packet_type::noop):
      return;
    case eio_digit(eio::packet_type::close):
      return fail(false);
    case eio_digit(eio::packet_type::message):
      break;
    default:
      return fail(true);
  }
  auto s = p.substr(1);
  if (s.empty()) return fail(true);
  w_.c.received_total.add();
  switch (s.front()) {
    case sio_digit(sioc::packet_type::connect):
      if (phase_ != phase::open) return fail(true);
      return sio_connected();
    case sio_digit(sioc::packet_type::connect_error):
    case sio_digit(sioc::packet_type::disconnect):
      return fail(s.front() == sio_digit(sioc::packet_type::connect_error));
    case sio_digit(sioc::packet_type::ack):
      return on_ack(s.substr(1));
    case sio_digit(sioc::packet_type::event):
      return on_event(s.substr(1));
    default:
      w_.c.protocol_errors.add();
  }
}

void client::sio_connected() {
  phase_ = phase::connected;
  w_.on_connect_done(*this, true);
}

void client::on_ack(std::string_view s) {
  std::uint64_t id = 0;
  if (!take_u64(s, id) || !take_char(s, '[')) return w_.c.protocol_errors.add();
  if (id == 0) return join_answered();
  std::uint64_t seq = 0, t = 0;
  if (!take_u64(s, seq) || !take_char(s, ',') || !take_u64(s, t)) return w_.c.protocol_errors.add();
  echo_answered(id, seq, t, !sh_.cfg.verify || pad_matches(s, sh_.pad));
}

void client::join_answered() {
  if (!joined_) {
    joined_ = true;
    w_.on_joined(*this);
  }
}

void client::echo_answered(std::uint64_t id, std::uint64_t seq, std::uint64_t t, bool pad_ok) {
  if (seq != id) w_.c.payload_errors.add();
  if (id == expect_ack_) {
    ++expect_ack_;
  } else if (id < expect_ack_) {
    w_.c.duplicates.add();
  } else {
    w_.c.out_of_order.add();
    expect_ack_ = id + 1;
  }
  if (!pad_ok) w_.c.payload_errors.add();
  w_.on_delivery(static_cast<std::int64_t>(t), now_ns());
  w_.on_echo_answered(*this);
}

void client::on_event(std::string_view s) {
  std::uint64_t id = 0;
  take_u64(s, id);  // an ack id the server asks for: not part of the contract, ignored
  constexpr std::string_view fanout = "[\"fanout\",";
  if (s.substr(0, fanout.size()) != fanout) return w_.c.protocol_errors.add();
  on_fanout(s.substr(fanout.size()));
}

void client::on_fanout(std::string_view s) {
  std::uint64_t rseq = 0, gseq = 0, t = 0;
  if (!take_char(s, '[') || !take_u64(s, rseq) || !take_char(s, ',') || !take_u64(s, gseq) ||
      !take_char(s, ',') || !take_u64(s, t))
    return w_.c.protocol_errors.add();
  fanout_received(rseq, gseq, t, !sh_.cfg.verify || pad_matches(s, sh_.pad));
}

void client::fanout_received(std::uint64_t rseq, std::uint64_t gseq, std::uint64_t t, bool pad_ok) {
  if (expect_rseq_.empty()) return w_.c.protocol_errors.add();  // a fanout to a non-receiver
  auto& expected = expect_rseq_[gseq % expect_rseq_.size()];    // each sender's own order
  if (rseq == expected) {
    ++expected;
  } else if (rseq < expected) {
    w_.c.duplicates.add();
  } else {
    w_.c.out_of_order.add();
    expected = rseq + 1;
  }
  if (!pad_ok) w_.c.payload_errors.add();
  w_.on_delivery(static_cast<std::int64_t>(t), now_ns());
  w_.on_fanout_delivered(gseq, room_);
}

// --- WebSocket transport -----------------------------------------------------------------------

namespace {

// Beast's websocket::stream, over TCP (--ws-client beast) or over TLS (an https:// URL).
template <bool Tls>
class ws_client final : public client, public std::enable_shared_from_this<ws_client<Tls>> {
  using stream_t = std::conditional_t<Tls, beast::ssl_stream<socket_t>, socket_t>;

 public:
  ws_client(worker& w, std::uint32_t index, role r, std::uint32_t room, net::ip::address_v4 src)
      : client(w, index, r, room, src), ws_(make_stream(w)), q_(r == role::sender ? 8192 : 16) {}

  void start() override {
    phase_ = phase::connecting;
    connect_start_ = now_ns();
    error_code ec;
    prepare_socket(lowest(), src_, ec);
    if (ec) return fail(false);
    lowest().async_connect(target_.endpoint, [self = this->shared_from_this()](error_code ec) {
      if (ec) return self->fail(false);
      self->lowest().set_option(tcp::no_delay(true), ec);
      if constexpr (Tls) {
        self->ws_.next_layer().async_handshake(net::ssl::stream_base::client,
                                               [self](error_code ec) {
                                                 if (ec) return self->fail(false);
                                                 self->ws_handshake();
                                               });
      } else {
        self->ws_handshake();
      }
    });
  }

 private:
  bool push(const out_msg& m) override {
    if (closing()) return true;
    if (!q_.push(m)) return false;
    if (!writing_) write_next();
    return true;
  }

  static websocket::stream<stream_t> make_stream(worker& w) {
    if constexpr (Tls) {
      return websocket::stream<stream_t>(w.ioc, *w.sh.tls);
    } else {
      return websocket::stream<stream_t>(w.ioc);
    }
  }

  socket_t& lowest() { return beast::get_lowest_layer(ws_); }

  void ws_handshake() {
    ws_.text(true);
    ws_.async_handshake(target_.host_header, sh_.ws_target,
                        [self = this->shared_from_this()](error_code ec) {
                          if (ec) return self->fail(false);
                          self->do_read();
                        });
  }

  void close_transport() override {
    error_code ec;
    lowest().close(ec);
  }

  void do_read() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->fail(false);
      if (self->ws_.got_text()) {
        auto d = self->rbuf_.cdata();
        self->on_packet({static_cast<const char*>(d.data()), d.size()});
      }
      self->rbuf_.consume(self->rbuf_.size());
      if (!self->closing()) self->do_read();
    });
  }

  void write_next() {
    if (q_.empty() || closing()) {
      writing_ = false;
      return;
    }
    const out_msg m = q_.pop();
    wbuf_.clear();
    format(m, wbuf_);
    writing_ = true;
    ws_.async_write(net::buffer(wbuf_),
                    [self = this->shared_from_this()](error_code ec, std::size_t) {
                      if (ec) return self->fail(false);
                      self->write_next();
                    });
  }

  websocket::stream<stream_t> ws_;
  beast::flat_buffer rbuf_;
  std::string wbuf_;
  ring<out_msg> q_;  // packets waiting for the write in flight
  bool writing_ = false;
};

// --- lean WebSocket transport (the default) -----------------------------------------------------

// RFC 6455 client framing written out by hand: one read fills a buffer with as many frames as the
// kernel has, parsed in place; queued packets leave in one write. Client frames carry the zero
// masking key (a valid key: the server still unmasks every byte), so masking costs the generator
// nothing. Control frames: ping -> pong, close -> end. `--ws-client beast` selects the Beast
// stream above instead, to cross-check.
class lean_ws_client : public client, public std::enable_shared_from_this<lean_ws_client> {
 public:
  lean_ws_client(worker& w, std::uint32_t index, role r, std::uint32_t room,
                 net::ip::address_v4 src)
      : client(w, index, r, room, src), sock_(w.ioc), q_(r == role::sender ? 8192 : 16) {}

  void start() override {
    phase_ = phase::connecting;
    connect_start_ = now_ns();
    open_ws(target_.ws_request);
  }

 protected:
  // Connects, sends `request` (the HTTP upgrade; it must live until written), then reads frames.
  void open_ws(const std::string& request) {
    error_code ec;
    prepare_socket(sock_, src_, ec);
    if (ec) return fail(false);
    sock_.async_connect(target_.endpoint, [self = shared_from_this(), &request](error_code ec) {
      if (ec) return self->fail(false);
      self->sock_.set_option(tcp::no_delay(true), ec);
      net::async_write(self->sock_, net::buffer(request), [self](error_code ec, std::size_t) {
        if (ec) return self->fail(false);
        self->rbuf_.resize(initial_buffer);
        self->do_read();
      });
    });
  }

  // The WebSocket is open (the 101 arrived).
  virtual void on_ws_open() {}
  // One text message.
  virtual void on_text(std::string_view p) { on_packet(p); }

  bool push(const out_msg& m) override {
    if (closing()) return true;
    if (!q_.push(m)) return false;
    if (!writing_) write_next();
    return true;
  }

  // One text frame sent as it is, before the queued packets (the upgrade's "2probe", "5").
  void send_raw(std::string_view packet) {
    append_frame(ctrl_, 0x1, packet);
    if (!writing_) write_next();
  }

  void close_transport() override {
    error_code ec;
    sock_.close(ec);
  }

 private:
  static constexpr std::size_t initial_buffer = 2048;
  static constexpr std::size_t max_message = 16 * 1024 * 1024;
  static constexpr std::size_t max_write = 64 * 1024;

  void do_read() {
    if (rbuf_.size() - rlen_ < 512) rbuf_.resize(rbuf_.size() * 2);
    sock_.async_read_some(net::buffer(rbuf_.data() + rlen_, rbuf_.size() - rlen_),
                          [self = shared_from_this()](error_code ec, std::size_t n) {
                            if (ec) return self->fail(false);
                            self->rlen_ += n;
                            self->w_.c.bytes_in.add(n);
                            if (!self->upgraded_ ? self->on_handshake() : self->parse()) {
                              if (!self->closing()) self->do_read();
                            }
                          });
  }

  // The 101 answer; bytes after it are already frames.
  bool on_handshake() {
    std::string_view got(rbuf_.data(), rlen_);
    auto end = got.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (rlen_ > 16 * 1024) fail(true);
      return !closing();
    }
    if (got.substr(0, 12) != "HTTP/1.1 101") {
      fail(true);
      return false;
    }
    upgraded_ = true;
    // permessage-deflate agreed: compressed frames are inflated (the server's context kept
    // between messages unless it said server_no_context_takeover).
    const auto head = got.substr(0, end);
    if (head.find("\r\nSec-WebSocket-Extensions: permessage-deflate") != std::string_view::npos)
      inflate_ = std::make_unique<sio::protocol::permessage_deflate::inflater>(
          15, head.find("server_no_context_takeover") != std::string_view::npos);
    consume(end + 4);
    on_ws_open();
    return !closing() && parse();
  }

  void consume(std::size_t n) {
    std::memmove(rbuf_.data(), rbuf_.data() + n, rlen_ - n);
    rlen_ -= n;
  }

  // Every complete frame in the buffer; false when the client failed.
  bool parse() {
    std::size_t pos = 0;
    for (;;) {
      const std::size_t avail = rlen_ - pos;
      if (avail < 2) break;
      const auto* p = reinterpret_cast<const unsigned char*>(rbuf_.data() + pos);
      const bool fin = (p[0] & 0x80) != 0;
      const bool compressed = (p[0] & 0x40) != 0;
      const unsigned op = p[0] & 0x0f;
      if ((p[1] & 0x80) != 0) {  // a server never masks
        fail(true);
        return false;
      }
      std::uint64_t len = p[1] & 0x7f;
      std::size_t hdr = 2;
      if (len == 126) {
        if (avail < 4) break;
        len = (std::uint64_t{p[2]} << 8) | p[3];
        hdr = 4;
      } else if (len == 127) {
        if (avail < 10) break;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
        hdr = 10;
      }
      if (len > max_message) {
        fail(true);
        return false;
      }
      if (avail < hdr + len) {
        if (rbuf_.size() < hdr + len + 512) rbuf_.resize(hdr + len + 512);
        break;
      }
      std::string_view payload(rbuf_.data() + pos + hdr, len);
      if (compressed) {  // a whole message: this server never fragments
        if (!inflate_ || !fin ||
            inflate_->inflate(payload, max_message, inflated_) !=
                sio::protocol::permessage_deflate::inflater::status::ok) {
          fail(true);
          return false;
        }
        payload = inflated_;
      }
      on_frame(op, fin, payload);
      if (closing()) return false;
      pos += hdr + static_cast<std::size_t>(len);
    }
    if (pos > 0) consume(pos);
    return true;
  }

  void on_frame(unsigned op, bool fin, std::string_view payload) {
    switch (op) {
      case 0x0:  // continuation
        if (!in_fragment_) return fail(true);
        frag_ += payload;
        if (fin) {
          in_fragment_ = false;
          if (frag_text_) {
            on_text(frag_);
          } else {
            on_binary(frag_);
          }
          frag_.clear();
        }
        return;
      case 0x1:  // text
      case 0x2:  // binary: a MessagePack packet, or an attachment (ignored)
        if (in_fragment_) return fail(true);
        if (fin) {
          if (op == 0x1) {
            on_text(payload);
          } else {
            on_binary(payload);
          }
          return;
        }
        in_fragment_ = true;
        frag_text_ = op == 0x1;
        frag_.assign(payload);
        return;
      case 0x8:  // close
        return fail(false);
      case 0x9:  // ping
        append_frame(ctrl_, 0xA, payload);
        if (!writing_) write_next();
        return;
      case 0xA:  // pong
        return;
      default:
        return fail(true);
    }
  }

  // A masked client frame with the zero key (the payload bytes are unchanged).
  static void append_frame(std::string& out, unsigned op, std::string_view payload) {
    out += static_cast<char>(0x80 | op);
    const auto n = payload.size();
    if (n < 126) {
      out += static_cast<char>(0x80 | n);
    } else if (n < 65536) {
      out += static_cast<char>(0x80 | 126);
      out += static_cast<char>((n >> 8) & 0xff);
      out += static_cast<char>(n & 0xff);
    } else {
      out += static_cast<char>(0x80 | 127);
      for (int i = 7; i >= 0; --i) out += static_cast<char>((std::uint64_t{n} >> (8 * i)) & 0xff);
    }
    out.append(4, '\0');
    out += payload;
  }

  void write_next() {
    if ((q_.empty() && ctrl_.empty()) || closing()) {
      writing_ = false;
      return;
    }
    wbuf_.clear();
    wbuf_ += ctrl_;
    ctrl_.clear();
    while (!q_.empty() && wbuf_.size() < max_write) {
      const out_msg m = q_.pop();
      tmp_.clear();
      format(m, tmp_);
      append_frame(wbuf_, binary(m) ? 0x2 : 0x1, tmp_);
    }
    writing_ = true;
    net::async_write(sock_, net::buffer(wbuf_),
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (ec) return self->fail(false);
                       self->write_next();
                     });
  }

  socket_t sock_;
  std::vector<char> rbuf_;
  std::size_t rlen_ = 0;
  bool upgraded_ = false;
  bool in_fragment_ = false;
  bool frag_text_ = false;
  std::unique_ptr<sio::protocol::permessage_deflate::inflater> inflate_;  // extension agreed
  std::string inflated_;  // the last compressed message, inflated
  std::string frag_;
  std::string wbuf_;
  std::string tmp_;
  std::string ctrl_;  // control frames (and the upgrade's packets) waiting for the next write
  ring<out_msg> q_;   // packets waiting for the write in flight
  bool writing_ = false;
};

// --- HTTP long-polling transport ---------------------------------------------------------------

// The two keep-alive HTTP connections of a polling client, as a browser uses them: one for the
// long-polling GET, one for the POSTs, with their buffers, requests and responses.
struct polling_pair {
  explicit polling_pair(net::io_context& ioc) : get_sock(ioc), post_sock(ioc) {}

  // The requests' fixed parts; both go to `target` until set_session().
  void prepare(const std::string& host, const std::string& target) {
    get_req.method(http::verb::get);
    get_req.version(11);
    get_req.set(http::field::host, host);
    get_req.target(target);
    post_req.method(http::verb::post);
    post_req.version(11);
    post_req.set(http::field::host, host);
    post_req.set(http::field::content_type, "text/plain;charset=UTF-8");
    post_req.target(target);
  }
  // After the handshake: both requests name the session.
  void set_session(const std::string& polling_target, const std::string& sid) {
    url = polling_target + "&sid=" + sid;
    get_req.target(url);
    post_req.target(url);
  }
  // Writes the GET and reads its response into get_res; then done(ec).
  template <class F>
  void get(F done) {
    exchange(get_sock, get_req, get_buf, get_res, std::move(done));
  }
  // Writes the POST and reads its response into post_res; then done(ec).
  template <class F>
  void post(F done) {
    exchange(post_sock, post_req, post_buf, post_res, std::move(done));
  }

  void close() {
    error_code ec;
    get_sock.close(ec);
    post_sock.close(ec);
  }

  // One request written on `sock`, then its response read into `res`; then done(ec).
  template <class Request, class F>
  static void exchange(socket_t& sock, Request& req, beast::flat_buffer& buf,
                       http::response<http::string_body>& res, F done) {
    http::async_write(sock, req, [&sock, &buf, &res, done](error_code ec, std::size_t) {
      if (ec) return done(ec);
      res = {};
      http::async_read(sock, buf, res, [done](error_code ec, std::size_t) { done(ec); });
    });
  }

  socket_t get_sock;
  socket_t post_sock;
  beast::flat_buffer get_buf;
  beast::flat_buffer post_buf;
  http::request<http::empty_body> get_req;
  http::request<http::string_body> post_req;
  http::response<http::string_body> get_res;
  http::response<http::string_body> post_res;
  std::string pending;  // packets for the next POST
  std::string url;      // the polling URL with the session id ("" before the handshake)
};

// Two keep-alive connections, as a browser would use: one for the long-polling GET, one for the
// POSTs. Packets queued while a POST is in flight go out together in the next one.
class polling_client final : public client, public std::enable_shared_from_this<polling_client> {
 public:
  polling_client(worker& w, std::uint32_t index, role r, std::uint32_t room,
                 net::ip::address_v4 src)
      : client(w, index, r, room, src), http_(w.ioc) {}

  void start() override {
    phase_ = phase::connecting;
    connect_start_ = now_ns();
    http_.prepare(target_.host_header, sh_.polling_target);
    do_get();
  }

 private:
  static constexpr std::size_t max_pending = 900'000;  // below the default maxPayload (1e6)

  bool push(const out_msg& m) override {
    if (closing()) return true;
    if (http_.pending.size() > max_pending) return false;
    set_targets();
    if (!http_.pending.empty()) http_.pending += eio::record_separator;
    format(m, http_.pending);
    if (!posting_) do_post();
    return true;
  }

  void close_transport() override { http_.close(); }

  template <class F>
  void connect(socket_t& s, F then) {
    connect_nodelay(s, src_, target_.endpoint, [self = shared_from_this(), then](bool ok) {
      ok ? then() : self->fail(false);
    });
  }

  void do_get() {
    if (closing()) return;
    if (!get_open_) {
      get_open_ = true;
      return connect(http_.get_sock, [this] { do_get(); });
    }
    http_.get([self = shared_from_this()](error_code ec) { self->on_get(ec); });
  }

  void on_get(error_code ec) {
    if (ec) return fail(false);
    if (http_.get_res.result() != http::status::ok) return fail(true);
    if (!http_.get_res.keep_alive()) get_open_ = false;
    for_each_polling_packet(http_.get_res.body(), [this](std::string_view p) {
      on_packet(p);
      return !closing();
    });
    if (closing()) return;
    if (sid_.empty()) return fail(true);
    set_targets();
    do_get();
  }

  void set_targets() {
    if (http_.url.empty() && !sid_.empty()) http_.set_session(sh_.polling_target, sid_);
  }

  void do_post() {
    if (closing() || http_.pending.empty()) {
      posting_ = false;
      return;
    }
    posting_ = true;
    retried_ = false;
    http_.post_req.body().swap(http_.pending);
    http_.pending.clear();
    http_.post_req.prepare_payload();
    send_post();
  }

  void send_post() {
    if (!post_open_) {
      post_open_ = true;
      return connect(http_.post_sock, [this] { send_post(); });
    }
    http_.post(
        [self = shared_from_this()](error_code ec) { ec ? self->retry_post() : self->on_post(); });
  }

  // The server may have closed the idle keep-alive connection: one fresh connection, same body.
  void retry_post() {
    if (closing()) return;
    if (retried_) return fail(false);
    retried_ = true;
    post_open_ = false;
    http_.post_buf.clear();
    send_post();
  }

  void on_post() {
    if (http_.post_res.result() != http::status::ok) return fail(true);
    if (!http_.post_res.keep_alive()) post_open_ = false;
    posting_ = false;
    do_post();
  }

  bool get_open_ = false;
  bool post_open_ = false;
  bool posting_ = false;
  bool retried_ = false;
  polling_pair http_;
};

// --- the default connect path: polling, then the upgrade ------------------------------------

// What `io(url)` does in a browser: the Engine.IO handshake over HTTP long-polling (a GET), the
// Socket.IO CONNECT over polling (a POST "40" on a second keep-alive connection while the GET is
// held), then the WebSocket probe ("2probe" -> "3probe") with the next GET held, polling paused
// and "5" sent once that GET came back (the order of upgrade_sequence). Connected when "5" is
// sent; from then on the lean WebSocket client above. The polling connections close then.
class upgrade_client final : public lean_ws_client {
 public:
  upgrade_client(worker& w, std::uint32_t index, role r, std::uint32_t room,
                 net::ip::address_v4 src)
      : lean_ws_client(w, index, r, room, src), http_(w.ioc) {}

  void start() override {
    phase_ = phase::connecting;
    connect_start_ = now_ns();
    http_.prepare(target_.host_header, sh_.polling_target);
    connect(http_.get_sock, [this] { send_get(); });
  }

 private:
  std::shared_ptr<upgrade_client> self() {
    return std::static_pointer_cast<upgrade_client>(shared_from_this());
  }

  // Before the upgrade the CONNECT (or a pong) goes out in a POST.
  bool push(const out_msg& m) override {
    if (upgrading_ || closing()) return lean_ws_client::push(m);
    if (!http_.pending.empty()) http_.pending += eio::record_separator;
    format(m, http_.pending);
    if (!posting_) send_post();
    return true;
  }

  void close_transport() override {
    close_polling();
    lean_ws_client::close_transport();
  }

  void close_polling() { http_.close(); }

  template <class F>
  void connect(socket_t& s, F then) {
    connect_nodelay(s, src_, target_.endpoint,
                    [self = self(), then](bool ok) { ok ? then() : self->fail(false); });
  }

  void send_get() {
    seq_.poll_sent();
    http_.get([self = self()](error_code ec) { self->on_get(ec); });
  }

  void on_get(error_code ec) {
    if (closing()) return;
    if (ec) return fail(false);
    if (http_.get_res.result() != http::status::ok) return fail(true);
    for_each_polling_packet(http_.get_res.body(), [this](std::string_view p) {
      on_packet(p);
      return !closing();
    });
    if (closing()) return;
    if (sid_.empty()) return fail(true);
    if (http_.url.empty()) http_.set_session(sh_.polling_target, sid_);  // the handshake
    if (seq_.poll_returned() == upgrade_sequence::next::upgrade) return finish_upgrade();
    if (!seq_.upgraded()) send_get();
  }

  void send_post() {
    if (http_.pending.empty() || closing()) return;
    posting_ = true;
    if (http_.url.empty()) http_.set_session(sh_.polling_target, sid_);
    http_.post_req.body().swap(http_.pending);
    http_.pending.clear();
    http_.post_req.prepare_payload();
    if (!post_open_) {
      post_open_ = true;
      return connect(http_.post_sock, [this] { write_post(); });
    }
    write_post();
  }

  void write_post() {
    http_.post([self = self()](error_code ec) { self->on_post(ec); });
  }

  void on_post(error_code ec) {
    if (closing()) return;
    if (ec) return fail(false);
    if (http_.post_res.result() != http::status::ok) return fail(true);
    posting_ = false;
    send_post();
  }

  // The CONNECT was answered over polling: the probe starts (the next GET is already held).
  void sio_connected() override {
    w_.on_sio_connected(*this);
    ws_req_ = "GET " + sh_.ws_target + "&sid=" + sid_ + target_.ws_request_tail;
    open_ws(ws_req_);
  }

  void on_ws_open() override { send_raw(ping_probe()); }

  void on_text(std::string_view p) override {
    if (seq_.upgraded()) return lean_ws_client::on_text(p);
    if (p != pong_probe()) return fail(true);
    if (seq_.probe_answered() == upgrade_sequence::next::upgrade) finish_upgrade();
  }

  void finish_upgrade() {
    send_raw(upgrade_packet());
    upgrading_ = true;
    close_polling();
    phase_ = phase::connected;
    w_.on_connect_done(*this, true);
  }

  static const std::string& ping_probe() {
    static const std::string s = eio::encode_packet(eio::packet_type::ping, eio::probe);
    return s;
  }
  static const std::string& pong_probe() {
    static const std::string s = eio::encode_packet(eio::packet_type::pong, eio::probe);
    return s;
  }
  static const std::string& upgrade_packet() {
    static const std::string s = eio::encode_packet(eio::packet_type::upgrade);
    return s;
  }

  bool post_open_ = false;
  bool posting_ = false;
  bool upgrading_ = false;  // "5" sent: packets go on the WebSocket
  upgrade_sequence seq_;
  polling_pair http_;
  std::string ws_req_;  // the upgrade request (with the session id)
};

}  // namespace

std::shared_ptr<client> make_ws_client(worker& w, std::uint32_t index, client::role r,
                                       std::uint32_t room, net::ip::address_v4 src) {
  if (w.sh.cfg.scenario == scenario_kind::connect_upgrade)
    return std::make_shared<upgrade_client>(w, index, r, room, src);
  if (w.sh.cfg.sio_client) return make_sio_client(w, index, r, room);
  if (w.sh.cfg.tls) return std::make_shared<ws_client<true>>(w, index, r, room, src);
  if (w.sh.cfg.beast_ws) return std::make_shared<ws_client<false>>(w, index, r, room, src);
  return std::make_shared<lean_ws_client>(w, index, r, room, src);
}

std::shared_ptr<client> make_polling_client(worker& w, std::uint32_t index, client::role r,
                                            std::uint32_t room, net::ip::address_v4 src) {
  return std::make_shared<polling_client>(w, index, r, room, src);
}

}  // namespace sio::bench
