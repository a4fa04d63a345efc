// sio::client::socket: the client's side of one namespace (the JavaScript client's Socket),
// made by sio::client::manager::socket(). See manager.hpp for the threading and lifetime rules.
//
// Handlers take the shapes of sio/common/handler.hpp with no leading parameter:
//   s->on("chat", [](std::string room, std::string text) {...});
//   s->on("question", [](std::string q, sio::ack ack) { ack("answer"); });  // the server asked
//   s->on("raw", [](const sio::payload& p) {...});                        // binary included
// An argument that does not convert skips the handler (one log line; an ack the server asked
// for is answered with {"error": "argument <n>: <reason>"}).
#pragma once

#include <sio/client/options.hpp>
#include <sio/common/completion.hpp>
#include <sio/common/handler.hpp>
#include <sio/common/payload.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sio::client {

namespace detail {
struct socket_core;  // the socket's state, on the manager's strand
}  // namespace detail

// Why a socket disconnected, with the JavaScript client's reason strings.
enum class disconnect_reason : std::uint8_t {
  io_server_disconnect,  // "io server disconnect": the server disconnected it (no reconnection)
  io_client_disconnect,  // "io client disconnect": disconnect() / the manager closed
  ping_timeout,          // "ping timeout"
  transport_close,       // "transport close"
  transport_error,       // "transport error"
  parse_error,           // "parse error": the server sent a packet that does not decode
};
std::string_view to_string(disconnect_reason r) noexcept;
// True for the reasons after which the manager reconnects by itself (JS socket.active stays
// true): every reason but io_server_disconnect and io_client_disconnect.
bool reconnects_after(disconnect_reason r) noexcept;

// Errors of emit_with_ack completions.
enum class error {
  timeout = 1,   // "operation has timed out": no answer within the timeout
  disconnected,  // "socket has been disconnected" after the emit was sent, before the answer
  buffer_full,   // emitted while disconnected with the send buffer full: not sent
  closed,        // the socket's manager is closed or destroyed
};
const boost::system::error_category& error_category() noexcept;
inline boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// Completion of emit_with_ack: the server's answer (ec clear) or an error (empty payload).
using ack_callback = std::function<void(boost::system::error_code ec, sio::payload answer)>;

// Flags of one emit: socket.volatile_(), socket.timeout(t), socket.compress(c).
struct emit_flags {
  bool volatile_ = false;  // dropped unless connected with a writable transport (not buffered)
  bool compress = true;    // accepted for source compatibility; no compression yet
  std::optional<std::chrono::milliseconds> timeout;  // of emit_with_ack
};

class socket;

// An emit with flags: s->timeout(5s).emit_with_ack(...), s->volatile_().emit("pos", x, y).
class emitter {
 public:
  emitter(std::shared_ptr<socket> s, emit_flags f) : s_(std::move(s)), f_(f) {}
  emitter volatile_() const {
    return with([](emit_flags& f) { f.volatile_ = true; });
  }
  emitter compress(bool c) const {
    return with([c](emit_flags& f) { f.compress = c; });
  }
  emitter timeout(std::chrono::milliseconds t) const {
    return with([t](emit_flags& f) { f.timeout = t; });
  }
  template <class... A>
  void emit(std::string_view event, A&&... a) const;
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, sio::payload)) Token>
  auto emit_with_ack(std::string_view event, sio::payload p, Token&& token) const;

 private:
  template <class F>
  emitter with(F f) const {
    emit_flags g = f_;
    f(g);
    return {s_, g};
  }
  std::shared_ptr<socket> s_;
  emit_flags f_;
};

class socket : public std::enable_shared_from_this<socket> {
 public:
  using connect_handler = std::function<void()>;
  using connect_error_handler = std::function<void(const sio::connect_error&)>;
  using disconnect_handler = std::function<void(disconnect_reason)>;
  using any_handler = std::function<void(std::string_view event, const sio::payload& args)>;
  using event_handler = sio::detail::handler_fn<>;

  explicit socket(std::shared_ptr<detail::socket_core> core);  // made by manager::socket()
  ~socket();  // disconnects the namespace (as disconnect()) when still connected
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;

  // --- state (any thread) ------------------------------------------------------------------------
  const std::string& nsp() const noexcept;
  // The id the server gave in CONNECT; empty while not connected.
  std::string id() const;
  bool connected() const noexcept;
  // Connected, or connecting / waiting to reconnect (JS socket.active).
  bool active() const noexcept;
  // The last connection resumed the previous session (connection state recovery: same id,
  // rooms, and the packets missed meanwhile delivered first); JS socket.recovered.
  bool recovered() const noexcept;
  boost::asio::any_io_executor get_executor() const noexcept;  // the manager's strand

