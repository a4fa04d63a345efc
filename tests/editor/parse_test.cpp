// Hostile and malformed input: what a peer can send must come back as an error, never as a crash,
// an exception or an operation that breaks UTF-8 text.
#include "test_util.hpp"

#include <editor/ot/utf16.hpp>

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace json = boost::json;
using namespace editor::ot;
using editor::ot::test::name;
using editor::ot::test::op;

namespace {

std::string parse_error(const json::value& v, const limits& lim = {}) {
  const auto r = parse(v, lim);
  return r ? "ok" : name(r.error());
}

}  // namespace

TEST(OtParse, TooManyComponentsByDefault) {
  json::array a;
  for (int i = 0; i < 10'001; ++i) a.emplace_back(i % 2 ? 1 : -1);
  EXPECT_EQ(parse_error(a), "too_many_components");
  a.pop_back();
  EXPECT_EQ(parse_error(a), "ok");
}

TEST(OtParse, InsertOfAMegabyteAndOneByte) {
  EXPECT_EQ(parse_error(json::array{std::string((1 << 20) + 1, 'x')}), "insert_too_long");
  EXPECT_EQ(parse_error(json::array{std::string(1 << 20, 'x')}), "ok");
}

TEST(OtParse, NumbersOutsideTheSafeRange) {
  EXPECT_EQ(parse_error(json::parse("[18446744073709551615]")), "not_an_integer");
  EXPECT_EQ(parse_error(json::parse("[-9223372036854775808]")), "not_an_integer");
  EXPECT_EQ(parse_error(json::parse("[-1e300]")), "not_an_integer");
  EXPECT_EQ(parse_error(json::parse("[1e-300]")), "not_an_integer");
}

TEST(OtParse, ManyHugeRetainsDoNotOverflow) {
  json::array a;
  for (int i = 0; i < 5000; ++i) a.emplace_back(std::int64_t{1} << 52);
  EXPECT_EQ(parse_error(a), "operation_too_long");
}

TEST(OtParse, InvalidUtf8Inserts) {
  // JSON text from a peer is checked by the JSON parser; a value built in memory need not be.
  for (const char* bad :
       {"\xED\xA0\xBD" /* encoded high surrogate */, "\xFF", "\xC0\xAF", "\xE4\xB8" /* truncated */,
        "\xF4\x90\x80\x80" /* > U+10FFFF */, "a\x80"}) {
    EXPECT_EQ(parse_error(json::array{1, json::string(bad)}), "invalid_text") << bad;
  }
}

TEST(OtParse, LoneSurrogateEscapesNeverReachTheOperation) {
  // Boost.JSON either rejects an unpaired \ud83d or replaces it with valid UTF-8: either way no
  // insert holds half a character.
  boost::system::error_code ec;
  const json::value v = json::parse(R"(["\ud83d", 1])", ec);
  if (!ec) {
    const auto r = parse(v);
    if (r) {
      EXPECT_TRUE(utf16_length(r->components().front().text).has_value());
    }
  }
}

TEST(OtParse, BuilderRejectsInvalidUtf8) {
  text_operation o;
  EXPECT_THROW(o.insert("\xC3"), std::invalid_argument);
  EXPECT_TRUE(o.components().empty());
}

TEST(OtParse, Utf16Length) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("\xE4\xB8\xAD"), 1u);                      // 中
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80"), 2u);                  // 😀
  EXPECT_EQ(utf16_length("e\xCC\x81"), 2u);                         // e + combining acute
  EXPECT_EQ(utf16_length("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), 4u);  // 👍🏽
  EXPECT_FALSE(utf16_length("\xF0\x9F\x98").has_value());
}

TEST(OtApply, RejectsTextThatIsNotUtf8) {
  const auto r = op("[2]").apply("a\xFF");
  ASSERT_FALSE(r);
  EXPECT_EQ(name(r.error()), "invalid_text");
}

TEST(OtApply, MegabyteDocumentInOnePass) {
  std::string doc;
  while (doc.size() < (1 << 20)) doc += "abc \xE4\xB8\xAD\xF0\x9F\x98\x80\n";
  const std::size_t units = *utf16_length(doc);
  text_operation o;
  o.retain(units / 2).insert("X").remove(2).retain(units / 2 - 2);
  const auto r = o.apply(doc);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(utf16_length(*r), o.target_length());
}

TEST(OtTransform, ErrorsChangeNothing) {
  const auto a = op("[1, \"x\"]");
  const auto b = op("[2]");
  EXPECT_FALSE(transform(a, b));
  EXPECT_FALSE(compose(b, a));
  EXPECT_EQ(a, op("[1, \"x\"]"));
}
