#include <sio/protocol/permessage_deflate.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <new>
#include <optional>
#include <vector>

namespace sio::protocol::permessage_deflate {
namespace {

constexpr std::string_view server_no_context_takeover = "server_no_context_takeover";
constexpr std::string_view client_no_context_takeover = "client_no_context_takeover";
constexpr std::string_view server_max_window_bits = "server_max_window_bits";
constexpr std::string_view client_max_window_bits = "client_max_window_bits";
// What a sync flush ends with; the sender removes it, the receiver puts it back (RFC 7692 7.2.1).
constexpr std::array<unsigned char, 4> tail = {0x00, 0x00, 0xff, 0xff};
constexpr std::size_t inflate_chunk = 16 * 1024;

// zlib refuses an 8-bit window for raw deflate and uses 9 for it; Node's zlib (and so `ws`) does
// the same on both sides, so a peer's "8" data may reach back 512 bytes.
int zlib_window(int bits) noexcept {
  return -std::max(bits, min_window_bits + 1);
}

// --- Sec-WebSocket-Extensions: RFC 7230 lists of `name *( ";" param [ "=" value ] )`
// --------------

bool is_tchar(char c) noexcept {
  static constexpr std::string_view punct = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         punct.find(c) != std::string_view::npos;
}

struct param {
  std::string_view name;
  std::optional<std::string> value;
};
struct offer {
  std::string_view name;
  std::vector<param> params;
};

class header_reader {
 public:
  explicit header_reader(std::string_view s) noexcept : s_(s) {}

  // Every offer, or nullopt when the header is malformed.
  std::optional<std::vector<offer>> offers() {
    std::vector<offer> out;
    do {
      skip_space();
      auto o = read_offer();
      if (!o) return std::nullopt;
      out.push_back(std::move(*o));
      skip_space();
    } while (take(','));
    if (i_ != s_.size()) return std::nullopt;
    return out;
  }

