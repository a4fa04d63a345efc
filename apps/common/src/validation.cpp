#include "validation.hpp"

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace apps {

bool valid_username(std::string_view s) noexcept {
  if (s.size() < 3 || s.size() > 32) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_password(std::string_view s) noexcept {
  return s.size() <= max_password_bytes && code_points(s) >= min_password_length;
}

std::size_t code_points(std::string_view utf8) noexcept {
  std::size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++n;  // count lead bytes only
  }
  return n;
}

std::size_t utf16_length(std::string_view utf8) noexcept {
  std::size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) == 0x80) continue;
    n += (c >= 0xF0) ? 2 : 1;  // 4-byte sequences are surrogate pairs in UTF-16
  }
  return n;
}

std::optional<id_type> parse_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > 18) return std::nullopt;
  id_type id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<id_type> parse_id(const boost::json::value* v) noexcept {
  if (!v) return std::nullopt;
  if (v->is_int64()) {
    auto i = v->get_int64();
    return i > 0 ? std::optional<id_type>(i) : std::nullopt;
  }
  if (v->is_uint64()) {
    auto u = v->get_uint64();
    return u > 0 && u <= static_cast<std::uint64_t>(INT64_MAX)
               ? std::optional<id_type>(static_cast<id_type>(u))
               : std::nullopt;
  }
  if (v->is_double()) {
    double d = v->get_double();
    if (d >= 1 && d < 9e15 && static_cast<double>(static_cast<id_type>(d)) == d) {
      return static_cast<id_type>(d);
    }
    return std::nullopt;
  }
  if (v->is_string()) return parse_id(std::string_view(v->get_string()));
  return std::nullopt;
}

std::string_view trim_space(std::string_view s) noexcept {
  constexpr std::string_view ws = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

const boost::json::value* field(const boost::json::value& v, std::string_view key) noexcept {
  if (!v.is_object()) return nullptr;
  return v.get_object().if_contains(key);
}

std::string iso8601(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::int64_t now_ms() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace apps
