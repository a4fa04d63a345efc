// The messages of the cluster protocol: their document form {uid, nsp, type, data}, the shapes of
// a BROADCAST's data, and the log position of a stream offset.
#include "cluster_adapter_state.hpp"
#include "wire.hpp"

#include <sio/protocol/socketio.hpp>

#include <openssl/rand.h>

#include <charconv>
#include <limits>
#include <stdexcept>

namespace sio {

namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;

namespace {

// A type as a number, or as the decimal string a stream entry holds. Any type is read (an unknown
// one is ignored by the adapter).
std::optional<cluster_message_type> read_type(const json::value* v) {
  if (!v) return std::nullopt;
  std::optional<std::int64_t> n;
  if (const auto* s = v->if_string()) {
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), i);
    if (ec == std::errc{} && end == s->data() + s->size()) n = i;
  } else {
    n = int_of(*v);
  }
  if (!n || *n < 0 || *n > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<cluster_message_type>(*n);
}

}  // namespace

bool cluster_message::ephemeral() const noexcept {
  switch (type) {
    case cluster_message_type::broadcast: {
      const auto* o = data ? data->if_object() : nullptr;
      return o && o->contains("requestId");
    }
    case cluster_message_type::fetch_sockets:
    case cluster_message_type::server_side_emit:
      return true;
    default:
      return false;
  }
}

bool cluster_message::may_carry_binary() const noexcept {
  switch (type) {
    case cluster_message_type::broadcast:
    case cluster_message_type::broadcast_ack:
    case cluster_message_type::fetch_sockets_response:
    case cluster_message_type::server_side_emit:
    case cluster_message_type::server_side_emit_response:
      return true;
    default:
      return false;
  }
}

protocol::msgpack::document cluster_message::to_document() const {
  json::object o{{"uid", uid}, {"nsp", nsp}, {"type", static_cast<int>(type)}};
  if (data) o["data"] = *data;
  return {json::value(std::move(o)), attachments};
}

std::optional<cluster_message> cluster_message::from_document(protocol::msgpack::document d) {
  auto* o = d.value.if_object();
  if (!o) return std::nullopt;
  auto* uid = o->if_contains("uid");
  auto* nsp = o->if_contains("nsp");
  if (!uid || !uid->is_string() || !nsp || !nsp->is_string()) return std::nullopt;
  auto type = read_type(o->if_contains("type"));
  if (!type) return std::nullopt;
  cluster_message m;
  m.uid = std::string(uid->get_string());
  m.nsp = std::string(nsp->get_string());
  m.type = *type;
  if (auto* data = o->if_contains("data"); data && !data->is_null()) {
    if (!placeholders_valid(*data, d.attachments.size())) return std::nullopt;
    m.data = std::move(*data);
    m.attachments = std::move(d.attachments);
  }
  return m;
}

std::uint64_t stream_offset_seq(std::string_view offset) noexcept {
  constexpr std::uint64_t seq_bits = 22;
  constexpr std::uint64_t max_seq = (std::uint64_t{1} << seq_bits) - 1;
  const auto dash = offset.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == offset.size()) return 0;
  auto digits = [](std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.front() == '+') return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
  };
  std::uint64_t ms = 0, seq = 0;
  if (!digits(offset.substr(0, dash), ms) || !digits(offset.substr(dash + 1), seq)) return 0;
  if (ms > (std::numeric_limits<std::uint64_t>::max() >> seq_bits)) return 0;
  return (ms << seq_bits) | std::min(seq, max_seq);
}

}  // namespace sio

namespace sio::redis::cluster {

namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;

std::string random_hex_id() {
  unsigned char b[8];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof b);
  for (unsigned char c : b) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xf]);
  }
  return out;
}

std::optional<broadcast_data> read_broadcast(json::value& data,
                                             std::vector<std::string>& attachments,
                                             const std::string& nsp, std::string& why) {
  auto fail = [&why](const char* what) {
    why = what;
    return std::nullopt;
  };
  auto* o = data.if_object();
  auto* pv = o ? o->if_contains("packet") : nullptr;
  auto* pkt = pv ? pv->if_object() : nullptr;
  if (!pkt) return fail("a broadcast without packet");
  const auto type = int_at(*pkt, "type").value_or(-1);
  auto* args = pkt->if_contains("data");
  if ((type != static_cast<int>(pt::packet_type::event) &&
       type != static_cast<int>(pt::packet_type::binary_event)) ||
      !args || !args->is_array() || args->get_array().empty())
    return fail("a broadcast that is not an event");
  if (!placeholders_valid(*args, attachments.size()))
    return fail("a broadcast with invalid binary placeholders");
  broadcast_data out;
  if (auto* rid = o->if_contains("requestId")) {
    if (!rid->is_string()) return fail("a broadcast with a bad request id");
    out.request_id = std::string(rid->get_string());
  }
  if (auto* opts = o->if_contains("opts")) out.opts = options_from_json(*opts);
  if (auto id = int_at(*pkt, "id"); id && *id >= 0) out.packet.id = static_cast<std::uint64_t>(*id);
  out.packet.type = pt::packet_type::event;
  out.packet.nsp = nsp;
  out.packet.data = std::move(*args);
  out.packet.attachments = std::move(attachments);
  return out;
}

json::object broadcast_to_json(const outgoing_packet& p, const broadcast_options& o,
                               const std::string* request_id) {
  auto packet = packet_to_json(p);
  if (p.packet.id) packet["id"] = *p.packet.id;
  json::object out{{"packet", std::move(packet)}, {"opts", options_to_json(o)}};
  if (request_id) out["requestId"] = *request_id;
  return out;
}

bool takes_offset(const pt::packet& p, const broadcast_options& o) noexcept {
  const bool event = p.type == pt::packet_type::event || p.type == pt::packet_type::binary_event;
  return event && !p.id && !o.flags.volatile_;
}

outgoing_ptr with_offset(adapter_host& host, pt::packet p, const std::string& offset) {
  if (auto* a = p.data.if_array()) a->emplace_back(offset);
  p.type = pt::packet_type::event;
  return host.encode_packet(std::move(p), stream_offset_seq(offset));
}

}  // namespace sio::redis::cluster
