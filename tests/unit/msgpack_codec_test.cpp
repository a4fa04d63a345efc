// MessagePack <-> Boost.JSON codec: the encodings Node's notepack.io (the Redis adapter's parser)
// produces for the same values, binaries as placeholders + attachments, and refusal of every kind
// of broken input (each valid encoding cut at every byte, bogus lengths, depth bombs).
#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>

#include "../hex.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

namespace mp = sio::protocol::msgpack;
namespace json = boost::json;

using sio::test::hex;
using sio::test::unhex;

namespace {

struct known {
  const char* json;  // the JavaScript value, as JSON
  const char* hex;   // notepack.io's encode() of it
};

// Generated with notepack.io 3.x (tests/js/node_modules), `msgpack.encode(value).toString("hex")`.
const known table[] = {
    {"null", "c0"},
    {"true", "c3"},
    {"false", "c2"},
    {"0", "00"},
    {"127", "7f"},
    {"128", "cc80"},
    {"255", "ccff"},
    {"256", "cd0100"},
    {"65535", "cdffff"},
    {"65536", "ce00010000"},
    {"4294967295", "ceffffffff"},
    {"4294967296", "cf0000000100000000"},
    {"-1", "ff"},
    {"-32", "e0"},
    {"-33", "d0df"},
    {"-128", "d080"},
    {"-129", "d1ff7f"},
    {"-32768", "d18000"},
    {"-32769", "d2ffff7fff"},
    {"-2147483648", "d280000000"},
    {"-2147483649", "d3ffffffff7fffffff"},
    {"1.5", "cb3ff8000000000000"},
    {"-0.25", "cbbfd0000000000000"},
    {"\"\"", "a0"},
    {"\"a\"", "a161"},
    {"\"h\\u00e9llo\"", "a668c3a96c6c6f"},
    {"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
     "bf78787878787878787878787878787878787878787878787878787878787878"},
    {"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
     "d9207878787878787878787878787878787878787878787878787878787878787878"},
    {"[]", "90"},
    {"[1,2,3]", "93010203"},
    {"{}", "80"},
    {"{\"a\":1}", "81a16101"},
    {R"({"type":2,"data":["ev",{"x":[1,{"y":null}]},"z"],"nsp":"/"})",
     "83a47479706502a46461746193a2657681a178920181a179c0a17aa36e7370a12f"},
    {"[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]", "dc001000000000000000000000000000000000"},
    {R"({"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15})",
     "de0010a26b3000a26b3101a26b3202a26b3303a26b3404a26b3505a26b3606a26b3707a26b3808a26b3909a36b313"
     "00a"
     "a36b31310ba36b31320ca36b31330da36b31340ea36b31350f"},
};

TEST(MsgpackCodec, EncodesAsNotepack) {
  for (const auto& k : table) {
    SCOPED_TRACE(k.json);
    EXPECT_EQ(hex(mp::encode(json::parse(k.json))), k.hex);
  }
}

TEST(MsgpackCodec, DecodesNotepackOutput) {
  for (const auto& k : table) {
    SCOPED_TRACE(k.json);
    auto d = mp::decode(unhex(k.hex));
    ASSERT_TRUE(d) << d.error().message();
    EXPECT_EQ(json::serialize(d->value), json::serialize(json::parse(k.json)));
    EXPECT_TRUE(d->attachments.empty());
  }
}

TEST(MsgpackCodec, IntegralDoublesAreWrittenAsIntegers) {
  // JavaScript has one number type: notepack.io writes 3.0 as 3.
  EXPECT_EQ(hex(mp::encode(json::value(3.0))), "03");
  EXPECT_EQ(hex(mp::encode(json::value(-129.0))), "d1ff7f");
  EXPECT_EQ(hex(mp::encode(json::value(4294967296.0))), "cf0000000100000000");
}

