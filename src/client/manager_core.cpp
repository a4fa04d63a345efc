#include "manager_core.hpp"

#include "socket_core.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <utility>

namespace sio::client::detail {

namespace {
namespace pt = protocol::socketio;

disconnect_reason reason_of(std::string_view close_reason) {
  if (close_reason == "transport error") return disconnect_reason::transport_error;
  if (close_reason == "ping timeout") return disconnect_reason::ping_timeout;
  if (close_reason == "parse error") return disconnect_reason::parse_error;
  if (close_reason == "forced close") return disconnect_reason::io_client_disconnect;
  return disconnect_reason::transport_close;
}
}  // namespace

// --- backoff ----------------------------------------------------------------------------------

backoff::backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, double jitter)
    : min_(static_cast<double>(min.count())),
      max_(static_cast<double>(max.count())),
      jitter_(jitter > 0 && jitter <= 1 ? jitter : 0),
      rng_(std::random_device{}()) {}

std::chrono::milliseconds backoff::duration() {
  double ms = min_ * std::pow(2.0, attempts_++);
  if (jitter_ > 0) {
    const double rand = std::uniform_real_distribution<double>(0, 1)(rng_);
    const double deviation = std::floor(rand * jitter_ * ms);
    ms = (static_cast<long long>(std::floor(rand * 10)) & 1) == 0 ? ms - deviation : ms + deviation;
  }
  return std::chrono::milliseconds(static_cast<long long>(std::min(ms, max_)));
}

// --- manager_core -----------------------------------------------------------------------------

manager_core::manager_core(boost::asio::any_io_executor ex, server_url url, manager_options options,
                           std::shared_ptr<void> keep_alive)
    : keep_alive(std::move(keep_alive)),
      strand(boost::asio::make_strand(std::move(ex))),
      url(std::move(url)),
      shared_options(std::make_shared<const manager_options>(std::move(options))),
      options(*shared_options),
      connect_timer_(strand),
      reconnect_timer_(strand),
      tls_(this->url.secure ? make_tls_context_cache() : nullptr),
      backoff_(this->options.reconnection_delay, this->options.reconnection_delay_max,
               this->options.randomization_factor) {}

manager_core::~manager_core() = default;

void manager_core::log(std::string_view line) const {
  if (!options.log) return;
  try {
    options.log(line);
  } catch (...) {
  }
}

template <class... A, class... B>
void manager_core::emit(const std::function<void(A...)>& h, B&&... b) {
  if (!h) return;
  auto copy = h;  // the handler may replace or release itself
  try {
    copy(std::forward<B>(b)...);
  } catch (const std::exception& e) {
    log(std::string("client: a manager handler threw: ") + e.what());
  } catch (...) {
    log("client: a manager handler threw");
  }
}

std::vector<std::shared_ptr<socket_core>> manager_core::sockets() const {
  std::lock_guard lock(nsps_mu_);
  std::vector<std::shared_ptr<socket_core>> v;
  v.reserve(nsps_.size());
  for (const auto& [nsp, e] : nsps_) v.push_back(e.core);
  return v;
}

std::shared_ptr<client::socket> manager_core::socket(std::string nsp, socket_options opts) {
  if (nsp.empty()) nsp = "/";
  if (nsp.front() != '/' || nsp.find(',') != std::string::npos)
    throw std::invalid_argument("sio client: a namespace starts with '/' and has no ','");
  std::shared_ptr<socket_core> core;
  std::shared_ptr<client::socket> pub;
  {
    std::lock_guard lock(nsps_mu_);
    auto& e = nsps_[nsp];
    pub = e.pub.lock();
    if (pub) {
      core = e.core;
    } else {
      core = std::make_shared<socket_core>(shared_from_this(), nsp, std::move(opts));
      pub = std::make_shared<client::socket>(core);
      e = {core, pub};
    }
  }
  if (options.auto_connect)
    run([self = shared_from_this(), core] {
      if (!self->destroyed && !core->active) core->connect();
    });
  return pub;
}

