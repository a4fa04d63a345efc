// Stream entries, pub/sub messages and sessions as @socket.io/redis-streams-adapter writes and
// reads them.
#include "streams_link.hpp"
#include "wire.hpp"

#include <sio/protocol/engineio.hpp>
#include <sio/protocol/msgpack.hpp>

#include <algorithm>
#include <charconv>

namespace sio::redis::streams {

namespace json = boost::json;
namespace msgpack = protocol::msgpack;
using protocol::engineio::base64_decode;
using protocol::engineio::base64_encode;

namespace {
// The field names of an entry.
constexpr std::string_view uid_field = "uid";
constexpr std::string_view nsp_field = "nsp";
constexpr std::string_view type_field = "type";
constexpr std::string_view data_field = "data";

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

fields encode_entry(const cluster_message& m) {
  fields f{{std::string(uid_field), m.uid},
           {std::string(nsp_field), m.nsp},
           {std::string(type_field), std::to_string(static_cast<int>(m.type))}};
  if (m.data && !m.data->is_null()) {
    f.emplace_back(std::string(data_field),
                   m.may_carry_binary() && !m.attachments.empty()
                       ? base64_encode(msgpack::encode(*m.data, m.attachments))
                       : wire::to_json(*m.data));
  }
  return f;
}

const std::string* field(const fields& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return &v;
  return nullptr;
}

decoded decode_entry(const fields& f) {
  json::object o;
  for (auto name : {uid_field, nsp_field, type_field})
    if (const auto* v = field(f, name)) o[name] = *v;
  msgpack::document doc;
  if (const auto* data = field(f, data_field); data && !data->empty()) {
    if (data->front() == '{') {
      auto body = wire::parse_body(*data);
      if (!body) return {std::nullopt, "data that is not JSON"};
      doc = std::move(*body);
    } else {
      auto bytes = base64_decode(*data);
      if (!bytes) return {std::nullopt, "data that is not base64"};
      auto body = msgpack::decode(*bytes);
      if (!body) return {std::nullopt, "data that is not MessagePack: " + body.error().message()};
      doc = std::move(*body);
    }
    o["data"] = std::move(doc.value);
  }
  doc.value = std::move(o);
  auto m = cluster_message::from_document(std::move(doc));
  if (!m) return {std::nullopt, "an entry that is not a cluster message"};
  return {std::move(m), {}};
}

std::optional<std::pair<std::string, fields>> read_entry(const reply& r) {
  using kind = reply::kind;
  if (r.type != kind::array || r.elements.size() != 2 || r.elements[0].type != kind::string)
    return std::nullopt;
  std::pair<std::string, fields> out{r.elements[0].str, {}};
  const auto& kv = r.elements[1];
  if (kv.type != kind::array) return out;  // a deleted entry: no fields
  for (std::size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
    if (kv.elements[i].type != kind::string || kv.elements[i + 1].type != kind::string)
      return std::nullopt;
    out.second.emplace_back(kv.elements[i].str, kv.elements[i + 1].str);
  }
  return out;
}

std::string encode_message(const cluster_message& m) {
  auto doc = m.to_document();
  return msgpack::encode(doc.value, doc.attachments);
}

std::optional<cluster_message> decode_message(std::string_view payload) {
  auto doc = msgpack::decode(payload);
  if (!doc) return std::nullopt;
  return cluster_message::from_document(std::move(*doc));
}

std::string encode_session(const persisted_session& s) {
  json::object o{
      {"sid", s.sid}, {"pid", s.pid}, {"rooms", wire::rooms_to_json(s.rooms)}, {"data", s.data}};
  return base64_encode(msgpack::encode(json::value(std::move(o))));
}

std::optional<persisted_session> decode_session(std::string_view text) {
  auto bytes = base64_decode(text);
  if (!bytes) return std::nullopt;
  auto doc = msgpack::decode(*bytes);
  if (!doc || !doc->value.is_object()) return std::nullopt;
  const auto& o = doc->value.get_object();
  persisted_session s;
  s.sid = wire::string_at(o, "sid");
  s.pid = wire::string_at(o, "pid");
  if (s.sid.empty()) return std::nullopt;
  s.rooms = wire::rooms_from_json(o.if_contains("rooms"));
  if (const auto* d = o.if_contains("data"); d && d->is_object()) s.data = d->get_object();
  return s;
}

bool valid_offset(std::string_view offset) noexcept {
  const auto dash = offset.find('-');
  return dash != std::string_view::npos && all_digits(offset.substr(0, dash)) &&
         all_digits(offset.substr(dash + 1));
}

std::string next_offset(std::string_view offset) {
  const auto dash = offset.find('-');
  const auto seq = offset.substr(dash + 1);
  std::uint64_t n = 0;
  const auto [p, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), n);
  if (ec != std::errc() || n == UINT64_MAX) return std::string(offset);
  return std::string(offset.substr(0, dash + 1)) + std::to_string(n + 1);
}

bool should_include(const std::vector<room>& session_rooms, const std::vector<room>& rooms,
                    const std::vector<room>& except) {
  auto in = [&](const std::vector<room>& set) {
    return [&set](const room& r) { return std::find(set.begin(), set.end(), r) != set.end(); };
  };
  const bool included =
      rooms.empty() || std::any_of(session_rooms.begin(), session_rooms.end(), in(rooms));
  return included && std::none_of(session_rooms.begin(), session_rooms.end(), in(except));
}

}  // namespace sio::redis::streams
