// UTF-8 validation and lossy decoding (sio_protocol). Expected lossy outputs are what Node.js
// prints for Buffer.from(hex, "hex").toString("utf8").
#include <sio/protocol/utf8.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using sio::protocol::append_utf8_lossy;
using sio::protocol::valid_utf8;

std::string lossy(std::string_view s) {
  std::string out = "<";
  append_utf8_lossy(s, out);
  return out;
}

TEST(Utf8, WellFormedInput) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ASCII, longer than one eight-byte word"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9"));          // U+00E9
  EXPECT_TRUE(valid_utf8("\xe2\x82\xac"));      // U+20AC
  EXPECT_TRUE(valid_utf8("\xef\xbf\xbf"));      // U+FFFF
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_TRUE(valid_utf8("abcdefgh\xc3\xa9z/room\xe2\x82\xac"));
}

TEST(Utf8, IllFormedInput) {
  for (const std::string_view bad : {
           std::string_view("\xff"),              // never a lead byte
           std::string_view("\x80"),              // continuation without a lead
           std::string_view("\xc0\xaf"),          // overlong '/'
           std::string_view("\xe0\x80\xaf"),      // overlong '/'
           std::string_view("\xed\xa0\x80"),      // surrogate U+D800
           std::string_view("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string_view("\xe2\x82"),          // truncated at the end
           std::string_view("\xf0\x9f\x98"
                            "b"),  // truncated before ASCII
           std::string_view("ABCDEFGHI\xff"
                            "J"),  // after a whole ASCII word
       }) {
    EXPECT_FALSE(valid_utf8(bad)) << testing::PrintToString(bad);
  }
}

TEST(Utf8, EveryTruncationOfAMultibyteSequenceIsRefused) {
  const std::string_view emoji = "\xf0\x9f\x98\x80";
  for (std::size_t n = 1; n < emoji.size(); ++n) {
    EXPECT_FALSE(valid_utf8(emoji.substr(0, n))) << n;
    EXPECT_FALSE(valid_utf8(std::string("12345678").append(emoji.substr(0, n)))) << n;
  }
}

TEST(Utf8, LossyDecodingReplacesEachMaximalSubpartAsNodeDoes) {
  EXPECT_EQ(lossy("a\xf0\x9f\x98"
                  "b"),
            "<a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(lossy("\xed\xa0\x80"), "<\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(lossy("\xc0\xaf"), "<\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(lossy("\xf4\x90\x80\x80"), "<\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(lossy("\xe2\x82"), "<\xef\xbf\xbd");
  EXPECT_EQ(lossy("\xff"), "<\xef\xbf\xbd");
  EXPECT_EQ(lossy("ABCDEFGHI\xff"
                  "J"),
            "<ABCDEFGHI\xef\xbf\xbd"
            "J");
}

TEST(Utf8, LossyDecodingKeepsWellFormedInput) {
  for (const std::string_view ok :
       {std::string_view(""), std::string_view("hello"),
        std::string_view("\xe2\x82\xac and \xc3\xa9"), std::string_view("\xf0\x9f\x98\x80")}) {
    EXPECT_EQ(lossy(ok), std::string("<").append(ok));
  }
}

}  // namespace
