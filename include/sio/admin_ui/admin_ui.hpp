// sio::admin_ui: the server side of the official Socket.IO Admin UI (@socket.io/admin-ui 0.5.x,
// https://admin.socket.io or its static build), as Node's `instrument(io, options)` provides it.
//
//   sio::server io{...};
//   auto admin = sio::admin_ui::instrument(io, {.auth = sio::admin_ui::basic_auth{"admin",
//                                               "$2b$10$..."}, .namespaces = {"/", "/chat"},
//                                               .dynamic_namespaces = {io.of(users_regex)}});
//
// The admin namespace ("/admin") admits a client whose handshake auth {username, password}
// matches the bcrypt hash (then sends it a "session" id that later connections may present as
// auth {sessionId}), and emits to it:
// - "config" {supportedFeatures} on connection;
// - "server_stats" every stats_interval: this server's id, host, pid, uptime, Engine.IO client
//   counts, per-namespace socket counts, connection/disconnection counts per second and the
//   packets and bytes received and sent (the UI's charts; read from server::metrics(), so none
//   when metrics_options::enabled is false). It is an ordinary broadcast of the admin
//   namespace, so behind a cluster adapter every node's stats reach every UI, as with the Node
//   server;
// - development mode only: "all_sockets" on connection (fetch_sockets of every listed namespace,
//   across the cluster), "socket_connected", "socket_updated" (transport upgrades),
//   "socket_disconnected", "event_received"/"event_sent", and "room_joined"/"room_left" (room
//   changes of this server's sockets, found by comparing their rooms at each stats tick).
// It handles the UI's actions "emit", "join", "leave" and "_disconnect" (namespace, argument,
// optional room filter) on the listed namespaces, across the cluster.
//
// The namespaces shown are those listed in options::namespaces, the admin namespace, and the
// children of the dynamic namespaces in options::dynamic_namespaces as they appear (on this
// server: a child that exists only on another node of a cluster is not listed here). Sockets that
// connected before instrument() are counted and listed too.
//
// Threading: instrument() is safe from any thread, before or after the server started. The
// returned instrumentation stops the stats timer when destroyed; the namespace's handlers stay
// registered for the server's life.
#pragma once

#include <sio/admin_ui/wire.hpp>
#include <sio/server/server.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sio::admin_ui {

// The UI's basic authentication: a user name and the bcrypt hash of its password ("$2b$10$...",
// e.g. from `htpasswd -bnBC 10 "" password` or bcryptjs).
struct basic_auth {
  std::string username;
  std::string password_hash;
};

enum class ui_mode {
  development,  // every socket, room and event is reported to the UI (costs a little per event)
  production,   // server_stats and the actions only
};

struct options {
  // Who may connect to the admin namespace; nullopt lets anyone in (only behind a private
  // network). Default: nullopt. A hash that is not bcrypt makes instrument() throw.
  std::optional<basic_auth> auth;
  ui_mode mode = ui_mode::development;
  std::string namespace_name = "/admin";
  // The id this server has in the UI's server list. Default (empty): the host name.
  std::string server_id;
  // The namespaces the UI shows and acts on. Default: the main namespace.
  std::vector<std::string> namespaces{"/"};
  // Dynamic namespaces (server::of(regex | matcher)) whose children the UI shows and acts on, each
  // from its first connection on this server. Default: none.
  std::vector<std::reference_wrapper<namespace_>> dynamic_namespaces;
  // Handshake headers the UI is not shown (lower-case names): a session cookie or bearer token
  // there would let whoever reads the UI act as that user. Default: cookie, authorization (the
  // Node server shows every header).
  std::vector<std::string> hidden_headers{"cookie", "authorization"};
  // How often server_stats is sent (and, in development mode, room changes looked for). Default
  // 2 s, the Node server's.
  std::chrono::milliseconds stats_interval{2000};
  // Session ids remembered for reconnecting UIs; the oldest is forgotten beyond. Default 1024.
  std::size_t max_sessions = 1024;
  // Password checks per second on this server. A bcrypt check runs on the connecting client's
  // worker and takes it for the hash's cost (about 0.1 s at cost 10); attempts beyond the budget
  // are refused as invalid credentials without a check, which bounds the time a password
  // guesser takes from the other clients. Default 5.
  std::size_t max_password_checks_per_second = 5;
};

namespace detail {
struct state;
}

// What instrument() returns: keeps the stats timer running until destroyed.
class instrumentation {
 public:
  explicit instrumentation(std::shared_ptr<detail::state> st) : st_(std::move(st)) {}
  instrumentation(instrumentation&&) noexcept = default;
  instrumentation& operator=(instrumentation&&) noexcept = default;
  ~instrumentation();

 private:
  std::shared_ptr<detail::state> st_;
};

// The server id used when options::server_id is empty: the host name (as the Node server's).
std::string default_server_id();

// Serves the Admin UI on `io` (see the header comment). Throws std::invalid_argument for an
// auth whose password_hash is not a bcrypt hash.
[[nodiscard]] instrumentation instrument(server& io, options opts);

}  // namespace sio::admin_ui