 private:
  std::optional<offer> read_offer() {
    offer o{token(), {}};
    if (o.name.empty()) return std::nullopt;
    for (skip_space(); take(';'); skip_space()) {
      skip_space();
      param p{token(), std::nullopt};
      if (p.name.empty()) return std::nullopt;
      skip_space();
      if (take('=')) {
        skip_space();
        p.value = value();
        if (!p.value) return std::nullopt;
      }
      o.params.push_back(std::move(p));
    }
    return o;
  }
  // A token, or a quoted string holding a token (as `ws` accepts it; escapes allowed).
  std::optional<std::string> value() {
    if (!take('"')) {
      const auto t = token();
      if (t.empty()) return std::nullopt;
      return std::string(t);
    }
    std::string v;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && ++i_ == s_.size()) return std::nullopt;
      if (!is_tchar(s_[i_])) return std::nullopt;
      v.push_back(s_[i_++]);
    }
    if (!take('"') || v.empty()) return std::nullopt;
    return v;
  }
  std::string_view token() noexcept {
    const std::size_t start = i_;
    while (i_ < s_.size() && is_tchar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  void skip_space() noexcept {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool take(char c) noexcept {
    if (i_ == s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

// One offer's parameters as `ws` normalises them: known names, each at most once, flags without a
// value, window bits 8..15 (client_max_window_bits may come without a value).
struct offered {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 0;  // 0: not offered
  int client_max_window_bits = 0;  // 0: not offered; -1: offered without a value
};

std::optional<int> window_bits(const std::string& v) noexcept {
  if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return v[0] - '0';
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
  return std::nullopt;
}

std::optional<offered> normalise(const offer& o) {
  offered r;
  std::array<bool, 4> seen{};
  for (const auto& p : o.params) {
    const std::array<std::string_view, 4> names = {server_no_context_takeover,
                                                   client_no_context_takeover,
                                                   server_max_window_bits, client_max_window_bits};
    const auto it = std::find(names.begin(), names.end(), p.name);
    if (it == names.end()) return std::nullopt;  // an unknown parameter
    const auto k = static_cast<std::size_t>(it - names.begin());
    if (seen[k]) return std::nullopt;
    seen[k] = true;
    if (k < 2) {
      if (p.value) return std::nullopt;
      (k == 0 ? r.server_no_context_takeover : r.client_no_context_takeover) = true;
      continue;
    }
    if (!p.value) {
      if (k == 2) return std::nullopt;  // server_max_window_bits needs a value
      r.client_max_window_bits = -1;
      continue;
    }
    const auto bits = window_bits(*p.value);
    if (!bits) return std::nullopt;
    (k == 2 ? r.server_max_window_bits : r.client_max_window_bits) = *bits;
  }
  return r;
}

// The `ws` package's acceptAsServer: whether `o` can take this offer, and the agreement.
std::optional<params> accept(const offered& f, const options& o) {
  if (f.server_no_context_takeover && !o.server_no_context_takeover) return std::nullopt;
  if (f.server_max_window_bits != 0 && o.server_max_window_bits > f.server_max_window_bits)
    return std::nullopt;
  if (o.client_max_window_bits != 0 &&
      (f.client_max_window_bits == 0 ||
       (f.client_max_window_bits > 0 && o.client_max_window_bits > f.client_max_window_bits)))
    return std::nullopt;
  params p;
  p.server_no_context_takeover = f.server_no_context_takeover || o.server_no_context_takeover;
  p.client_no_context_takeover = f.client_no_context_takeover || o.client_no_context_takeover;
  if (o.server_max_window_bits != 0) {
    p.server_max_window_bits = o.server_max_window_bits;
  } else if (f.server_max_window_bits != 0) {
    p.server_max_window_bits = f.server_max_window_bits;
  }
  if (o.client_max_window_bits != 0) {
    p.client_max_window_bits = o.client_max_window_bits;
  } else if (f.client_max_window_bits > 0) {
    p.client_max_window_bits = f.client_max_window_bits;
  }
  return p;
}

}  // namespace

negotiation negotiate(std::string_view header, const options& o, bool takeover) {
  negotiation n;
  const auto offers = header_reader(header).offers();
  if (!offers) {
    // An empty header offers nothing; anything else unreadable is refused, as `ws` does.
    if (header.find_first_not_of(" \t") == std::string_view::npos) return n;
    n.result = outcome::refused;
    return n;
  }
  bool any = false;
  for (const auto& off : *offers) {
    if (off.name != extension_name) continue;
    any = true;
    const auto f = normalise(off);
    if (!f) {
      n.result = outcome::refused;  // `ws` checks every offer before it picks one
      return n;
    }
    if (n.result == outcome::accepted) continue;
    if (auto p = accept(*f, o)) {
      n.result = outcome::accepted;
      n.agreed = *p;
    }
  }
  if (n.result == outcome::accepted) {
    if (!takeover) n.agreed.server_no_context_takeover = n.agreed.client_no_context_takeover = true;
    n.response = format(n.agreed);
  } else if (any) {
    n.result = outcome::refused;
  }
  return n;
}

std::string format(const params& p) {
  std::string s(extension_name);
  if (p.server_no_context_takeover) s.append("; ").append(server_no_context_takeover);
  if (p.client_no_context_takeover) s.append("; ").append(client_no_context_takeover);
  if (p.server_max_window_bits != max_window_bits)
    s.append("; ")
        .append(server_max_window_bits)
        .append("=")
        .append(std::to_string(p.server_max_window_bits));
  if (p.client_max_window_bits != max_window_bits)
    s.append("; ")
        .append(client_max_window_bits)
        .append("=")
        .append(std::to_string(p.client_max_window_bits));
  return s;
}

// --- deflater -----------------------------------------------------------------------------------

struct deflater::stream {
  z_stream z{};
};

deflater::deflater(int window_bits, int level, int mem_level, bool no_context_takeover)
    : z_(std::make_unique<stream>()), reset_(no_context_takeover) {
  if (deflateInit2(&z_->z, level, Z_DEFLATED, zlib_window(window_bits), mem_level,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::bad_alloc();
}

deflater::~deflater() {
  deflateEnd(&z_->z);
}

void deflater::compress(std::string_view prefix, std::string_view data, std::string& out) {
  auto& z = z_->z;
  out.clear();
  // Room for the whole result in most cases: deflateBound plus the sync flush's marker.
  out.resize(deflateBound(&z, static_cast<uLong>(prefix.size() + data.size())) + 16);
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const std::array<std::string_view, 2> parts = {prefix, data};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(parts[i].data()));
    z.avail_in = static_cast<uInt>(parts[i].size());
    const int flush = i + 1 == parts.size() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    for (;;) {
      const int rc = deflate(&z, flush);
      if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::bad_alloc();
      if (z.avail_out != 0 && z.avail_in == 0) break;
      if (z.avail_out == 0) {  // grow and go on
        const std::size_t used = out.size();
        out.append(std::max<std::size_t>(used, 256), '\0');
        z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        z.avail_out = static_cast<uInt>(out.size() - used);
      }
    }
  }
  const std::size_t written = out.size() - z.avail_out;  // ends with the tail: dropped
  out.erase(written >= tail.size() ? written - tail.size() : written);
  if (reset_) deflateReset(&z);
}

// --- inflater -----------------------------------------------------------------------------------

struct inflater::stream {
  z_stream z{};
};

inflater::inflater(int window_bits, bool no_context_takeover)
    : z_(std::make_unique<stream>()), reset_(no_context_takeover) {
  if (inflateInit2(&z_->z, zlib_window(window_bits)) != Z_OK) throw std::bad_alloc();
}

inflater::~inflater() {
  inflateEnd(&z_->z);
}

inflater::status inflater::inflate(std::string_view in, std::size_t max_size, std::string& out) {
  auto& z = z_->z;
  out.clear();
  const std::array<std::string_view, 2> parts = {
      in, std::string_view(reinterpret_cast<const char*>(tail.data()), tail.size())};
  std::size_t used = 0;
  bool ended = false;  // the sender closed the DEFLATE stream (a final block)
  for (const auto part : parts) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.data()));
    z.avail_in = static_cast<uInt>(part.size());
    while (!ended) {
      // Grow by a chunk at a time: never more than max_size plus one chunk.
      if (out.size() - used < inflate_chunk / 4) out.resize(used + inflate_chunk);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      z.avail_out = static_cast<uInt>(out.size() - used);
      const int rc = ::inflate(&z, Z_SYNC_FLUSH);
      used = out.size() - z.avail_out;
      if (used > max_size) {
        out.erase(used);
        inflateReset(&z);
        return status::too_big;
      }
      if (rc == Z_STREAM_END) {
        ended = true;
      } else if (rc == Z_BUF_ERROR) {
        break;  // no progress with room to write: this part is used up
      } else if (rc != Z_OK) {
        out.erase(used);
        inflateReset(&z);
        return status::invalid;
      } else if (z.avail_in == 0 && z.avail_out != 0) {
        break;  // this part is used up and its output written
      }
    }
  }
  out.erase(used);
  if (reset_ || ended) inflateReset(&z);
  return status::ok;
}

}  // namespace sio::protocol::permessage_deflate
