// Values shared by sio's server and client: binary arguments, event payloads and connect errors.
//
// Binary arguments: a payload is a Boost.JSON array of arguments in which every binary argument
// is the protocol's placeholder object {"_placeholder":true,"num":n}, plus the bytes of each
// attachment in `attachments[n]` (sio::binary). Incoming events arrive in that shape
// (`payload::is_binary(i)` / `payload::binary_at(i)` resolve a placeholder); outgoing emits accept
// sio::binary, std::vector<std::byte> or std::span<const std::byte> arguments and produce the
// placeholders and attachments (a BINARY_EVENT / BINARY_ACK) themselves. A whole payload passed as
// one emit argument is spliced in (its arguments and attachments), which makes echoing trivial.
//
// Thread-safety: plain values.
#pragma once

#include <sio/protocol/socketio.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
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
// The EVENT packet [event, args...] for namespace `nsp` (attachments moved in); checks the name.
protocol::socketio::packet event_packet(std::string_view event, std::string nsp, payload p);
}  // namespace detail

// A CONNECT_ERROR's content {"message":..., "data":...} ("data" omitted when empty): a server
// middleware's refusal (also what socket.use() middlewares pass to next() to refuse a packet),
// and what a client's connect_error handler receives.
struct connect_error {
  std::string message;
  std::optional<boost::json::value> data;
};

}  // namespace sio
