// Value types of the Socket.IO server API: disconnect reasons, handshake data and the error codes
// of server-side acknowledgements; binary arguments, event payloads and connect errors are in
// sio/common/payload.hpp (shared with the client).
//
// Thread-safety: plain values; handshake_info shares an immutable (read-only) request record.
#pragma once

#include <sio/common/payload.hpp>
#include <sio/engineio/connection.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sio {

// Why a socket left its namespace, with the Socket.IO reason strings.
enum class disconnect_reason : std::uint8_t {
  transport_close,              // "transport close"
  transport_error,              // "transport error" (also: send queue overflow)
  ping_timeout,                 // "ping timeout"
  parse_error,                  // "parse error" (undecodable Socket.IO packet)
  forced_close,                 // "forced close" (the engine connection was closed)
  server_shutting_down,         // "server shutting down"
  forced_server_close,          // "forced server close" (invalid state, disconnect(true))
  server_namespace_disconnect,  // "server namespace disconnect"
  client_namespace_disconnect,  // "client namespace disconnect"
};
std::string_view to_string(disconnect_reason r) noexcept;

// What the client sent when it connected (Node's socket.handshake). The request part (headers,
// query, address, url, secure, issued) is the Engine.IO connection's own immutable record, shared
// by every socket of that connection and never copied; `auth` is this socket's CONNECT payload.
// Cheap to copy (a shared_ptr and the auth object).
class handshake_info {
 public:
  using string_table = engineio::string_table;  // sorted, immutable {name, value} views

  handshake_info();  // an empty request (no headers, no query)
  explicit handshake_info(std::shared_ptr<const engineio::request_info> req,
                          boost::json::object auth = {});

  const string_table& headers() const noexcept { return req_->headers; }  // lower-cased names
  const string_table& query() const noexcept { return req_->query; }
  // The client's IP: the TCP peer, or what a trusted proxy reports (server_options::http's
  // trust_proxy, X-Forwarded-For).
  const std::string& address() const noexcept { return req_->remote_address; }
  const std::string& url() const noexcept { return req_->url; }
  // HTTPS as the client sees it: X-Forwarded-Proto "https" from a trusted proxy (the engine does
  // not terminate TLS itself yet).
  bool secure() const noexcept { return req_->secure; }
  bool xdomain() const noexcept { return headers().contains("origin"); }  // Origin was sent
  std::int64_t issued() const noexcept { return req_->issued_ms; }        // ms since epoch
  std::string time() const;  // issued as JS Date#toString() in UTC (computed on each call)
  // The whole Engine.IO request record (also the remote port), shared.
  const engineio::request_info& request() const noexcept { return *req_; }
  const std::shared_ptr<const engineio::request_info>& shared_request() const noexcept {
    return req_;
  }

  boost::json::object auth;

 private:
  std::shared_ptr<const engineio::request_info> req_;  // never null
};

// Errors reported to server-side acknowledgement callbacks.
enum class error {
  timeout = 1,     // "operation has timed out"
  disconnected,    // "socket has been disconnected" before it answered
  server_stopped,  // the server stopped before the operation completed
};
const boost::system::error_category& error_category() noexcept;
inline boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// Answer of one client to a server emit_with_ack: ec set on timeout/disconnect.
using ack_callback = std::function<void(boost::system::error_code ec, payload response)>;
// Answers of many clients to a broadcast emit_with_ack: ec == error::timeout when some client
// did not answer in time (the responses received so far are given).
using broadcast_ack_callback =
    std::function<void(boost::system::error_code ec, std::vector<payload> responses)>;

using room = std::string;

}  // namespace sio

template <>
struct boost::system::is_error_code_enum<sio::error> : std::true_type {};
