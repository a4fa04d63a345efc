// sio::socket: one client's connection to one namespace (Node's server-side Socket).
//
// Threading: a socket lives on one worker (the one of its Engine.IO connection). Its handlers,
// middlewares and listeners always run there, never concurrently with each other. emit, join,
// leave, disconnect and the emit_with_ack family are safe from any thread (they post to the
// worker when called elsewhere, keeping call order). `data`, `rooms()` and the registration of
// handlers are meant for the socket's own worker (inside its handlers).
//
// Handlers receive their socket as an argument; keep `shared_from_this()` (or the id) to reach it
// later, never capture the socket's owning pointer in its own handlers. The handler shapes
// (typed arguments, sio::ack) are in handler.hpp; s.volatile_(), s.compress(c) and s.timeout(t)
// (flag_builder.hpp) return a socket_emitter carrying that flag.
#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/completion.hpp>
#include <sio/server/flag_builder.hpp>
#include <sio/server/handler.hpp>
#include <sio/server/types.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sio {

class socket;
class namespace_;
class broadcast_operator;
namespace detail {
class client;
struct socket_init;
struct server_state;
}  // namespace detail

// The normalized form of a socket event handler; `socket::on` accepts the shapes of handler.hpp.
using event_handler = detail::handler_fn<socket&>;

// socket.volatile_() / compress() / timeout(): flags for the next emit of this socket (see
// flag_builder.hpp).
class socket_emitter : public flag_builder<socket_emitter, socket_emitter, flag_set::socket> {
 public:
  socket_emitter(std::shared_ptr<socket> s, broadcast_flags f) : s_(std::move(s)), f_(f) {}

  template <class... A>
  void emit(std::string_view event, A&&... a) const {
    emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  void emit_payload(std::string_view event, payload p) const;
  // As socket::emit_with_ack, with this emitter's timeout.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, payload)) Token>
  auto emit_with_ack(std::string_view event, payload p, Token&& token) const;

 private:
  friend class flag_builder<socket_emitter, socket_emitter, flag_set::socket>;
  broadcast_flags flags() const noexcept { return f_; }
  socket_emitter with_flags(broadcast_flags f) const { return {s_, f}; }

  std::shared_ptr<socket> s_;
  broadcast_flags f_;
};

class socket : public std::enable_shared_from_this<socket>,
               public flag_builder<socket, socket_emitter, flag_set::socket> {
 public:
  using disconnect_handler = std::function<void(socket&, disconnect_reason)>;
  using any_handler = std::function<void(socket&, std::string_view event, const payload&)>;
  using any_outgoing_handler =
      std::function<void(socket&, std::string_view event, std::span<const boost::json::value>)>;
  // socket.use(): runs for every incoming event before its handler.
  using packet_middleware = std::function<void(socket&, std::string_view event, payload&, next)>;
  using error_handler = std::function<void(socket&, const connect_error&)>;

  explicit socket(detail::socket_init&& init);  // created by the server only
  ~socket();
  socket(const socket&) = delete;
  socket& operator=(const socket&) = delete;

  const std::string& id() const noexcept { return id_; }
  namespace_& nsp() const noexcept { return *nsp_; }
  const handshake_info& handshake() const noexcept { return handshake_; }
  std::size_t worker_index() const noexcept { return worker_; }
  bool connected() const noexcept { return connected_.load(std::memory_order_acquire); }
  // The Engine.IO session id (distinct from id()).
  const std::string& engine_id() const noexcept { return engine_id_; }
  // Connection state recovery: this socket took over the session (id, rooms, data) of one that
  // disconnected, and its client was sent the packets it missed (Node's socket.recovered).
  bool recovered() const noexcept { return rec_ && rec_->recovered; }

  boost::json::object data;  // application data (Node's socket.data); worker only

  // Handlers: f(socket&, args...[, sio::ack]) in the shapes of handler.hpp, e.g.
  //   s.on("move", [](sio::socket& s, std::string room, move_t m, sio::ack ack) {...});
  //   s.on("raw", [](sio::socket& s, const sio::payload& p) {...});
  template <class F>
  socket& on(std::string event, F&& f) {
    return on_event(std::move(event), detail::make_handler<socket&>(std::forward<F>(f)));
  }
  socket& on_event(std::string event, event_handler h);
  socket& off(std::string_view event);
  socket& on_any(any_handler h);
  socket& on_any_outgoing(any_outgoing_handler h);
  socket& use(packet_middleware m);
  // A packet middleware refused an event (Node's "error" event on the server-side socket).
  socket& on_error(error_handler h);
  socket& on_disconnecting(disconnect_handler h);
  socket& on_disconnect(disconnect_handler h);

  template <class... A>
  void emit(std::string_view event, A&&... a) {
    emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  void emit_payload(std::string_view event, payload p) { send_event(event, std::move(p), {}, {}); }
  // Emits with an acknowledgement, completing once with (error_code, payload): the client's
  // answer, or sio::error::disconnected, or sio::error::timeout when no answer came within
  // `timeout`. Any completion token (completion.hpp): a callback (it runs on this socket's
  // worker), asio::use_awaitable (co_await gives the answer; as_tuple the error too),
  // asio::use_future... Throws std::invalid_argument for a reserved event name.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, payload)) Token>
  auto emit_with_ack(std::string_view event, payload p, Token&& token) {
    return emit_with_ack_flags(event, std::move(p), {}, std::forward<Token>(token));
  }
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, payload)) Token>
  auto emit_with_ack(std::string_view event, payload p, std::chrono::milliseconds timeout,
                     Token&& token) {
    broadcast_flags f;
    f.timeout = timeout;
    return emit_with_ack_flags(event, std::move(p), f, std::forward<Token>(token));
  }

