#include <sio/protocol/engineio.hpp>
#include <sio/protocol/engineio_route.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace sio::protocol::engineio {
namespace {

constexpr std::string_view b64_std =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view b64_url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<signed char, 256> make_b64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < b64_std.size(); ++i)
    t[static_cast<unsigned char>(b64_std[i])] = static_cast<signed char>(i);
  return t;
}
constexpr auto b64_table = make_b64_table();

template <class Bytes>
std::string b64_encode(const Bytes& in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest == 1) {
    const unsigned v = at(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    const unsigned v = (at(i) << 16) | (at(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::optional<packet_type> type_from_char(char c) noexcept {
  if (c < '0' || c > '6') return std::nullopt;
  return static_cast<packet_type>(c - '0');
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  if (s.find_first_of("%+") == std::string_view::npos) return std::string(s);  // the usual case
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

// --- single packets ------------------------------------------------------------------------------

boost::system::result<packet> decode_packet(std::string_view text) {
  if (text.empty()) return error::empty_packet;
  if (text.front() == binary_prefix) {
    auto bytes = base64_decode(text.substr(1));
    if (!bytes) return bytes.error();
    return packet{packet_type::message, true, std::move(*bytes)};
  }
  const auto type = type_from_char(text.front());
  if (!type) return error::unknown_packet_type;
  return packet{*type, false, std::string(text.substr(1))};
}

packet decode_binary(std::string_view bytes) {
  return packet{packet_type::message, true, std::string(bytes)};
}

std::string encode_packet(packet_type type, std::string_view data) {
  std::string out;
  out.reserve(1 + data.size());
  out += type_char(type);
  out += data;
  return out;
}

std::string encode_packet(const packet& p) {
  if (!p.binary) return encode_packet(p.type, p.data);
  std::string out;
  append_payload_record(out, p.type, p.data, true);
  return out;
}

// --- polling payloads ----------------------------------------------------------------------------

void append_payload_record(std::string& out, packet_type type, std::string_view data, bool binary) {
  if (!out.empty()) out += record_separator;
  if (binary) {
    out += binary_prefix;
    out += base64_encode(data);
  } else {
    out += type_char(type);
    out += data;
  }
}

std::string encode_payload(std::span<const packet> packets) {
  std::string out;
  bool first = true;
  for (const auto& p : packets) {
    if (!first) out += record_separator;
    first = false;
    if (p.binary) {
      out += binary_prefix;
      out += base64_encode(p.data);
    } else {
      out += type_char(p.type);
      out += p.data;
    }
  }
  return out;
}

boost::system::result<void> payload_decoder::emit(std::vector<packet>& out) {
  auto p = decode_packet(pending_);
  pending_.clear();
  if (!p) {
    failed_ = p.error();
    return p.error();
  }
  out.push_back(std::move(*p));
  return {};
}

boost::system::result<void> payload_decoder::feed(std::string_view chunk,
                                                  std::vector<packet>& out) {
  if (failed_) return failed_;
  total_ += chunk.size();
  if (total_ > max_payload_) {
    failed_ = error::payload_too_large;
    return failed_;
  }
  while (!chunk.empty()) {
    const auto sep = chunk.find(record_separator);
    if (sep == std::string_view::npos) {
      pending_.append(chunk);
      break;
    }
    pending_.append(chunk.substr(0, sep));
    chunk.remove_prefix(sep + 1);
    if (auto r = emit(out); !r) return r;
  }
  return {};
}

boost::system::result<void> payload_decoder::finish(std::vector<packet>& out) {
  if (failed_) return failed_;
  return emit(out);
}

void payload_decoder::reset() noexcept {
  total_ = 0;
  pending_.clear();
  failed_ = {};
}

boost::system::result<std::vector<packet>> decode_payload(std::string_view body,
                                                          std::size_t max_payload) {
  payload_decoder d{max_payload};
  std::vector<packet> out;
  if (auto r = d.feed(body, out); !r) return r.error();
  if (auto r = d.finish(out); !r) return r.error();
  return out;
}

// --- base64 --------------------------------------------------------------------------------------

std::string base64_encode(std::string_view bytes) {
  return b64_encode(bytes, b64_std, true);
}

std::string base64url_encode(std::span<const unsigned char> bytes) {
  return b64_encode(bytes, b64_url, false);
}

boost::system::result<std::string> base64_decode(std::string_view text) {
  // Strip correct padding: only when the length is a multiple of 4, at most two '='.
  std::size_t len = text.size();
  if (len % 4 == 0 && len > 0) {
    if (text[len - 1] == '=') --len;
    if (text[len - 1] == '=') --len;
  }
  if (len % 4 == 1) return error::invalid_base64;
  std::string out;
  out.reserve(len / 4 * 3 + 2);
  unsigned acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const int v = b64_table[static_cast<unsigned char>(text[i])];
    if (v < 0) return error::invalid_base64;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// --- handshake -----------------------------------------------------------------------------------

namespace {

// A JSON string: as it is when nothing in it needs escaping (session ids never do), else through
// Boost.JSON's serializer.
void append_json_string(std::string& out, std::string_view s) {
  const bool plain = std::none_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (!plain) {
    out += boost::json::serialize(boost::json::value(boost::json::string_view(s)));
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

template <class Int>
void append_int(std::string& out, Int v) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

}  // namespace

// Written out directly: once per session, a boost::json::object and its serializer cost about as
// much as the rest of the handshake response.
std::string encode_handshake_json(const handshake& h) {
  std::string out;
  out.reserve(96 + h.sid.size());
  out += "{\"sid\":";
  append_json_string(out, h.sid);
  out += ",\"upgrades\":[";
  for (std::size_t i = 0; i < h.upgrades.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, h.upgrades[i]);
  }
  out += "],\"pingInterval\":";
  append_int(out, h.ping_interval);
  out += ",\"pingTimeout\":";
  append_int(out, h.ping_timeout);
  out += ",\"maxPayload\":";
  append_int(out, h.max_payload);
  out += '}';
  return out;
}

std::string encode_open(const handshake& h) {
  return encode_packet(packet_type::open, encode_handshake_json(h));
}

std::optional<transport_kind> parse_transport(std::string_view name) noexcept {
  if (name == "polling") return transport_kind::polling;
  if (name == "websocket") return transport_kind::websocket;
  return std::nullopt;
}

std::string_view to_string(transport_kind t) noexcept {
  return t == transport_kind::polling ? "polling" : "websocket";
}

std::string_view message(request_error e) noexcept {
  switch (e) {
    case request_error::unknown_transport:
      return "Transport unknown";
    case request_error::unknown_sid:
      return "Session ID unknown";
    case request_error::bad_handshake_method:
      return "Bad handshake method";
    case request_error::bad_request:
      return "Bad request";
    case request_error::forbidden:
      return "Forbidden";
    case request_error::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

unsigned http_status(request_error e) noexcept {
  return e == request_error::forbidden ? 403 : 400;
}

std::string encode_error_body(request_error e, std::string_view custom_message) {
  boost::json::object o;
  o["code"] = static_cast<int>(e);
  o["message"] = custom_message.empty() ? message(e) : custom_message;
  return boost::json::serialize(o);
}

std::string_view target_path(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

namespace {

// Calls f(raw name, raw value) for each parameter of the query in `target`, in order.
template <class F>
void for_each_param(std::string_view target, F&& f) {
  if (const auto qm = target.find('?'); qm != std::string_view::npos) {
    target.remove_prefix(qm + 1);
  } else if (!target.empty() && target.front() == '/') {
    return;  // a path without a query
  }
  if (const auto hash = target.find('#'); hash != std::string_view::npos)
    target = target.substr(0, hash);
  while (!target.empty()) {
    const auto amp = target.find('&');
    const auto part = target.substr(0, amp);
    target = amp == std::string_view::npos ? std::string_view{} : target.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    f(part.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
  }
}

}  // namespace

query_map parse_query(std::string_view target) {
  query_map q;
  for_each_param(target, [&](std::string_view name, std::string_view value) {
    q.insert_or_assign(url_decode(name), url_decode(value));
  });
  return q;
}

route_params parse_route_params(std::string_view target) {
  route_params p;
  const auto slot = [&p](std::string_view name) -> std::optional<std::string>* {
    if (name == "sid") return &p.sid;
    if (name == "transport") return &p.transport;
    if (name == "EIO") return &p.eio;
    return nullptr;
  };
  for_each_param(target, [&](std::string_view name, std::string_view value) {
    auto* s = slot(name);
    if (!s && name.find_first_of("%+") != std::string_view::npos) s = slot(url_decode(name));
    if (s) *s = url_decode(value);
  });
  return p;
}

namespace {

bool is_supported_version(std::string_view eio) noexcept {
  return eio.size() == 1 && eio[0] == '0' + protocol_version;
}

}  // namespace

std::optional<request_error> check_transport(const route_params& p, const handshake_check& c) {
  const auto t = p.transport ? parse_transport(*p.transport) : std::nullopt;
  if (!t || (*t == transport_kind::polling && !c.polling_enabled) ||
      (*t == transport_kind::websocket && !c.websocket_enabled))
    return request_error::unknown_transport;
  return std::nullopt;
}

std::optional<request_error> check_handshake(const route_params& p, const handshake_check& c) {
  if (auto e = check_transport(p, c)) return e;
  if (!c.is_get) return request_error::bad_handshake_method;
  if (*p.transport == "websocket" && !c.is_upgrade) return request_error::bad_request;
  return std::nullopt;
}

bool is_supported_version(const route_params& p) noexcept {
  return p.eio && is_supported_version(std::string_view(*p.eio));
}

bool is_plausible_sid(std::string_view sid) noexcept {
  if (sid.empty() || sid.size() > 128) return false;
  for (const char c : sid) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sio::protocol::engineio
