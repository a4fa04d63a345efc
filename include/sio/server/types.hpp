// Value types of the Socket.IO server API: binary arguments, event payloads, connect errors,
// disconnect reasons, handshake data and the error codes of server-side acknowledgements.
//
// Binary arguments: a payload is a Boost.JSON array of arguments in which every binary argument
// is the protocol's placeholder object {"_placeholder":true,"num":n}, plus the bytes of each
// attachment in `attachments[n]` (sio::binary). Incoming events arrive in that shape
// (`payload::is_binary(i)` / `payload::binary_at(i)` resolve a placeholder); outgoing emits accept
// sio::binary, std::vector<std::byte> or std::span<const std::byte> arguments and produce the
// placeholders and attachments (a BINARY_EVENT / BINARY_ACK) themselves. A whole payload passed as
// one emit argument is spliced in (its arguments and attachments), which makes echoing trivial.
//
// Thread-safety: plain values; handshake_info shares an immutable (read-only) request record.
#pragma once

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

// Bytes of one binary argument (kept as std::string storage: moved, never re-encoded).
struct binary {
  std::string bytes;

  binary() = default;
  explicit binary(std::string b) : bytes(std::move(b)) {}
  binary(std::span<const std::byte> s) : bytes(reinterpret_cast<const char*>(s.data()), s.size()) {}
  binary(const std::vector<std::byte>& v) : binary(std::span<const std::byte>(v)) {}

  std::span<const std::byte> span() const noexcept {
    return {reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()};
  }
  std::size_t size() const noexcept { return bytes.size(); }
  bool operator==(const binary&) const = default;
};

// Arguments of one event or acknowledgement (see the header comment for binary placeholders).
struct payload {
  boost::json::array args;
  std::vector<binary> attachments;

  std::size_t size() const noexcept { return args.size(); }
  bool empty() const noexcept { return args.empty(); }
  // True when args[i] is a binary placeholder with a valid attachment.
  bool is_binary(std::size_t i) const noexcept { return binary_at(i) != nullptr; }
  // The attachment args[i] stands for, or nullptr.
  const binary* binary_at(std::size_t i) const noexcept;
  // value_to<T>(args.at(i)); throws on a missing argument or a failed conversion.
  template <class T>
  T get(std::size_t i) const {
    return boost::json::value_to<T>(args.at(i));
  }
};

namespace detail {
void append_binary(payload& p, binary b);
void append_payload(payload& p, payload other);

template <class T>
void append_arg(payload& p, T&& v) {
  using D = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<D, binary>) {
    append_binary(p, binary(std::forward<T>(v)));
  } else if constexpr (std::is_same_v<D, std::vector<std::byte>> ||
                       std::is_same_v<D, std::span<const std::byte>> ||
                       std::is_same_v<D, std::span<std::byte>>) {
    append_binary(p, binary(std::span<const std::byte>(v)));
  } else if constexpr (std::is_same_v<D, payload>) {
    append_payload(p, payload(std::forward<T>(v)));
  } else {
    p.args.push_back(boost::json::value_from(std::forward<T>(v)));
  }
}
}  // namespace detail

// Builds a payload from C++ arguments: JSON-convertible values (value_from), binaries, payloads.
template <class... A>
payload make_payload(A&&... a) {
  payload p;
  p.args.reserve(sizeof...(A));
  (detail::append_arg(p, std::forward<A>(a)), ...);
  return p;
}

namespace detail {
// Throws std::invalid_argument for an event name the protocol reserves ("connect", ...).
void check_event_name(std::string_view event);
}  // namespace detail

// A middleware refusal: becomes CONNECT_ERROR {"message":..., "data":...} ("data" omitted when
// empty). Also what socket.use() middlewares pass to next() to refuse a packet.
struct connect_error {
  std::string message;
  std::optional<boost::json::value> data;
};

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
