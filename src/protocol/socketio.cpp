#include <sio/protocol/socketio.hpp>
#include <sio/protocol/utf8.hpp>

#include "event_data.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

namespace sio::protocol::socketio {
namespace json = boost::json;

namespace {

// --- encoding -------------------------------------------------------------------------------

constexpr char digit(packet_type t) noexcept {
  return static_cast<char>('0' + static_cast<int>(t));
}

// Bytes JSON.stringify escapes: control characters, '"' and '\\'.
constexpr std::array<bool, 256> make_escape_table() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr std::array<bool, 256> needs_escape = make_escape_table();

// Whether any of eight bytes needs an escape (a control character, '"' or '\\'): without borrows
// across bytes unless one of them does, so a zero answer is exact.
constexpr bool any_needs_escape(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  const auto zero_byte = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  return (((w - ones * 0x20) & ~w & highs) | zero_byte(w ^ (ones * '"')) |
          zero_byte(w ^ (ones * '\\'))) != 0;
}

void append_string(std::string_view s, std::string& out) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p != end) {
    const char* run = p;
    for (std::uint64_t w; end - p >= 8; p += 8) {  // eight bytes at a time up to an escape
      std::memcpy(&w, p, 8);
      if (any_needs_escape(w)) break;
    }
    while (p != end && !needs_escape[static_cast<unsigned char>(*p)]) ++p;
    out.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p++);
    switch (c) {
      case '"':
        out.append("\\\"", 2);
        break;
      case '\\':
        out.append("\\\\", 2);
        break;
      case '\b':
        out.append("\\b", 2);
        break;
      case '\f':
        out.append("\\f", 2);
        break;
      case '\n':
        out.append("\\n", 2);
        break;
      case '\r':
        out.append("\\r", 2);
        break;
      case '\t':
        out.append("\\t", 2);
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
        out.append(esc, 6);
      }
    }
  }
  out.push_back('"');
}

template <class Int>
void append_integer(Int v, std::string& out) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// ECMAScript Number::toString(10) on the shortest round-trip digits, as JSON.stringify writes it.
void append_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out.append("null", 4);
    return;
  }
  if (d == 0) {  // also -0
    out.push_back('0');
    return;
  }
  if (d < 0) {
    out.push_back('-');
    d = -d;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  // buf: "d[.ddd]e(+|-)xx"
  const char* e =
      static_cast<const char*>(std::memchr(buf, 'e', static_cast<std::size_t>(r.ptr - buf)));
  char digits[20];
  int k = 0;
  for (const char* p = buf; p != e; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exp10 = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), r.ptr, exp10);
  const int n = exp10 + 1;  // value = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out.append(digits, static_cast<std::size_t>(k));
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<std::size_t>(k - n));
  } else if (-6 < n && n <= 0) {
    out.append("0.", 2);
    out.append(static_cast<std::size_t>(-n), '0');
    out.append(digits, static_cast<std::size_t>(k));
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<std::size_t>(k - 1));
    }
    out.push_back('e');
    out.push_back(n - 1 < 0 ? '-' : '+');
    append_integer(n - 1 < 0 ? 1 - n : n - 1, out);
  }
}

bool is_binary_capable(packet_type t) noexcept {
  return t == packet_type::event || t == packet_type::ack || t == packet_type::binary_event ||
         t == packet_type::binary_ack;
}

// The type written on the wire: binary-ness follows the attachments.
packet_type wire_type(const packet& p) noexcept {
  switch (p.type) {
    case packet_type::event:
    case packet_type::binary_event:
      return p.attachments.empty() ? packet_type::event : packet_type::binary_event;
    case packet_type::ack:
    case packet_type::binary_ack:
      return p.attachments.empty() ? packet_type::ack : packet_type::binary_ack;
    default:
      return p.type;
  }
}

// --- decoding -------------------------------------------------------------------------------

constexpr std::string_view reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// The placeholder's num as an index, or nullopt when it is not an integer in [0, count).
std::optional<std::size_t> placeholder_num(const json::value& num, std::size_t count) noexcept {
  if (const auto* i = num.if_int64()) {
    if (*i >= 0 && static_cast<std::uint64_t>(*i) < count) return static_cast<std::size_t>(*i);
  } else if (const auto* u = num.if_uint64()) {
    if (*u < count) return static_cast<std::size_t>(*u);
  } else if (const auto* d = num.if_double()) {
    if (*d >= 0 && *d < static_cast<double>(count) && std::floor(*d) == *d) {
      return static_cast<std::size_t>(*d);
    }
  }
  return std::nullopt;
}

