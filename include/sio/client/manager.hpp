// sio::client::manager: one Engine.IO connection to a Socket.IO server, shared by the sockets
// (namespaces) made from it, with reconnection (the JavaScript client's Manager).
//
//   sio::client::manager io("https://chat.example.com", {.reconnection_delay_max = 10s});
//   auto chat = io.socket("/", {.auth = {{"token", token}}});
//   chat->on("message", [](std::string room, std::string text) { ... });
//   chat->emit("message", "general", "hello");
//
// Threading: a manager runs on its own thread (the first constructor) or on a strand of the
// caller's executor (the second). Every handler of a manager and of its sockets runs on that
// strand: never two at once. Every member function of manager and socket is safe from any
// thread and from inside handlers (calls from one thread take effect in order); none blocks,
// except the destructor of a manager with its own thread, which joins that thread (unless called
// on it, from a handler).
//
// Lifetime: sockets are shared_ptrs; a socket keeps no manager alive. Destroying the manager (or
// close()) disconnects every socket ("io client disconnect"), cancels every timer, completes
// pending acks with error::closed and releases every handler (so handlers may capture their
// socket's shared_ptr without leaking). A socket outliving its manager is inert. A pending
// reconnection timer, a connection attempt or an HTTP request in flight may be outstanding when
// the manager goes: they end without calling anything.
#pragma once

#include <sio/client/options.hpp>
#include <sio/client/socket.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sio::client {

namespace detail {
struct manager_core;  // the connection's state, on the strand
}  // namespace detail

class manager {
 public:
  // `url`: http://, https://, ws:// or wss:// host[:port][/][?query]. The query goes on every
  // Engine.IO request; a path names nothing here (namespaces are socket()'s, the Engine.IO path
  // is options.path). Throws std::invalid_argument for a URL it cannot use.
  explicit manager(std::string url, manager_options options = {});
  manager(boost::asio::any_io_executor executor, std::string url, manager_options options = {});
  ~manager();
  manager(const manager&) = delete;
  manager& operator=(const manager&) = delete;

  // The socket of namespace `nsp` ("/", "/chat"...). Connects at once with auto_connect (the
  // manager opens its connection when needed). Asking twice for one namespace gives the same
  // socket while it exists (its options are those of the first call).
  std::shared_ptr<client::socket> socket(std::string nsp = "/", socket_options options = {});

  // Opens the connection now (JS manager.open()); sockets do it themselves when they connect.
  void open();
  // Closes the connection and stops reconnecting; every socket disconnects ("io client
  // disconnect"). The manager may be opened again.
  void close();

  // --- state (any thread) ------------------------------------------------------------------------
  bool is_open() const noexcept;
  // The transport in use (after an upgrade: websocket); nullopt while not open.
  std::optional<transport> current_transport() const;
  // The Engine.IO session id; empty while not open.
  std::string engine_id() const;
  boost::asio::any_io_executor get_executor() const noexcept;  // the strand

  // --- events (any thread; handlers run on the strand) -------------------------------------------
  manager& on_open(std::function<void()> h);
  // The connection closed; reason as the JS client's: "transport close", "transport error",
  // "ping timeout", "forced close", "parse error".
  manager& on_close(std::function<void(std::string_view reason)> h);
  // A connection attempt failed ("xhr poll error", "websocket error", "timeout", a TLS or proxy
  // failure...).
  manager& on_error(std::function<void(std::string_view message)> h);
  manager& on_ping(std::function<void()> h);
  manager& on_reconnect_attempt(std::function<void(unsigned attempt)> h);
  manager& on_reconnect(std::function<void(unsigned attempt)> h);
  manager& on_reconnect_error(std::function<void(std::string_view message)> h);
  manager& on_reconnect_failed(std::function<void()> h);
  // The transport changed to WebSocket by an upgrade.
  manager& on_upgrade(std::function<void(transport)> h);

 private:
  struct runner;  // the own thread and its io_context, when there is one
  std::shared_ptr<runner> runner_;
  std::shared_ptr<detail::manager_core> core_;
};

}  // namespace sio::client
