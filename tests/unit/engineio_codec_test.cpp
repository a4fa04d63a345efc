// Engine.IO v4 codec: table-driven from docs/engine.io-protocol/v4-current.md, every payload also
// fed to the incremental decoder split at every byte position.
#include <sio/protocol/engineio.hpp>
#include <sio/protocol/engineio_route.hpp>

#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

namespace eio = sio::protocol::engineio;
using sio::protocol::error;
using pt = eio::packet_type;

namespace {

eio::packet text(pt t, std::string d = {}) {
  return {t, false, std::move(d)};
}
eio::packet bin(std::string d) {
  return {pt::message, true, std::move(d)};
}

// Feeds `body` to a fresh decoder split at `cut` (and, when cut2 > cut, at cut2 too).
boost::system::result<std::vector<eio::packet>> decode_split(std::string_view body, std::size_t cut,
                                                             std::size_t cut2,
                                                             std::size_t max = 1'000'000) {
  eio::payload_decoder d{max};
  std::vector<eio::packet> out;
  const std::size_t c2 = std::max(cut, cut2);
  for (auto part : {body.substr(0, cut), body.substr(cut, c2 - cut), body.substr(c2)}) {
    if (auto r = d.feed(part, out); !r) return r.error();
  }
  if (auto r = d.finish(out); !r) return r.error();
  return out;
}

// --- single packets ----------------------------------------------------------------------------

struct packet_case {
  std::string wire;
  eio::packet expected;
};

class PacketDecode : public ::testing::TestWithParam<packet_case> {};

TEST_P(PacketDecode, DecodesAndReencodes) {
  const auto& c = GetParam();
  auto p = eio::decode_packet(c.wire);
  ASSERT_TRUE(p) << c.wire;
  EXPECT_EQ(*p, c.expected);
  EXPECT_EQ(eio::encode_packet(*p), c.wire);
}

INSTANTIATE_TEST_SUITE_P(
    ProtocolDoc, PacketDecode,
    ::testing::Values(
        packet_case{"0{\"sid\":\"x\"}", text(pt::open, "{\"sid\":\"x\"}")},
        packet_case{"1", text(pt::close)}, packet_case{"2", text(pt::ping)},
        packet_case{"3", text(pt::pong)}, packet_case{"2probe", text(pt::ping, "probe")},
        packet_case{"3probe", text(pt::pong, "probe")},
        packet_case{"4hello", text(pt::message, "hello")}, packet_case{"4", text(pt::message, "")},
        packet_case{"4€ unicode", text(pt::message, "€ unicode")},
        packet_case{"5", text(pt::upgrade)}, packet_case{"6", text(pt::noop)},
        packet_case{"bAQIDBA==", bin("\x01\x02\x03\x04")}, packet_case{"b", bin("")}));

TEST(PacketDecode, RejectsBadInput) {
  EXPECT_EQ(eio::decode_packet("").error(), error::empty_packet);
  EXPECT_EQ(eio::decode_packet("abc").error(), error::unknown_packet_type);
  EXPECT_EQ(eio::decode_packet("7").error(), error::unknown_packet_type);
  EXPECT_EQ(eio::decode_packet("/").error(), error::unknown_packet_type);
  EXPECT_EQ(eio::decode_packet("b!!!!").error(), error::invalid_base64);
  EXPECT_EQ(eio::decode_packet("bA").error(), error::invalid_base64);
}

TEST(PacketDecode, BinaryFrameIsAMessage) {
  const std::string raw("\x00\x01\xff", 3);
  EXPECT_EQ(eio::decode_binary(raw), bin(raw));
}

TEST(PacketEncode, TypeDigits) {
  EXPECT_EQ(eio::encode_packet(pt::open, "{}"), "0{}");
  EXPECT_EQ(eio::encode_packet(pt::ping), "2");
  EXPECT_EQ(eio::encode_packet(pt::pong, eio::probe), "3probe");
  EXPECT_EQ(eio::encode_packet(pt::noop), "6");
  EXPECT_EQ(eio::type_char(pt::upgrade), '5');
}

// --- payloads ----------------------------------------------------------------------------------

struct payload_case {
  std::string wire;
  std::vector<eio::packet> packets;
};

class Payload : public ::testing::TestWithParam<payload_case> {};

TEST_P(Payload, EncodesAsTheDocument) {
  const auto& c = GetParam();
  EXPECT_EQ(eio::encode_payload(c.packets), c.wire);
  std::string appended;
  for (const auto& p : c.packets) eio::append_payload_record(appended, p.type, p.data, p.binary);
  EXPECT_EQ(appended, c.wire);
}

TEST_P(Payload, DecodesSplitAtEveryBytePair) {
  const auto& c = GetParam();
  for (std::size_t i = 0; i <= c.wire.size(); ++i) {
    for (std::size_t j = i; j <= c.wire.size(); ++j) {
      auto r = decode_split(c.wire, i, j);
      ASSERT_TRUE(r) << "split at " << i << "," << j;
      EXPECT_EQ(*r, c.packets) << "split at " << i << "," << j;
    }
  }
}

TEST_P(Payload, DecodesByteByByte) {
  const auto& c = GetParam();
  eio::payload_decoder d;
  std::vector<eio::packet> out;
  for (const char ch : c.wire) ASSERT_TRUE(d.feed(std::string_view(&ch, 1), out));
  ASSERT_TRUE(d.finish(out));
  EXPECT_EQ(out, c.packets);
}

INSTANTIATE_TEST_SUITE_P(
    ProtocolDoc, Payload,
    ::testing::Values(
        payload_case{"4hello\x1e"
                     "2\x1e"
                     "4world",
                     {text(pt::message, "hello"), text(pt::ping), text(pt::message, "world")}},
        payload_case{"4hello\x1e"
                     "bAQIDBA==",
                     {text(pt::message, "hello"), bin("\x01\x02\x03\x04")}},
        payload_case{"4hello", {text(pt::message, "hello")}},
        payload_case{
            "4test1\x1e"
            "4test2\x1e"
            "4test3",
            {text(pt::message, "test1"), text(pt::message, "test2"), text(pt::message, "test3")}},
        payload_case{"3", {text(pt::pong)}}, payload_case{"1", {text(pt::close)}},
        payload_case{"4€\x1e"
                     "4\xf0\x9f\x98\x80",
                     {text(pt::message, "€"), text(pt::message, "\xf0\x9f\x98\x80")}}));

TEST(PayloadDecode, ErrorsAtTheFirstBadRecordAndStaysFailed) {
  eio::payload_decoder d;
  std::vector<eio::packet> out;
  auto r = d.feed(
      "4ok\x1e"
      "abc\x1e"
      "4never",
      out);
  EXPECT_EQ(r.error(), error::unknown_packet_type);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], text(pt::message, "ok"));
  EXPECT_FALSE(d.feed("4more", out));
  EXPECT_FALSE(d.finish(out));
  EXPECT_EQ(out.size(), 1u);
  d.reset();
  EXPECT_TRUE(d.feed("4again", out));
  EXPECT_TRUE(d.finish(out));
  EXPECT_EQ(out.back(), text(pt::message, "again"));
}

