// The parser: how a server turns Socket.IO packets into Engine.IO messages and back (Node's
// `parser` server option). One per server (server_options::parser), shared by every connection
// and worker; a broadcast is encoded once by it and the same messages go to every receiver.
//
// Built in: json_parser (socket.io-parser, the default: one text message per packet, binary
// arguments as attachment messages after it) and msgpack_parser (sio/server/msgpack_parser.hpp,
// socket.io-msgpack-parser: one binary MessagePack message per packet). The clients must use the
// same parser as the server.
//
// A custom parser derives from `parser`. It works on protocol::socketio::packet, whose binary
// arguments are placeholders {"_placeholder":true,"num":n} in `data` with the bytes in
// `attachments[n]` (see sio/protocol/socketio.hpp); a decoded EVENT must have a non-empty array
// `data` whose first element is a string or a number, an ACK an array (the server relies on it).
// State a connection needs between messages (e.g. a packet still waiting for its attachments)
// lives in a parser_state the parser creates; the connection owns it.
//
// Thread-safety: encode and decode are called from any worker at once: they must not change the
// parser (const). A parser_state is used by its connection's worker only.
#pragma once

#include <sio/engineio/connection.hpp>
#include <sio/protocol/socketio.hpp>

#include <boost/system/result.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace sio {

// A connection's decoding state between messages, owned by the connection.
class parser_state {
 public:
  virtual ~parser_state() = default;
};

class parser {
 public:
  using decode_result = boost::system::result<std::optional<protocol::socketio::packet>>;

  virtual ~parser() = default;

  // Appends the Engine.IO messages of `p` to `out`. A parser that sends binary arguments as
  // messages of their own moves them out of p.attachments (make_outgoing then knows where they
  // are); one that writes them inside a message leaves p.attachments as it is.
  virtual void encode(protocol::socketio::packet& p,
                      std::vector<engineio::message_ptr>& out) const = 0;
  // Decodes one Engine.IO message of a connection: a packet, nullopt when more messages must
  // follow, or an error (the server then closes the connection: parse error). `state` is the
  // connection's: null until the parser sets it, and the parser may reset it.
  virtual decode_result decode(bool binary, std::string_view data,
                               std::unique_ptr<parser_state>& state) const = 0;
};

// socket.io-parser 4.x: `<type>[<n>-][<nsp>,][<id>][<json>]` as text, then one binary message per
// attachment (protocol::socketio's codec and its decoder, with `limits`).
class json_parser final : public parser {
 public:
  explicit json_parser(protocol::socketio::decoder_limits limits = {}) : limits_(limits) {}

  void encode(protocol::socketio::packet& p,
              std::vector<engineio::message_ptr>& out) const override;
  decode_result decode(bool binary, std::string_view data,
                       std::unique_ptr<parser_state>& state) const override;
  const protocol::socketio::decoder_limits& limits() const noexcept { return limits_; }

 private:
  protocol::socketio::decoder_limits limits_;
};

}  // namespace sio
