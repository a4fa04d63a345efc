// Options of the Socket.IO client (sio::client::manager and sio::client::socket), named as the
// JavaScript client's (socket.io-client 4.x) options are: reconnectionDelay -> reconnection_delay.
//
// Thread-safety: plain values, copied into the manager or socket when it is created.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::client {

// The Engine.IO transports, in the order `transports` tries them.
enum class transport { polling, websocket };
std::string_view to_string(transport t) noexcept;

// TLS of https:// and wss:// URLs. The server's certificate is verified by default (against the
// system's store, or `ca_file` when given) and must name the URL's host; turning verification off
// is explicit.
struct tls_options {
  bool verify_peer = true;
  std::string ca_file;      // PEM bundle of trusted CAs; empty: the system's default store
  std::string cert_file;    // client certificate (PEM), for servers that ask for one
  std::string key_file;     // its private key (PEM)
  std::string server_name;  // SNI and the name verified; empty: the URL's host
};

struct manager_options {
  // --- Engine.IO ---------------------------------------------------------------------------------
  std::string path = "/socket.io/";
  // Tried in this order: the first is used for the handshake; with `upgrade`, a later WebSocket
  // is probed and upgraded to as the JavaScript client does (probe, pause, flush, upgrade).
  std::vector<transport> transports = {transport::polling, transport::websocket};
  bool upgrade = true;
  // After a WebSocket upgrade succeeded once, later connections start on WebSocket.
  bool remember_upgrade = false;
  // Extra query parameters of every Engine.IO request (EIO, transport and sid are set by the
  // client); the URL's own query comes first.
  std::vector<std::pair<std::string, std::string>> query;
  // Extra HTTP headers of every polling request and of the WebSocket handshake.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  // Adds the `t` parameter (a unique value per request) to polling requests, as the JS client.
  bool timestamp_requests = true;
  tls_options tls;
  // An HTTP proxy URL ("http://[user:password@]host:port"): every connection, polling and
  // WebSocket, plain or TLS, is tunnelled through it with HTTP CONNECT (credentials as
  // Proxy-Authorization: Basic). Empty: direct. The environment is not read.
  std::string proxy;
  // The largest message accepted from the server (a WebSocket message or a polling response);
  // beyond it the connection is closed as a transport error.
  std::size_t max_message_size = 100 * 1024 * 1024;

  // --- Manager -----------------------------------------------------------------------------------
  bool reconnection = true;
  std::optional<unsigned> reconnection_attempts;  // nullopt: unlimited (JS: Infinity)
  std::chrono::milliseconds reconnection_delay{1000};
  std::chrono::milliseconds reconnection_delay_max{5000};
  double randomization_factor = 0.5;  // jitter: delay * (1 +- factor * random)
  // Connection timeout: the Engine.IO handshake must complete within it (JS `timeout`).
  std::chrono::milliseconds timeout{20000};
  // Sockets connect when created (JS autoConnect); false: call socket::connect().
  bool auto_connect = true;

  // Diagnostic lines (connection failures, refused input); none by default.
  std::function<void(std::string_view)> log;
};

// What a socket sends as the CONNECT payload: a fixed object, or a callback asked on every
// (re)connection that answers by calling its argument (JS `auth: (cb) => cb({...})`).
using auth_callback = std::function<void(std::function<void(boost::json::object)> answer)>;

struct socket_options {
  boost::json::object auth;
  auth_callback auth_fn;  // when set, asked instead of using `auth`
  // Default timeout of emit_with_ack calls that give none (JS ackTimeout); nullopt: none.
  std::optional<std::chrono::milliseconds> ack_timeout;
  // Emits made while disconnected are kept and sent once connected (JS sendBuffer), up to this
  // many packets; beyond it an emit is dropped (its ack completes with error::buffer_full).
  std::size_t max_buffered_packets = 1000;
};

}  // namespace sio::client
