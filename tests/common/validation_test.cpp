#include "validation.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace chat {
namespace {
namespace json = boost::json;

TEST(ChatValidation, Usernames) {
  for (auto ok : {"abc", "alice", "A.b-c_9", "x23456789012345678901234567890xy"}) {
    EXPECT_TRUE(valid_username(ok)) << ok;
  }
  for (auto bad : {"", "ab", "has space", "semi;colon", "x234567890123456789012345678901xy",
                   "émile", "a/b", "a\nb"}) {
    EXPECT_FALSE(valid_username(bad)) << bad;
  }
}

TEST(ChatValidation, Passwords) {
  EXPECT_TRUE(valid_password("12345678"));
  EXPECT_FALSE(valid_password("1234567"));
  EXPECT_FALSE(valid_password(""));
  EXPECT_TRUE(valid_password("éééééééé"));  // 8 characters, 16 bytes
  EXPECT_FALSE(valid_password("ééé"));
  EXPECT_TRUE(valid_password(std::string(1024, 'x')));
  EXPECT_FALSE(valid_password(std::string(1025, 'x')));
}

TEST(ChatValidation, Utf16LengthMatchesJavaScript) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("é"), 1u);
  EXPECT_EQ(utf16_length("☕"), 1u);
  EXPECT_EQ(utf16_length("😀"), 2u);  // a surrogate pair in JS
  EXPECT_EQ(code_points("😀"), 1u);
}

TEST(ChatValidation, Messages) {
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

TEST(ChatValidation, RoomNames) {
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

TEST(ChatValidation, Ids) {
  auto id = [](const char* text) {
    json::value v = json::parse(text);
    return parse_id(&v);
  };
  EXPECT_EQ(id("7"), 7);
  EXPECT_EQ(id("\"12\""), 12);
  EXPECT_EQ(id("3.0"), 3);
  EXPECT_FALSE(id("0"));
  EXPECT_FALSE(id("-1"));
  EXPECT_FALSE(id("1.5"));
  EXPECT_FALSE(id("\"\""));
  EXPECT_FALSE(id("\"1a\""));
  EXPECT_FALSE(id("\" 1\""));
  EXPECT_FALSE(id("\"99999999999999999999\""));
  EXPECT_FALSE(id("18446744073709551615"));
  EXPECT_FALSE(id("null"));
  EXPECT_FALSE(id("{}"));
  EXPECT_FALSE(id("[1]"));
  EXPECT_FALSE(parse_id(static_cast<const json::value*>(nullptr)));
}

TEST(ChatValidation, Field) {
  json::value obj = json::parse(R"({"a":1})");
  EXPECT_NE(field(obj, "a"), nullptr);
  EXPECT_EQ(field(obj, "b"), nullptr);
  json::value arr = json::parse("[1]");
  EXPECT_EQ(field(arr, "a"), nullptr);
  json::value nul;
  EXPECT_EQ(field(nul, "a"), nullptr);
}

TEST(ChatValidation, Iso8601) {
  EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601(1'764'135'600'123), "2025-11-26T05:40:00.123Z");
}

}  // namespace
}  // namespace chat
