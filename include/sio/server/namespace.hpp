// sio::namespace_: a Socket.IO namespace ("/", "/admin", or a child of a dynamic namespace):
// its connection middlewares and handlers, its sockets (each worker keeps its own part) and its
// adapter (rooms, broadcasts). Also the broadcast shortcuts of Node's Namespace.
//
// A namespace returned by server::of(regex | predicate) is a parent: it never has sockets itself;
// each matching name becomes a child namespace that copies the parent's middlewares (at creation)
// and calls the parent's connection handlers; a broadcast on the parent reaches every child.
//
// Server-side events (Node's serverSideEmit, serverSideEmitWithAck and io.on(event) for them)
// travel between the servers of a cluster through the adapter; a single server has no others
// (nothing is sent; with_ack completes at once with no answers).
//
// Threading: every member is safe from any thread; handlers registered after clients connected
// apply to later connections. Server-side event handlers run on the adapter's thread (the Redis
// adapter: its connection's strand on worker 0), possibly while socket handlers run on others.
#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/broadcast_operator.hpp>
#include <sio/server/completion.hpp>
#include <sio/server/flag_builder.hpp>
#include <sio/server/handler.hpp>
#include <sio/server/socket.hpp>
#include <sio/server/types.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sio {

namespace detail {
class client;
struct server_state;
}  // namespace detail