TEST(MsgpackCodec, BuffersBecomePlaceholdersAndBack) {
  // notepack.io: encode(Buffer.from([1,2,3])) and ["ev", Buffer.from([0xde,0xad])]
  auto d = mp::decode(unhex("c403010203"));
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value), R"({"_placeholder":true,"num":0})");
  ASSERT_EQ(d->attachments.size(), 1u);
  EXPECT_EQ(d->attachments[0], std::string("\x01\x02\x03", 3));
  EXPECT_EQ(hex(mp::encode(d->value, d->attachments)), "c403010203");

  d = mp::decode(unhex("92a26576c402dead"));
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value), R"(["ev",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(hex(mp::encode(d->value, d->attachments)), "92a26576c402dead");

  // A placeholder without a matching attachment stays a plain object.
  EXPECT_EQ(hex(mp::encode(d->value)),
            hex(mp::encode(json::parse(R"(["ev",{"_placeholder":true,"num":0}])"))));
  EXPECT_EQ(hex(mp::encode(d->value)), "92a2657682ac5f706c616365686f6c646572c3a36e756d00");

  // A placeholder whose num is an unsigned integer (as sio::make_payload builds them) works too.
  json::object unsigned_num{{"_placeholder", true}, {"num", std::uint64_t{0}}};
  std::vector<std::string> one{"\x01"};
  EXPECT_EQ(hex(mp::encode(json::value(unsigned_num), one)), "c40101");

  // bin 16 header for 256 bytes, as notepack.io writes it.
  std::vector<std::string> big{std::string(256, '\0')};
  EXPECT_EQ(
      hex(mp::encode(json::value(sio::protocol::socketio::make_placeholder(0)), big)).substr(0, 6),
      "c50100");
}

TEST(MsgpackCodec, RedisAdapterBroadcastMessage) {
  // ["abc123", {type:2, data:["hello", Buffer.from("hi"), {a:true}], nsp:"/"},
  //  {rooms:["r1"], except:[], flags:{}}] as @socket.io/redis-adapter publishes it.
  const auto wire = unhex(
      "93a661626331323383a47479706502a46461746193a568656c6c6fc402686981a161c3a36e7370a12f83a572"
      "6f6f6d7391a27231a665786365707490a5666c61677380");
  auto d = mp::decode(wire);
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value),
            R"(["abc123",{"type":2,"data":["hello",{"_placeholder":true,"num":0},{"a":true}],)"
            R"("nsp":"/"},{"rooms":["r1"],"except":[],"flags":{}}])");
  ASSERT_EQ(d->attachments.size(), 1u);
  EXPECT_EQ(d->attachments[0], "hi");
  EXPECT_EQ(mp::encode(d->value, d->attachments), wire);
}

TEST(MsgpackCodec, ExtensionsAsNotepackReadsThem) {
  // Dates (timestamp ext -1) become what JSON.stringify makes of a Date.
  auto d = mp::decode(unhex("d6ff00000000"));  // new Date(0)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value("1970-01-01T00:00:00.000Z"));
  d = mp::decode(unhex("d7ff1d5353006553f100"));  // new Date(1700000000123)
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value("2023-11-14T22:13:20.123Z"));
  // timestamp 96: -1 s
  d = mp::decode(unhex("c70cff00000000ffffffffffffffff"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value("1969-12-31T23:59:59.000Z"));
  // timestamp 96: -1 s + 0.5 ms; the Date constructor truncates -999.5 ms toward zero
  d = mp::decode(unhex("c70cff0007a120ffffffffffffffff"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value("1969-12-31T23:59:59.001Z"));
  // legacy undefined
  d = mp::decode(unhex("92d4000001"));
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value), "[null,1]");
  // legacy ArrayBuffer (ext 8, type 0) is binary
  d = mp::decode(unhex("c70200abcd"));
  ASSERT_TRUE(d);
  ASSERT_EQ(d->attachments.size(), 1u);
  EXPECT_EQ(d->attachments[0], "\xab\xcd");
  // any other extension: [type, Buffer]
  d = mp::decode(unhex("d505abcd"));
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value), R"([5,{"_placeholder":true,"num":0}])");
  EXPECT_EQ(d->attachments[0], "\xab\xcd");
}