bool is_placeholder(const json::object& o) noexcept {
  const auto it = o.find(placeholder_key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}

// Validates (and normalises to int64) every placeholder under `v`; like the JS reconstructor it
// does not look inside a placeholder object. Recursion depth is bounded by the parser's
// max_depth.
bool check_placeholders(json::value& v, std::size_t count) {
  if (auto* a = v.if_array()) {
    for (auto& e : *a) {
      if (!check_placeholders(e, count)) return false;
    }
  } else if (auto* o = v.if_object()) {
    if (is_placeholder(*o)) {
      const auto it = o->find(placeholder_num_key);
      if (it == o->end()) return false;
      const auto n = placeholder_num(it->value(), count);
      if (!n) return false;
      it->value() = static_cast<std::int64_t>(*n);
      return true;
    }
    for (auto& kv : *o) {
      if (!check_placeholders(kv.value(), count)) return false;
    }
  }
  return true;
}

// Boost.JSON's own parser (1.81) rounds some doubles one ulp away from the nearest value, where
// JSON.parse is exact; this handler builds the same values but re-reads doubles with
// std::from_chars, which rounds correctly. Recursion in basic_parser is bounded by max_depth.
class json_handler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json_handler(unsigned char* temp, std::size_t size) : st_({}, temp, size) {}

  json::value_stack& stack() noexcept { return st_; }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) {
    st_.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) {
    st_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    st_.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
    st_.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
    st_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, boost::system::error_code&) {
    st_.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
    number_.clear();
    st_.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
    number_.clear();
    st_.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view s, boost::system::error_code&) {
    std::string_view text(s.data(), s.size());
    if (!number_.empty()) {
      number_.append(s.data(), s.size());
      text = number_;
    }
    double exact = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), exact);
    // Out of range keeps Boost's value (infinity or zero), as JSON.parse gives.
    if (r.ec == std::errc{} && r.ptr == text.data() + text.size()) d = exact;
    number_.clear();
    st_.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::system::error_code&) {
    st_.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    st_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  json::value_stack st_;
  std::string number_;
};

}  // namespace

json::value parse_json(std::string_view text, std::size_t max_depth,
                       boost::system::error_code& ec) {
  unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];
  json::parse_options opts;
  opts.max_depth = max_depth;
  json::basic_parser<json_handler> p(opts, temp, sizeof temp);
  p.handler().stack().reset();
  const auto n = p.write_some(false, text.data(), text.size(), ec);
  if (ec) return nullptr;
  if (n < text.size()) {
    ec = json::error::extra_data;
    return nullptr;
  }
  return p.handler().stack().release();
}

namespace {

struct parsed {
  packet p;
  std::size_t attachments = 0;
};

boost::system::result<parsed> parse_text(std::string_view s, const decoder_limits& limits) {
  if (s.empty()) return error::empty_packet;
  const char c = s[0];
  if (c < '0' || c > '6') return error::unknown_packet_type;
  parsed r;
  packet& p = r.p;
  p.type = static_cast<packet_type>(c - '0');
  std::size_t pos = 1;

  const bool binary = p.type == packet_type::binary_event || p.type == packet_type::binary_ack;
  if (binary) {
    const auto dash = s.find('-', pos);
    if (dash == std::string_view::npos || dash == pos) return error::invalid_attachment_count;
    std::size_t n = 0;
    for (std::size_t i = pos; i < dash; ++i) {
      if (!is_digit(s[i])) return error::invalid_attachment_count;
      if (n > (std::numeric_limits<std::size_t>::max() - 9) / 10) {
        return error::invalid_attachment_count;
      }
      n = n * 10 + static_cast<std::size_t>(s[i] - '0');
      if (n > limits.max_attachments) return error::invalid_attachment_count;
    }
    if (n < 1) return error::invalid_attachment_count;
    r.attachments = n;
    pos = dash + 1;
  }

  if (pos < s.size() && s[pos] == '/') {
    const auto comma = s.find(',', pos);
    const auto end = comma == std::string_view::npos ? s.size() : comma;
    const auto nsp = s.substr(pos, end - pos);
    if (!protocol::valid_utf8(nsp)) return error::invalid_namespace;
    p.nsp.assign(nsp);
    pos = comma == std::string_view::npos ? s.size() : comma + 1;
  }

  if (pos < s.size() && is_digit(s[pos])) {
    std::uint64_t id = 0;
    const auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), id);
    if (ec != std::errc{}) return error::invalid_ack_id;  // out of range
    p.id = id;
    pos = static_cast<std::size_t>(ptr - s.data());
  }

  const auto rest = s.substr(pos);
  if (rest.empty()) {
    switch (p.type) {
      case packet_type::connect:
      case packet_type::disconnect:
      case packet_type::connect_error:
        return r;
      default:
        return error::invalid_payload;
    }
  }

  boost::system::error_code ec;
  p.data = parse_json(rest, std::min(limits.max_depth, decoder_limits::max_supported_depth), ec);
  if (ec) return ec == json::error::too_deep ? error::json_too_deep : error::invalid_json;

  switch (p.type) {
    case packet_type::connect:
      if (!p.data.is_object()) return error::invalid_payload;
      break;
    case packet_type::disconnect:
      return error::invalid_payload;
    case packet_type::connect_error:
      if (!p.data.is_object() && !p.data.is_string()) return error::invalid_payload;
      break;
    case packet_type::event:
    case packet_type::binary_event:
      if (const auto ec = check_event_data(p.data)) return ec;
      break;
    case packet_type::ack:
    case packet_type::binary_ack:
      if (!p.data.is_array()) return error::invalid_payload;
      break;
  }

  // As in socket.io-parser, only BINARY_EVENT / BINARY_ACK are reconstructed: in a plain EVENT or
  // ACK a placeholder-shaped object is ordinary JSON.
  if (binary) {
    if (!check_placeholders(p.data, r.attachments)) return error::invalid_placeholder;
  }
  if (binary) p.type = p.type == packet_type::binary_event ? packet_type::event : packet_type::ack;
  return r;
}

}  // namespace

