// The Socket.IO MessagePack packet codec (socket.io-msgpack-parser's wire form): byte-exact
// against the npm package (msgpack_parser_vectors.json, made by msgpack_parser_vectors.mjs), round
// trips, refusal of what the npm Decoder refuses plus this codec's stricter checks, every valid
// encoding cut at every byte, and bounded depth.
#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/msgpack_parser.hpp>

#include "../hex.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mpp = sio::protocol::msgpack_parser;
namespace mp = sio::protocol::msgpack;
namespace pt = sio::protocol::socketio;
namespace json = boost::json;

using sio::test::hex;
using sio::test::unhex;

namespace {

const json::object& vectors() {
  static const json::object v = [] {
    std::ifstream in(SIO_MSGPACK_PARSER_VECTORS);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).as_object();
  }();
  return v;
}

pt::packet packet_of(const json::object& o) {
  pt::packet p;
  p.type = static_cast<pt::packet_type>(o.at("type").to_number<int>());
  p.nsp = o.at("nsp").as_string();
  if (const auto* id = o.if_contains("id")) p.id = id->to_number<std::uint64_t>();
  if (const auto* d = o.if_contains("data")) p.data = *d;
  if (const auto* a = o.if_contains("attachments")) {
    for (const auto& h : a->as_array()) p.attachments.push_back(unhex(h.as_string()));
  }
  return p;
}

void expect_same(const pt::packet& a, const pt::packet& b, std::string_view name) {
  EXPECT_EQ(a.type, b.type) << name;
  EXPECT_EQ(a.nsp, b.nsp) << name;
  EXPECT_EQ(a.id, b.id) << name;
  // Compare numbers by value: the vectors hold 1e300 as a double, the decoder too.
  EXPECT_EQ(json::serialize(a.data), json::serialize(b.data)) << name;
  EXPECT_EQ(a.attachments, b.attachments) << name;
}

pt::packet event(json::array data, std::string nsp = "/") {
  pt::packet p;
  p.type = pt::packet_type::event;
  p.nsp = std::move(nsp);
  p.data = std::move(data);
  return p;
}

}  // namespace

TEST(MsgpackParser, EncodesAsTheNpmPackage) {
  for (const auto& v : vectors().at("server").as_array()) {
    const auto& o = v.as_object();
    const auto name = std::string(o.at("name").as_string());
    EXPECT_EQ(hex(mpp::encode(packet_of(o.at("packet").as_object()))), o.at("hex").as_string())
        << name;
  }
}

TEST(MsgpackParser, DecodesWhatTheNpmPackageWrites) {
  for (const char* side : {"server", "client"}) {
    for (const auto& v : vectors().at(side).as_array()) {
      const auto& o = v.as_object();
      const auto name = std::string(o.at("name").as_string());
      auto p = mpp::decode(unhex(o.at("hex").as_string()));
      ASSERT_TRUE(p) << name << ": " << p.error().message();
      auto want = packet_of(o.at("packet").as_object());
      expect_same(*p, want, name);
    }
  }
}

TEST(MsgpackParser, RefusesWhatTheNpmDecoderRefuses) {
  for (const auto& v : vectors().at("invalid").as_array()) {
    const auto& o = v.as_object();
    EXPECT_FALSE(mpp::decode(unhex(o.at("hex").as_string()))) << o.at("name").as_string();
  }
}

