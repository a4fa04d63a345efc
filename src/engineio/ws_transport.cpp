#include "detail.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include <array>

namespace sio::engineio::detail {

ws_transport::ws_transport(server_impl& srv, worker& w, tcp::socket s, std::size_t max_payload)
    : srv_(srv), w_(w), live_(w), ws_(beast::tcp_stream(std::move(s))) {
  srv_.connections.fetch_add(1);
  ws_.read_message_max(max_payload);
  ws_.auto_fragment(false);
  websocket::stream_base::timeout t{};
  t.handshake_timeout = srv_.opts.header_timeout;   // opening and closing handshakes
  t.idle_timeout = websocket::stream_base::none();  // liveness is Engine.IO's heartbeat
  t.keep_alive_pings = false;
  ws_.set_option(t);
}

ws_transport::~ws_transport() {
  srv_.connections.fetch_sub(1);
}

void ws_transport::accept(http::request<http::string_body> req, std::string set_cookie,
                          accept_handler done) {
  if (!set_cookie.empty()) {
    ws_.set_option(websocket::stream_base::decorator(
        [cookie = std::move(set_cookie)](websocket::response_type& res) {
          res.set(http::field::set_cookie, cookie);
        }));
  }
  auto rp = std::make_shared<http::request<http::string_body>>(std::move(req));
  ws_.async_accept(
      *rp, [self = shared_from_this(), rp, done = std::move(done)](error_code ec) { done(ec); });
}

void ws_transport::start_reading() {
  do_read();
}

void ws_transport::do_read() {
  ws_.async_read(rbuf_, [self = shared_from_this()](error_code ec, std::size_t) {
    if (ec) {
      self->reading_done_ = true;
      self->closing_ = true;
      while (self->queue_.size() > (self->writing_ ? 1u : 0u)) self->queue_.pop_back();
      if (auto s = self->session_.lock()) s->on_ws_closed(self.get(), ec);
      return;
    }
    const bool binary = !self->ws_.got_text();
    const auto d = self->rbuf_.cdata();
    const std::string_view view(static_cast<const char*>(d.data()), d.size());
    if (auto s = self->session_.lock()) {
      s->on_ws_data(self.get(), binary, view);
    } else {
      self->close(false);
    }
    self->rbuf_.consume(self->rbuf_.size());
    self->do_read();
  });
}

void ws_transport::send(ws_frame f) {
  if (closing_) return;
  queue_.push_back(std::move(f));
  if (!writing_) do_write();
}

void ws_transport::do_write() {
  if (queue_.empty()) {
    if (closing_) do_close();
    return;
  }
  writing_ = true;
  const auto& f = queue_.front();
  auto on_done = [self = shared_from_this()](error_code ec, std::size_t) {
    self->writing_ = false;
    if (!self->queue_.empty()) self->queue_.pop_front();
    if (ec) {
      self->queue_.clear();
      self->closing_ = true;
      error_code ignored;
      self->ws_.next_layer().socket().close(ignored);  // the read loop reports it
      return;
    }
    self->do_write();
  };
  if (f.msg && f.msg->binary) {
    ws_.binary(true);
    ws_.async_write(asio::buffer(f.msg->data), std::move(on_done));
    return;
  }
  // Text: the type digit and the shared payload go out as one frame from two buffers.
  ws_.text(true);
  static constexpr std::array<char, 7> digits{'0', '1', '2', '3', '4', '5', '6'};
  const std::array<asio::const_buffer, 2> bufs{
      asio::buffer(&digits[static_cast<std::size_t>(f.type)], 1),
      f.msg ? asio::buffer(f.msg->data) : asio::const_buffer{}};
  ws_.async_write(bufs, std::move(on_done));
}

void ws_transport::close(bool graceful) {
  if (closing_) {
    if (!graceful && !writing_) do_close();
    return;
  }
  closing_ = true;
  if (!graceful) {
    // Drop what was not started; the frame in flight (front) finishes first.
    while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
  }
  if (!writing_) do_close();
}

void ws_transport::do_close() {
  if (close_sent_ || reading_done_) {
    if (reading_done_) {
      error_code ignored;
      ws_.next_layer().socket().close(ignored);
    }
    return;
  }
  close_sent_ = true;
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](error_code ec) {
    if (ec) {
      error_code ignored;
      self->ws_.next_layer().socket().close(ignored);
    }
  });
}

}  // namespace sio::engineio::detail
