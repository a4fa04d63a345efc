// The Socket.IO packet as socket.io-msgpack-parser 3.x writes it: each packet is one MessagePack
// map {type, nsp, data, id} sent as ONE binary Engine.IO message. Binary arguments stay msgpack
// bin inside `data` (no attachments, no BINARY_EVENT / BINARY_ACK). Pure: no I/O; part of
// sio_msgpack (on msgpuck), like the MessagePack codec it is built on (msgpack.hpp).
//
// Packets use the same `socketio::packet` as the JSON codec: binary arguments are placeholders
// {"_placeholder":true,"num":n} in `data` with the bytes in `attachments[n]`, so the layers above
// do not care which parser carried them.
//
// Encoding writes what the Node.js server writes with that parser (notepack.io 2.2): the keys in
// the order Node's server sets them (EVENT: type, data, id, nsp; ACK: id, type, data, nsp;
// CONNECT / CONNECT_ERROR: type, data, nsp; DISCONNECT: type, nsp), BINARY_EVENT / BINARY_ACK as
// EVENT / ACK, placeholders of an EVENT or ACK as bin. A null `data` is left out. Node writes an
// undefined JavaScript property as notepack's undefined; this encoder has no undefined and leaves
// such keys out (e.g. CONNECT's {"sid"} without "pid"): decoders read the same object.
//
// Decoding validates as the npm Decoder does: a map whose `type` is an integer 0..4, `nsp` a
// string, `data` of the right shape (CONNECT: absent or object; DISCONNECT: absent;
// CONNECT_ERROR: string or object; EVENT and ACK: array) and `id` absent or an integer; other keys
// are ignored (socket.io-client adds "options"). Deliberate differences, all stricter or equal for
// a well-behaved peer:
// - nil and notepack's undefined are both read as absent (msgpack.hpp reads both as null);
// - an ack id must be a non-negative integer below 2^64 (`invalid_ack_id`);
// - an EVENT's first element must be a string or a number and not a reserved name, as the JSON
//   parser requires (`invalid_event_name`, `reserved_event_name`);
// - in an EVENT or ACK that holds bin, a map shaped like a placeholder is `invalid_placeholder`
//   (it would be read as a binary argument); without bin it is ordinary data, as in the JSON
//   parser's EVENT;
// - an integral number of 2^64 or more is written as float 64 (notepack.io writes a wrong uint64).
// - MessagePack nesting beyond `max_depth` (counted from `data`) is `json_too_deep`; truncated
//   input, trailing bytes and the byte 0xc1 are the msgpack category's errors.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <sio/protocol/socketio.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace sio::protocol::msgpack_parser {

struct decoder_limits {
  std::size_t max_depth = 64;  // nesting inside `data`
};

// Appends the encoding of `p` to `out` (the bytes of one binary Engine.IO message).
void encode(const socketio::packet& p, std::string& out);
inline std::string encode(const socketio::packet& p) {
  std::string out;
  encode(p, out);
  return out;
}

// Decodes one binary Engine.IO message into a packet (EVENT / ACK with binary arguments come out
// with `attachments`, as from the JSON decoder).
boost::system::result<socketio::packet> decode(std::string_view bytes,
                                               const decoder_limits& limits = {});

}  // namespace sio::protocol::msgpack_parser
