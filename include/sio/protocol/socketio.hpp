// Socket.IO v5 packet codec: encoder, and a decoder that holds its own pending state (binary
// attachments still expected). Pure: Boost.JSON only, no I/O, clocks or randomness.
//
// Binary arguments are kept as placeholder objects {"_placeholder":true,"num":n} inside `data`,
// with the bytes in `attachments[n]`: the decoder validates every placeholder (integer num in
// range) and the upper layer decides how to present them. The encoder takes the same shape.
#pragma once

#include <sio/protocol/error.hpp>

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

struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;  // ack id
  // connect: object or null (absent); connect_error: object (or string); event/ack: array;
  // disconnect: null.
  boost::json::value data;
  std::vector<std::string> attachments;  // binary buffers referenced by placeholders
};

// The wire form: one text message, then one binary message per attachment.
struct encoded {
  std::string text;
  std::vector<std::string> binaries;
};

// Encodes `p`. For event/ack with attachments the type is promoted to binary_event/binary_ack
// and the "<n>-" prefix written. Never fails for a well-formed packet.
encoded encode(const packet& p);
// Appends only the text part to `out` (for callers that manage attachments themselves).
void encode_text(const packet& p, std::string& out);

// True for "connect", "connect_error", "disconnect", "disconnecting", "newListener",
// "removeListener".
bool is_reserved_event(std::string_view name) noexcept;

struct decoder_limits {
  std::size_t max_attachments = 10;
  std::size_t max_depth = 64;  // JSON nesting; deeper input is refused, never a stack overflow
};

class decoder {
 public:
  explicit decoder(decoder_limits limits = {}) : limits_(limits) {}

  // Feed one Engine.IO text message. Returns the packet when complete, nullopt when it announced
  // attachments still to come, or an error (the connection should then be closed).
  boost::system::result<std::optional<packet>> on_text(std::string_view text);
  // Feed one Engine.IO binary message (an attachment).
  boost::system::result<std::optional<packet>> on_binary(std::string_view bytes);

  bool pending() const noexcept { return pending_.has_value(); }
  void reset() noexcept { pending_.reset(); }

 private:
  decoder_limits limits_;
  std::optional<packet> pending_;
  std::size_t expected_ = 0;
};

}  // namespace sio::protocol::socketio
