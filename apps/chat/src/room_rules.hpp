// Input rules of the chat (messages, room names), for its REST API and Socket.IO handlers. Pure
// functions.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace apps::chat {

inline constexpr std::size_t max_message_length = 2000;  // UTF-16 code units, like JS .length
inline constexpr std::size_t max_room_name_length = 64;

// Why a chat message is refused, or nullopt when it is acceptable: a non-empty (not only
// whitespace) string of at most 2000 characters.
std::optional<std::string> message_error(const boost::json::value* v);

// A room name trimmed of surrounding whitespace, or nullopt when empty or longer than 64.
std::optional<std::string> normalize_room_name(const boost::json::value* v);

}  // namespace apps::chat
