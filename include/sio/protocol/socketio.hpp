// Socket.IO v5 packet codec: encoder, and a decoder that holds its own pending state (binary
// attachments still expected). Pure: Boost.JSON only, no I/O, clocks or randomness.
//
// Wire form (socket.io-parser 4.x): `<type>[<attachments>-][<nsp>,][<id>][<json>]`, the
// namespace omitted when it is "/", then one binary message per attachment.
//
// Binary arguments are kept as placeholder objects {"_placeholder":true,"num":n} inside `data`,
// with the bytes in `attachments[n]`: the decoder validates every placeholder (integer num in
// range, normalised to an int64) and the upper layer decides how to present them. The encoder
// takes the same shape.
//
// A decoded BINARY_EVENT / BINARY_ACK comes out, as in the JS parser, with type `event` / `ack`
// and a non-empty `attachments`; the encoder promotes `event` / `ack` with attachments back to
// `binary_event` / `binary_ack`. So decode(encode(p)) == p.
//
// Thread-safety: free functions are reentrant; a `decoder` is used by one thread at a time.
#pragma once

#include <sio/protocol/error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::protocol::socketio {

enum class packet_type : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

// Keys of a binary placeholder object.
inline constexpr std::string_view placeholder_key = "_placeholder";
inline constexpr std::string_view placeholder_num_key = "num";

struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;  // ack id
  // connect: object or null (absent); connect_error: object or string (or null); event: non-empty
  // array whose first element is the event name (string or number); ack: array; disconnect: null.
  // Null is never written on the wire.
  boost::json::value data;
  std::vector<std::string> attachments;  // binary buffers referenced by placeholders
};

// The wire form: one text message, then one binary message per attachment.
struct encoded {
  std::string text;
  std::vector<std::string> binaries;
};

// Encodes `p`. For event/ack with attachments the type is promoted to binary_event/binary_ack
// and the "<n>-" prefix written (binary_event/binary_ack without attachments are written as
// event/ack: "50-" would be refused by every decoder). Attachments of other types are ignored.
// JSON is written as JSON.stringify would (numbers included; NaN and infinities become null).
// Preconditions, as in the JS encoder: `nsp` is empty, "/" or starts with '/', and contains no
// ',' (a comma throws std::invalid_argument: the wire form could not be decoded back).
encoded encode(const packet& p);
// Same, moving the attachments into `binaries` instead of copying them.
encoded encode(packet&& p);
// Appends only the text part to `out` (for callers that manage attachments themselves).
void encode_text(const packet& p, std::string& out);

// Appends `v` to `out` exactly as JavaScript's JSON.stringify would write it.
void append_json(const boost::json::value& v, std::string& out);
// Parses one JSON text as JavaScript's JSON.parse reads it (doubles correctly rounded, where
// Boost.JSON 1.81's parser alone is sometimes one ulp off); nesting beyond `max_depth` is an error.
// On error, `ec` is set and the result is null.
boost::json::value parse_json(std::string_view text, std::size_t max_depth,
                              boost::system::error_code& ec);

// True for "connect", "connect_error", "disconnect", "disconnecting", "newListener",
// "removeListener".
bool is_reserved_event(std::string_view name) noexcept;

// {"_placeholder":true,"num":num}
boost::json::object make_placeholder(std::size_t num);
// The attachment index when `v` is a placeholder object whose num is a non-negative int64
// (every placeholder of a decoded event or ack is), else nullopt.
std::optional<std::size_t> placeholder_index(const boost::json::value& v) noexcept;

struct decoder_limits {
  std::size_t max_attachments = 10;
  // JSON nesting; deeper input is refused, never a stack overflow. The JSON parser recurses once
  // per level, so values above max_supported_depth are treated as max_supported_depth.
  std::size_t max_depth = 64;
  static constexpr std::size_t max_supported_depth = 1000;
};

// Decodes packets as socket.io-parser 4.2.x's Decoder does (checked differentially against it),
// with these deliberate differences, all stricter or more exact, none reachable by a
// well-behaved client:
// - an empty message is `empty_packet` (JS reads it as CONNECT "/"); the type must be a digit
//   0-6 (JS also maps whitespace to 0);
// - attachment counts and ack ids are plain decimal digits (JS accepts whatever Number() takes:
//   "0x1", " 1", "1e0", a BOM...); an ack id beyond uint64 is `invalid_ack_id`; ack ids and
//   integers above 2^53 are kept exact (JS rounds them to a double);
// - EVENT, BINARY_EVENT, ACK and BINARY_ACK without a payload are `invalid_payload` (the v5
//   protocol document: "the payload is mandatory"; JS lets them through with data undefined);
// - a placeholder num must be an integer in [0, attachments) (JS accepts e.g. 0.5 and yields
//   undefined), checked as soon as the text arrives; a placeholder object in an event or ack
//   without attachments is `invalid_placeholder` (JS leaves it as a plain object). So every
//   placeholder in a decoded event or ack is valid. CONNECT payloads are not looked into (as JS);
// - JSON nesting beyond `max_depth`, invalid UTF-8, lone UTF-16 surrogate escapes and exponents
//   too large to count (1e99999999999999999999) are `invalid_json` / `json_too_deep`; the
//   namespace must be valid UTF-8 (`invalid_namespace`).
// Doubles are read with correct rounding, as JSON.parse does (Boost.JSON 1.81's parser alone is
// sometimes one ulp off).
class decoder {
 public:
  explicit decoder(decoder_limits limits = {}) : limits_(limits) {}

  // Feed one Engine.IO text message. Returns the packet when complete, nullopt when it announced
  // attachments still to come, or an error (the connection should then be closed; the decoder
  // is reset and may be reused).
  boost::system::result<std::optional<packet>> on_text(std::string_view text);
  // Feed one Engine.IO binary message (an attachment).
  boost::system::result<std::optional<packet>> on_binary(std::string_view bytes);

  bool pending() const noexcept { return pending_.has_value(); }
  void reset() noexcept {
    pending_.reset();
    expected_ = 0;
  }
  const decoder_limits& limits() const noexcept { return limits_; }

 private:
  decoder_limits limits_;
  std::optional<packet> pending_;
  std::size_t expected_ = 0;
};

}  // namespace sio::protocol::socketio
