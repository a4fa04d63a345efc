#include "static_files.hpp"

#include <array>
#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

namespace apps {
namespace {

constexpr std::uintmax_t max_file_bytes = 64u * 1024 * 1024;

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool under(const std::filesystem::path& p, const std::filesystem::path& root) {
  auto rel = p.lexically_relative(root);
  if (rel.empty()) return false;
  auto first = *rel.begin();
  return first != ".." && !rel.is_absolute();
}

constexpr std::string_view placeholder_html = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sio demo</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>The sio demo server is running</h1>
<p>The web front end has not been built yet. Run <code>make build</code> (or
<code>npm ci &amp;&amp; npm run build</code> in <code>apps/demo/web</code>), or point
<code>--web</code> at a built folder. The API is at <code>/api</code>, Socket.IO at
<code>/socket.io/</code>.</p></body></html>
)html";

}  // namespace

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::optional<std::filesystem::path> safe_relative_path(std::string_view target) {
  auto q = target.find_first_of("?#");
  std::string_view raw = target.substr(0, q);
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  auto decoded = percent_decode(raw);
  if (!decoded) return std::nullopt;
  std::filesystem::path rel;
  std::string_view rest = *decoded;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") return std::nullopt;
    if (seg.find('\\') != std::string_view::npos) return std::nullopt;
    for (unsigned char c : seg) {
      if (c < 0x20 || c == 0x7F) return std::nullopt;
    }
    rel /= std::string(seg);
  }
  return rel;
}

std::string_view mime_type(const std::filesystem::path& file) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> table{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".avif", "image/avif"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".xml", "application/xml"},
  }};
  std::string ext = file.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& [e, t] : table) {
    if (e == ext) return t;
  }
  return "application/octet-stream";
}

static_files::static_files(std::filesystem::path root) : root_(std::move(root)) {
  std::error_code ec;
  auto canon = std::filesystem::canonical(root_, ec);
  if (!ec) root_ = canon;
}

bool static_files::has_index() const {
  std::error_code ec;
  return std::filesystem::is_regular_file(root_ / "index.html", ec);
}

std::optional<reply> static_files::read_file(const std::filesystem::path& p, bool head,
                                             bool immutable) const {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  auto canon = std::filesystem::canonical(p, ec);
  if (ec || !under(canon, root_)) return std::nullopt;  // a symlink pointing outside
  auto size = std::filesystem::file_size(canon, ec);
  if (ec || size > max_file_bytes) return std::nullopt;
  reply r;
  r.content_type = std::string(mime_type(canon));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control",
                         immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (!head) {
    std::ifstream in(canon, std::ios::binary);
    if (!in) return std::nullopt;
    r.body.resize(static_cast<std::size_t>(size));
    in.read(r.body.data(), static_cast<std::streamsize>(size));
    r.body.resize(static_cast<std::size_t>(in.gcount()));
  } else {
    r.headers.emplace_back("Content-Length", std::to_string(size));
  }
  return r;
}

namespace {

// A folder asked for without its trailing slash ("/admin-ui"): 301 to "/admin-ui/", so that the
// relative links of its index.html resolve inside it. Empty when `target` ends with a slash.
std::optional<reply> folder_redirect(std::string_view target, bool head) {
  const auto query = target.find('?');
  const std::string_view path = target.substr(0, query);
  if (path.ends_with('/')) return std::nullopt;
  reply r{301, "text/plain; charset=utf-8", head ? "" : "Moved Permanently\n", {}};
  std::string location(path);
  location += '/';
  if (query != std::string_view::npos) location += target.substr(query);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

}  // namespace

reply static_files::serve(std::string_view target, bool head) const {
  auto rel = safe_relative_path(target);
  if (!rel) {
    return reply{400, "text/plain; charset=utf-8", head ? "" : "Bad Request\n", {}};
  }
  const bool is_asset = !rel->empty() && *rel->begin() == "assets";
  bool hidden = false;
  for (auto& seg : *rel) {
    if (!seg.empty() && seg.string().front() == '.') hidden = true;
  }
  if (!hidden) {
    std::filesystem::path full = root_ / *rel;
    std::error_code ec;
    if (std::filesystem::is_directory(full, ec)) {
      if (auto r = rel->empty() ? std::nullopt : folder_redirect(target, head)) return *r;
      full /= "index.html";
    }
    if (auto r = read_file(full, head, is_asset)) return std::move(*r);
  }
  if (is_asset || hidden) {
    return reply{404, "text/plain; charset=utf-8", head ? "" : "Not Found\n", {}};
  }
  // Single-page app: the client router handles every other path.
  if (auto r = read_file(root_ / "index.html", head, false)) return std::move(*r);
  reply r{200, "text/html; charset=utf-8", head ? "" : std::string(placeholder_html), {}};
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace apps
