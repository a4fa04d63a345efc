#include "wire.hpp"

#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>

#include <cctype>
#include <cmath>
#include <memory>

namespace sio::redis::wire {

namespace json = boost::json;
namespace pt = protocol::socketio;

std::string string_at(const json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

std::optional<std::int64_t> int_of(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<std::int64_t> int_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? int_of(*v) : std::nullopt;
}

bool bool_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

std::vector<room> rooms_from_json(const json::value* v) {
  std::vector<room> out;
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->get_array()) {
    if (e.is_string()) {
      out.emplace_back(e.get_string());
    } else if (e.is_number()) {
      std::string s;
      pt::append_json(e, s);
      out.push_back(std::move(s));
    }
  }
  return out;
}

json::array rooms_to_json(const std::vector<room>& rooms) {
  json::array a;
  a.reserve(rooms.size());
  for (const auto& r : rooms) a.emplace_back(r);
  return a;
}

broadcast_options options_from_json(const json::value& v) {
  broadcast_options o;
  const auto* obj = v.if_object();
  if (!obj) return o;
  o.rooms = rooms_from_json(obj->if_contains("rooms"));
  o.except = rooms_from_json(obj->if_contains("except"));
  if (auto* f = obj->if_contains("flags"); f && f->is_object()) {
    const auto& flags = f->get_object();
    o.flags.volatile_ = bool_at(flags, "volatile");
    if (auto* c = flags.if_contains("compress"); c && c->is_bool())
      o.flags.compress = c->get_bool();
    if (auto t = int_at(flags, "timeout"); t && *t >= 0)
      o.flags.timeout = std::chrono::milliseconds(*t);
  }
  return o;
}

json::object options_to_json(const broadcast_options& o) {
  json::object flags;
  if (o.flags.volatile_) flags["volatile"] = true;
  if (!o.flags.compress) flags["compress"] = false;
  if (o.flags.timeout) flags["timeout"] = o.flags.timeout->count();
  auto out = selection_to_json(o);
  out["flags"] = std::move(flags);
  return out;
}

json::object packet_to_json(const outgoing_packet& p) {
  // Node's encoder promotes an EVENT with Buffers to BINARY_EVENT itself: always write EVENT.
  const bool ack =
      p.packet.type == pt::packet_type::ack || p.packet.type == pt::packet_type::binary_ack;
  return json::object{{"type", ack ? 3 : 2}, {"data", p.packet.data}, {"nsp", p.packet.nsp}};
}

std::vector<std::string> attachments_of(const outgoing_packet& p) {
  std::vector<std::string> out;
  out.reserve(p.attachment_count());
  for (std::size_t i = 0; i < p.attachment_count(); ++i) out.push_back(p.attachment(i));
  return out;
}

std::string encode_broadcast(const std::string& uid, const outgoing_packet& p,
                             const broadcast_options& o) {
  json::array msg{json::value(uid), packet_to_json(p), options_to_json(o)};
  const auto att = attachments_of(p);
  return protocol::msgpack::encode(json::value(std::move(msg)), att);
}

bool placeholders_valid(const json::value& v, std::size_t n, std::size_t depth) {
  if (depth > 200) return false;
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a)
      if (!placeholders_valid(e, n, depth + 1)) return false;
    return true;
  }
  if (const auto* o = v.if_object()) {
    if (auto* flag = o->if_contains(pt::placeholder_key);
        flag && flag->is_bool() && flag->get_bool()) {
      // A placeholder must name one of the attachments (int64 or uint64 num).
      auto* num = o->if_contains(pt::placeholder_num_key);
      if (!num) return false;
      if (auto* i = num->if_int64()) return *i >= 0 && static_cast<std::size_t>(*i) < n;
      if (auto* u = num->if_uint64()) return *u < n;
      return false;
    }
    for (const auto& kv : *o)
      if (!placeholders_valid(kv.value(), n, depth + 1)) return false;
  }
  return true;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

