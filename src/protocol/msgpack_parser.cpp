#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/msgpack_parser.hpp>

#include "event_data.hpp"

#include <msgpuck.h>

#include <cmath>
#include <cstdint>
#include <optional>

namespace sio::protocol::msgpack_parser {
namespace json = boost::json;
using socketio::packet;
using socketio::packet_type;

namespace {

// The packet's keys, as MessagePack fixstr.
constexpr std::string_view key_type = "\xa4type";
constexpr std::string_view key_data =
    "\xa4"
    "data";
constexpr std::string_view key_nsp = "\xa3nsp";
constexpr std::string_view key_id = "\xa2id";

// The parser has no binary packet types: binary arguments travel inside EVENT / ACK.
int wire_type(packet_type t) noexcept {
  switch (t) {
    case packet_type::binary_event:
      return static_cast<int>(packet_type::event);
    case packet_type::binary_ack:
      return static_cast<int>(packet_type::ack);
    default:
      return static_cast<int>(t);
  }
}

bool carries_binary(int type) noexcept {
  return type == static_cast<int>(packet_type::event) || type == static_cast<int>(packet_type::ack);
}

void put_uint(std::uint64_t v, std::string& out) {
  char buf[16];
  out.append(buf, static_cast<std::size_t>(mp_encode_uint(buf, v) - buf));
}

void put_str(std::string_view s, std::string& out) {
  char buf[8];
  out.append(buf, static_cast<std::size_t>(
                      mp_encode_strl(buf, static_cast<std::uint32_t>(s.size())) - buf));
  out.append(s);
}

// A non-negative integer (as JavaScript's Number.isInteger sees it) below 2^64.
std::optional<std::uint64_t> as_index(const json::value& v) noexcept {
  if (const auto* i = v.if_int64()) {
    if (*i >= 0) return static_cast<std::uint64_t>(*i);
  } else if (const auto* u = v.if_uint64()) {
    return *u;
  } else if (const auto* d = v.if_double()) {
    if (*d >= 0 && *d < 18446744073709551616.0 && std::floor(*d) == *d)
      return static_cast<std::uint64_t>(*d);
  }
  return std::nullopt;
}

// Every placeholder under `v` is one the MessagePack decoder made for a bin, in the order it made
// them (depth-first): `next` counts them. A map of the same shape sent as a map breaks the
// sequence. Like the JS reconstructor, nothing inside a placeholder is looked at.
bool placeholders_in_order(const json::value& v, std::size_t& next) {
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a)
      if (!placeholders_in_order(e, next)) return false;
  } else if (const auto* o = v.if_object()) {
    if (const auto* flag = o->if_contains(socketio::placeholder_key);
        flag && flag->is_bool() && flag->get_bool()) {
      const auto n = socketio::placeholder_index(v);
      return n && *n == next++;
    }
    for (const auto& kv : *o)
      if (!placeholders_in_order(kv.value(), next)) return false;
  }
  return true;
}

boost::system::error_code check_data(packet_type t, const json::value& data) {
  switch (t) {
    case packet_type::connect:
      return data.is_null() || data.is_object() ? boost::system::error_code{}
                                                : error::invalid_payload;
    case packet_type::disconnect:
      return data.is_null() ? boost::system::error_code{} : error::invalid_payload;
    case packet_type::connect_error:
      return data.is_string() || data.is_object() ? boost::system::error_code{}
                                                  : error::invalid_payload;
    case packet_type::event:
      return socketio::check_event_data(data);
    default:  // ack
      return data.is_array() ? boost::system::error_code{} : error::invalid_payload;
  }
}

}  // namespace

void encode(const packet& p, std::string& out) {
  const int type = wire_type(p.type);
  const bool has_data = !p.data.is_null();
  const bool has_id = p.id.has_value() && carries_binary(type);
  const auto entries = 2 + (has_data ? 1 : 0) + (has_id ? 1 : 0);
  out.push_back(static_cast<char>(0x80 | entries));
  const bool ack = type == static_cast<int>(packet_type::ack);
  if (ack && has_id) {
    out.append(key_id);
    put_uint(*p.id, out);
  }
  out.append(key_type);
  put_uint(static_cast<std::uint64_t>(type), out);
  if (has_data) {
    out.append(key_data);
    static const std::vector<std::string> none;
    msgpack::encode(p.data, carries_binary(type) ? std::span(p.attachments) : std::span(none), out);
  }
  if (!ack && has_id) {
    out.append(key_id);
    put_uint(*p.id, out);
  }
  out.append(key_nsp);
  put_str(p.nsp, out);
}

boost::system::result<packet> decode(std::string_view bytes, const decoder_limits& limits) {
  // The packet map is one level above `data`.
  auto doc = msgpack::decode(bytes, msgpack::decode_options{.max_depth = limits.max_depth + 1});
  if (!doc) {
    if (doc.error() == msgpack::error::too_deep) return error::json_too_deep;
    return doc.error();
  }
  auto* o = doc->value.if_object();
  if (!o) return error::invalid_packet;
  const auto* type = o->if_contains("type");
  const auto t = type ? as_index(*type) : std::nullopt;
  if (!t || *t > static_cast<std::uint64_t>(packet_type::connect_error))
    return error::invalid_packet;
  packet p;
  p.type = static_cast<packet_type>(*t);

  auto* nsp = o->if_contains("nsp");
  if (!nsp || !nsp->is_string()) return error::invalid_namespace;
  p.nsp.assign(nsp->get_string().data(), nsp->get_string().size());

  if (auto* data = o->if_contains("data")) p.data = std::move(*data);
  if (const auto ec = check_data(p.type, p.data)) return ec;

  if (const auto* id = o->if_contains("id"); id && !id->is_null()) {
    const auto n = as_index(*id);
    if (!n) return error::invalid_ack_id;
    p.id = *n;
  }

  // Without binary, a placeholder-shaped map is ordinary data (as in the JSON parser's EVENT).
  if (carries_binary(*t) && !doc->attachments.empty()) {
    std::size_t next = 0;
    if (!placeholders_in_order(p.data, next) || next != doc->attachments.size())
      return error::invalid_placeholder;
    p.attachments = std::move(doc->attachments);
  }
  return p;
}

}  // namespace sio::protocol::msgpack_parser
