#include <sio/protocol/js_date.hpp>
#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>
#include <sio/protocol/utf8.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <msgpuck.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

namespace sio::protocol::msgpack {

namespace {

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sio.msgpack"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::truncated:
        return "truncated MessagePack value";
      case error::trailing_bytes:
        return "bytes after the MessagePack value";
      case error::invalid_byte:
        return "invalid MessagePack byte 0xc1";
      case error::too_deep:
        return "MessagePack nesting too deep";
      case error::invalid_key:
        return "MessagePack map key is not a scalar";
    }
    return "unknown MessagePack error";
  }
};

// Bytes that follow the first byte of a value before its payload (lengths, numbers, ext type).
std::size_t header_bytes(std::uint8_t c) noexcept {
  switch (c) {
    case 0xc4:
    case 0xd9:
    case 0xcc:
    case 0xd0:
      return 1;
    case 0xc5:
    case 0xda:
    case 0xdc:
    case 0xde:
    case 0xcd:
    case 0xd1:
      return 2;
    case 0xc6:
    case 0xdb:
    case 0xdd:
    case 0xdf:
    case 0xce:
    case 0xd2:
    case 0xca:
      return 4;
    case 0xcf:
    case 0xd3:
    case 0xcb:
      return 8;
    case 0xc7:
      return 2;  // len8, type
    case 0xc8:
      return 3;  // len16, type
    case 0xc9:
      return 5;  // len32, type
    case 0xd4:
      return 2;  // type, 1
    case 0xd5:
      return 3;  // type, 2
    case 0xd6:
      return 5;  // type, 4
    case 0xd7:
      return 9;  // type, 8
    case 0xd8:
      return 17;  // type, 16
    default:
      return 0;
  }
}

std::uint32_t load_be32(const char* p) noexcept {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t(u[0]) << 24) | (std::uint32_t(u[1]) << 16) | (std::uint32_t(u[2]) << 8) |
         std::uint32_t(u[3]);
}

boost::json::string make_string(std::string_view s) {
  std::string tmp;
  tmp.reserve(s.size());
  append_utf8_lossy(s, tmp);
  return boost::json::string(tmp);
}

// What JSON.stringify makes of `new Date(ms)`: its ISO-8601 string, or null for an Invalid Date
// (not finite, or outside JavaScript's range). The Date constructor truncates ms toward zero.
boost::json::value iso_date(double ms) {
  if (!std::isfinite(ms) || std::fabs(ms) > 8.64e15) return nullptr;
  const auto s = js_iso_string(static_cast<std::int64_t>(std::trunc(ms)));
  if (!s) return nullptr;
  return boost::json::string(*s);
}

class reader {
 public:
  reader(std::string_view in, decode_options opts, std::vector<std::string>& att)
      : p_(in.data()), end_(in.data() + in.size()), opts_(opts), att_(att) {}

  const char* pos() const noexcept { return p_; }
  const char* end() const noexcept { return end_; }

