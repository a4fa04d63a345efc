#include "room_rules.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace apps::chat {
namespace {
namespace json = boost::json;

TEST(ChatRoomRules, Messages) {
  json::value ok = "hello";
  EXPECT_FALSE(message_error(&ok));
  json::value max(std::string(2000, 'x'));
  EXPECT_FALSE(message_error(&max));
  json::value too_long(std::string(2001, 'x'));
  EXPECT_TRUE(message_error(&too_long));
  json::value ten_kb(std::string(10 * 1024, 'x'));
  EXPECT_TRUE(message_error(&ten_kb));
  std::string emoji;
  for (int i = 0; i < 1001; ++i) emoji += "😀";  // 2002 UTF-16 units
  json::value emojis(emoji);
  EXPECT_TRUE(message_error(&emojis));
  json::value empty = "", blank = "  \n\t ";
  EXPECT_TRUE(message_error(&empty));
  EXPECT_TRUE(message_error(&blank));
  EXPECT_TRUE(message_error(nullptr));
  for (auto text : {"null", "42", "true", "[\"x\"]", "{\"a\":1}"}) {
    json::value v = json::parse(text);
    EXPECT_TRUE(message_error(&v)) << text;
  }
}

TEST(ChatRoomRules, RoomNames) {
  json::value v = "  Book club  ";
  EXPECT_EQ(normalize_room_name(&v), "Book club");
  json::value blank = "   ", num = 5, ctrl = "a\x01b", long_name(std::string(65, 'x')),
              max_name(std::string(64, 'x'));
  EXPECT_FALSE(normalize_room_name(&blank));
  EXPECT_FALSE(normalize_room_name(&num));
  EXPECT_FALSE(normalize_room_name(&ctrl));
  EXPECT_FALSE(normalize_room_name(&long_name));
  EXPECT_TRUE(normalize_room_name(&max_name));
  EXPECT_FALSE(normalize_room_name(nullptr));
}

}  // namespace
}  // namespace apps::chat
