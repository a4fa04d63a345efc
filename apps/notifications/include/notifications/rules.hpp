// The notifications' input rules and wire shapes, as pure functions (apps/notifications/API.md):
// a new notification (REST body, backend job, an app's notice), markRead and list arguments, and
// the JSON of a stored notification.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace notifications {

using id_type = std::int64_t;

inline constexpr std::size_t max_title_length = 100;  // UTF-16 units, at least 1
inline constexpr std::size_t max_body_length = 1000;  // UTF-16 units
inline constexpr std::size_t max_url_length = 200;    // bytes
inline constexpr std::size_t max_key_length = 64;     // bytes, at least 1
inline constexpr std::size_t max_per_user = 200;      // older ones are dropped on insert
inline constexpr std::size_t unread_items = 50;       // what `unread` carries at most
inline constexpr std::size_t max_list = 50;           // `list` and GET: at most this many
inline constexpr std::size_t default_list = 20;
inline constexpr std::size_t max_mark_ids = 100;

// What a notification says, checked.
struct content {
  std::string title, body, url;
};

// Who it is for: an id, or a username to look up (REST only).
struct recipient {
  std::optional<id_type> id;
  std::string username;
};

struct new_request {
  recipient to;
  content what;
};

// A backend job's notification (server-side event notifications:push).
struct push_request {
  std::string key;
  id_type to = 0;
  content what;
};

// The refusal's text of a bad content, or nullopt: `title` 1-100 characters (after trimming),
// `body` 0-1000, `url` empty or a path starting with a single "/" of at most 200 bytes.
std::optional<std::string> check_content(const content& c);
// A POST /api/notifications body {toUserId | toUsername, title, body, url?}, or the 400 text.
std::variant<new_request, std::string> parse_new(const boost::json::value& v);
// The argument of notifications:push {key, toUserId, title, body, url?}, or why it is invalid.
std::variant<push_request, std::string> parse_push(const boost::json::value& v);
// A notice's title, body and url made valid: trimmed and cut to the limits, a bad url dropped.
content clamp(content c);

// markRead {ids:[...]} (at most 100 positive integers) or {all:true}: the ids (empty for all),
// or nullopt for "Invalid ids".
struct mark_request {
  bool all = false;
  std::vector<id_type> ids;
};
std::optional<mark_request> parse_mark(const boost::json::value& v);

// list {before?, limit?} and GET ?before=&limit=: `before` a notification id (only older ones),
// `limit` 1..50 (default 20).
struct page_request {
  std::optional<id_type> before;
  std::size_t limit = default_list;
};
std::optional<page_request> parse_page(const boost::json::value& v);
std::optional<page_request> parse_page(std::optional<std::string> before,
                                       std::optional<std::string> limit);

// The notification of API.md.
struct notification_row {
  id_type id = 0;
  id_type user = 0;
  id_type sender = 0;  // 0: the server or a backend job
  std::string sender_name;
  std::string title, body, url;
  std::int64_t created_ms = 0;
  bool read = false;
};

// {id, from:{userId, username}|null, title, body, url, createdAt, read}
boost::json::value to_json(const notification_row& n);
boost::json::value to_json(const std::vector<notification_row>& items);

}  // namespace notifications
