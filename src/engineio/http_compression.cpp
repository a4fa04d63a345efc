#include "http_compression.hpp"

#include "http_text.hpp"

#include <boost/beast/core/string.hpp>

#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <tuple>

#include <zlib.h>

namespace sio::engineio::detail {
namespace {

constexpr std::array<content_coding, 2> offered{content_coding::gzip, content_coding::deflate};

// One Accept-Encoding entry, "name" or "name;q=0.5;...". Returns false for a malformed entry
// (ignored, as negotiator does).
bool parse_entry(std::string_view e, std::string_view& name, double& q) noexcept {
  e = trim_ows(e);
  const auto end = e.find_first_of(" \t;");
  name = e.substr(0, end);
  if (name.empty()) return false;
  q = 1;
  std::string_view rest = trim_ows(e.substr(name.size()));
  if (rest.empty()) return true;
  if (rest.front() != ';') return false;
  rest.remove_prefix(1);
  while (true) {
    const auto semi = rest.find(';');
    const std::string_view param = trim_ows(rest.substr(0, semi));
    const auto eq = param.find('=');
    if (param.substr(0, eq) == "q") {
      // JavaScript's parseFloat of the value: its leading number; none refuses the entry.
      const std::string_view v = eq == std::string_view::npos ? "" : param.substr(eq + 1);
      double x = 0;
      const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
      q = r.ec == std::errc() && std::isfinite(x) ? x : 0;
      return true;
    }
    if (semi == std::string_view::npos) return true;
    rest.remove_prefix(semi + 1);
  }
}

}  // namespace

std::string_view to_string(content_coding c) noexcept {
  switch (c) {
    case content_coding::gzip:
      return "gzip";
    case content_coding::deflate:
      return "deflate";
    case content_coding::identity:
      break;
  }
  return "";
}

content_coding accepted_coding(std::string_view accept_encoding) noexcept {
  // For each offered coding, the entry that matches it best (specificity, then q, then the later
  // entry); then the offered codings ordered by q, specificity, entry, offer (negotiator's order).
  struct match {
    int s = 0;  // 1: named, 0: "*"
    double q = 0;
    long o = -1;  // the entry's index in the header
  };
  std::array<match, offered.size()> best{};
  long index = 0;
  for (std::string_view rest = accept_encoding;; ++index) {
    const auto comma = rest.find(',');
    std::string_view name;
    double q = 0;
    if (parse_entry(rest.substr(0, comma), name, q)) {
      for (std::size_t k = 0; k < offered.size(); ++k) {
        const int s = boost::beast::iequals(name, to_string(offered[k])) ? 1 : name == "*" ? 0 : -1;
        if (s < 0) continue;
        if (std::tie(best[k].s, best[k].q, best[k].o) < std::tie(s, q, index))
          best[k] = {s, q, index};
      }
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  const auto before = [](const match& a, const match& b) {
    if (a.q != b.q) return a.q > b.q;
    if (a.s != b.s) return a.s > b.s;
    return a.o <= b.o;  // a is offered first
  };
  const bool gzip = best[0].q > 0;
  const bool deflate = best[1].q > 0;
  if (gzip && (!deflate || before(best[0], best[1]))) return content_coding::gzip;
  return deflate ? content_coding::deflate : content_coding::identity;
}

content_coding polling_coding(const http_compression_options& o, bool compress,
                              std::size_t body_bytes, std::string_view accept_encoding) noexcept {
  if (!o.enabled || !compress || body_bytes < o.threshold) return content_coding::identity;
  return accepted_coding(accept_encoding);
}

// --- body_compressor -----------------------------------------------------------------------------

struct body_compressor::stream {
  z_stream z{};
  int level = 0;
  stream() = default;
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  ~stream() { deflateEnd(&z); }
};

body_compressor::body_compressor() noexcept = default;
body_compressor::~body_compressor() = default;

body_compressor::stream* body_compressor::get(content_coding c, int level) {
  auto& s = c == content_coding::gzip ? gzip_ : deflate_;
  if (!s) {
    // zlib's defaults as Node's: window 2^15, memLevel 8; +16 asks for the gzip wrapper.
    auto fresh = std::make_unique<stream>();
    const int bits = c == content_coding::gzip ? 15 + 16 : 15;
    if (deflateInit2(&fresh->z, level, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      fresh->z = z_stream{};  // nothing for deflateEnd to free
      return nullptr;
    }
    fresh->level = level;
    s = std::move(fresh);
    return s.get();
  }
  if (deflateReset(&s->z) != Z_OK) return nullptr;
  if (s->level != level) {
    if (deflateParams(&s->z, level, Z_DEFAULT_STRATEGY) != Z_OK) return nullptr;
    s->level = level;
  }
  return s.get();
}

bool body_compressor::compress(content_coding c, int level, std::string_view in, std::string& out) {
  if (c == content_coding::identity || level < -1 || level > 9 || in.size() > UINT_MAX / 2)
    return false;
  stream* s = get(c, level);
  if (!s) return false;
  z_stream& z = s->z;
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  // The bound fits the whole stream: one call ends it.
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) return false;
  out.resize(out.size() - z.avail_out);
  return true;
}

}  // namespace sio::engineio::detail
