// Internal: the shapes of @socket.io/redis-adapter's messages (request types, bodies, broadcast
// options, packets, remote sockets), shared by the adapter and the emitter. Lenient readers: a
// field of the wrong type reads as absent.
#pragma once

#include <sio/protocol/msgpack.hpp>
#include <sio/server/adapter.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sio::redis::wire {

// The "type" of a request (and of its responses), as in @socket.io/redis-adapter 8.x.
enum request_type : int {
  sockets_req = 0,
  all_rooms_req = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit_req = 6,
  broadcast_req = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

std::string to_json(const boost::json::value& v);
// A request/response body: JSON, or msgpack when it carries binary attachments.
std::string encode_body(const boost::json::value& v, const payload& p);
// Reads a body: JSON when it starts with '{', else msgpack (as Node decides).
std::optional<protocol::msgpack::document> parse_body(std::string_view msg);

std::string string_at(const boost::json::object& o, std::string_view key);
// An integral number (JavaScript has only doubles: 3.0 is 3), or nullopt.
std::optional<std::int64_t> int_of(const boost::json::value& v);
std::optional<std::int64_t> int_at(const boost::json::object& o, std::string_view key);
bool bool_at(const boost::json::object& o, std::string_view key);

// Rooms are strings; numbers (Node allows them) read as their JavaScript string.
std::vector<room> rooms_from_json(const boost::json::value* v);
boost::json::array rooms_to_json(const std::vector<room>& rooms);

// {rooms, except}: the sockets a request is about.
boost::json::object selection_to_json(const broadcast_options& o);
// {rooms, except, flags: {volatile, compress, timeout}}
broadcast_options options_from_json(const boost::json::value& v);
boost::json::object options_to_json(const broadcast_options& o);

// {type: 2, data, nsp}: binaries stay placeholders; attachments_of gives their bytes.
boost::json::object packet_to_json(const outgoing_packet& p);
std::vector<std::string> attachments_of(const outgoing_packet& p);
// The bytes of a payload's attachments, moved out (in placeholder order).
std::vector<std::string> take_attachments(payload& p);
// msgpack [uid, packet, opts]
std::string encode_broadcast(const std::string& uid, const outgoing_packet& p,
                             const broadcast_options& o);

// Every placeholder in `v` refers to one of `n` attachments.
bool placeholders_valid(const boost::json::value& v, std::size_t n, std::size_t depth = 0);

// A RemoteSocket as Node's adapter sends it: {id, handshake, rooms, data}, without what `r`
// leaves out.
boost::json::object socket_to_json(const socket_info& s, const socket_redaction& r = {});
std::optional<socket_info> socket_from_json(const boost::json::value& v, const std::string& nsp);

}  // namespace sio::redis::wire
