// The WebSocket transport (engine.io-client's transports/websocket): one Engine.IO packet per
// frame, text frames for text packets and binary frames for binary messages.
#include "transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <type_traits>

namespace sio::client::detail {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

// A message's first read asks for this much (an idle connection waits with a small buffer); the
// rest of a larger message is read as it comes.
constexpr std::size_t first_read = 256;
// The read buffer's capacity kept between messages; a larger one is released after its message.
constexpr std::size_t kept_read_buffer = 16 * 1024;
// A client masks its frames through a write buffer the stream keeps: a small one for small
// frames (what an idle connection holds), a larger one while large frames go out.
constexpr std::size_t small_write_buffer = 512;
constexpr std::size_t large_write_buffer = 16 * 1024;

template <class Stream>
class websocket_transport final : public transport_base,
                                  public std::enable_shared_from_this<websocket_transport<Stream>> {
 public:
  explicit websocket_transport(
      std::shared_ptr<transport_context> ctx) requires std::is_same_v<Stream, plain_stream>
      : ctx_(std::move(ctx)), ws_(ctx_->strand), deadline_(ctx_->strand) {}
  explicit websocket_transport(std::shared_ptr<transport_context> ctx) requires(
      !std::is_same_v<Stream, plain_stream>)
      : ctx_(std::move(ctx)), ws_(ctx_->strand, *ctx_->tls), deadline_(ctx_->strand) {}

  transport kind() const noexcept override { return transport::websocket; }

  void open() override {
    spawn(ctx_->strand, [self = this->shared_from_this()] { return self->run(); });
  }

  bool writable() const noexcept override { return open_ && !writing_ && !ended_; }

  void send(std::vector<eio::packet> packets) override {
    if (out_.empty())
      out_ = std::move(packets);
    else
      for (auto& p : packets) out_.push_back(std::move(p));
    if (writing_) return;
    writing_ = true;
    write_next();
  }

  void shutdown(std::vector<eio::packet> last) override {
    sink_.reset();
    closing_ = true;
    if (!open_ || ended_) return abort();
    deadline_.expires_after(shutdown_limit);
    deadline_.async_wait([w = this->weak_from_this()](error_code ec) {
      if (auto self = w.lock(); self && !ec) self->abort();
    });
    send(std::move(last));
  }

  void start_reading() override {
    if (!ended_) read_next();
  }

  void abort() override {
    sink_.reset();
    ended_ = true;
    deadline_.cancel();
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  void fail(failure_kind kind, std::string detail) {
    if (ended_) return;
    ended_ = true;
    report_failure(kind, "websocket error", std::move(detail));
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  net::awaitable<void> run() {
    auto r = co_await open_stream(ws_.next_layer(), *ctx_);
    if (ended_) co_return;
    if (!r) {
      ended_ = true;
      report_failure(failure_kind::error, r.specific ? r.message : "websocket error", r.message);
      co_return;
    }
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.set_option(
        websocket::stream_base::decorator([o = ctx_->options](websocket::request_type& req) {
          for (const auto& [name, value] : o->extra_headers) req.set(name, value);
        }));
    ws_.read_message_max(ctx_->options->max_message_size);
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(small_write_buffer);
    websocket::response_type res;
    auto [ec] = co_await ws_.async_handshake(
        res, ctx_->host_header(), ctx_->target(transport::websocket, sid_), awaitable_tuple);
    if (ended_) co_return;
    if (ec) {
      fail(failure_kind::error, "WebSocket handshake: " + ec.message() + " (HTTP " +
                                    std::to_string(res.result_int()) + ")");
      co_return;
    }
    open_ = true;
    // Reading runs on completion handlers: this coroutine's frame (and the handshake's
    // response) is released once the connection is open.
    if (sid_.empty()) co_return read_next();
    co_await probe();
  }

  // "2probe" out, "3probe" expected back.
  net::awaitable<void> probe() {
    const std::string ping = eio::encode_packet(eio::packet_type::ping, eio::probe);
    writing_ = true;
    auto [wec, wn] = co_await ws_.async_write(net::buffer(ping), awaitable_tuple);
    writing_ = false;
    bool ok = false;
    if (!wec && !ended_) {
      auto [rec, rn] = co_await ws_.async_read(in_, awaitable_tuple);
      if (!rec && ws_.got_text()) {
        auto p = eio::decode_packet(beast::buffers_to_string(in_.data()));
        ok = p && p->type == eio::packet_type::pong && p->data == eio::probe;
      }
      in_.clear();
    }
    if (ended_) co_return;
    if (!ok) ended_ = true;
    auto self = this->shared_from_this();
    report([&](transport_sink& s) { s.on_probe(*self, ok); });
    if (!ok) abort();
  }

  // One message at a time, on the strand (the stream's executor), without a coroutine frame.
  void read_next() {
    ws_.async_read_some(
        in_, in_.size() == 0 ? first_read : 0,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ended_) return;
    if (ec) {
      const bool clean = ec == websocket::error::closed || ec == net::error::eof;
      return fail(clean ? failure_kind::closed : failure_kind::error, ec.message());
    }
    if (!ws_.is_message_done()) return read_next();
    const auto bytes = in_.data();
    const std::string_view data(static_cast<const char*>(bytes.data()), bytes.size());
    eio::packet p;
    if (ws_.got_binary()) {
      p = eio::decode_binary(data);
    } else if (auto decoded = eio::decode_packet(data)) {
      p = std::move(*decoded);
    } else {
      return fail(failure_kind::parse, "undecodable packet");
    }
    in_.consume(in_.size());
    // A large message's buffer is not kept for the rest of the connection.
    if (in_.capacity() > kept_read_buffer) in_.shrink_to_fit();
    auto self = this->shared_from_this();
    report([&](transport_sink& s) { s.on_packet(*self, std::move(p)); });
    if (!ended_) read_next();
  }

  // Writes out_ in order, one frame per packet.
  void write_next() {
    if (ended_) return;
    if (out_next_ == out_.size()) {
      out_.clear();
      out_next_ = 0;
      return written();
    }
    eio::packet p = std::move(out_[out_next_++]);
    ws_.binary(p.binary);
    frame_ = p.binary ? std::move(p.data) : eio::encode_packet(p.type, p.data);
    ws_.write_buffer_bytes(frame_.size() <= small_write_buffer ? small_write_buffer
                                                               : large_write_buffer);
    ws_.async_write(net::buffer(frame_),
                    [self = this->shared_from_this()](error_code ec, std::size_t) {
                      if (self->ended_) return;
                      if (ec) return self->fail(failure_kind::error, ec.message());
                      self->write_next();
                    });
  }

  void written() {
    writing_ = false;
    frame_ = std::string();
    if (closing_) {
      ended_ = true;
      return ws_.async_close(websocket::close_code::normal,
                             [self = this->shared_from_this()](error_code) { self->abort(); });
    }
    auto self = this->shared_from_this();
    report([&](transport_sink& s) { s.on_drain(*self); });
  }

  std::shared_ptr<transport_context> ctx_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer in_;
  std::vector<eio::packet> out_;  // from out_next_ on: not written yet
  std::size_t out_next_ = 0;
  std::string frame_;           // the frame being written
  bool open_ = false;           // the WebSocket handshake completed
  bool writing_ = false;        // a write (or the probe's) is in flight
  bool closing_ = false;        // shutdown(): close once what is queued is written
  bool ended_ = false;          // nothing more is read, written or reported
  net::steady_timer deadline_;  // bounds shutdown()
};

}  // namespace

std::shared_ptr<transport_base> make_websocket_transport(std::shared_ptr<transport_context> ctx) {
  if (ctx->url.secure) return std::make_shared<websocket_transport<tls_stream>>(std::move(ctx));
  return std::make_shared<websocket_transport<plain_stream>>(std::move(ctx));
}

}  // namespace sio::client::detail