void manager_core::forget(const std::shared_ptr<socket_core>& s) {
  std::lock_guard lock(nsps_mu_);
  if (auto it = nsps_.find(s->nsp); it != nsps_.end() && it->second.core == s) nsps_.erase(it);
}

void manager_core::set_mirrors() {
  const bool open = ready_ == ready_state::open && engine_;
  is_open = open;
  std::lock_guard lock(mirror_mu);
  engine_id = open ? engine_->sid() : std::string();
  current = open ? engine_->current() : std::nullopt;
}

// --- the connection ---------------------------------------------------------------------------

void manager_core::open(std::function<void(std::optional<std::string>)> done) {
  if (destroyed || ready_ != ready_state::closed) return;
  const auto gen = ++generation_;
  std::weak_ptr<manager_core> w = weak_from_this();
  // Callbacks of an engine that is no longer the current one are not heard.
  auto current = [w, gen] {
    auto s = w.lock();
    return s && s->generation_ == gen && !s->destroyed ? s : nullptr;
  };
  engine_callbacks cb;
  cb.on_open = [current](const engine_handshake& h) {
    if (auto s = current()) s->on_engine_open(h);
  };
  cb.on_message = [current](std::string data, bool binary) {
    if (auto s = current()) s->on_engine_message(std::move(data), binary);
  };
  cb.on_ping = [current] {
    if (auto s = current()) s->emit(s->on_ping);
  };
  cb.on_upgrade = [current](transport t) {
    auto s = current();
    if (!s) return;
    if (t == transport::websocket && s->options.remember_upgrade) s->websocket_first_ = true;
    s->set_mirrors();
    s->emit(s->on_upgrade, t);
  };
  cb.on_error = [current](std::string message) {
    if (auto s = current()) s->on_engine_error(std::move(message));
  };
  cb.on_close = [current](std::string reason) {
    if (auto s = current()) s->on_engine_close(std::move(reason));
  };
  ready_ = ready_state::opening;
  skip_reconnect_ = false;
  open_done_ = std::move(done);
  try {
    engine_ = engine::create(strand, {url, &options, websocket_first_, shared_options, tls_},
                             std::move(cb));
  } catch (const std::exception& e) {
    engine_.reset();
    return on_engine_error(e.what());
  }
  // As the JS client's setTimeout: a timeout of 0 fires as soon as the strand is free, before any
  // handshake can complete.
  if (options.timeout.count() >= 0) {
    connect_timer_.expires_after(options.timeout);
    connect_timer_.async_wait([current](boost::system::error_code ec) {
      auto s = ec ? nullptr : current();
      if (s && s->ready_ == ready_state::opening) s->on_connect_timeout();
    });
  }
  auto keep = engine_;
  keep->open();
}

void manager_core::on_engine_open(const engine_handshake&) {
  connect_timer_.cancel();
  decoder_.reset();
  ready_ = ready_state::open;
  set_mirrors();
  emit(on_open);
  for (auto& s : sockets()) {
    if (ready_ != ready_state::open) return;  // a handler closed it
    s->on_open();
  }
  if (auto done = std::exchange(open_done_, {})) done(std::nullopt);
}

void manager_core::on_engine_message(std::string data, bool binary) {
  auto r = binary ? decoder_.on_binary(data) : decoder_.on_text(data);
  if (!r) {
    log("client: a packet from the server does not decode: " + r.error().message());
    return closed("parse error");
  }
  if (*r) on_packet(std::move(**r));
}

void manager_core::on_packet(pt::packet p) {
  std::shared_ptr<socket_core> s;
  {
    std::lock_guard lock(nsps_mu_);
    if (auto it = nsps_.find(p.nsp); it != nsps_.end()) s = it->second.core;
  }
  if (s) s->on_packet(std::move(p));
}

void manager_core::on_connect_timeout() {
  log("client: the connection did not open within the timeout");
  on_engine_error("timeout");
}

