// sio::namespace_: a Socket.IO namespace ("/", "/admin", or a child of a dynamic namespace):
// its connection middlewares and handlers, its sockets (each worker keeps its own part) and its
// adapter (rooms, broadcasts). Also the broadcast shortcuts of Node's Namespace.
//
// A namespace returned by server::of(regex | predicate) is a parent: it never has sockets itself;
// each matching name becomes a child namespace that copies the parent's middlewares (at creation)
// and calls the parent's connection handlers; a broadcast on the parent reaches every child.
//
// Threading: every member is safe from any thread; handlers registered after clients connected
// apply to later connections.
#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/broadcast_operator.hpp>
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

class namespace_ final : public std::enable_shared_from_this<namespace_>, public adapter_host {
 public:
  using middleware = std::function<void(socket&, next)>;
  using connection_handler = std::function<void(socket&)>;
  using matcher = std::function<bool(std::string_view name, const boost::json::object& auth)>;

  namespace_(std::shared_ptr<detail::server_state> srv, std::string name, matcher parent_of = {});
  ~namespace_() override;

  const std::string& name() const noexcept override { return name_; }
  namespace_& use(middleware m);
  namespace_& on_connection(connection_handler h);
  namespace_& on_connect(connection_handler h) { return on_connection(std::move(h)); }
  sio::adapter& get_adapter() noexcept { return *adapter_; }

  broadcast_operator all() { return broadcast_operator(shared_from_this()); }
  broadcast_operator to(std::string_view r) { return all().to(r); }
  broadcast_operator to(std::initializer_list<std::string_view> rs) { return all().to(rs); }
  broadcast_operator in(std::string_view r) { return all().to(r); }
  broadcast_operator except(std::string_view r) { return all().except(r); }
  broadcast_operator volatile_() { return all().volatile_(); }
  broadcast_operator compress(bool c) { return all().compress(c); }
  broadcast_operator local() { return all().local(); }
  broadcast_operator timeout(std::chrono::milliseconds t) { return all().timeout(t); }
  template <class... A>
  void emit(std::string_view event, A&&... a) {
    all().emit(event, std::forward<A>(a)...);
  }
  void emit_with_ack(std::string_view event, payload p, broadcast_ack_callback cb) {
    all().emit_with_ack(event, std::move(p), std::move(cb));
  }
  void fetch_sockets(std::function<void(std::vector<remote_socket>)> cb) {
    all().fetch_sockets(std::move(cb));
  }
  void socket_ids(std::function<void(std::vector<std::string>)> cb) {
    all().socket_ids(std::move(cb));
  }
  void sockets_join(std::string_view r) { all().sockets_join(r); }
  void sockets_leave(std::string_view r) { all().sockets_leave(r); }
  void disconnect_sockets(bool close = false) { all().disconnect_sockets(close); }

  // The socket with this id if it lives on the calling worker, else nullptr.
  std::shared_ptr<socket> local_socket(std::string_view id);

 private:
  friend class detail::client;
  friend class socket;
  friend class broadcast_operator;
  friend struct detail::server_state;

  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct alignas(64) shard {
    // Keyed by the socket's own id (a view of socket::id(), alive as long as the entry).
    std::unordered_map<std::string_view, std::shared_ptr<socket>, string_hash> sockets;
  };

  // adapter_host
  worker_pool& workers() noexcept override;
  std::shared_ptr<const void> keep_alive() override { return shared_from_this(); }
  std::uint64_t next_ack_id() noexcept override {
    return ack_ids_.fetch_add(1, std::memory_order_relaxed);
  }
  void deliver(std::size_t w, std::span<const std::string* const> ids, const outgoing_ptr& p,
               const delivery& d) override;
  void collect(std::size_t w, std::span<const std::string* const> ids,
               std::vector<socket_info>& out) override;
  void join(std::size_t w, std::span<const std::string* const> ids,
            const std::vector<room>& rooms) override;
  void leave(std::size_t w, std::span<const std::string* const> ids,
             const std::vector<room>& rooms) override;
  void disconnect(std::size_t w, std::span<const std::string* const> ids, bool close) override;
  std::vector<std::shared_ptr<socket>> resolve(std::size_t w,
                                               std::span<const std::string* const> ids);

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

  std::mutex mu_;  // guards the three lists below (copy-on-write snapshots)
  std::shared_ptr<const std::vector<middleware>> middlewares_;
  std::shared_ptr<const std::vector<connection_handler>> handlers_;
  std::vector<std::shared_ptr<namespace_>> children_;
};

}  // namespace sio