// --- public ---------------------------------------------------------------------------------

void append_json(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      out.append("null", 4);
      return;
    case json::kind::bool_:
      if (v.get_bool()) {
        out.append("true", 4);
      } else {
        out.append("false", 5);
      }
      return;
    case json::kind::int64:
      append_integer(v.get_int64(), out);
      return;
    case json::kind::uint64:
      append_integer(v.get_uint64(), out);
      return;
    case json::kind::double_:
      append_double(v.get_double(), out);
      return;
    case json::kind::string:
      append_string(v.get_string(), out);
      return;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(e, out);
      }
      out.push_back(']');
      return;
    }
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_string(kv.key(), out);
        out.push_back(':');
        append_json(kv.value(), out);
      }
      out.push_back('}');
      return;
    }
  }
}

void encode_text(const packet& p, std::string& out) {
  const auto type = wire_type(p);
  out.push_back(digit(type));
  if (type == packet_type::binary_event || type == packet_type::binary_ack) {
    append_integer(p.attachments.size(), out);
    out.push_back('-');
  }
  if (!p.nsp.empty() && p.nsp != "/") {
    if (p.nsp.find(',') != std::string::npos) {
      throw std::invalid_argument("invalid namespace: must not contain a comma");
    }
    out.append(p.nsp);
    out.push_back(',');
  }
  if (p.id) append_integer(*p.id, out);
  if (!p.data.is_null()) append_json(p.data, out);
}

encoded encode(const packet& p) {
  encoded e;
  e.text.reserve(256);
  encode_text(p, e.text);
  if (is_binary_capable(p.type)) e.binaries = p.attachments;
  return e;
}

encoded encode(packet&& p) {
  encoded e;
  e.text.reserve(256);
  encode_text(p, e.text);
  if (is_binary_capable(p.type)) e.binaries = std::move(p.attachments);
  return e;
}

bool is_reserved_event(std::string_view name) noexcept {
  for (const auto r : reserved_events) {
    if (name == r) return true;
  }
  return false;
}

boost::system::error_code check_event_data(const json::value& data) noexcept {
  const auto* a = data.if_array();
  if (!a) return error::invalid_payload;
  if (a->empty()) return error::invalid_event_name;
  const auto& name = a->front();
  if (const auto* str = name.if_string()) {
    if (is_reserved_event(*str)) return error::reserved_event_name;
  } else if (!name.is_number()) {
    return error::invalid_event_name;
  }
  return {};
}

json::object make_placeholder(std::size_t num) {
  json::object o;
  o.reserve(2);
  o.emplace(placeholder_key, true);
  o.emplace(placeholder_num_key, static_cast<std::int64_t>(num));
  return o;
}

std::optional<std::size_t> placeholder_index(const json::value& v) noexcept {
  const auto* o = v.if_object();
  if (!o || !is_placeholder(*o)) return std::nullopt;
  const auto it = o->find(placeholder_num_key);
  if (it == o->end()) return std::nullopt;
  const auto& n = it->value();
  if (n.is_uint64()) return static_cast<std::size_t>(n.get_uint64());
  if (!n.is_int64() || n.get_int64() < 0) return std::nullopt;
  return static_cast<std::size_t>(n.get_int64());
}

boost::system::result<std::optional<packet>> decoder::on_text(std::string_view text) {
  if (pending_) {
    reset();
    return error::unexpected_text;
  }
  auto r = parse_text(text, limits_);
  if (!r) return r.error();
  if (r->attachments == 0) return std::optional<packet>(std::move(r->p));
  pending_.emplace(std::move(r->p));
  pending_->attachments.reserve(r->attachments);
  expected_ = r->attachments;
  return std::optional<packet>();
}

boost::system::result<std::optional<packet>> decoder::on_binary(std::string_view bytes) {
  if (!pending_) return error::unexpected_binary;
  pending_->attachments.emplace_back(bytes);
  if (pending_->attachments.size() < expected_) return std::optional<packet>();
  std::optional<packet> done(std::move(pending_));
  reset();
  return done;
}

}  // namespace sio::protocol::socketio