  void join(std::string_view r) { join({r}); }
  void join(std::initializer_list<std::string_view> rs) {
    join(std::vector<room>(rs.begin(), rs.end()));
  }
  void join(std::vector<room> rs);
  void leave(std::string_view r);
  std::vector<room> rooms() const;  // worker only

  // Broadcasts from this socket exclude it (Node's socket.to / socket.broadcast).
  broadcast_operator to(std::string_view r);
  broadcast_operator to(std::initializer_list<std::string_view> rs);
  broadcast_operator in(std::string_view r);
  broadcast_operator except(std::string_view r);
  broadcast_operator broadcast();

  // Leaves the namespace ("server namespace disconnect"); close=true also closes the Engine.IO
  // connection (every namespace of this client).
  void disconnect(bool close = false);

  // The Engine.IO connection under this socket (Node's socket.conn), or nullptr once the socket
  // left. Worker only. Closing it drops every namespace of the client ("forced close" here,
  // "transport close" as the client sees it).
  engineio::connection* conn() const noexcept;

 private:
  friend class detail::client;
  friend class namespace_;
  friend class socket_emitter;
  friend class flag_builder<socket, socket_emitter, flag_set::socket>;

  struct ack_state;  // the ack of one event this socket received

  broadcast_flags flags() const noexcept { return {}; }
  socket_emitter with_flags(broadcast_flags f) const {
    return {std::const_pointer_cast<socket>(shared_from_this()), f};
  }
  template <class Token>
  auto emit_with_ack_flags(std::string_view event, payload p, broadcast_flags f, Token&& token) {
    detail::check_event_name(event);
    return detail::initiate<boost::system::error_code, payload>(
        std::forward<Token>(token),
        [self = shared_from_this(), ev = std::string(event), p = std::move(p),
         f](ack_callback cb) mutable { self->send_event(ev, std::move(p), f, std::move(cb)); });
  }

  struct pending_ack {
    ack_callback cb;
    std::shared_ptr<const ack_sink> sink;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  struct handler_entry {
    std::string event;
    // While it runs, the handler lives in the dispatching frame and this holds a marker pointing
    // there (see dispatch_event).
    event_handler fn;
  };
  // Listeners most sockets never register, allocated on first use.
  struct listeners {
    std::vector<any_handler> any;
    std::vector<any_outgoing_handler> any_outgoing;
    std::vector<packet_middleware> middlewares;
    std::vector<error_handler> error_handlers;
    std::vector<disconnect_handler> disconnecting;
    std::vector<disconnect_handler> disconnect;
  };
  using ack_map = std::unordered_map<std::uint64_t, pending_ack>;
  // Only while the server has connection state recovery on.
  struct recovery_state {
    std::string pid;  // private session id, sent in CONNECT
    bool recovered = false;
    std::uint64_t replayed_seq = 0;  // restored_session::log_seq
    // Of a recovered session, until the socket connects.
    std::vector<room> rooms;
    std::vector<outgoing_ptr> missed;
  };

  bool on_worker() const noexcept;
  detail::server_state& srv() const noexcept;
  listeners& lst();  // allocates on first use
  handler_entry* find_handler(std::string_view event) noexcept;
  void add_ack(std::uint64_t id, pending_ack pa);
  void send_event(std::string_view event, payload p, broadcast_flags f, ack_callback cb);
  // On the worker: write frames to the engine connection (volatile-aware).
  void deliver(const outgoing_ptr& p, bool volatile_, bool compress);
  // The same with p's frames as held by this worker (namespace_::deliver).
  void deliver(const outgoing_ptr& p, std::span<const engineio::message_ptr> frames, bool volatile_,
               bool compress);
  void send_packet(protocol::socketio::packet p);
  void register_sink(std::uint64_t id, std::shared_ptr<const ack_sink> sink);
  void on_packet(protocol::socketio::packet& p);
  void on_event_packet(protocol::socketio::packet& p);
  void run_middlewares(std::size_t i, std::shared_ptr<std::pair<std::string, payload>> ev, ack a);
  void dispatch_event(const std::string& name, payload& args, ack& a);
  void call_handler(event_handler& h, const std::string& name, payload& args, ack& a);
  void refuse_arguments(const std::string& name, const detail::argument_error& e, ack& a);
  void on_ack_packet(protocol::socketio::packet& p);
  void on_close(disconnect_reason r);
  void persist_session(disconnect_reason r);
  void connected_by_server();
  void fail(std::string_view what, const std::exception* e);
  void ack_timeout(std::uint64_t id);
  void drop_callbacks() noexcept;  // user callbacks and the client (they may own this socket)
  void abandon();                  // server teardown

  // Kept small: one per connected client and namespace, most of them idle.
  std::string id_;
  std::string engine_id_;
  std::shared_ptr<namespace_> nsp_;
  std::shared_ptr<detail::client> client_;  // reset on close (breaks the cycle)
  std::uint32_t worker_;
  std::atomic<bool> connected_{false};
  bool closing_ = false;
  handshake_info handshake_;
  // A flat list: a socket has a few handlers; a scan beats hashing and saves the nodes.
  std::vector<handler_entry> handlers_;
  std::unique_ptr<listeners> lst_;
  std::unique_ptr<ack_map> acks_;  // pending emit_with_ack answers, allocated on first use
  std::unique_ptr<recovery_state> rec_;
};

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, payload)) Token>
auto socket_emitter::emit_with_ack(std::string_view event, payload p, Token&& token) const {
  return s_->emit_with_ack_flags(event, std::move(p), f_, std::forward<Token>(token));
}

}  // namespace sio
