// The client's Engine.IO v4 connection (engine.io-client's Socket): transports polling and
// WebSocket, the upgrade, the heartbeat, TLS and HTTP CONNECT proxies. Internal to sio_client:
// the manager (manager_core) owns one per connection attempt.
//
// Threading: an engine lives on one strand (the manager's). Its member functions are called
// there only, and its callbacks run there. Callbacks are never called after close() returned or
// after the engine was destroyed; operations in flight at that time end silently (they hold the
// engine's state, not the caller's).
#pragma once

#include <sio/client/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::client::detail {

// A parsed server URL.
struct server_url {
  bool secure = false;  // https:// or wss://
  std::string host;     // without brackets for IPv6
  std::uint16_t port = 0;
  std::string path;   // as given ("" when none)
  std::string query;  // without '?', as given
};
// Parses http://, https://, ws://, wss:// (default ports 80 / 443); a URL without a scheme is
// https, as the JavaScript client outside a browser reads it. Throws std::invalid_argument.
server_url parse_url(std::string_view url);

// The TLS client context of a manager's secure connections, made at the first one and shared
// by the later ones (the CA store is loaded once, not on every reconnection). On the strand.
struct tls_context_cache;
std::shared_ptr<tls_context_cache> make_tls_context_cache();

struct engine_config {
  server_url url;
  const manager_options* options = nullptr;  // outlives the engine
  // Start on WebSocket (remember_upgrade after a successful upgrade): transports reordered.
  bool websocket_first = false;
  // Who owns *options (the manager): the transports share them; without it they keep a copy.
  std::shared_ptr<const void> options_owner;
  // Shared by the engines of a manager; without it every engine makes its own TLS context.
  std::shared_ptr<tls_context_cache> tls;
};

// The server's handshake (the OPEN packet).
struct engine_handshake {
  std::string sid;
  std::vector<std::string> upgrades;
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::uint64_t max_payload = 1'000'000;
};

struct engine_callbacks {
  // The handshake completed (OPEN received on the first transport).
  std::function<void(const engine_handshake&)> on_open;
  // One message: text (binary=false) or bytes (binary=true), in the order the server sent them.
  std::function<void(std::string data, bool binary)> on_message;
  // A PING arrived (answered already).
  std::function<void()> on_ping;
  // The transport is now WebSocket after an upgrade.
  std::function<void(transport)> on_upgrade;
  // Opening failed (before on_open): "xhr poll error", "websocket error", "timeout", or the
  // TLS / proxy / HTTP failure in words. Called once; nothing follows.
  std::function<void(std::string message)> on_error;
  // An open connection ended (not by close()): "transport close", "transport error",
  // "ping timeout", "parse error". Called once; nothing follows.
  std::function<void(std::string reason)> on_close;
};

class engine {
 public:
  // Nothing happens until open().
  static std::shared_ptr<engine> create(boost::asio::any_io_executor strand, engine_config config,
                                        engine_callbacks callbacks);
  virtual ~engine() = default;

  virtual void open() = 0;
  // Queues a message (sent in order, batched into polling requests or WebSocket frames; held
  // during the upgrade's pause and flushed after). Ignored once closed.
  virtual void send(std::string data, bool binary) = 0;
  // Several messages that belong together (a packet and its attachments), queued at once.
  virtual void send_all(std::vector<std::pair<std::string, bool>> messages) = 0;
  // True when a message sent now would go out at once (open, not upgrading, nothing queued
  // beyond what is being written): volatile emits are dropped otherwise.
  virtual bool writable() const noexcept = 0;
  // Sends CLOSE after what is queued, then ends the transport; no callback follows.
  virtual void close() = 0;
  virtual std::optional<transport> current() const noexcept = 0;
  virtual const std::string& sid() const noexcept = 0;
};

}  // namespace sio::client::detail
