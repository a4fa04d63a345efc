// Input rules every app shares (accounts, ids, JSON fields, time), for the HTTP API and the
// Socket.IO handlers. Pure functions.
#pragma once

#include "accounts.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace apps {

inline constexpr std::size_t min_password_length = 8;
inline constexpr std::size_t max_password_bytes = 1024;

// 3–32 characters of [A-Za-z0-9_.-].
bool valid_username(std::string_view s) noexcept;
// At least 8 characters (code points) and at most 1024 bytes.
bool valid_password(std::string_view s) noexcept;

// Length of UTF-8 text as JavaScript's String.length counts it (UTF-16 code units).
std::size_t utf16_length(std::string_view utf8) noexcept;
// Number of code points of UTF-8 text.
std::size_t code_points(std::string_view utf8) noexcept;

// An id given as a positive integer or a string of decimal digits ("12"); nullopt otherwise.
std::optional<id_type> parse_id(const boost::json::value* v) noexcept;
std::optional<id_type> parse_id(std::string_view s) noexcept;

// `s` without the whitespace around it (space, \t, \r, \n, \f, \v).
std::string_view trim_space(std::string_view s) noexcept;

// Field of an object, or nullptr when `v` is not an object or lacks the key.
const boost::json::value* field(const boost::json::value& v, std::string_view key) noexcept;

// ISO 8601 UTC with milliseconds: 2026-11-26T05:40:00.123Z.
std::string iso8601(std::int64_t ms_since_epoch);
std::int64_t now_ms() noexcept;

}  // namespace apps