TEST(PayloadDecode, RejectsBadPayloadsAtEverySplit) {
  const std::vector<std::pair<std::string, error>> bad = {
      {"", error::empty_packet},
      {"abc", error::unknown_packet_type},
      {"4a\x1e\x1e"
       "4b",
       error::empty_packet},
      {"4a\x1e", error::empty_packet},
      {"\x1e"
       "4a",
       error::empty_packet},
      {"4a\x1e"
       "b***",
       error::invalid_base64},
      {"9", error::unknown_packet_type},
  };
  for (const auto& [wire, e] : bad) {
    for (std::size_t i = 0; i <= wire.size(); ++i) {
      auto r = decode_split(wire, i, i);
      ASSERT_FALSE(r) << "'" << wire << "' split at " << i;
      EXPECT_EQ(r.error(), e) << "'" << wire << "' split at " << i;
    }
  }
}

TEST(PayloadDecode, EnforcesMaxPayloadAcrossChunks) {
  const std::string body = "4" + std::string(99, 'x');  // 100 bytes
  EXPECT_TRUE(eio::decode_payload(body, 100));
  EXPECT_EQ(eio::decode_payload(body, 99).error(), error::payload_too_large);
  for (std::size_t i = 0; i <= body.size(); ++i) {
    auto r = decode_split(body, i, i, 99);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error::payload_too_large);
  }
}

