#include "room_rules.hpp"

#include "validation.hpp"

#include <boost/json/string.hpp>

namespace apps::chat {

std::optional<std::string> message_error(const boost::json::value* v) {
  if (!v) return "message is required";
  if (!v->is_string()) return "message must be a string";
  std::string_view s = v->get_string();
  if (s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) return "message is empty";
  if (utf16_length(s) > max_message_length) return "message is longer than 2000 characters";
  return std::nullopt;
}

std::optional<std::string> normalize_room_name(const boost::json::value* v) {
  if (!v || !v->is_string()) return std::nullopt;
  const std::string_view s = trim_space(v->get_string());
  if (s.empty()) return std::nullopt;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return std::nullopt;  // no control characters
  }
  if (code_points(s) > max_room_name_length) return std::nullopt;
  return std::string(s);
}

}  // namespace apps::chat