  boost::system::result<boost::json::value> value(std::size_t depth) {
    if (p_ >= end_) return error::truncated;
    const auto c = static_cast<std::uint8_t>(*p_);
    if (c == 0xc1) return error::invalid_byte;
    if (remaining() < 1 + header_bytes(c)) return error::truncated;
    switch (mp_typeof(*p_)) {
      case MP_NIL:
        mp_decode_nil(&p_);
        return boost::json::value(nullptr);
      case MP_BOOL:
        return boost::json::value(mp_decode_bool(&p_));
      case MP_UINT: {
        const std::uint64_t u = mp_decode_uint(&p_);
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return boost::json::value(static_cast<std::int64_t>(u));
        return boost::json::value(u);
      }
      case MP_INT:
        return boost::json::value(mp_decode_int(&p_));
      case MP_FLOAT:
        return boost::json::value(static_cast<double>(mp_decode_float(&p_)));
      case MP_DOUBLE:
        return boost::json::value(mp_decode_double(&p_));
      case MP_STR: {
        const std::uint32_t n = mp_decode_strl(&p_);
        if (remaining() < n) return error::truncated;
        boost::json::value v = make_string({p_, n});
        p_ += n;
        return v;
      }
      case MP_BIN: {
        const std::uint32_t n = mp_decode_binl(&p_);
        if (remaining() < n) return error::truncated;
        return binary({p_, n}, n);
      }
      case MP_ARRAY: {
        if (depth >= opts_.max_depth) return error::too_deep;
        const std::uint32_t n = mp_decode_array(&p_);
        if (remaining() < n) return error::truncated;  // every element takes a byte at least
        boost::json::array a;
        a.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
          auto v = value(depth + 1);
          if (!v) return v.error();
          a.push_back(std::move(*v));
        }
        return boost::json::value(std::move(a));
      }
      case MP_MAP: {
        if (depth >= opts_.max_depth) return error::too_deep;
        const std::uint32_t n = mp_decode_map(&p_);
        if (remaining() / 2 < n) return error::truncated;
        boost::json::object o;
        o.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
          auto k = key(depth + 1);
          if (!k) return k.error();
          auto v = value(depth + 1);
          if (!v) return v.error();
          o[*k] = std::move(*v);
        }
        return boost::json::value(std::move(o));
      }
      case MP_EXT:
        return ext(depth);
    }
    return error::invalid_byte;
  }

 private:
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }

  boost::json::value binary(std::string_view bytes, std::size_t advance) {
    att_.emplace_back(bytes);
    p_ += advance;
    return boost::json::value(socketio::make_placeholder(att_.size() - 1));
  }

  boost::system::result<std::string> key(std::size_t depth) {
    if (p_ >= end_) return error::truncated;
    const auto t = mp_typeof(*p_);
    if (t == MP_STR) {
      if (remaining() < 1 + header_bytes(static_cast<std::uint8_t>(*p_))) return error::truncated;
      const std::uint32_t n = mp_decode_strl(&p_);
      if (remaining() < n) return error::truncated;
      std::string s;
      s.reserve(n);
      append_utf8_lossy({p_, n}, s);
      p_ += n;
      return s;
    }
    if (t == MP_ARRAY || t == MP_MAP || t == MP_BIN) return error::invalid_key;
    const std::size_t before = att_.size();
    auto v = value(depth);
    if (!v) return v.error();
    if (att_.size() != before) {  // an extension holding binary
      att_.resize(before);
      return error::invalid_key;
    }
    // String(key) in JavaScript.
    if (v->is_null()) return std::string("null");
    if (v->is_bool()) return std::string(v->get_bool() ? "true" : "false");
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_number()) {
      std::string s;
      socketio::append_json(*v, s);
      if (s == "null") {  // NaN and infinities
        const double d = v->to_number<double>();
        return std::string(std::isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      }
      return s;
    }
    return error::invalid_key;
  }

  // Extensions, as notepack.io reads them.
  boost::system::result<boost::json::value> ext(std::size_t depth) {
    const auto c = static_cast<std::uint8_t>(*p_);
    const char* h = p_ + 1;
    std::uint32_t len = 0;
    const char* data = nullptr;
    switch (c) {
      case 0xd4:
        len = 1;
        data = h + 1;
        break;
      case 0xd5:
        len = 2;
        data = h + 1;
        break;
      case 0xd6:
        len = 4;
        data = h + 1;
        break;
      case 0xd7:
        len = 8;
        data = h + 1;
        break;
      case 0xd8:
        len = 16;
        data = h + 1;
        break;
      case 0xc7:
        len = static_cast<std::uint8_t>(h[0]);
        data = h + 2;
        break;
      case 0xc8:
        len =
            (std::uint32_t(static_cast<std::uint8_t>(h[0])) << 8) | static_cast<std::uint8_t>(h[1]);
        data = h + 3;
        break;
      default:  // 0xc9
        len = load_be32(h);
        data = h + 5;
        break;
    }
    const auto type = static_cast<std::int8_t>(data[-1]);
    if (static_cast<std::size_t>(end_ - data) < len) return error::truncated;
    const std::string_view body(data, len);
    const auto advance = static_cast<std::size_t>(data - p_) + len;
    const bool fixext = c >= 0xd4 && c <= 0xd8;
    if (type == 0) {
      if (c == 0xd4) {  // legacy undefined
        p_ += advance;
        return boost::json::value(nullptr);
      }
      if (c == 0xd7) {  // legacy date: int64 ms, big-endian
        const std::int64_t hi = static_cast<std::int32_t>(load_be32(data));
        const std::uint32_t lo = load_be32(data + 4);
        p_ += advance;
        return iso_date(static_cast<double>(hi) * 4294967296.0 + lo);
      }
      if (!fixext) {  // legacy ArrayBuffer
        att_.emplace_back(body);
        p_ += advance;
        return boost::json::value(socketio::make_placeholder(att_.size() - 1));
      }
    }
    if (type == -1) {
      if (c == 0xd6) {  // timestamp 32
        const double s = load_be32(data);
        p_ += advance;
        return iso_date(s * 1e3);
      }
      if (c == 0xd7) {  // timestamp 64: ns 30 bits, s 34 bits
        const std::uint32_t hi = load_be32(data);
        const std::uint32_t lo = load_be32(data + 4);
        const double s = static_cast<double>(hi & 0x3) * 4294967296.0 + lo;
        p_ += advance;
        return iso_date(s * 1e3 + static_cast<double>(hi >> 2) / 1e6);
      }
      if (c == 0xc7 && len == 12) {  // timestamp 96: ns u32, s i64
        const double ns = load_be32(data);
        const double hi = static_cast<std::int32_t>(load_be32(data + 4));
        const double lo = load_be32(data + 8);
        p_ += advance;
        return iso_date((hi * 4294967296.0 + lo) * 1e3 + ns / 1e6);
      }
    }
    // Read as an array [type, binary]: one level of nesting, counted like any array so that the
    // value re-encodes into something the decoder accepts again.
    if (depth >= opts_.max_depth) return error::too_deep;
    boost::json::array a;
    a.emplace_back(static_cast<std::int64_t>(type));
    att_.emplace_back(body);
    a.emplace_back(socketio::make_placeholder(att_.size() - 1));
    p_ += advance;
    return boost::json::value(std::move(a));
  }

  const char* p_;
  const char* end_;
  decode_options opts_;
  std::vector<std::string>& att_;
};