TEST(MsgpackCodec, OtherScalars) {
  auto d = mp::decode(unhex("ca3fc00000"));  // float 32
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value(1.5));
  d = mp::decode(unhex("cfffffffffffffffff"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value.as_uint64(), UINT64_MAX);
  d = mp::decode(unhex("d3ffffffffffffffff"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value.as_int64(), -1);
  EXPECT_EQ(hex(mp::encode(json::value(UINT64_MAX))), "cfffffffffffffffff");
}

TEST(MsgpackCodec, MapKeysAsJavaScriptStrings) {
  auto d =
      mp::decode(unhex("8401a161c0a162c3a163ff"
                       "a164"));
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value), R"({"1":"a","null":"b","true":"c","-1":"d"})");
  EXPECT_EQ(mp::decode(unhex("8190a161")).error(), mp::error::invalid_key);
  EXPECT_EQ(mp::decode(unhex("8180a161")).error(), mp::error::invalid_key);
  EXPECT_EQ(mp::decode(unhex("81c401aaa161")).error(), mp::error::invalid_key);
  // Duplicate keys: the last wins, as in JavaScript.
  d = mp::decode(unhex("82a16101a16102"));
  ASSERT_TRUE(d);
  EXPECT_EQ(json::serialize(d->value), R"({"a":2})");
}

TEST(MsgpackCodec, InvalidUtf8IsReplaced) {
  auto d = mp::decode(unhex("a461ff62e2"));  // "a" 0xff "b" and a truncated 3-byte sequence
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value("a\xEF\xBF\xBD"
                                  "b\xEF\xBF\xBD"));
  d = mp::decode(unhex("a3eda080"));  // a UTF-16 surrogate: three replacements
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, json::value("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"));
}

TEST(MsgpackCodec, EveryPrefixIsTruncated) {
  std::vector<std::string> wires;
  for (const auto& k : table) wires.push_back(unhex(k.hex));
  wires.push_back(unhex("d7ff1d5353006553f100"));
  wires.push_back(unhex("c70cff00000000ffffffffffffffff"));
  wires.push_back(unhex("92a26576c402dead"));
  for (const auto& w : wires) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      auto d = mp::decode(std::string_view(w).substr(0, i));
      ASSERT_FALSE(d) << hex(w) << " cut at " << i;
      EXPECT_EQ(d.error(), mp::error::truncated) << hex(w) << " cut at " << i;
    }
  }
}

TEST(MsgpackCodec, RefusesBrokenInput) {
  EXPECT_EQ(mp::decode(unhex("c0c0")).error(), mp::error::trailing_bytes);
  EXPECT_EQ(mp::decode(unhex("c1")).error(), mp::error::invalid_byte);
  EXPECT_EQ(mp::decode(unhex("91c1")).error(), mp::error::invalid_byte);
  // Lengths far beyond the input: refused before any allocation.
  EXPECT_EQ(mp::decode(unhex("ddffffffff")).error(), mp::error::truncated);
  EXPECT_EQ(mp::decode(unhex("dfffffffff")).error(), mp::error::truncated);
  EXPECT_EQ(mp::decode(unhex("dbffffffff61")).error(), mp::error::truncated);
  EXPECT_EQ(mp::decode(unhex("c6ffffffff61")).error(), mp::error::truncated);
  EXPECT_EQ(mp::decode(unhex("c9ffffffff0561")).error(), mp::error::truncated);
  // A map32 whose doubled count would wrap a 32-bit counter.
  EXPECT_EQ(mp::decode(unhex("df80000000")).error(), mp::error::truncated);
  // Depth bomb.
  std::string deep(10000, '\x91');
  deep.push_back('\xc0');
  EXPECT_EQ(mp::decode(deep).error(), mp::error::too_deep);
  deep = std::string(100, '\x91') + "\xc0";
  EXPECT_TRUE(mp::decode(deep));
  EXPECT_EQ(mp::decode(deep, {.max_depth = 10}).error(), mp::error::too_deep);
  // An unknown extension reads as the array [type, binary]: one more level, counted as such, so
  // whatever decodes re-encodes into something that decodes again (found by fuzz_msgpack).
  const std::string ext = "\xd6\x2a\x01\x02\x03\x04";  // fixext 4, type 42
  EXPECT_TRUE(mp::decode(std::string(99, '\x91') + ext));
  EXPECT_EQ(mp::decode(std::string(100, '\x91') + ext).error(), mp::error::too_deep);
  EXPECT_EQ(mp::decode("").error(), mp::error::truncated);
}

}  // namespace
