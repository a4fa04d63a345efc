// Engine.IO v4 codec: packets, polling payloads, the handshake (open) packet, handshake query
// checks and the HTTP error bodies of the Node.js server. Pure: Boost.JSON only; no I/O, no clock,
// no randomness (callers bring their own id source).
//
// Wire forms (the Engine.IO v4 protocol document, docs/engine.io-protocol/v4-current.md in the
// socketio/socket.io repository):
//   text packet      <type digit><data>              e.g. "4hello", "2", "3probe"
//   binary message   raw bytes on WebSocket; "b" + base64 inside a polling payload
//   polling payload  records joined by '\x1e'
#pragma once

#include <sio/protocol/error.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sio::protocol::engineio {

inline constexpr int protocol_version = 4;
inline constexpr char record_separator = '\x1e';
inline constexpr char binary_prefix = 'b';
inline constexpr std::string_view probe = "probe";

enum class packet_type : std::uint8_t {
  open = 0,
  close = 1,
  ping = 2,
  pong = 3,
  message = 4,
  upgrade = 5,
  noop = 6,
};

// The wire digit of a packet type ('0'..'6').
constexpr char type_char(packet_type t) noexcept {
  return static_cast<char>('0' + static_cast<int>(t));
}

struct packet {
  packet_type type = packet_type::message;
  bool binary = false;  // only for message: data holds raw bytes
  std::string data;

  friend bool operator==(const packet&, const packet&) = default;
};

// --- single packets ------------------------------------------------------------------------------

// Decodes a text frame (WebSocket text message, or one record of a polling payload).
// A leading 'b' is a base64 binary message, as the reference parser accepts on any transport.
boost::system::result<packet> decode_packet(std::string_view text);
// A binary WebSocket frame is always a binary message.
packet decode_binary(std::string_view bytes);

// "<digit><data>" for a text packet. For a binary message use the raw bytes (WebSocket) or
// encode_payload_record (polling).
std::string encode_packet(packet_type type, std::string_view data = {});
std::string encode_packet(const packet& p);  // binary messages as "b"+base64

// --- polling payloads ----------------------------------------------------------------------------

// Appends one record (with a leading separator when `out` is not empty).
void append_payload_record(std::string& out, packet_type type, std::string_view data,
                           bool binary = false);
std::string encode_payload(std::span<const packet> packets);

// Incremental payload decoder: feed the body in chunks of any size; records are emitted as soon as
// their separator arrives, the last one on finish(). After an error the decoder stays failed and
// emits nothing more (the reference server closes the session on the first bad record).
class payload_decoder {
 public:
  explicit payload_decoder(std::size_t max_payload = 1'000'000) noexcept
      : max_payload_(max_payload) {}

  boost::system::result<void> feed(std::string_view chunk, std::vector<packet>& out);
  // End of the body. An empty body is an error (no packet), as in the reference parser.
  boost::system::result<void> finish(std::vector<packet>& out);
  void reset() noexcept;

 private:
  boost::system::result<void> emit(std::vector<packet>& out);

  std::size_t max_payload_;
  std::size_t total_ = 0;
  std::string pending_;
  boost::system::error_code failed_;
};

// One-shot helper over payload_decoder.
boost::system::result<std::vector<packet>> decode_payload(std::string_view body,
                                                          std::size_t max_payload = 1'000'000);

// --- base64 --------------------------------------------------------------------------------------

std::string base64_encode(std::string_view bytes);
// URL-safe alphabet ('-', '_'), no padding: for session ids.
std::string base64url_encode(std::span<const unsigned char> bytes);
// Standard alphabet; padding optional but, when present, correct; no whitespace.
boost::system::result<std::string> base64_decode(std::string_view text);

// --- handshake -----------------------------------------------------------------------------------

struct handshake {
  std::string sid;
  std::vector<std::string> upgrades;
  std::int64_t ping_interval = 25000;
  std::int64_t ping_timeout = 20000;
  std::uint64_t max_payload = 1'000'000;
};
// The open packet: 0{"sid":..,"upgrades":[..],"pingInterval":..,"pingTimeout":..,"maxPayload":..}
std::string encode_open(const handshake& h);
// Its JSON alone (the data of the open packet).
std::string encode_handshake_json(const handshake& h);

enum class transport_kind : std::uint8_t { polling, websocket };
std::optional<transport_kind> parse_transport(std::string_view name) noexcept;
std::string_view to_string(transport_kind t) noexcept;

// The Node.js server's request error codes ({"code":n,"message":...}).
enum class request_error : std::uint8_t {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};
std::string_view message(request_error e) noexcept;
// HTTP status the reference server uses: 403 for forbidden, 400 otherwise.
unsigned http_status(request_error e) noexcept;
// {"code":n,"message":"..."}; an empty custom message means the standard one.
std::string encode_error_body(request_error e, std::string_view custom_message = {});

// Query string (with or without the leading '?', or a whole request target) to a map with
// URLSearchParams semantics: '+' is a space, %XX decoded (invalid escapes kept verbatim), the last
// value of a repeated name wins. No name is special (__proto__ is just a name).
using query_map = std::map<std::string, std::string, std::less<>>;
query_map parse_query(std::string_view target);
// The path part of a request target (before '?').
std::string_view target_path(std::string_view target) noexcept;

// What the handshake checks of engineio_route.hpp (check_transport, check_handshake) look at
// besides the query: the server's transports and the request's method and upgrade.
struct handshake_check {
  bool polling_enabled = true;
  bool websocket_enabled = true;
  bool is_get = true;       // method is GET
  bool is_upgrade = false;  // a WebSocket upgrade request
};
// Session ids we issue are URL-safe base64; anything else can be refused cheaply.
bool is_plausible_sid(std::string_view sid) noexcept;

}  // namespace sio::protocol::engineio
