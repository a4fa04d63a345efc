#include "detail.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/error.hpp>

#include <algorithm>
#include <stdexcept>

namespace sio::engineio::detail {
namespace {
// The reference server's upgrade check period (a held poll gets a noop this often while upgrading).
constexpr std::chrono::milliseconds upgrade_check_interval{100};

const message_ptr& probe_message() {
  static const message_ptr m = make_text(std::string(eio::probe));
  return m;
}

http::response<http::string_body> ok_response() {
  auto res = make_response(http::status::ok, "text/html", "ok");
  res.set(http::field::cache_control, "no-store");
  return res;
}

}  // namespace

session::session(server_impl& srv, worker& w, const endpoint& ep, std::string id, request_info info,
                 eio::transport_kind t)
    : srv_(srv),
      w_(w),
      ep_(ep),
      transport_(t),
      info_(std::make_shared<const request_info>(std::move(info))),
      hb_{.owner = this, .fire = [](void* o) {
            if (auto s = static_cast<session*>(o)->weak_from_this().lock()) s->on_heartbeat();
          }} {
  if (id.size() != id_.size()) throw std::logic_error("engine.io session ids have 20 characters");
  std::copy(id.begin(), id.end(), id_.begin());
}

session::~session() {
  w_.deadlines.disarm(hb_);
  end_upgrade();
}

// --- connection ----------------------------------------------------------------------------------

send_result session::send(message_ptr m, send_flags f) {
  if (state_ != state::open || !m) return send_result::closed;
  if (f.volatile_ && !writable()) return send_result::dropped;
  const std::size_t queued = out_.size() + (ws_ ? ws_->queued() : 0);
  if (queued >= ep_.opts.max_send_queue) {
    asio::post(w_.ctx, [self = shared_from_this()] {
      self->terminate(close_reason::transport_error, {}, false);
    });
    return send_result::overflow;
  }
  push(eio::packet_type::message, std::move(m), f.compress);
  return send_result::queued;
}

bool session::writable() const noexcept {
  if (state_ != state::open) return false;
  if (transport_ == eio::transport_kind::websocket) return ws_ && ws_->writable();
  return get_ != nullptr && out_.empty();
}

void session::close() {
  if (state_ != state::open) return;
  state_ = state::closing;
  closing_tail_ = "1";
  closing_reason_ = close_reason::forced_close;
  abandon_probe();
  if (transport_ == eio::transport_kind::websocket) {
    flush();
    if (ws_) ws_->close(true);
  } else if (get_ && out_.empty()) {
    respond_poll("1");
  } else {
    // Like the reference server, queued packets drain first and the close packet goes in a poll
    // of its own: the client handles them before its transport closes. Bounded wait.
    if (get_) respond_poll("", true);
    arm_heartbeat(hb::close_wait,
                  std::max(ep_.opts.ping_interval, std::chrono::milliseconds(1000)));
    return;
  }
  // on_close runs later, never inside the caller's own call stack.
  asio::post(w_.ctx, [self = shared_from_this()] { self->finish(close_reason::forced_close); });
}

// --- opening -------------------------------------------------------------------------------------

void session::open_polling(const std::shared_ptr<http_connection>& c, std::string set_cookie) {
  get_ = c;
  eio::handshake h{std::string(id()),
                   {},
                   ep_.opts.ping_interval.count(),
                   ep_.opts.ping_timeout.count(),
                   ep_.opts.max_payload};
  if (ep_.opts.websocket && ep_.opts.allow_upgrades) h.upgrades.emplace_back("websocket");
  out_.push_back({make_text(eio::encode_handshake_json(h)), eio::packet_type::open});
  std::string body;
  eio::append_payload_record(body, eio::packet_type::open, out_.front().msg->data);
  out_.clear();
  auto res = make_response(http::status::ok, "text/plain; charset=UTF-8", std::move(body));
  res.set(http::field::cache_control, "no-store");
  if (!set_cookie.empty()) res.set(http::field::set_cookie, set_cookie);
  std::move(get_)->respond(std::move(res), true);  // the open packet is sent with compression
  get_.reset();
  arm_heartbeat(hb::interval, ep_.opts.ping_interval);
  call_handler([this] { ep_.h->on_open(shared_from_this()); });
}

void session::open_websocket(const std::shared_ptr<ws_transport>& ws) {
  ws_ = ws;
  ws->attach(weak_from_this());
  ws->start_reading();
  eio::handshake h{std::string(id()),
                   {},
                   ep_.opts.ping_interval.count(),
                   ep_.opts.ping_timeout.count(),
                   ep_.opts.max_payload};
  push(eio::packet_type::open, make_text(eio::encode_handshake_json(h)));
  arm_heartbeat(hb::interval, ep_.opts.ping_interval);
  call_handler([this] { ep_.h->on_open(shared_from_this()); });
}

// --- polling -------------------------------------------------------------------------------------

void session::on_get(const std::shared_ptr<http_connection>& c, eio::transport_kind requested) {
  if (state_ == state::closed)
    return c->respond(make_error_response(eio::request_error::unknown_sid));
  if (requested != transport_)
    return c->respond(make_error_response(eio::request_error::bad_request));
  if (get_) {
    // Two polls at once: the reference server closes the session ("overlap from client").
    c->respond(make_response(http::status::bad_request, "", ""));
    return terminate(close_reason::transport_error, "1", false);
  }
  get_ = c;
  if (state_ == state::closing) {
    if (closing_tail_ == "1" && !out_.empty()) return respond_poll("", true);  // see close()
    respond_poll(closing_tail_, false);
    return finish(closing_reason_);
  }
  if (!out_.empty()) return flush();
}

void session::on_post_begin(const http_connection* c) {
  if (state_ == state::closed) return;
  if (post_ && post_ != c) {
    // Two POSTs at once ("data request overlap from client"): the session is closed.
    return terminate(close_reason::transport_error, "1", false);
  }
  post_ = c;
}

void session::on_post_end(const http_connection* c, bool close_session) {
  if (post_ != c) return;
  post_ = nullptr;
  if (close_session) terminate(close_reason::transport_error, "1", false);
}

void session::on_post(const std::shared_ptr<http_connection>& c, eio::transport_kind requested,
                      std::string body) {
  if (post_ == c.get()) post_ = nullptr;
  if (state_ == state::closed)
    return c->respond(make_error_response(eio::request_error::unknown_sid));
  if (requested != transport_)
    return c->respond(make_error_response(eio::request_error::bad_request));
  eio::payload_decoder dec{ep_.opts.max_payload};
  std::vector<eio::packet> packets;
  auto r = dec.feed(body, packets);
  if (r) r = dec.finish(packets);
  auto self = shared_from_this();  // handlers may drop every other reference
  for (const auto& p : packets) {
    if (state_ == state::closed) break;
    on_packet(p.type, p.binary, p.data);
  }
  if (!r) {
    c->respond(make_error_response(eio::request_error::bad_request));
    return terminate(close_reason::parse_error, "1", false);
  }
  if (state_ == state::closed && close_reason_ != close_reason::transport_close)
    return c->respond(make_error_response(eio::request_error::bad_request));
  c->respond(ok_response());
}

void session::on_other_method(const std::shared_ptr<http_connection>& c,
                              eio::transport_kind requested) {
  if (state_ == state::closed)
    return c->respond(make_error_response(eio::request_error::unknown_sid));
  if (requested != transport_)
    return c->respond(make_error_response(eio::request_error::bad_request));
  c->respond(make_response(http::status::internal_server_error, "", ""));
}

void session::on_binary_post(const std::shared_ptr<http_connection>& c) {
  if (post_ == c.get()) post_ = nullptr;
  c->respond(make_response(http::status::bad_request, "", ""));
  terminate(close_reason::transport_error, "1", false);
}

void session::on_poll_aborted(const http_connection* c) {
  if (!get_ || get_.get() != c) return;
  get_.reset();
  terminate(close_reason::transport_error, {}, false);
}

void session::respond_poll(std::string_view tail, bool include_out) {
  if (!get_) return;
  // Compressed when one of its packets was sent with compression (send_flags::compress), as Node's
  // polling transport; the close and noop packets of `tail` are not.
  const bool compress = include_out && std::any_of(out_.begin(), out_.end(),
                                                   [](const out_packet& p) { return p.compress; });
  std::string body;
  if (include_out) {
    for (const auto& p : out_) {
      const bool binary = p.msg && p.msg->binary;
      eio::append_payload_record(body, p.type, p.msg ? std::string_view(p.msg->data) : "", binary);
    }
    out_.clear();
  }
  if (!tail.empty()) {
    if (!body.empty()) body += eio::record_separator;
    body += tail;
  }
  if (body.empty()) return;
  auto res = make_response(http::status::ok, "text/plain; charset=UTF-8", std::move(body));
  res.set(http::field::cache_control, "no-store");
  auto c = std::move(get_);
  get_.reset();
  c->respond(std::move(res), compress);
}

void session::push(eio::packet_type t, message_ptr m, bool compress) {
  out_.push_back({std::move(m), t, compress});
  flush();
}

void session::flush() {
  if (state_ == state::closed) return;
  if (transport_ == eio::transport_kind::websocket) {
    if (!ws_) return;
    while (!out_.empty()) {
      auto& p = out_.front();
      ws_->send(ws_frame{p.type, std::move(p.msg), ws_frame::kind::packet, p.compress});
      out_.pop_front();
    }
    return;
  }
  if (get_ && !out_.empty()) respond_poll();
}

// --- packets -------------------------------------------------------------------------------------

void session::on_packet(eio::packet_type t, bool binary, std::string_view data) {
  switch (t) {
    case eio::packet_type::message:
      if (binary) {
        call_handler([&] { ep_.h->on_binary(*this, data); });
      } else {
        call_handler([&] { ep_.h->on_message(*this, data); });
      }
      break;
    case eio::packet_type::pong:
      if (hb_state_ == hb::await_pong) arm_heartbeat(hb::interval, ep_.opts.ping_interval);
      break;
    case eio::packet_type::ping:
      // v4: only the server pings ("invalid heartbeat direction").
      terminate(close_reason::transport_error, "1", false);
      break;
    case eio::packet_type::close:
      // The client leaves: a held poll is released with a noop, as the reference server does.
      if (transport_ == eio::transport_kind::polling && !get_ && state_ == state::open) {
        // The client's GET may be a few microseconds behind this POST on another worker:
        // give it a short grace so that it gets its noop rather than "unknown sid".
        state_ = state::closing;
        closing_tail_ = "6";
        closing_reason_ = close_reason::transport_close;
        abandon_probe();
        arm_heartbeat(hb::close_wait, std::chrono::milliseconds(200));
        break;
      }
      terminate(close_reason::transport_close, "6", false);
      break;
    case eio::packet_type::open:
    case eio::packet_type::upgrade:
    case eio::packet_type::noop:
      break;
  }
}

void session::on_text(std::string_view text) {
  // A text packet is decoded from its type byte alone: its data, text.substr(1), is not copied.
  const bool base64 = !text.empty() && text.front() == eio::binary_prefix;
  auto p = eio::decode_packet(base64 ? text : text.substr(0, 1));
  if (!p) return terminate(close_reason::parse_error, "1", false);
  if (p->binary) return on_packet(p->type, true, p->data);
  on_packet(p->type, false, text.substr(1));
}

// --- websocket -----------------------------------------------------------------------------------

void session::on_ws_probe(const std::shared_ptr<ws_transport>& ws) {
  ws->attach(weak_from_this());
  ws->start_reading();
  if (state_ != state::open || upgrade_ || upgraded_ ||
      transport_ == eio::transport_kind::websocket || !ep_.opts.allow_upgrades) {
    ws->close(false);  // a second WebSocket for this sid, or no upgrade possible
    return;
  }
  upgrade_ = std::make_unique<upgrade_state>();
  upgrade_->probe = ws;
  upgrade_->timer.owner = this;
  upgrade_->timer.fire = [](void* o) {
    if (auto s = static_cast<session*>(o)->weak_from_this().lock()) s->on_upgrade_tick();
  };
  upgrade_->started = std::chrono::steady_clock::now();
  probed_ = false;
  w_.deadlines.arm(upgrade_->timer, ep_.opts.upgrade_timeout);
}

// After the probe, as the reference server's upgrade check: every 100 ms a held poll is released
// with a noop (the client pauses polling before it sends "upgrade"), until upgrade_timeout. The
// first release comes at once (release_poll_for_upgrade); the ticks serve a client that polled
// again.
void session::on_upgrade_tick() {
  if (!upgrade_) return;
  if (!probed_ || std::chrono::steady_clock::now() - upgrade_->started >= ep_.opts.upgrade_timeout)
    return abandon_probe();
  release_poll_for_upgrade();
  if (upgrade_) w_.deadlines.arm(upgrade_->timer, upgrade_check_interval);
}

void session::release_poll_for_upgrade() {
  if (upgrade_ && probed_ && get_ && out_.empty()) respond_poll("6", false);
}

void session::on_ws_data(const ws_transport* ws, bool binary, std::string_view data) {
  if (state_ == state::closed) return;
  if (probing(ws)) return on_probe_data(binary, data);
  if (!ws_ || ws != ws_.get()) return;
  if (binary) return on_packet(eio::packet_type::message, true, data);
  on_text(data);
}

void session::on_probe_data(bool binary, std::string_view data) {
  static const std::string ping_probe = eio::encode_packet(eio::packet_type::ping, eio::probe);
  static const std::string upgrade = eio::encode_packet(eio::packet_type::upgrade);
  if (!binary && data == ping_probe) {
    upgrade_->probe->send(ws_frame{eio::packet_type::pong, probe_message()});
    probed_ = true;
    w_.deadlines.disarm(upgrade_->timer);
    w_.deadlines.arm(upgrade_->timer, upgrade_check_interval);
    // The held poll is released once "3probe" is written (the worker's WebSocket writes run at the
    // end of this turn, before what is posted now): a client that has read "3probe" pauses
    // polling and sends "5" when that GET returns, without waiting for the first tick. One that
    // reads the noop first polls again, and the ticks release that GET as before.
    asio::post(w_.ctx, [weak = weak_from_this()] {
      if (auto s = weak.lock()) s->release_poll_for_upgrade();
    });
    return;
  }
  if (!binary && data == upgrade && state_ != state::closed) {
    auto ws = std::move(upgrade_->probe);
    end_upgrade();
    if (get_) respond_poll("6", false);
    ws_ = std::move(ws);
    transport_ = eio::transport_kind::websocket;
    upgraded_ = true;
    call_handler([this] { ep_.h->on_upgrade(*this); });
    flush();  // what polling had not delivered yet goes first on the WebSocket, in order
    if (state_ == state::closing) {
      ws_->close(true);
      asio::post(w_.ctx, [self = shared_from_this()] { self->finish(close_reason::forced_close); });
    }
    return;
  }
  abandon_probe();
}

void session::end_upgrade() noexcept {
  if (!upgrade_) return;
  w_.deadlines.disarm(upgrade_->timer);
  upgrade_.reset();
}

void session::abandon_probe() {
  probed_ = false;
  if (!upgrade_) return;
  auto p = std::move(upgrade_->probe);
  end_upgrade();
  if (p) p->close(false);
}

void session::on_ws_closed(const ws_transport* ws, error_code ec) {
  if (probing(ws)) return abandon_probe();
  if (!ws_ || ws != ws_.get() || state_ == state::closed) return;
  const bool clean = ec == websocket::error::closed || ec == asio::error::eof ||
                     ec == asio::error::connection_reset || ec == asio::error::operation_aborted;
  if (state_ == state::closing) return finish(close_reason::forced_close);
  finish(clean ? close_reason::transport_close : close_reason::transport_error);
}

// --- heartbeat -----------------------------------------------------------------------------------

void deadline_queues::arm(deadline& d, std::chrono::steady_clock::duration after) {
  if (d.armed()) {
    unlink(d);
  } else {
    ++armed_;
  }
  fifo* q = nullptr;
  for (auto& f : fifos_) {
    if (f->after == after) {
      q = f.get();
      break;
    }
  }
  if (!q) q = fifos_.emplace_back(std::make_unique<fifo>(fifo{after})).get();
  d.due = std::chrono::steady_clock::now() + after;
  d.queue = q;
  d.next = nullptr;
  d.prev = q->tail;
  if (q->tail) {
    q->tail->next = &d;
  } else {
    q->head = &d;
  }
  q->tail = &d;
  if (d.due < timer_due_) wait_until(d.due);
}

void deadline_queues::disarm(deadline& d) noexcept {
  if (!d.armed()) return;
  unlink(d);
  if (--armed_ == 0 && timer_due_ != std::chrono::steady_clock::time_point::max()) {
    // Nothing left: no pending wait keeps the worker's io_context running (graceful stop).
    timer_due_ = std::chrono::steady_clock::time_point::max();
    ++gen_;
    timer_.cancel();
  }
}

void deadline_queues::unlink(deadline& d) noexcept {
  auto* q = static_cast<fifo*>(d.queue);
  (d.prev ? d.prev->next : q->head) = d.next;
  (d.next ? d.next->prev : q->tail) = d.prev;
  d.prev = d.next = nullptr;
  d.queue = nullptr;
}

void deadline_queues::wait_until(std::chrono::steady_clock::time_point t) {
  timer_due_ = t;
  const auto gen = ++gen_;
  timer_.expires_at(t);
  timer_.async_wait([this, gen](error_code ec) {
    if (ec || gen != gen_) return;
    on_timer();
  });
}

void deadline_queues::on_timer() {
  timer_due_ = std::chrono::steady_clock::time_point::max();
  const auto now = std::chrono::steady_clock::now();
  // fire may arm or disarm other deadlines (and add FIFOs): heads are re-read after each call.
  for (std::size_t i = 0; i < fifos_.size(); ++i) {
    while (deadline* d = fifos_[i]->head) {
      if (d->due > now) break;
      unlink(*d);
      --armed_;
      d->fire(d->owner);
    }
  }
  auto next = std::chrono::steady_clock::time_point::max();
  for (const auto& f : fifos_)
    if (f->head && f->head->due < next) next = f->head->due;
  if (next < timer_due_) wait_until(next);
}

void session::arm_heartbeat(hb st, std::chrono::milliseconds d) {
  hb_state_ = st;
  w_.deadlines.arm(hb_, d);
}

void session::on_heartbeat() {
  if (state_ == state::closed) return;
  switch (hb_state_) {
    case hb::interval:
      arm_heartbeat(hb::await_pong, ep_.opts.ping_timeout);
      push(eio::packet_type::ping);
      break;
    case hb::await_pong:
      terminate(close_reason::ping_timeout, "1", false);
      break;
    case hb::close_wait:
      finish(closing_reason_);
      break;
  }
}

// --- closing -------------------------------------------------------------------------------------

void session::terminate(close_reason r, std::string_view close_packet, bool graceful_ws) {
  if (state_ == state::closed) return;
  if (get_ && !close_packet.empty()) respond_poll(close_packet, graceful_ws);
  if (ws_) ws_->close(graceful_ws);
  abandon_probe();
  finish(r);
}

void session::shutdown() {
  if (state_ == state::closed) return;
  if (transport_ == eio::transport_kind::websocket) {
    flush();
    if (ws_) ws_->close(true);
  } else if (get_) {
    respond_poll("1");
  }
  abandon_probe();
  finish(close_reason::server_shutdown);
}

void session::finish(close_reason r) {
  if (state_ == state::closed) return;
  state_ = state::closed;
  close_reason_ = r;
  w_.deadlines.disarm(hb_);
  abandon_probe();
  auto self = shared_from_this();  // the sid table held the last owning reference
  srv_.remove_session(id());
  out_.clear();
  if (get_) {
    auto res = make_response(http::status::ok, "text/plain; charset=UTF-8", "1");
    res.set(http::field::cache_control, "no-store");
    auto c = std::move(get_);
    get_.reset();
    c->respond(std::move(res));
  }
  if (ws_) ws_->close(true);
  try {
    ep_.h->on_close(*this, r);
  } catch (...) {
    // A throwing handler must not unwind the worker.
  }
}

void session::call_handler(const std::function<void()>& f) {
  try {
    f();
  } catch (...) {
    if (state_ == state::open) terminate(close_reason::transport_error, "1", false);
  }
}

}  // namespace sio::engineio::detail
