// The client's Engine.IO state machine (engine.io-client's Socket): the handshake on the first
// transport, the heartbeat, the write queue, and the upgrade from polling to WebSocket (probe,
// pause, "upgrade", flush).
#include "transport.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <atomic>

namespace sio::client::detail {

namespace {

namespace net = boost::asio;
namespace json = boost::json;

bool has(const std::vector<transport>& ts, transport t) {
  return std::find(ts.begin(), ts.end(), t) != ts.end();
}

std::optional<engine_handshake> parse_handshake(std::string_view data) {
  boost::system::error_code ec;
  const json::value v = json::parse(data, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* sid = o.if_contains("sid");
  if (sid == nullptr || !sid->is_string() || sid->get_string().empty()) return std::nullopt;
  engine_handshake h;
  h.sid = sid->get_string();
  if (const auto* u = o.if_contains("upgrades"); u != nullptr && u->is_array())
    for (const auto& name : u->get_array())
      if (name.is_string()) h.upgrades.emplace_back(name.get_string());
  auto number = [&o](std::string_view key, auto& out) {
    const json::value* n = o.if_contains(key);
    if (n == nullptr) return true;
    boost::system::error_code nec;
    const auto value = n->to_number<std::int64_t>(nec);
    if (nec || value < 0) return false;
    out = static_cast<std::remove_reference_t<decltype(out)>>(value);
    return true;
  };
  std::int64_t interval = h.ping_interval.count(), timeout = h.ping_timeout.count();
  if (!number("pingInterval", interval) || !number("pingTimeout", timeout) ||
      !number("maxPayload", h.max_payload))
    return std::nullopt;
  h.ping_interval = std::chrono::milliseconds(interval);
  h.ping_timeout = std::chrono::milliseconds(timeout);
  return h;
}

// Encoded size of a packet inside a polling payload (binary grows by base64), for maxPayload.
std::size_t payload_size(const eio::packet& p) {
  return 2 + (p.binary ? (p.data.size() + 2) / 3 * 4 : p.data.size());
}

class engine_state final : public transport_sink,
                           public std::enable_shared_from_this<engine_state> {
 public:
  engine_state(net::any_io_executor strand, engine_config config, engine_callbacks callbacks)
      : strand_(std::move(strand)),
        config_(std::move(config)),
        cb_(std::move(callbacks)),
        ping_timer_(strand_) {}

  void open() {
    if (phase_ != phase::idle) return;
    phase_ = phase::opening;
    try {
      ctx_ = make_transport_context(strand_, config_);
    } catch (const std::exception& e) {
      return post_open_failure(e.what());
    }
    const auto& ts = ctx_->options->transports;
    if (ts.empty()) return post_open_failure("no transport to connect with");
    const transport first = config_.websocket_first && has(ts, transport::websocket)
                                ? transport::websocket
                                : ts.front();
    transport_ = make(first);
    transport_->open();
  }

  void send(std::vector<std::pair<std::string, bool>> messages) {
    if (phase_ == phase::closed) return;
    for (auto& [data, binary] : messages)
      queue_.push_back({eio::packet_type::message, binary, std::move(data)});
    flush();
  }

  bool writable() const noexcept {
    return phase_ == phase::open && !upgrading_ && transport_ && transport_->writable() &&
           queue_.empty();
  }

  void close() {
    if (phase_ == phase::closed) return;
    const bool was_open = phase_ == phase::open;
    phase_ = phase::closed;
    ping_timer_.cancel();
    if (probe_) std::exchange(probe_, nullptr)->abort();
    if (auto t = std::exchange(transport_, nullptr)) {
      if (was_open) {
        auto last = std::exchange(queue_, {});
        last.push_back({eio::packet_type::close, false, {}});
        t->shutdown(std::move(last));
      } else {
        t->abort();
      }
    }
    queue_.clear();
  }

  // The owner let go: no callback from now on, whatever thread this is.
  void detach() {
    detached_ = true;
    net::dispatch(strand_, [self = shared_from_this()] { self->close(); });
  }

  std::optional<transport> current() const noexcept {
    if (phase_ == phase::closed || !transport_) return std::nullopt;
    return transport_->kind();
  }
  const std::string& sid() const noexcept { return handshake_.sid; }

  // --- transport_sink --------------------------------------------------------------------------

  void on_packet(transport_base& t, eio::packet p) override {
    if (phase_ == phase::closed || &t != transport_.get()) return;
    switch (p.type) {
      case eio::packet_type::open:
        if (phase_ == phase::opening) on_handshake(p.data);
        break;
      case eio::packet_type::ping:
        if (phase_ != phase::open) break;
        reset_ping_timer();
        queue_.push_back({eio::packet_type::pong, false, {}});
        flush();
        notify(cb_.on_ping);
        break;
      case eio::packet_type::message:
        if (phase_ == phase::open) notify(cb_.on_message, std::move(p.data), p.binary);
        break;
      case eio::packet_type::close:
        if (phase_ == phase::open) end("transport close");
        break;
      default:  // pong, upgrade, noop: nothing to do
        break;
    }
  }

  void on_failure(transport_base& t, transport_failure f) override {
    if (phase_ == phase::closed) return;
    if (&t == probe_.get()) {
      log("WebSocket upgrade failed: " + f.detail);
      probe_.reset();
      if (std::exchange(upgrading_, false)) {
        transport_->open();  // polling resumes
        flush();
      }
      return;
    }
    if (&t != transport_.get()) return;
    log("transport ended: " + (f.detail.empty() ? f.message : f.detail));
    if (phase_ == phase::opening) return fail_open(std::move(f.message));
    switch (f.kind) {
      case failure_kind::closed:
        return end("transport close");
      case failure_kind::parse:
        return end("parse error");
      case failure_kind::error:
        return end("transport error");
    }
  }

  void on_drain(transport_base& t) override {
    if (&t == transport_.get()) flush();
  }

  void on_probe(transport_base& t, bool ok) override {
    if (phase_ != phase::open || &t != probe_.get()) return;
    if (!ok) {
      log("WebSocket upgrade probe failed");
      probe_.reset();
      return;
    }
    upgrading_ = true;
    transport_->pause();
  }

  void on_paused(transport_base& t) override {
    if (phase_ != phase::open || &t != transport_.get() || !upgrading_ || !probe_) return;
    std::exchange(transport_, std::exchange(probe_, nullptr))->abort();
    transport_->send({{eio::packet_type::upgrade, false, {}}});
    transport_->start_reading();
    upgrading_ = false;
    notify(cb_.on_upgrade, transport::websocket);
    flush();
  }

  std::atomic<bool> detached_{false};

 private:
  enum class phase { idle, opening, open, closed };

  std::shared_ptr<transport_base> make(transport kind) {
    auto t = kind == transport::websocket ? make_websocket_transport(ctx_)
                                          : make_polling_transport(ctx_);
    t->set_sink(weak_from_this());
    return t;
  }

  void on_handshake(std::string_view data) {
    auto h = parse_handshake(data);
    if (!h) return fail_open("parse error");
    handshake_ = std::move(*h);
    phase_ = phase::open;
    transport_->set_sid(handshake_.sid);
    reset_ping_timer();
    notify(cb_.on_open, handshake_);
    if (phase_ != phase::open) return;
    flush();
    maybe_probe();
  }

  void maybe_probe() {
    const auto& o = *ctx_->options;
    const auto& ups = handshake_.upgrades;
    if (transport_->kind() != transport::polling || !o.upgrade ||
        !has(o.transports, transport::websocket) ||
        std::find(ups.begin(), ups.end(), "websocket") == ups.end())
      return;
    probe_ = make(transport::websocket);
    probe_->set_sid(handshake_.sid);
    probe_->open();
  }

  void flush() {
    if (phase_ != phase::open || upgrading_ || !transport_ || !transport_->writable() ||
        queue_.empty())
      return;
    if (transport_->kind() != transport::polling)
      return transport_->send(std::exchange(queue_, {}));
    // A polling request stays within the server's maxPayload (at least one packet per request).
    std::size_t n = 0, size = 0;
    for (; n < queue_.size(); ++n) {
      size += payload_size(queue_[n]);
      if (n > 0 && size > handshake_.max_payload) break;
    }
    if (n == queue_.size()) return transport_->send(std::exchange(queue_, {}));
    std::vector<eio::packet> batch(std::make_move_iterator(queue_.begin()),
                                   std::make_move_iterator(queue_.begin() + n));
    queue_.erase(queue_.begin(), queue_.begin() + n);
    transport_->send(std::move(batch));
  }

  void reset_ping_timer() {
    ping_timer_.expires_after(handshake_.ping_interval + handshake_.ping_timeout);
    ping_timer_.async_wait([w = weak_from_this(), gen = ++ping_generation_](auto ec) {
      auto self = w.lock();
      if (ec || !self || self->ping_generation_ != gen || self->phase_ != phase::open) return;
      self->end("ping timeout");
    });
  }

  void teardown() {
    ping_timer_.cancel();
    if (probe_) std::exchange(probe_, nullptr)->abort();
    if (transport_) std::exchange(transport_, nullptr)->abort();
    queue_.clear();
  }

  void fail_open(std::string message) {
    phase_ = phase::closed;
    teardown();
    notify(cb_.on_error, std::move(message));
  }

  void post_open_failure(std::string message) {
    log(message);
    net::post(strand_, [w = weak_from_this(), message = std::move(message)]() mutable {
      if (auto self = w.lock(); self && self->phase_ == phase::opening)
        self->fail_open(std::move(message));
    });
  }

  void end(std::string reason) {
    phase_ = phase::closed;
    teardown();
    notify(cb_.on_close, std::move(reason));
  }

  template <class F, class... Args>
  void notify(const F& f, Args&&... args) {
    if (f && !detached_) f(std::forward<Args>(args)...);
  }

  void log(const std::string& line) const {
    if (!detached_ && config_.options != nullptr && config_.options->log)
      config_.options->log(line);
  }

  net::any_io_executor strand_;
  engine_config config_;
  engine_callbacks cb_;
  std::shared_ptr<transport_context> ctx_;
  phase phase_ = phase::idle;
  std::shared_ptr<transport_base> transport_;
  std::shared_ptr<transport_base> probe_;  // the WebSocket being probed
  std::vector<eio::packet> queue_;         // written in order when the transport is writable
  bool upgrading_ = false;                 // probe succeeded; polling pauses, writes are held
  engine_handshake handshake_;
  net::steady_timer ping_timer_;
  std::uint64_t ping_generation_ = 0;
};

// What the manager holds; letting go of it closes the connection quietly.
class engine_handle final : public engine {
 public:
  explicit engine_handle(std::shared_ptr<engine_state> s) : s_(std::move(s)) {}
  ~engine_handle() override { s_->detach(); }

  void open() override { s_->open(); }
  void send(std::string data, bool binary) override {
    std::vector<std::pair<std::string, bool>> one;
    one.emplace_back(std::move(data), binary);
    s_->send(std::move(one));
  }
  void send_all(std::vector<std::pair<std::string, bool>> messages) override {
    s_->send(std::move(messages));
  }
  bool writable() const noexcept override { return s_->writable(); }
  void close() override { s_->close(); }
  std::optional<transport> current() const noexcept override { return s_->current(); }
  const std::string& sid() const noexcept override { return s_->sid(); }

 private:
  std::shared_ptr<engine_state> s_;
};

}  // namespace

std::shared_ptr<engine> engine::create(net::any_io_executor strand, engine_config config,
                                       engine_callbacks callbacks) {
  return std::make_shared<engine_handle>(
      std::make_shared<engine_state>(std::move(strand), std::move(config), std::move(callbacks)));
}

}  // namespace sio::client::detail