  // --- connecting (any thread) -------------------------------------------------------------------
  // Opens the manager's connection when needed and joins the namespace (JS socket.connect()).
  void connect();
  // Leaves the namespace and stops reconnecting it ("io client disconnect"); the manager's
  // connection closes when no other namespace uses it. Safe from any thread and from inside
  // this socket's own handlers; never blocks.
  void disconnect();

  // --- handlers (any thread; they run on the manager's strand, never concurrently) -------------
  template <class F>
  socket& on(std::string event, F&& f) {
    return on_event(std::move(event), sio::detail::make_handler<>(std::forward<F>(f)), false);
  }
  // Called for the next such event only.
  template <class F>
  socket& once(std::string event, F&& f) {
    return on_event(std::move(event), sio::detail::make_handler<>(std::forward<F>(f)), true);
  }
  socket& on_event(std::string event, event_handler h, bool once = false);
  socket& off(std::string_view event);  // every handler of that event
  socket& off_all();                    // every event handler (not the connect/disconnect ones)
  socket& on_any(any_handler h);        // every incoming event, before its handlers
  socket& off_any();
  socket& on_any_outgoing(any_handler h);  // every emit, as it is sent
  socket& on_connect(connect_handler h);
  socket& on_connect_error(connect_error_handler h);
  socket& on_disconnect(disconnect_handler h);

  // --- emitting (any thread; order kept per calling thread)
  // --------------------------------------- Sent at once when connected, else buffered until
  // connected (see socket_options). Throws std::invalid_argument for a reserved event name
  // ("connect", "disconnect", ...).
  template <class... A>
  void emit(std::string_view event, A&&... a) {
    emit_payload(event, sio::make_payload(std::forward<A>(a)...), {});
  }
  // emit("message", ...) (JS socket.send).
  template <class... A>
  void send(A&&... a) {
    emit("message", std::forward<A>(a)...);
  }
  void emit_payload(std::string_view event, sio::payload p, emit_flags f = {});

  // Emits and completes once with (error_code, payload): the server's answer, or error::timeout
  // after `timeout` (socket_options::ack_timeout when not given; none: no time limit),
  // error::disconnected when the connection drops after the emit was sent (an emit still in the
  // send buffer waits for the next connection, as the JS client's emitWithAck), error::buffer_full
  // or error::closed. Any completion token (sio/common/completion.hpp): a callback runs on the
  // manager's strand; asio::use_awaitable, asio::use_future, asio::deferred...
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, sio::payload)) Token>
  auto emit_with_ack(std::string_view event, sio::payload p, Token&& token) {
    return emit_with_ack_flags(event, std::move(p), {}, std::forward<Token>(token));
  }
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, sio::payload)) Token>
  auto emit_with_ack(std::string_view event, sio::payload p, std::chrono::milliseconds timeout,
                     Token&& token) {
    emit_flags f;
    f.timeout = timeout;
    return emit_with_ack_flags(event, std::move(p), f, std::forward<Token>(token));
  }
  // The non-template form (what the above call).
  void emit_with_ack_payload(std::string_view event, sio::payload p, emit_flags f, ack_callback cb);

  emitter volatile_() { return emitter(shared_from_this(), {}).volatile_(); }
  emitter compress(bool c) { return emitter(shared_from_this(), {}).compress(c); }
  emitter timeout(std::chrono::milliseconds t) {
    return emitter(shared_from_this(), {}).timeout(t);
  }

 private:
  friend class emitter;
  template <class Token>
  auto emit_with_ack_flags(std::string_view event, sio::payload p, emit_flags f, Token&& token) {
    sio::detail::check_event_name(event);
    return sio::detail::initiate<boost::system::error_code, sio::payload>(
        std::forward<Token>(token), [self = shared_from_this(), ev = std::string(event),
                                     p = std::move(p), f](ack_callback cb) mutable {
          self->emit_with_ack_payload(ev, std::move(p), f, std::move(cb));
        });
  }

  std::shared_ptr<detail::socket_core> core_;
};

template <class... A>
void emitter::emit(std::string_view event, A&&... a) const {
  s_->emit_payload(event, sio::make_payload(std::forward<A>(a)...), f_);
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, sio::payload)) Token>
auto emitter::emit_with_ack(std::string_view event, sio::payload p, Token&& token) const {
  return s_->emit_with_ack_flags(event, std::move(p), f_, std::forward<Token>(token));
}

}  // namespace sio::client

template <>
struct boost::system::is_error_code_enum<sio::client::error> : std::true_type {};