// --- base64 ------------------------------------------------------------------------------------

TEST(Base64, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> v = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {std::string("\x01\x02\x03\x04"), "AQIDBA=="},
      {std::string("\xfb\xff\xbf", 3), "+/+/"}};
  for (const auto& [raw, enc] : v) {
    EXPECT_EQ(eio::base64_encode(raw), enc);
    auto d = eio::base64_decode(enc);
    ASSERT_TRUE(d) << enc;
    EXPECT_EQ(*d, raw);
  }
}

TEST(Base64, AcceptsMissingPaddingRejectsGarbage) {
  EXPECT_EQ(*eio::base64_decode("Zg"), "f");
  EXPECT_EQ(*eio::base64_decode("Zm8"), "fo");
  for (std::string_view bad :
       {"Z", "Zg=", "Z===", "Zm9v=", "Zm 9v", "Zm9v\n", "Zm-_", "=Zm9", "Zg==Zg==", "Zm==v"}) {
    EXPECT_FALSE(eio::base64_decode(bad)) << bad;
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    const auto s = all.substr(0, n);
    EXPECT_EQ(*eio::base64_decode(eio::base64_encode(s)), s);
  }
}

TEST(Base64, UrlSafeIdsHaveNoPaddingOrSlashes) {
  const std::vector<unsigned char> b(15, 0xff);
  const auto id = eio::base64url_encode(b);
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(id, "____________________");
  EXPECT_TRUE(eio::is_plausible_sid(id));
}

// --- handshake ---------------------------------------------------------------------------------

