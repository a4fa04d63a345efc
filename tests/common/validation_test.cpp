#include "validation.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace apps {
namespace {
namespace json = boost::json;

TEST(Validation, Usernames) {
  for (auto ok : {"abc", "alice", "A.b-c_9", "x23456789012345678901234567890xy"}) {
    EXPECT_TRUE(valid_username(ok)) << ok;
  }
  for (auto bad : {"", "ab", "has space", "semi;colon", "x234567890123456789012345678901xy",
                   "émile", "a/b", "a\nb"}) {
    EXPECT_FALSE(valid_username(bad)) << bad;
  }
}

TEST(Validation, Passwords) {
  EXPECT_TRUE(valid_password("12345678"));
  EXPECT_FALSE(valid_password("1234567"));
  EXPECT_FALSE(valid_password(""));
  EXPECT_TRUE(valid_password("éééééééé"));  // 8 characters, 16 bytes
  EXPECT_FALSE(valid_password("ééé"));
  EXPECT_TRUE(valid_password(std::string(1024, 'x')));
  EXPECT_FALSE(valid_password(std::string(1025, 'x')));
}

TEST(Validation, Utf16LengthMatchesJavaScript) {
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("é"), 1u);
  EXPECT_EQ(utf16_length("☕"), 1u);
  EXPECT_EQ(utf16_length("😀"), 2u);  // a surrogate pair in JS
  EXPECT_EQ(code_points("😀"), 1u);
}

TEST(Validation, Ids) {
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

TEST(Validation, Field) {
  json::value obj = json::parse(R"({"a":1})");
  EXPECT_NE(field(obj, "a"), nullptr);
  EXPECT_EQ(field(obj, "b"), nullptr);
  json::value arr = json::parse("[1]");
  EXPECT_EQ(field(arr, "a"), nullptr);
  json::value nul;
  EXPECT_EQ(field(nul, "a"), nullptr);
}

TEST(Validation, TrimSpace) {
  EXPECT_EQ(trim_space(" \t\r\n\f\vPlan  notes \n"), "Plan  notes");
  EXPECT_EQ(trim_space("x"), "x");
  EXPECT_EQ(trim_space(" \t\n"), "");
  EXPECT_EQ(trim_space(""), "");
  EXPECT_EQ(trim_space("\xC2\xA0x"), "\xC2\xA0x");  // only ASCII whitespace is trimmed
}

TEST(Validation, Iso8601) {
  EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601(1'764'135'600'123), "2025-11-26T05:40:00.123Z");
}

}  // namespace
}  // namespace apps