// The attachment a placeholder object refers to; num may be int64 or uint64 (both are made).
std::optional<std::size_t> placeholder_num(const boost::json::object& o) noexcept {
  if (o.size() != 2) return std::nullopt;
  const auto* flag = o.if_contains(socketio::placeholder_key);
  const auto* num = o.if_contains(socketio::placeholder_num_key);
  if (!flag || !num || !flag->is_bool() || !flag->get_bool()) return std::nullopt;
  if (const auto* i = num->if_int64(); i && *i >= 0) return static_cast<std::size_t>(*i);
  if (const auto* u = num->if_uint64()) return static_cast<std::size_t>(*u);
  return std::nullopt;
}

void put(std::string& out, const char* b, const char* e) {
  out.append(b, static_cast<std::size_t>(e - b));
}

void encode_int(std::int64_t i, std::string& out) {
  char buf[16];
  char* e = i >= 0 ? mp_encode_uint(buf, static_cast<std::uint64_t>(i)) : mp_encode_int(buf, i);
  put(out, buf, e);
}

void encode_value(const boost::json::value& v, std::span<const std::string> att, std::string& out) {
  char buf[16];
  switch (v.kind()) {
    case boost::json::kind::null:
      put(out, buf, mp_encode_nil(buf));
      return;
    case boost::json::kind::bool_:
      put(out, buf, mp_encode_bool(buf, v.get_bool()));
      return;
    case boost::json::kind::int64:
      encode_int(v.get_int64(), out);
      return;
    case boost::json::kind::uint64:
      put(out, buf, mp_encode_uint(buf, v.get_uint64()));
      return;
    case boost::json::kind::double_: {
      const double d = v.get_double();
      // JavaScript has only numbers: notepack.io writes integral ones as integers.
      if (std::isfinite(d) && std::floor(d) == d) {
        if (d >= 0 && d < 18446744073709551616.0) {
          put(out, buf, mp_encode_uint(buf, static_cast<std::uint64_t>(d)));
          return;
        }
        if (d < 0 && d >= -9223372036854775808.0) {
          put(out, buf, mp_encode_int(buf, static_cast<std::int64_t>(d)));
          return;
        }
      }
      put(out, buf, mp_encode_double(buf, d));
      return;
    }
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      put(out, buf, mp_encode_strl(buf, static_cast<std::uint32_t>(s.size())));
      out.append(s.data(), s.size());
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      put(out, buf, mp_encode_array(buf, static_cast<std::uint32_t>(a.size())));
      for (const auto& e : a) encode_value(e, att, out);
      return;
    }
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      if (!att.empty()) {
        if (auto n = placeholder_num(o); n && *n < att.size()) {
          const auto& b = att[*n];
          put(out, buf, mp_encode_binl(buf, static_cast<std::uint32_t>(b.size())));
          out.append(b);
          return;
        }
      }
      put(out, buf, mp_encode_map(buf, static_cast<std::uint32_t>(o.size())));
      for (const auto& kv : o) {
        const auto k = kv.key();
        put(out, buf, mp_encode_strl(buf, static_cast<std::uint32_t>(k.size())));
        out.append(k.data(), k.size());
        encode_value(kv.value(), att, out);
      }
      return;
    }
  }
}

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const category c;
  return c;
}

boost::system::result<document> decode(std::string_view bytes, decode_options opts) {
  document doc;
  reader r(bytes, opts, doc.attachments);
  auto v = r.value(0);
  if (!v) return v.error();
  if (r.pos() != r.end()) return error::trailing_bytes;
  doc.value = std::move(*v);
  return doc;
}

void encode(const boost::json::value& v, std::span<const std::string> attachments,
            std::string& out) {
  encode_value(v, attachments, out);
}

}  // namespace sio::protocol::msgpack
