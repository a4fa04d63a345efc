#include <notifications/rules.hpp>

#include "validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>

namespace notifications {
namespace json = boost::json;

namespace {

// The string field `key` of `v`: nullopt when absent (or null), "" + ok=false when not a string.
std::optional<std::string> text_field(const json::value& v, std::string_view key, bool& ok) {
  const auto* f = apps::field(v, key);
  if (!f || f->is_null()) return std::nullopt;
  if (!f->is_string()) {
    ok = false;
    return std::nullopt;
  }
  return std::string(f->get_string());
}

// The content fields of `v`, or the refusal's text.
std::variant<content, std::string> parse_content(const json::value& v) {
  bool ok = true;
  auto title = text_field(v, "title", ok);
  auto body = text_field(v, "body", ok);
  auto url = text_field(v, "url", ok);
  if (!ok || !title) return std::string("title, body and url must be strings");
  content c{std::string(apps::trim_space(*title)), body.value_or(""), url.value_or("")};
  if (auto why = check_content(c)) return *why;
  return c;
}

// The first `units` UTF-16 units of `s`, never splitting a character.
std::string cut(std::string_view s, std::size_t units) {
  std::size_t n = 0, i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::size_t w = c >= 0xF0 ? 2 : 1;
    if (n + w > units || i + len > s.size()) break;
    n += w;
    i += len;
  }
  return std::string(s.substr(0, i));
}

bool valid_url(std::string_view url) {
  if (url.empty()) return true;
  if (url.size() > max_url_length || url.front() != '/') return false;
  if (url.size() > 1 && (url[1] == '/' || url[1] == '\\')) return false;  // not another host
  return std::none_of(url.begin(), url.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

std::optional<std::size_t> parse_limit(const json::value* v) {
  if (!v || v->is_null()) return default_list;
  auto n = v->is_number() ? apps::parse_id(v) : std::nullopt;
  if (!n || *n > static_cast<id_type>(max_list)) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

}  // namespace

std::optional<std::string> check_content(const content& c) {
  const auto t = apps::utf16_length(c.title);
  if (t < 1 || t > max_title_length) return "title must be 1-100 characters";
  if (apps::utf16_length(c.body) > max_body_length) return "body must be at most 1000 characters";
  if (!valid_url(c.url)) return "url must be empty or a path starting with / (at most 200 bytes)";
  return std::nullopt;
}

std::variant<new_request, std::string> parse_new(const json::value& v) {
  if (!v.is_object()) return std::string("body must be a JSON object");
  new_request r;
  if (const auto* id = apps::field(v, "toUserId")) {
    r.to.id = id->is_number() ? apps::parse_id(id) : std::nullopt;
    if (!r.to.id) return std::string("toUserId must be a positive integer");
  } else if (const auto* name = apps::field(v, "toUsername"); name && name->is_string()) {
    r.to.username = std::string(name->get_string());
  } else {
    return std::string("toUserId or toUsername is required");
  }
  auto c = parse_content(v);
  if (auto* why = std::get_if<std::string>(&c)) return std::move(*why);
  r.what = std::move(std::get<content>(c));
  return r;
}

std::variant<push_request, std::string> parse_push(const json::value& v) {
  if (!v.is_object()) return std::string("the argument must be an object");
  push_request r;
  const auto* key = apps::field(v, "key");
  if (!key || !key->is_string() || key->get_string().empty() ||
      key->get_string().size() > max_key_length) {
    return std::string("key must be a string of 1-64 bytes");
  }
  r.key = std::string(key->get_string());
  const auto* to = apps::field(v, "toUserId");
  auto id = to && to->is_number() ? apps::parse_id(to) : std::nullopt;
  if (!id) return std::string("toUserId must be a positive integer");
  r.to = *id;
  auto c = parse_content(v);
  if (auto* why = std::get_if<std::string>(&c)) return std::move(*why);
  r.what = std::move(std::get<content>(c));
  return r;
}

content clamp(content c) {
  c.title = cut(apps::trim_space(c.title), max_title_length);
  if (c.title.empty()) c.title = "Notification";
  c.body = cut(c.body, max_body_length);
  if (!valid_url(c.url)) c.url.clear();
  return c;
}

std::optional<mark_request> parse_mark(const json::value& v) {
  if (const auto* all = apps::field(v, "all"); all && all->is_bool() && all->get_bool()) {
    return mark_request{true, {}};
  }
  const auto* ids = apps::field(v, "ids");
  if (!ids || !ids->is_array() || ids->get_array().size() > max_mark_ids) return std::nullopt;
  mark_request r;
  for (const auto& i : ids->get_array()) {
    auto id = i.is_number() ? apps::parse_id(&i) : std::nullopt;
    if (!id) return std::nullopt;
    r.ids.push_back(*id);
  }
  std::sort(r.ids.begin(), r.ids.end());
  r.ids.erase(std::unique(r.ids.begin(), r.ids.end()), r.ids.end());
  return r;
}

std::optional<page_request> parse_page(const json::value& v) {
  if (!v.is_null() && !v.is_object()) return std::nullopt;
  page_request p;
  if (const auto* b = apps::field(v, "before"); b && !b->is_null()) {
    p.before = b->is_number() ? apps::parse_id(b) : std::nullopt;
    if (!p.before) return std::nullopt;
  }
  auto limit = parse_limit(apps::field(v, "limit"));
  if (!limit) return std::nullopt;
  p.limit = *limit;
  return p;
}

std::optional<page_request> parse_page(std::optional<std::string> before,
                                       std::optional<std::string> limit) {
  page_request p;
  if (before) {
    p.before = apps::parse_id(*before);
    if (!p.before) return std::nullopt;
  }
  if (limit) {
    auto n = apps::parse_id(*limit);
    if (!n || *n > static_cast<id_type>(max_list)) return std::nullopt;
    p.limit = static_cast<std::size_t>(*n);
  }
  return p;
}

json::value to_json(const notification_row& n) {
  json::value from = nullptr;
  if (n.sender != 0) from = json::object{{"userId", n.sender}, {"username", n.sender_name}};
  return json::object{
      {"id", n.id},   {"from", std::move(from)},   {"title", n.title}, {"body", n.body},
      {"url", n.url}, {"createdAt", n.created_ms}, {"read", n.read}};
}

json::value to_json(const std::vector<notification_row>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& n : items) out.push_back(to_json(n));
  return out;
}

}  // namespace notifications