json::object string_map(const engineio::string_table& t) {
  json::object o;
  o.reserve(t.size());
  for (const auto& [k, v] : t) o[k] = v;
  return o;
}

engineio::string_table read_string_map(const json::value* v) {
  if (!v || !v->is_object()) return {};
  engineio::string_table::builder b;
  std::string s;
  for (const auto& kv : v->get_object()) {
    if (kv.value().is_string()) {
      b.add(kv.key(), kv.value().get_string());
    } else {
      s.clear();
      pt::append_json(kv.value(), s);
      b.add(kv.key(), s);
    }
  }
  // A JSON object's keys are unique, so the policy does not matter.
  return b.build(engineio::string_table::duplicates::last_wins);
}

}  // namespace

json::object socket_to_json(const socket_info& s, const socket_redaction& r) {
  const auto& h = s.handshake;
  json::object headers = string_map(h.headers());
  for (const auto& name : r.headers) headers.erase(lower(name));
  json::object hs{{"headers", std::move(headers)},
                  {"time", h.time()},
                  {"address", h.address()},
                  {"xdomain", h.xdomain()},
                  {"secure", h.secure()},
                  {"issued", h.issued()},
                  {"url", h.url()},
                  {"query", string_map(h.query())},
                  {"auth", r.auth ? json::object{} : h.auth}};
  return json::object{{"id", s.id},
                      {"handshake", std::move(hs)},
                      {"rooms", rooms_to_json(s.rooms)},
                      {"data", s.data}};
}

std::optional<socket_info> socket_from_json(const json::value& v, const std::string& nsp) {
  const auto* o = v.if_object();
  if (!o) return std::nullopt;
  socket_info s;
  s.id = string_at(*o, "id");
  if (s.id.empty()) return std::nullopt;
  s.nsp = nsp;
  s.rooms = rooms_from_json(o->if_contains("rooms"));
  if (auto* d = o->if_contains("data"); d && d->is_object()) s.data = d->get_object();
  if (auto* hv = o->if_contains("handshake"); hv && hv->is_object()) {
    const auto& h = hv->get_object();
    // xdomain is not kept: it follows from the headers (an Origin header), as in Node.
    auto req = std::make_shared<engineio::request_info>();
    req->headers = read_string_map(h.if_contains("headers"));
    req->query = read_string_map(h.if_contains("query"));
    req->remote_address = string_at(h, "address");
    req->url = string_at(h, "url");
    req->secure = bool_at(h, "secure");
    req->issued_ms = int_at(h, "issued").value_or(0);
    json::object auth;
    if (auto* a = h.if_contains("auth"); a && a->is_object()) auth = a->get_object();
    s.handshake = handshake_info(std::move(req), std::move(auth));
  }
  return s;
}

std::string to_json(const json::value& v) {
  std::string s;
  pt::append_json(v, s);
  return s;
}

std::vector<std::string> take_attachments(payload& p) {
  std::vector<std::string> att;
  att.reserve(p.attachments.size());
  for (auto& b : p.attachments) att.push_back(std::move(b.bytes));
  return att;
}

std::string encode_body(const json::value& v, const payload& p) {
  if (p.attachments.empty()) return to_json(v);
  std::vector<std::string> att;
  att.reserve(p.attachments.size());
  for (const auto& b : p.attachments) att.push_back(b.bytes);
  return protocol::msgpack::encode(v, att);
}

std::optional<protocol::msgpack::document> parse_body(std::string_view msg) {
  if (!msg.empty() && msg.front() == '{') {
    boost::system::error_code ec;
    auto v = pt::parse_json(msg, 100, ec);
    if (ec) return std::nullopt;
    return protocol::msgpack::document{std::move(v), {}};
  }
  auto d = protocol::msgpack::decode(msg);
  if (!d) return std::nullopt;
  return std::move(*d);
}

json::object selection_to_json(const broadcast_options& o) {
  return {{"rooms", rooms_to_json(o.rooms)}, {"except", rooms_to_json(o.except)}};
}

}  // namespace sio::redis::wire
