// notifications::realtime: the notifications' Socket.IO side on the dynamic namespace
// "/users/<id>" (one child namespace per user; see apps/notifications/API.md): `unread` on
// connect, markRead and list, and the delivery of a stored notification to every connection of
// its user on every node, exactly once each. Also the apps' notifier (push) and the backend jobs'
// server-side event "notifications:push".
//
// Delivery never creates a namespace: the node that stored a notification emits it to its own
// child "/users/<id>" when one exists (local sockets only) and tells the other nodes with the
// server-side event "notifications:deliver"; each of them does the same with its own child. A
// user's child exists on a node from their first connection there (the namespace is recorded in
// on_connection). `read` to the user's other connections takes the same path.
//
// The host installs the login middleware on the parent first (sessions::protect_dynamic: every
// socket carries data {"userId", "username"}); install() adds a middleware after it that refuses
// another user's namespace (`forbidden`).
//
// Threading: socket handlers run on their socket's worker and hand storage work to `offload`;
// server-side events arrive on the adapter's thread and are offloaded too. Every member may be
// called from any thread.
#pragma once

#include "accounts.hpp"
#include "accounts_api.hpp"
#include "notifier.hpp"
#include "rate_limit.hpp"

#include <notifications/storage.hpp>

#include <sio/sio.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace notifications {

struct realtime_options {
  apps::rate reads{30, 10};  // markRead and list per user: a burst, then per second
};

class realtime final : public apps::notifier {
 public:
  // `io`, `users` (the parent namespace), `db` and `accounts` must outlive this object.
  realtime(sio::server& io, sio::namespace_& users, storage& db, apps::accounts& accounts,
           apps::offload_fn offload, realtime_options opts = {});
  ~realtime() override;

  // Registers the middleware and handlers on the parent namespace and the server-side events on
  // "/" (where @socket.io/redis-emitter's serverSideEmit sends them).
  void install();
  // Later events and pushes are refused or dropped. Idempotent.
  void stop();

  // apps::notifier: stores the notice (offloaded) and delivers it.
  void push(apps::notice n) override;
  // Stores `n` and delivers it: the stored row, or nullopt when its key was taken.
  std::optional<notification_row> store_and_deliver(const new_notification& n);
  // Delivers a stored notification to every connection of its user, on every node.
  void deliver(const notification_row& n);

  // The parent's pattern: "/users/<id>", id a positive integer of at most 18 digits.
  static constexpr std::string_view namespace_pattern = "^/users/[1-9][0-9]{0,17}$";
  static std::string namespace_of(id_type user);  // "/users/<id>"
  // The user a namespace name names, in namespace_of's form only ("/users/007": none).
  static std::optional<id_type> user_of_namespace(std::string_view name);
  // The server-side events between nodes (and from backend jobs).
  static constexpr std::string_view push_event = "notifications:push";
  static constexpr std::string_view deliver_event = "notifications:deliver";
  static constexpr std::string_view read_event = "notifications:read";

 private:
  enum limit : std::size_t { limit_read };
  void on_connection(sio::socket& s);
  void send_unread(id_type user, std::string socket_id);
  void mark(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void list(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void on_push(const boost::json::value& arg);
  // The user's child namespace on this node (nullptr: none of their sockets came here).
  sio::namespace_* local_namespace(id_type user);
  // Emits to this node's connections of `user` (none: nothing), except socket `except`.
  void emit_local(id_type user, std::string_view event, const boost::json::value& v,
                  std::string_view except = {});
  // The other nodes' `server_event` {toUserId, <event>: v}: `event` v to this node's connections
  // of the user (relay), and its sending (tell_others).
  std::function<void(const boost::json::array&)> relay(std::string_view event);
  void tell_others(std::string_view server_event, std::string_view event, id_type user,
                   const boost::json::value& v);
  // Runs `work` through offload; an exception is logged ("notifications: <what>: ...").
  void run(std::string_view what, std::function<void()> work);

  sio::server& io_;
  sio::namespace_& users_;
  storage& db_;
  apps::accounts& accounts_;
  apps::offload_fn offload_;
  apps::user_limits limits_;
  std::atomic<bool> stopped_{false};
  std::mutex mu_;
  // The user's child namespace on this node, once one of their sockets connected here. Children
  // live as long as the server (the library never drops them).
  std::unordered_map<id_type, sio::namespace_*> local_;  // guarded by mu_
};

}  // namespace notifications