TEST(Handshake, OpenPacketAsTheDocument) {
  const eio::handshake h{"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 20000, 1000000};
  EXPECT_EQ(eio::encode_open(h),
            "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],"
            "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
  const auto v = boost::json::parse(eio::encode_handshake_json({"a\"b", {}, 300, 200, 1000000}));
  EXPECT_EQ(v.at("sid").as_string(), "a\"b");
  EXPECT_TRUE(v.at("upgrades").as_array().empty());
}

TEST(Handshake, JsonAsBoostJsonWritesIt) {
  const eio::handshake cases[] = {
      {"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 20000, 1000000},
      {"a\"b\\c\x01\n\u00e9", {}, 300, 200, 1000000},
      {"", {"websocket", "x\"y"}, 0, -1, 18446744073709551615ull},
  };
  for (const auto& h : cases) {
    boost::json::object o;
    o["sid"] = h.sid;
    boost::json::array up;
    for (const auto& u : h.upgrades) up.emplace_back(u);
    o["upgrades"] = std::move(up);
    o["pingInterval"] = h.ping_interval;
    o["pingTimeout"] = h.ping_timeout;
    o["maxPayload"] = h.max_payload;
    EXPECT_EQ(eio::encode_handshake_json(h), boost::json::serialize(o)) << h.sid;
  }
}

TEST(Handshake, ErrorBodiesAsTheNodeServer) {
  using re = eio::request_error;
  EXPECT_EQ(eio::encode_error_body(re::unknown_transport),
            "{\"code\":0,\"message\":\"Transport unknown\"}");
  EXPECT_EQ(eio::encode_error_body(re::unknown_sid),
            "{\"code\":1,\"message\":\"Session ID unknown\"}");
  EXPECT_EQ(eio::encode_error_body(re::bad_handshake_method),
            "{\"code\":2,\"message\":\"Bad handshake method\"}");
  EXPECT_EQ(eio::encode_error_body(re::bad_request), "{\"code\":3,\"message\":\"Bad request\"}");
  EXPECT_EQ(eio::encode_error_body(re::forbidden), "{\"code\":4,\"message\":\"Forbidden\"}");
  EXPECT_EQ(eio::encode_error_body(re::forbidden, "nope"), "{\"code\":4,\"message\":\"nope\"}");
  EXPECT_EQ(eio::encode_error_body(re::unsupported_protocol_version),
            "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
  EXPECT_EQ(eio::http_status(re::forbidden), 403u);
  EXPECT_EQ(eio::http_status(re::unknown_sid), 400u);
}

TEST(Query, UrlSearchParamsSemantics) {
  auto q = eio::parse_query("/engine.io/?EIO=4&transport=polling&t=N8hyd6w&x=a+b%20c&x=last");
  EXPECT_EQ(q.at("EIO"), "4");
  EXPECT_EQ(q.at("transport"), "polling");
  EXPECT_EQ(q.at("x"), "last");
  EXPECT_EQ(eio::parse_query("?x=a+b%20c%2").at("x"), "a b c%2");
  EXPECT_EQ(eio::parse_query("?x=%zz").at("x"), "%zz");
  auto p = eio::parse_query("?__proto__=1&constructor=2&&=&flag");
  EXPECT_EQ(p.at("__proto__"), "1");
  EXPECT_EQ(p.at("constructor"), "2");
  EXPECT_EQ(p.at("flag"), "");
  EXPECT_TRUE(eio::parse_query("/engine.io/").empty());
  EXPECT_EQ(eio::target_path("/engine.io/?EIO=4"), "/engine.io/");
}

TEST(Query, HandshakeChecksInTheNodeOrder) {
  using re = eio::request_error;
  const eio::handshake_check get{};
  auto check = [](std::string_view target, eio::handshake_check c) {
    return eio::check_handshake(eio::parse_route_params(target), c);
  };
  EXPECT_EQ(check("?EIO=4", get), re::unknown_transport);
  EXPECT_EQ(check("?EIO=4&transport=abc", get), re::unknown_transport);
  EXPECT_EQ(check("?EIO=4&transport=__proto__", get), re::unknown_transport);
  EXPECT_EQ(check("?EIO=4&transport=polling", {true, true, false, false}),
            re::bad_handshake_method);
  EXPECT_EQ(check("?EIO=4&transport=websocket", get), re::bad_request);
  EXPECT_EQ(check("?EIO=4&transport=websocket", {true, false, true, true}), re::unknown_transport);
  EXPECT_EQ(check("?EIO=4&transport=polling", {false, true, true, false}), re::unknown_transport);
  EXPECT_FALSE(check("?EIO=4&transport=websocket", {true, true, true, true}));
  EXPECT_FALSE(check("?EIO=4&transport=polling", get));
  EXPECT_TRUE(eio::is_supported_version(eio::parse_route_params("?EIO=4")));
  EXPECT_FALSE(eio::is_supported_version(eio::parse_route_params("?EIO=3")));
  EXPECT_FALSE(eio::is_supported_version(eio::parse_route_params("?EIO=abc")));
  EXPECT_FALSE(eio::is_supported_version(eio::parse_route_params("?transport=polling")));
  EXPECT_EQ(eio::parse_transport("websocket"), eio::transport_kind::websocket);
  EXPECT_FALSE(eio::parse_transport("webtransport"));
}

TEST(Query, PlausibleSid) {
  EXPECT_TRUE(eio::is_plausible_sid("lv_VI97HAXpY6yYWAAAC"));
  EXPECT_FALSE(eio::is_plausible_sid(""));
  EXPECT_FALSE(eio::is_plausible_sid("a/b"));
  EXPECT_FALSE(eio::is_plausible_sid(std::string(200, 'a')));
}

}  // namespace