TEST(MsgpackParser, BinaryTypesAreWrittenAsEventAndAck) {
  auto p = event({"b", pt::make_placeholder(0)});
  p.type = pt::packet_type::binary_event;
  p.attachments = {"\x01"};
  auto back = mpp::decode(mpp::encode(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, pt::packet_type::event);
  EXPECT_EQ(back->attachments, p.attachments);

  p.type = pt::packet_type::binary_ack;
  p.id = 4;
  p.data = json::array{pt::make_placeholder(0)};
  back = mpp::decode(mpp::encode(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, pt::packet_type::ack);
  EXPECT_EQ(back->id, 4u);
}

TEST(MsgpackParser, RoundTripsLargeValues) {
  const std::string big(70000, 'x');
  auto p = event({"big", json::string(big), pt::make_placeholder(0)});
  p.attachments = {std::string(70000, '\x07')};
  p.id = 1;
  auto back = mpp::decode(mpp::encode(p));
  ASSERT_TRUE(back);
  expect_same(*back, p, "big");
}

TEST(MsgpackParser, StricterThanTheNpmDecoder) {
  const auto refused = [](const json::value& packet, std::vector<std::string> att,
                          boost::system::error_code want) {
    auto r = mpp::decode(mp::encode(packet, att));
    ASSERT_FALSE(r) << json::serialize(packet);
    EXPECT_EQ(r.error(), want) << json::serialize(packet);
  };
  using sio::protocol::error;
  refused(json::object{{"type", 2}, {"nsp", "/"}, {"data", json::array{}}}, {},
          error::invalid_event_name);
  refused(json::object{{"type", 2}, {"nsp", "/"}, {"data", json::array{true}}}, {},
          error::invalid_event_name);
  refused(json::object{{"type", 2}, {"nsp", "/"}, {"data", json::array{"disconnect"}}}, {},
          error::reserved_event_name);
  refused(json::object{{"type", 2}, {"nsp", "/"}, {"id", -1}, {"data", json::array{"x"}}}, {},
          error::invalid_ack_id);
  // A map shaped like a placeholder beside a bin (out of the decoder's order): see below.
  std::string forged;  // fixmap 3: type 2, nsp "/", data [bin "a", {"_placeholder":true,"num":0}]
  forged +=
      "\x83\xa4type\x02\xa3nsp\xa1/\xa4"
      "data";
  forged +=
      "\x93\xa1x\xc4\x01"
      "a";
  forged += "\x82\xac_placeholder\xc3\xa3num";
  forged.push_back('\0');
  auto f = mpp::decode(forged);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error(), error::invalid_placeholder);
}

TEST(MsgpackParser, PlaceholderShapedMapWithoutBinaryIsData) {
  const json::value packet =
      json::object{{"type", 2}, {"nsp", "/"}, {"data", json::array{"x", pt::make_placeholder(0)}}};
  auto r = mpp::decode(mp::encode(packet, {}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->attachments.empty());
  EXPECT_EQ(r->data.as_array()[1], pt::make_placeholder(0));
  // And it is written back as the map it is.
  EXPECT_EQ(mpp::decode(mpp::encode(*r))->data, r->data);
}

TEST(MsgpackParser, IgnoresOtherKeysAndReadsIntegralDoubles) {
  // Extra keys are ignored; an integral double is an integer (as Number.isInteger sees it).
  std::string b;
  b += "\x84\xa4type\xcb";
  b.append("\x40\x00\x00\x00\x00\x00\x00\x00", 8);  // 2.0
  b += "\xa3nsp\xa1/\xa4"
       "data\x91\xa1x\xa7options\x81\xa8"
       "compress\xc3";
  auto r = mpp::decode(b);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->type, pt::packet_type::event);
  // A text message is not this parser's: the server refuses it (msgpack_parser.hpp). Here: bytes
  // that are not MessagePack at all.
  EXPECT_FALSE(mpp::decode("2[\"x\"]"));
}

TEST(MsgpackParser, EveryCutIsAnError) {
  for (const char* side : {"server", "client"}) {
    for (const auto& v : vectors().at(side).as_array()) {
      const auto bytes = unhex(v.as_object().at("hex").as_string());
      for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(mpp::decode(std::string_view(bytes).substr(0, n)))
            << v.as_object().at("name").as_string() << " cut at " << n;
    }
  }
}

TEST(MsgpackParser, DepthIsBounded) {
  json::value deep = json::array{};
  for (int i = 0; i < 70; ++i) deep = json::array{std::move(deep)};
  auto p = event({"d", deep});
  auto r = mpp::decode(mpp::encode(p), {.max_depth = 64});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), sio::protocol::error::json_too_deep);
  EXPECT_TRUE(mpp::decode(mpp::encode(p), {.max_depth = 80}));
  // A depth bomb: 100000 nested fixarrays in 100 KB.
  std::string bomb =
      "\x83\xa4type\x02\xa3nsp\xa1/\xa4"
      "data";
  bomb.append(100000, '\x91');
  bomb.push_back('\x01');
  EXPECT_FALSE(mpp::decode(bomb));
}