class namespace_ final : public std::enable_shared_from_this<namespace_>,
                         public adapter_host,
                         public flag_builder<namespace_, broadcast_operator> {
 public:
  using middleware = std::function<void(socket&, next)>;
  using connection_handler = std::function<void(socket&)>;
  using matcher = std::function<bool(std::string_view name, const boost::json::object& auth)>;
  // The normalized form of a server-side event handler (see on_server_side_emit).
  using server_side_handler = detail::handler_fn<>;

  namespace_(std::shared_ptr<detail::server_state> srv, std::string name, matcher parent_of = {});
  ~namespace_() override;

  const std::string& name() const noexcept override { return name_; }
  namespace_& use(middleware m);
  namespace_& on_connection(connection_handler h);
  namespace_& on_connect(connection_handler h) { return on_connection(std::move(h)); }
  sio::adapter& get_adapter() noexcept { return *adapter_; }

  // Broadcast shortcuts (broadcast_operator.hpp); volatile_/compress/local/timeout come from
  // flag_builder.
  broadcast_operator all() { return broadcast_operator(shared_from_this()); }
  broadcast_operator to(std::string_view r) { return all().to(r); }
  broadcast_operator to(std::initializer_list<std::string_view> rs) { return all().to(rs); }
  broadcast_operator in(std::string_view r) { return all().to(r); }
  broadcast_operator except(std::string_view r) { return all().except(r); }
  template <class... A>
  void emit(std::string_view event, A&&... a) {
    all().emit(event, std::forward<A>(a)...);
  }
  template <class Token>
  auto emit_with_ack(std::string_view event, payload p, Token&& token) {
    return all().emit_with_ack(event, std::move(p), std::forward<Token>(token));
  }
  template <class Token>
  auto fetch_sockets(Token&& token) {
    return all().fetch_sockets(std::forward<Token>(token));
  }
  template <class Token>
  auto socket_ids(Token&& token) {
    return all().socket_ids(std::forward<Token>(token));
  }
  void sockets_join(std::string_view r) { all().sockets_join(r); }
  void sockets_leave(std::string_view r) { all().sockets_leave(r); }
  void disconnect_sockets(bool close = false) { all().disconnect_sockets(close); }

  // Completes with the number of servers in the cluster (this one included; 1 alone).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::size_t)) Token>
  auto server_count(Token&& token) {
    return detail::initiate<std::size_t>(
        std::forward<Token>(token),
        [self = shared_from_this()](std::function<void(std::size_t)> cb) {
          self->start_server_count(std::move(cb));
        });
  }

  // Emits a server-side event to the other servers (Node's serverSideEmit). Throws
  // std::invalid_argument for a reserved event name.
  template <class... A>
  void server_side_emit(std::string_view event, A&&... a) {
    server_side_emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  void server_side_emit_payload(std::string_view event, payload p);
  // ... and completes once with (error_code, one answer per other server: the arguments it
  // acknowledged with); sio::error::timeout and the answers so far when some server did not
  // answer in time (the adapter's request timeout).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::vector<payload>))
                Token>
  auto server_side_emit_with_ack(std::string_view event, payload p, Token&& token) {
    detail::check_event_name(event);
    return detail::initiate<boost::system::error_code, std::vector<payload>>(
        std::forward<Token>(token),
        [self = shared_from_this(),
         p = server_side_args(event, std::move(p))](broadcast_ack_callback cb) mutable {
          self->start_server_side_emit_with_ack(std::move(p), std::move(cb));
        });
  }
  // Handles the server-side event `event` sent by the other servers: f(args...[, sio::ack]) in
  // the shapes of handler.hpp (without the leading socket), e.g.
  //   io.on_server_side_emit("hello", [](std::string from, sio::ack ack) { ack("hi"); });
  // Replaces an earlier handler of that event. The children of a dynamic namespace use their
  // parent's handlers for the events they have none for.
  template <class F>
  namespace_& on_server_side_emit(std::string event, F&& f) {
    return add_server_side_handler(std::move(event), detail::make_handler<>(std::forward<F>(f)));
  }

  // The socket with this id if it lives on the calling worker, else nullptr.
  std::shared_ptr<socket> local_socket(std::string_view id);
  // The connected sockets of this namespace living on the calling worker (none off the workers):
  // post to each worker to walk every socket of this node.
  std::vector<std::shared_ptr<socket>> local_sockets();
  // A dynamic namespace (server::of(regex | matcher)): the children created so far, oldest first;
  // none for any other namespace.
  std::vector<std::shared_ptr<namespace_>> children();

 private:
  friend class detail::client;
  friend class socket;
  friend class broadcast_operator;
  friend class flag_builder<namespace_, broadcast_operator>;
  friend struct detail::server_state;
  using server_side_map = std::unordered_map<std::string, server_side_handler>;

  broadcast_flags flags() const noexcept { return {}; }
  broadcast_operator with_flags(broadcast_flags f) const;
  // The event name, then the arguments.
  static payload server_side_args(std::string_view event, payload p);
  // The adapter requests behind server_count and server_side_emit_with_ack, timed.
  void start_server_count(std::function<void(std::size_t)> cb);
  void start_server_side_emit_with_ack(payload args, broadcast_ack_callback cb);

  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct alignas(64) shard {
    // Keyed by the socket's own id (a view of socket::id(), alive as long as the entry).
    std::unordered_map<std::string_view, std::shared_ptr<socket>, string_hash> sockets;
    // sockets.size(), stored by the shard's worker after each change: readable from any thread.
    std::atomic<std::size_t> count{0};
  };
  // Connected sockets of this node (every worker's count summed). Any thread.
  std::uint64_t local_socket_count() const noexcept;

  // adapter_host
  worker_pool& workers() noexcept override;
  std::shared_ptr<const void> keep_alive() override { return shared_from_this(); }
  std::uint64_t next_ack_id() noexcept override {
    return ack_ids_.fetch_add(1, std::memory_order_relaxed);
  }
  member_handle member_of(std::size_t w, const std::string& sid) override;
  void deliver(std::size_t w, member_span members, const outgoing_ptr& p,
               const delivery& d) override;
  void collect(std::size_t w, member_span members, std::vector<socket_info>& out) override;
  void join(std::size_t w, member_span members, const std::vector<room>& rooms) override;
  void leave(std::size_t w, member_span members, const std::vector<room>& rooms) override;
  void disconnect(std::size_t w, member_span members, bool close) override;
  void receive_server_side_emit(payload args, std::function<void(payload)> reply) override;
  const socket_redaction& remote_socket_redaction() const noexcept override;
  const recovery_options* recovery() const noexcept override;
  outgoing_ptr encode_packet(protocol::socketio::packet p, std::uint64_t log_seq = 0) override;
  namespace_& add_server_side_handler(std::string event, server_side_handler h);
  // The handler of a server-side event: this namespace's, else its parent's.
  server_side_handler server_side_handler_of(const std::string& event);
  // The connected sockets behind the handles (handles are sockets; no lookup by id).
  static std::vector<std::shared_ptr<socket>> resolve(member_span members);

  bool is_parent() const noexcept { return static_cast<bool>(parent_of_); }
  std::shared_ptr<namespace_> create_child(std::string name);
  std::vector<std::shared_ptr<namespace_>> targets();  // self, or the children of a parent
  // Encodes an outgoing EVENT; with recovery on, through the adapter (offset and log).
  outgoing_ptr encode(protocol::socketio::packet p, const broadcast_options& opts);
  // Client connection flow (on the client's worker).
  void add(const std::shared_ptr<detail::client>& c, boost::json::object auth);
  void create_socket(const std::shared_ptr<detail::client>& c, boost::json::object auth,
                     std::optional<restored_session> restored);
  void restore(const std::shared_ptr<socket>& s);  // rooms and missed packets, before CONNECT
  // A recovered socket that does not connect after all (refused, client gone) leaves its session
  // restorable again.
  void give_back(socket& s);
  void run_middlewares(std::shared_ptr<socket> s, std::shared_ptr<const std::vector<middleware>> m,
                       std::size_t i);
  void do_connect(const std::shared_ptr<socket>& s);
  void remove(const socket& s);
  void abandon();  // server teardown: drop every socket, breaking ownership cycles

  std::shared_ptr<detail::server_state> srv_;
  std::string name_;
  matcher parent_of_;
  std::weak_ptr<namespace_> parent_;
  std::unique_ptr<sio::adapter> adapter_;
  std::vector<shard> shards_;
  std::atomic<std::uint64_t> ack_ids_{0};

  std::mutex mu_;  // guards the lists below (copy-on-write snapshots)
  std::shared_ptr<const std::vector<middleware>> middlewares_;
  std::shared_ptr<const std::vector<connection_handler>> handlers_;
  std::shared_ptr<const server_side_map> server_side_;
  std::vector<std::shared_ptr<namespace_>> children_;
};

}  // namespace sio
