#include <editor/rest.hpp>

#include <editor/ot/utf16.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace editor {
namespace json = boost::json;

namespace {

rest_response error(unsigned status, std::string_view text) {
  return {status, json::object{{"error", text}}, {}};
}

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(space);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

// The value of ?name= in a target (no percent-decoding: the values read here are digits).
std::optional<std::string_view> query(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return std::nullopt;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace

std::string iso8601(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

rest::rest(storage& db, rest_options opts)
    : db_(db), opts_(opts), quota_({opts.create_burst, opts.creates_per_minute / 60.0}) {}

bool rest::handles(std::string_view target) noexcept {
  const auto path = path_of(target);
  return path == "/api/docs" || path.starts_with("/api/docs/");
}

rest_response rest::handle(std::string_view method, std::string_view target, std::string_view body,
                           id_type user) {
  if (path_of(target) != "/api/docs") return error(404, "Not found");
  if (method == "POST") return create(body, user);
  if (method == "GET") return list(target);
  auto r = error(405, "Method not allowed");
  r.headers.emplace_back("Allow", "GET, POST");
  return r;
}

rest_response rest::create(std::string_view body, id_type user) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  auto* title = !ec && v.is_object() ? v.get_object().if_contains("title") : nullptr;
  if (!title || !title->is_string()) return error(400, "title is required");
  const auto t = trim(std::string_view(title->get_string()));
  const auto len = ot::utf16_length(t);
  if (!len || *len == 0 || *len > opts_.max_title_length) {
    return error(400, "title must be 1-100 characters");
  }
  if (!quota_.take(user, steady_ms())) {
    auto r = error(429, "Too many documents created, try again later");
    const auto wait_s = (quota_.wait_ms(user, steady_ms()) + 999) / 1000;
    r.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(wait_s, 1)));
    return r;
  }
  auto doc = db_.create_document(t, user, wall_ms());
  return {201, json::object{{"docId", doc.id}}, {}};
}

rest_response rest::list(std::string_view target) {
  std::size_t limit = opts_.max_list;
  if (auto l = query(target, "limit")) {
    std::size_t n = 0;
    auto [p, e] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (e != std::errc{} || p != l->data() + l->size() || n < 1 || n > opts_.max_list) {
      return error(400, "limit must be 1-100");
    }
    limit = n;
  }
  json::array out;
  for (auto& d : db_.list_documents(limit)) {
    out.push_back(
        json::object{{"id", d.id}, {"title", d.title}, {"updatedAt", iso8601(d.updated_ms)}});
  }
  return {200, std::move(out), {}};
}

}  // namespace editor