void manager_core::on_engine_error(std::string message) {
  connect_timer_.cancel();
  drop_engine();
  ready_ = ready_state::closed;
  set_mirrors();
  emit(on_error, std::string_view(message));
  for (auto& s : sockets()) s->on_error(message);
  if (auto done = std::exchange(open_done_, {})) return done(std::move(message));
  // Only the first connection reconnects from here; attempts have their own loop.
  if (!reconnecting_ && options.reconnection && backoff_.attempts() == 0) reconnect();
}

void manager_core::on_engine_close(std::string reason) {
  closed(reason);
}

void manager_core::closed(std::string_view reason) {
  const bool was = ready_ != ready_state::closed;
  connect_timer_.cancel();
  drop_engine();
  decoder_.reset();
  backoff_.reset();
  ready_ = ready_state::closed;
  set_mirrors();
  open_done_ = {};
  if (was) emit(on_close, reason);
  const auto r = reason_of(reason);
  for (auto& s : sockets()) s->on_close(r);
  if (options.reconnection && !skip_reconnect_) reconnect();
}

void manager_core::drop_engine() {
  ++generation_;
  if (!engine_) return;
  auto e = std::move(engine_);
  e->close();
  // Released later: this may run inside one of the engine's own callbacks.
  boost::asio::post(strand, [e = std::move(e)] {});
}

void manager_core::force_close() {
  skip_reconnect_ = true;
  reconnecting_ = false;
  ++reconnect_generation_;
  reconnect_timer_.cancel();
  closed("forced close");
}

void manager_core::socket_inactive() {
  for (auto& s : sockets())
    if (s->active) return;
  force_close();
}

void manager_core::reconnect() {
  if (reconnecting_ || skip_reconnect_ || destroyed) return;
  if (options.reconnection_attempts && backoff_.attempts() >= *options.reconnection_attempts) {
    backoff_.reset();
    reconnecting_ = false;
    return emit(on_reconnect_failed);
  }
  reconnecting_ = true;
  const auto gen = ++reconnect_generation_;
  reconnect_timer_.expires_after(backoff_.duration());
  reconnect_timer_.async_wait([w = weak_from_this(), gen](boost::system::error_code ec) {
    auto s = w.lock();
    if (!ec && s && !s->destroyed && s->reconnect_generation_ == gen) s->reconnect_now();
  });
}

void manager_core::reconnect_now() {
  if (skip_reconnect_) return;
  emit(on_reconnect_attempt, backoff_.attempts());
  if (skip_reconnect_ || destroyed) return;  // closed by a handler
  open([this](std::optional<std::string> err) {
    if (err) {
      reconnecting_ = false;
      reconnect();
      return emit(on_reconnect_error, std::string_view(*err));
    }
    const auto attempt = backoff_.attempts();
    reconnecting_ = false;
    backoff_.reset();
    emit(on_reconnect, attempt);
  });
}

void manager_core::write(pt::packet p) {
  if (!engine_ || ready_ != ready_state::open) return;
  auto e = pt::encode(std::move(p));
  if (e.binaries.empty()) return engine_->send(std::move(e.text), false);
  std::vector<std::pair<std::string, bool>> messages;
  messages.reserve(1 + e.binaries.size());
  messages.emplace_back(std::move(e.text), false);
  for (auto& b : e.binaries) messages.emplace_back(std::move(b), true);
  engine_->send_all(std::move(messages));
}

void manager_core::close_all() {
  for (auto& s : sockets()) s->close_all();
  force_close();
  // Released after the state is consistent: a handler's captures may own sockets.
  auto released = std::make_tuple(
      std::exchange(on_open, {}), std::exchange(on_close, {}), std::exchange(on_error, {}),
      std::exchange(on_ping, {}), std::exchange(on_reconnect_attempt, {}),
      std::exchange(on_reconnect, {}), std::exchange(on_reconnect_error, {}),
      std::exchange(on_reconnect_failed, {}), std::exchange(on_upgrade, {}));
}

void manager_core::shutdown() {
  if (destroyed.exchange(true)) return;
  close_all();
  std::map<std::string, nsp_entry, std::less<>> gone;
  {
    std::lock_guard lock(nsps_mu_);
    gone.swap(nsps_);
  }
}

}  // namespace sio::client::detail
