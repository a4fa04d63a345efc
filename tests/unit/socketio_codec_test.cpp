// Socket.IO v5 packet codec: every example of the v5 protocol document, the conformance test
// suite's packets, socket.io-parser's own test cases, invalid input and attachment sequencing.
#include <sio/protocol/socketio.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sio::protocol::socketio {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

const char* type_name(packet_type t) {
  switch (t) {
    case packet_type::connect:
      return "CONNECT";
    case packet_type::disconnect:
      return "DISCONNECT";
    case packet_type::event:
      return "EVENT";
    case packet_type::ack:
      return "ACK";
    case packet_type::connect_error:
      return "CONNECT_ERROR";
    case packet_type::binary_event:
      return "BINARY_EVENT";
    case packet_type::binary_ack:
      return "BINARY_ACK";
  }
  return "?";
}

json::value js(std::string_view text) {
  return text.empty() ? json::value() : json::parse(text);
}

packet make(packet_type t, std::string nsp, std::optional<std::uint64_t> id, std::string_view data,
            std::vector<std::string> attachments = {}) {
  packet p;
  p.type = t;
  p.nsp = std::move(nsp);
  p.id = id;
  p.data = js(data);
  p.attachments = std::move(attachments);
  return p;
}

void expect_same(const packet& got, const packet& want) {
  EXPECT_EQ(type_name(got.type), std::string(type_name(want.type)));
  EXPECT_EQ(got.nsp, want.nsp);
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.data, want.data) << json::serialize(got.data) << " vs "
                                 << json::serialize(want.data);
  EXPECT_EQ(got.attachments, want.attachments);
}

// Feeds the text and then every binary message; the packet must complete on the last one.
boost::system::result<packet> decode_all(decoder& d, std::string_view text,
                                         const std::vector<std::string>& binaries) {
  auto r = d.on_text(text);
  if (!r) return r.error();
  if (binaries.empty()) {
    EXPECT_TRUE(r->has_value()) << text;
    if (!r->has_value()) return error::invalid_payload;
    return std::move(**r);
  }
  EXPECT_FALSE(r->has_value()) << text;
  EXPECT_TRUE(d.pending());
  for (std::size_t i = 0; i < binaries.size(); ++i) {
    auto b = d.on_binary(binaries[i]);
    if (!b) return b.error();
    if (i + 1 < binaries.size()) {
      EXPECT_FALSE(b->has_value());
      EXPECT_TRUE(d.pending());
    } else {
      EXPECT_TRUE(b->has_value());
      EXPECT_FALSE(d.pending());
      if (!b->has_value()) return error::invalid_payload;
      return std::move(**b);
    }
  }
  return error::invalid_payload;
}

boost::system::result<packet> decode_one(std::string_view text,
                                         const std::vector<std::string>& binaries = {},
                                         decoder_limits limits = {}) {
  decoder d(limits);
  return decode_all(d, text, binaries);
}

const std::string bin1234 = "\x01\x02\x03\x04"s;

// --- canonical wire forms: decode, encode back byte for byte, round trip -----------------------

struct canonical_case {
  const char* name;
  std::string text;
  std::vector<std::string> binaries;
  packet p;
};

std::ostream& operator<<(std::ostream& os, const canonical_case& c) {
  return os << c.name;
}

std::vector<canonical_case> canonical_cases() {
  using t = packet_type;
  return {
      // v5 protocol document, "Packet encoding" examples
      {"doc_connect_main", "0", {}, make(t::connect, "/", {}, "")},
      {"doc_connect_custom_with_sid",
       R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})",
       {},
       make(t::connect, "/admin", {}, R"({"sid":"oSO0OpakMV_3jnilAAAA"})")},
      {"doc_connect_error",
       R"(4{"message":"Not authorized"})",
       {},
       make(t::connect_error, "/", {}, R"({"message":"Not authorized"})")},
      {"doc_event_main", R"(2["foo"])", {}, make(t::event, "/", {}, R"(["foo"])")},
      {"doc_event_custom", R"(2/admin,["bar"])", {}, make(t::event, "/admin", {}, R"(["bar"])")},
      {"doc_binary_event",
       R"(51-["baz",{"_placeholder":true,"num":0}])",
       {bin1234},
       make(t::event, "/", {}, R"(["baz",{"_placeholder":true,"num":0}])", {bin1234})},
      {"doc_binary_event_two_attachments",
       R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
       {"\x01\x02"s, "\x03\x04"s},
       make(t::event, "/admin", {},
            R"(["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
            {"\x01\x02"s, "\x03\x04"s})},
      {"doc_event_with_ack", R"(212["foo"])", {}, make(t::event, "/", 12, R"(["foo"])")},
      {"doc_ack_custom", R"(3/admin,13["bar"])", {}, make(t::ack, "/admin", 13, R"(["bar"])")},
      {"doc_binary_ack",
       R"(61-15["bar",{"_placeholder":true,"num":0}])",
       {bin1234},
       make(t::ack, "/", 15, R"(["bar",{"_placeholder":true,"num":0}])", {bin1234})},
      {"doc_disconnect_main", "1", {}, make(t::disconnect, "/", {}, "")},
      {"doc_disconnect_custom", "1/admin,", {}, make(t::disconnect, "/admin", {}, "")},
      // v5 protocol document, exchange examples and sample session
      {"doc_connect_custom", "0/admin,", {}, make(t::connect, "/admin", {}, "")},
      {"doc_connect_with_auth",
       R"(0/admin,{"token":"123"})",
       {},
       make(t::connect, "/admin", {}, R"({"token":"123"})")},
      {"doc_connect_main_sid",
       R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})",
       {},
       make(t::connect, "/", {}, R"({"sid":"wZX3oN0bSVIhsaknAAAI"})")},
      {"doc_ack_empty", "312[]", {}, make(t::ack, "/", 12, "[]")},
      {"doc_event_custom_ack",
       R"(2/admin,13["foo"])",
       {},
       make(t::event, "/admin", 13, R"(["foo"])")},
      {"doc_binary_ack_custom_nsp",
       R"(61-/admin,1[{"_placeholder":true,"num":0}])",
       {"\xff\x00\x10"s},
       make(t::ack, "/admin", 1, R"([{"_placeholder":true,"num":0}])", {"\xff\x00\x10"s})},
      {"doc_sample_hey", R"(2["hey","Jude"])", {}, make(t::event, "/", {}, R"(["hey","Jude"])")},
      {"doc_sample_tellme",
       R"(2/admin,1["tellme"])",
       {},
       make(t::event, "/admin", 1, R"(["tellme"])")},
      // v5 test suite
      {"suite_message",
       R"(2["message",1,"2",{"3":[true]}])",
       {},
       make(t::event, "/", {}, R"(["message",1,"2",{"3":[true]}])")},
      {"suite_message_with_ack",
       R"(2456["message-with-ack",1,"2",{"3":[false]}])",
       {},
       make(t::event, "/", 456, R"(["message-with-ack",1,"2",{"3":[false]}])")},
      {"suite_auth_custom",
       R"(0/custom,{"token":"abc"})",
       {},
       make(t::connect, "/custom", {}, R"({"token":"abc"})")},
      {"suite_invalid_namespace",
       R"(4/random,{"message":"Invalid namespace"})",
       {},
       make(t::connect_error, "/random", {}, R"({"message":"Invalid namespace"})")},
      // socket.io-parser tests
      {"parser_connect",
       R"(0/woot,{"token":"123"})",
       {},
       make(t::connect, "/woot", {}, R"({"token":"123"})")},
      {"parser_event_int_name", R"(2[1,"a",{}])", {}, make(t::event, "/", {}, R"([1,"a",{}])")},
      {"parser_event_ack",
       R"(2/test,1["a",1,{}])",
       {},
       make(t::event, "/test", 1, R"(["a",1,{}])")},
      {"parser_ack", R"(3123["a",1,{}])", {}, make(t::ack, "/", 123, R"(["a",1,{}])")},
      {"parser_connect_error_string",
       R"(4"Unauthorized")",
       {},
       make(t::connect_error, "/", {}, R"("Unauthorized")")},
      // more
      {"event_double_name", R"(2[1.5])", {}, make(t::event, "/", {}, R"([1.5])")},
      {"ack_id_max_uint64", R"(318446744073709551615[])", {}, make(t::ack, "/", UINT64_MAX, "[]")},
      {"ack_id_zero", R"(20["a"])", {}, make(t::event, "/", 0, R"(["a"])")},
      {"binary_event_max_attachments",
       R"(510-["a",{"_placeholder":true,"num":9}])",
       {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
       make(t::event, "/", {}, R"(["a",{"_placeholder":true,"num":9}])",
            {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})},
      {"binary_event_unreferenced_attachment",
       R"(51-["hello"])",
       {""},
       make(t::event, "/", {}, R"(["hello"])", {""})},
      {"binary_nested_placeholders",
       R"(52-/a/b,7["up",{"file":{"_placeholder":true,"num":1},"parts":[[{"_placeholder":true,"num":0}]]}])",
       {"x", "y"},
       make(
           t::event, "/a/b", 7,
           R"(["up",{"file":{"_placeholder":true,"num":1},"parts":[[{"_placeholder":true,"num":0}]]}])",
           {"x", "y"})},
      {"connect_with_id", R"(05{})", {}, make(t::connect, "/", 5, "{}")},
      {"disconnect_with_id", "1/x,9", {}, make(t::disconnect, "/x", 9, "")},
      {"connect_error_no_payload", "4/x,", {}, make(t::connect_error, "/x", {}, "")},
      // as in JS, CONNECT payloads are not searched for placeholders
      {"connect_placeholder_shaped_auth",
       R"(0{"_placeholder":true,"num":5})",
       {},
       make(t::connect, "/", {}, R"({"_placeholder":true,"num":5})")},
      // as in JS, plain EVENT / ACK packets are not reconstructed: placeholders are just JSON
      {"placeholder_in_text_event_is_plain",
       R"(2["a",{"_placeholder":true,"num":0}])",
       {},
       make(t::event, "/", {}, R"(["a",{"_placeholder":true,"num":0}])")},
      {"placeholder_in_text_ack_is_plain",
       R"(3/x,1[{"_placeholder":true,"num":7}])",
       {},
       make(t::ack, "/x", 1, R"([{"_placeholder":true,"num":7}])")},
      {"placeholder_false_is_plain",
       R"(2["a",{"_placeholder":false,"num":0},{"_placeholder":"true","num":9}])",
       {},
       make(t::event, "/", {},
            R"(["a",{"_placeholder":false,"num":0},{"_placeholder":"true","num":9}])")},
      {"unicode_and_escapes",
       "2/\xc3\xa9,[\"\xe2\x82\xac\xf0\x9f\x98\x80\",\"q\\\"b\\\\n\\n\\u0001/\"]",
       {},
       make(t::event, "/\xc3\xa9", {},
            "[\"\xe2\x82\xac\xf0\x9f\x98\x80\",\"q\\\"b\\\\n\\n\\u0001/\"]")},
  };
}

class canonical : public ::testing::TestWithParam<canonical_case> {};

TEST_P(canonical, decodes) {
  const auto& c = GetParam();
  auto r = decode_one(c.text, c.binaries);
  ASSERT_TRUE(r) << r.error().message();
  expect_same(*r, c.p);
}

TEST_P(canonical, encodes_byte_for_byte) {
  const auto& c = GetParam();
  const auto e = encode(c.p);
  EXPECT_EQ(e.text, c.text);
  EXPECT_EQ(e.binaries, c.binaries);
  std::string appended = "prefix";
  encode_text(c.p, appended);
  EXPECT_EQ(appended, "prefix" + c.text);
}

TEST_P(canonical, round_trips) {
  const auto& c = GetParam();
  auto copy = c.p;
  const auto e = encode(std::move(copy));
  EXPECT_EQ(e.binaries, c.binaries);
  auto r = decode_one(e.text, e.binaries);
  ASSERT_TRUE(r) << r.error().message();
  expect_same(*r, c.p);
}

TEST_P(canonical, every_truncation_is_decoded_or_refused) {
  // A cut message is a different message: it must decode cleanly or be refused, and whatever is
  // accepted must encode to something that decodes back to the same packet.
  const auto& c = GetParam();
  for (std::size_t n = 0; n < c.text.size(); ++n) {
    decoder d;
    const auto cut = std::string_view(c.text).substr(0, n);
    auto r = d.on_text(cut);
    if (!r) {
      EXPECT_FALSE(d.pending());
      continue;
    }
    if (!r->has_value()) continue;  // a complete binary header: attachments expected
    const auto e = encode(**r);
    auto again = decode_one(e.text, e.binaries);
    ASSERT_TRUE(again) << cut << " -> " << e.text;
    expect_same(*again, **r);
  }
}

INSTANTIATE_TEST_SUITE_P(socketio, canonical, ::testing::ValuesIn(canonical_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// --- accepted, but not in canonical form (decode only) -------------------------------------------

struct lenient_case {
  const char* name;
  std::string text;
  std::vector<std::string> binaries;
  packet p;
  std::string reencoded;
};

std::ostream& operator<<(std::ostream& os, const lenient_case& c) {
  return os << c.name;
}

std::vector<lenient_case> lenient_cases() {
  using t = packet_type;
  return {
      // the test suite sends namespaces without the trailing comma
      {"suite_nsp_without_comma", "0/random", {}, make(t::connect, "/random", {}, ""), "0/random,"},
      {"disconnect_without_comma",
       "1/custom",
       {},
       make(t::disconnect, "/custom", {}, ""),
       "1/custom,"},
      {"explicit_main_nsp", R"(2/,["a"])", {}, make(t::event, "/", {}, R"(["a"])"), R"(2["a"])"},
      {"ack_id_leading_zeros",
       R"(2012["a"])",
       {},
       make(t::event, "/", 12, R"(["a"])"),
       R"(212["a"])"},
      {"attachments_leading_zero",
       R"(501-[0,{"_placeholder":true,"num":0}])",
       {"b"},
       make(t::event, "/", {}, R"([0,{"_placeholder":true,"num":0}])", {"b"}),
       R"(51-[0,{"_placeholder":true,"num":0}])"},
      {"json_whitespace",
       "2/x,1 [ \"a\" ,\t{ \"k\" : 1 } ]\n",
       {},
       make(t::event, "/x", 1, R"(["a",{"k":1}])"),
       R"(2/x,1["a",{"k":1}])"},
      // JS reads "2 [..." as ack id 0 (Number(" ") == 0); here whitespace is never an ack id
      {"whitespace_not_an_id", R"(2 ["a"])", {}, make(t::event, "/", {}, R"(["a"])"), R"(2["a"])"},
      {"duplicate_keys_last_wins",
       R"(0{"a":1,"a":2})",
       {},
       make(t::connect, "/", {}, R"({"a":2})"),
       R"(0{"a":2})"},
      {"placeholder_num_double_normalised",
       R"(51-["a",{"_placeholder":true,"num":0.0,"extra":1}])",
       {"z"},
       make(t::event, "/", {}, R"(["a",{"_placeholder":true,"num":0,"extra":1}])", {"z"}),
       R"(51-["a",{"_placeholder":true,"num":0,"extra":1}])"},
      {"numbers_as_js_writes_them",
       R"(2["n",1.0,1e2,-0.0,1E21,0.0000001,2.5e-3,12345678901234567890123])",
       {},
       make(t::event, "/", {},
            R"(["n",1.0,1e2,-0.0,1E21,0.0000001,2.5e-3,12345678901234567890123])"),
       R"(2["n",1,100,0,1e+21,1e-7,0.0025,1.2345678901234568e+22])"},
      {"escaped_unicode_normalised",
       R"(2["\u00e9\u20ac\ud83d\ude00\/"])",
       {},
       make(t::event, "/", {}, "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\"]"),
       "2[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\"]"},
  };
}

class lenient : public ::testing::TestWithParam<lenient_case> {};

TEST_P(lenient, decodes_and_reencodes) {
  const auto& c = GetParam();
  auto r = decode_one(c.text, c.binaries);
  ASSERT_TRUE(r) << r.error().message();
  expect_same(*r, c.p);
  EXPECT_EQ(encode(*r).text, c.reencoded);
}

INSTANTIATE_TEST_SUITE_P(socketio, lenient, ::testing::ValuesIn(lenient_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// --- invalid input ----------------------------------------------------------------------------

struct invalid_case {
  const char* name;
  std::string text;
  error expected;
  decoder_limits limits = {};
};

std::ostream& operator<<(std::ostream& os, const invalid_case& c) {
  return os << c.name;
}

std::string deep_event(std::size_t depth) {
  return "2[\"deep\"," + std::string(depth, '[') + std::string(depth, ']') + "]";
}

std::vector<invalid_case> invalid_cases() {
  return {
      // JS reads "" as CONNECT "/"; an empty message is refused here
      {"empty", "", error::empty_packet},
      {"type_7", R"(7["a"])", error::unknown_packet_type},
      {"type_999", "999", error::unknown_packet_type},
      {"type_letter", "abc", error::unknown_packet_type},  // the test suite's "4abc"
      {"type_space", " ", error::unknown_packet_type},
      {"type_minus", "-1", error::unknown_packet_type},
      // attachments (socket.io-parser "Illegal attachments" cases and more)
      {"binary_no_count", "5", error::invalid_attachment_count},
      {"binary_no_dash", "51", error::invalid_attachment_count},
      {"binary_letter_count", "5a-", error::invalid_attachment_count},
      {"binary_fraction_count", "51.23-", error::invalid_attachment_count},
      {"binary_empty_count", R"(5-["a"])", error::invalid_attachment_count},
      {"binary_zero_count", R"(50-["a"])", error::invalid_attachment_count},
      {"binary_ack_zero_count", R"(60-[])", error::invalid_attachment_count},
      {"binary_hex_count", R"(50x1-["a"])", error::invalid_attachment_count},
      {"binary_plus_count", R"(5+1-["a"])", error::invalid_attachment_count},
      {"binary_space_count", R"(5 1-["a"])", error::invalid_attachment_count},
      {"binary_count_over_default_max", R"(511-["a"])", error::invalid_attachment_count},
      {"binary_count_huge", R"(5999999999999999999999999999-["a"])",
       error::invalid_attachment_count},
      {"binary_count_over_custom_max",
       R"(53-["hello",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])",
       error::invalid_attachment_count,
       {.max_attachments = 2}},
      {"binary_ack_no_dash", "61[]", error::invalid_attachment_count},
      // ack ids
      {"ack_id_over_uint64", R"(218446744073709551616["a"])", error::invalid_ack_id},
      {"ack_id_way_over", R"(399999999999999999999999999999[])", error::invalid_ack_id},
      // JSON
      {"suite_invalid_ack_id", R"(2abc["message-with-ack",1,"2",{"3":[false]}])",
       error::invalid_json},
      {"parser_truncated_json", R"(442["some","data")", error::invalid_json},
      {"parser_unterminated_string", R"(2/admin,"invalid)", error::invalid_json},
      {"trailing_garbage", R"(2["a"]x)", error::invalid_json},
      {"two_values", R"(2["a"]["b"])", error::invalid_json},
      {"trailing_comma", R"(2["a",])", error::invalid_json},
      {"comment", R"(2["a"/*c*/])", error::invalid_json},
      {"single_quotes", R"(2['a'])", error::invalid_json},
      {"nan", R"(2["a",NaN])", error::invalid_json},
      {"invalid_utf8", "2[\"\xff\"]", error::invalid_json},
      {"overlong_utf8", "2[\"\xc0\xaf\"]", error::invalid_json},
      {"lone_surrogate_escape", R"(2["\ud800"])", error::invalid_json},
      {"garbage_after_nsp", "2/admin,x", error::invalid_json},
      {"nsp_not_slash", R"(2admin,["a"])", error::invalid_json},
      {"comma_without_nsp", R"(2,["a"])", error::invalid_json},
      {"ack_id_then_garbage", R"(21-["a"])", error::invalid_json},
      {"whitespace_only_disconnect", "1 ", error::invalid_json},
      // depth
      {"depth_200k", deep_event(200000), error::json_too_deep},
      {"depth_over_default", deep_event(64), error::json_too_deep},
      {"depth_over_custom", R"(0{"a":{"b":{"c":{}}}})", error::json_too_deep, {.max_depth = 3}},
      {"deep_objects_200k",
       "0" +
           [] {
             std::string s;
             for (int i = 0; i < 200000; ++i) s += "{\"a\":";
             s += "1";
             s += std::string(200000, '}');
             return s;
           }(),
       error::json_too_deep},
      // payload shape per type (socket.io-parser isPayloadValid cases)
      {"connect_string", R"(0/admin,"invalid")", error::invalid_payload},
      {"connect_array", "0[]", error::invalid_payload},
      {"connect_null", "0null", error::invalid_payload},
      {"connect_bool", "0/a,true", error::invalid_payload},
      {"disconnect_object", "1/admin,{}", error::invalid_payload},
      {"disconnect_null", "1null", error::invalid_payload},
      {"disconnect_array", "1[]", error::invalid_payload},
      {"connect_error_array", R"(4["a"])", error::invalid_payload},
      {"connect_error_null", "4null", error::invalid_payload},
      {"connect_error_bool", "4true", error::invalid_payload},
      {"event_object", "2/admin,{}", error::invalid_payload},
      {"suite_event_object", "2{}", error::invalid_payload},
      {"event_string", R"(2"a")", error::invalid_payload},
      {"ack_object", "3{}", error::invalid_payload},
      {"ack_string", R"(31"a")", error::invalid_payload},
      {"binary_ack_object", R"(61-{"_placeholder":true,"num":0})", error::invalid_payload},
      {"binary_event_object", R"(51-{})", error::invalid_payload},
      // payload is mandatory for events and acks (v5 document); JS lets "2" through
      {"event_no_payload", "2", error::invalid_payload},
      {"event_nsp_no_payload", "2/admin,", error::invalid_payload},
      {"event_nsp_no_comma", R"(2/admin["a"])", error::invalid_payload},
      {"event_id_no_payload", "212", error::invalid_payload},
      {"ack_no_payload", "3/admin,13", error::invalid_payload},
      {"binary_event_no_payload", "51-", error::invalid_payload},
      {"binary_ack_no_payload", "61-/a,4", error::invalid_payload},
      // event names
      {"event_empty_array", "2[]", error::invalid_event_name},
      {"event_name_object", R"(2[{"toString":"foo"}])", error::invalid_event_name},
      {"event_name_bool", R"(2[true,"foo"])", error::invalid_event_name},
      {"event_name_null", R"(2[null,"bar"])", error::invalid_event_name},
      {"event_name_array", R"(2[["a"]])", error::invalid_event_name},
      {"binary_event_name_placeholder", R"(51-[{"_placeholder":true,"num":0}])",
       error::invalid_event_name},
      {"reserved_connect", R"(2["connect"])", error::reserved_event_name},
      {"reserved_connect_error", R"(2["connect_error"])", error::reserved_event_name},
      {"reserved_disconnect", R"(2["disconnect","123"])", error::reserved_event_name},
      {"reserved_disconnecting", R"(2/a,1["disconnecting"])", error::reserved_event_name},
      {"reserved_new_listener", R"(2["newListener"])", error::reserved_event_name},
      {"reserved_remove_listener", R"(2["removeListener"])", error::reserved_event_name},
      {"reserved_in_binary_event", R"(51-["connect",{"_placeholder":true,"num":0}])",
       error::reserved_event_name},
      {"reserved_escaped", R"(2["\u0063onnect"])", error::reserved_event_name},
      // placeholders
      {"placeholder_num_out_of_range", R"(51-["a",{"_placeholder":true,"num":1}])",
       error::invalid_placeholder},
      {"placeholder_num_negative", R"(52-["a",{"_placeholder":true,"num":-1}])",
       error::invalid_placeholder},
      {"placeholder_num_fraction", R"(52-["a",{"_placeholder":true,"num":0.5}])",
       error::invalid_placeholder},
      {"placeholder_num_string", R"(51-["a",{"_placeholder":true,"num":"0"}])",
       error::invalid_placeholder},
      {"placeholder_num_missing", R"(51-["a",{"_placeholder":true}])", error::invalid_placeholder},
      {"placeholder_num_null", R"(51-["a",{"_placeholder":true,"num":null}])",
       error::invalid_placeholder},
      {"placeholder_num_huge", R"(51-["a",{"_placeholder":true,"num":1e300}])",
       error::invalid_placeholder},
      {"placeholder_num_uint64", R"(51-["a",{"_placeholder":true,"num":18446744073709551615}])",
       error::invalid_placeholder},
      {"placeholder_nested_out_of_range",
       R"(62-3[{"x":[{"_placeholder":true,"num":0},{"y":{"_placeholder":true,"num":2}}]}])",
       error::invalid_placeholder},
      // namespace bytes must be UTF-8 (they are echoed in text frames)
      // JS: Infinity, and a BOM read as ack id 0 (Number("\ufeff") == 0); refused here
      {"exponent_overflow", R"(2["n",1e99999999999999999999])", error::invalid_json},
      {"bom_before_payload", "2\xef\xbb\xbf[\"n\"]", error::invalid_json},
      {"nsp_invalid_utf8", "0/\xff,", error::invalid_namespace},
      {"nsp_truncated_utf8", "0/\xe2\x82", error::invalid_namespace},
      {"nsp_surrogate_utf8", "0/\xed\xa0\x80,", error::invalid_namespace},
  };
}

class invalid : public ::testing::TestWithParam<invalid_case> {};

TEST_P(invalid, is_refused) {
  const auto& c = GetParam();
  decoder d(c.limits);
  auto r = d.on_text(c.text);
  ASSERT_FALSE(r) << "accepted: " << c.text.substr(0, 80);
  EXPECT_EQ(r.error(), make_error_code(c.expected))
      << r.error().message() << " for " << c.text.substr(0, 80);
  EXPECT_FALSE(d.pending());
  // The decoder stays usable after an error.
  auto next = d.on_text(R"(2["ok"])");
  ASSERT_TRUE(next);
  ASSERT_TRUE(next->has_value());
}

INSTANTIATE_TEST_SUITE_P(socketio, invalid, ::testing::ValuesIn(invalid_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(socketio_decoder, depth_limit_is_inclusive) {
  // The payload array itself is one level: 63 more nested arrays reach the default limit of 64.
  EXPECT_TRUE(decode_one(deep_event(63)));
  EXPECT_EQ(decode_one(deep_event(64)).error(), make_error_code(error::json_too_deep));
  EXPECT_TRUE(decode_one(R"(0{"a":{"b":{}}})", {}, {.max_depth = 3}));
}

TEST(socketio_decoder, depth_limit_is_capped) {
  // A configured limit above what the recursive JSON parser can take on a small thread stack is
  // clamped, so deep input is still refused rather than overflowing the stack.
  const decoder_limits huge{.max_depth = 10'000'000};
  EXPECT_TRUE(decode_one(deep_event(decoder_limits::max_supported_depth - 1), {}, huge));
  EXPECT_EQ(decode_one(deep_event(decoder_limits::max_supported_depth), {}, huge).error(),
            make_error_code(error::json_too_deep));
  EXPECT_EQ(decode_one(deep_event(200000), {}, huge).error(),
            make_error_code(error::json_too_deep));
}

TEST(socketio_decoder, error_category_names_every_error) {
  for (int e = static_cast<int>(error::invalid_namespace);
       e <= static_cast<int>(error::unexpected_text); ++e) {
    const auto ec = make_error_code(static_cast<error>(e));
    EXPECT_STREQ(ec.category().name(), "sio.protocol");
    EXPECT_NE(ec.message(), "unknown sio.protocol error");
  }
}

// --- attachment sequencing --------------------------------------------------------------------

TEST(socketio_decoder, attachments_arrive_one_by_one) {
  decoder d;
  auto r = d.on_text(
      R"(53-/files,9["up",{"_placeholder":true,"num":2},{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(d.pending());
  const std::string zero("\0\0", 2);
  auto b0 = d.on_binary(zero);
  ASSERT_TRUE(b0);
  EXPECT_FALSE(b0->has_value());
  auto b1 = d.on_binary("");
  ASSERT_TRUE(b1);
  EXPECT_FALSE(b1->has_value());
  EXPECT_TRUE(d.pending());
  auto b2 = d.on_binary("third");
  ASSERT_TRUE(b2);
  ASSERT_TRUE(b2->has_value());
  EXPECT_FALSE(d.pending());
  const packet& p = **b2;
  EXPECT_EQ(p.type, packet_type::event);
  EXPECT_EQ(p.nsp, "/files");
  EXPECT_EQ(p.id, 9u);
  ASSERT_EQ(p.attachments.size(), 3u);
  EXPECT_EQ(p.attachments[0], zero);
  EXPECT_EQ(p.attachments[1], "");
  EXPECT_EQ(p.attachments[2], "third");
  const auto& a = p.data.as_array();
  EXPECT_EQ(placeholder_index(a[1]), 2u);
  EXPECT_EQ(placeholder_index(a[2]), 0u);
  EXPECT_EQ(placeholder_index(a[3]), 1u);
  EXPECT_EQ(placeholder_index(a[0]), std::nullopt);
}

TEST(socketio_decoder, text_while_attachments_pending_is_refused) {
  decoder d;
  ASSERT_TRUE(d.on_text(R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"));
  ASSERT_TRUE(d.on_binary("one"));
  auto r = d.on_text(R"(2["b"])");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(error::unexpected_text));
  EXPECT_FALSE(d.pending());
  // Reset: the next binary frame is unexpected, the next text packet decodes.
  auto b = d.on_binary("two");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error(), make_error_code(error::unexpected_binary));
  auto t = d.on_text(R"(2["c"])");
  ASSERT_TRUE(t);
  ASSERT_TRUE(t->has_value());
  EXPECT_EQ((*t)->data, js(R"(["c"])"));
}

TEST(socketio_decoder, binary_with_nothing_pending_is_refused) {
  decoder d;
  auto r = d.on_binary("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(error::unexpected_binary));
  // ...also right after a binary packet completed
  ASSERT_TRUE(d.on_text(R"(61-3[{"_placeholder":true,"num":0}])"));
  auto done = d.on_binary("x");
  ASSERT_TRUE(done);
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ((*done)->type, packet_type::ack);
  auto extra = d.on_binary("y");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error(), make_error_code(error::unexpected_binary));
}

TEST(socketio_decoder, resumes_after_reset) {
  // socket.io-parser "should resume decoding after calling destroy()"
  decoder d;
  ASSERT_TRUE(d.on_text(R"(51-["hello"])"));
  EXPECT_TRUE(d.pending());
  d.reset();
  EXPECT_FALSE(d.pending());
  auto r = d.on_text(R"(2["hello"])");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->data, js(R"(["hello"])"));
}

TEST(socketio_decoder, invalid_binary_header_leaves_nothing_pending) {
  decoder d;
  EXPECT_FALSE(d.on_text(R"(51-["a",{"_placeholder":true,"num":5}])"));
  EXPECT_FALSE(d.pending());
  EXPECT_EQ(d.on_binary("x").error(), make_error_code(error::unexpected_binary));
}

TEST(socketio_decoder, packets_in_sequence) {
  decoder d;
  const std::vector<std::pair<std::string, std::vector<std::string>>> frames = {
      {"0", {}},
      {R"(2["a"])", {}},
      {R"(51-["b",{"_placeholder":true,"num":0}])", {"B"}},
      {R"(3/x,2[])", {}},
      {R"(62-/x,3[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])", {"C", "D"}},
      {"1", {}},
  };
  for (const auto& [text, bins] : frames) {
    auto r = decode_all(d, text, bins);
    ASSERT_TRUE(r) << text << ": " << r.error().message();
    EXPECT_EQ(r->attachments, bins);
    EXPECT_EQ(encode(*r).text, text);
  }
}

TEST(socketio_decoder, max_attachments_limit_is_configurable) {
  const std::string text = R"(53-["a",{"_placeholder":true,"num":2}])";
  EXPECT_FALSE(decode_one(text, {"1", "2", "3"}, {.max_attachments = 2}));
  EXPECT_TRUE(decode_one(text, {"1", "2", "3"}, {.max_attachments = 3}));
  EXPECT_EQ(decode_one(R"(511-["a"])").error(), make_error_code(error::invalid_attachment_count));
  EXPECT_TRUE(
      decode_one(R"(511-["a"])", std::vector<std::string>(11, "x"), {.max_attachments = 11}));
}

// --- encoder specifics ------------------------------------------------------------------------

TEST(socketio_encoder, promotes_event_and_ack_with_attachments) {
  packet ev = make(packet_type::event, "/", 3, R"(["f",{"_placeholder":true,"num":0}])", {"A"});
  EXPECT_EQ(encode(ev).text, R"(51-3["f",{"_placeholder":true,"num":0}])");
  packet ack = make(packet_type::ack, "/n", 4, R"([{"_placeholder":true,"num":0}])", {"A"});
  EXPECT_EQ(encode(ack).text, R"(61-/n,4[{"_placeholder":true,"num":0}])");
  // Explicit binary types give the same result.
  ev.type = packet_type::binary_event;
  EXPECT_EQ(encode(ev).text, R"(51-3["f",{"_placeholder":true,"num":0}])");
}

TEST(socketio_encoder, binary_types_without_attachments_are_plain) {
  EXPECT_EQ(encode(make(packet_type::binary_event, "/", {}, R"(["a"])")).text, R"(2["a"])");
  EXPECT_EQ(encode(make(packet_type::binary_ack, "/", 1, "[]")).text, "31[]");
}

TEST(socketio_encoder, attachments_of_other_types_are_ignored) {
  const auto e = encode(make(packet_type::connect, "/", {}, "{}", {"A"}));
  EXPECT_EQ(e.text, "0{}");
  EXPECT_TRUE(e.binaries.empty());
}

TEST(socketio_encoder, empty_namespace_is_main) {
  EXPECT_EQ(encode(make(packet_type::event, "", {}, R"(["a"])")).text, R"(2["a"])");
}

TEST(socketio_encoder, namespace_with_comma_throws) {
  EXPECT_THROW(encode(make(packet_type::event, "/a,b", {}, R"(["a"])")), std::invalid_argument);
}

TEST(socketio_encoder, null_data_is_omitted) {
  EXPECT_EQ(encode(make(packet_type::connect_error, "/x", {}, "")).text, "4/x,");
  EXPECT_EQ(encode(make(packet_type::disconnect, "/", 7, "")).text, "17");
}

TEST(socketio_encoder, move_encode_moves_attachments) {
  packet p = make(packet_type::event, "/", {}, R"(["a",{"_placeholder":true,"num":0}])",
                  {std::string(1000, 'x')});
  const auto e = encode(std::move(p));
  ASSERT_EQ(e.binaries.size(), 1u);
  EXPECT_EQ(e.binaries[0].size(), 1000u);
}

TEST(socketio_encoder, make_placeholder_matches_the_wire) {
  json::array a;
  a.emplace_back("f");
  a.emplace_back(make_placeholder(0));
  a.emplace_back(make_placeholder(1));
  packet p;
  p.data = std::move(a);
  p.attachments = {"a", "b"};
  EXPECT_EQ(encode(p).text,
            R"(52-["f",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
}

TEST(socketio_reserved, names) {
  for (const char* n : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                        "removeListener"}) {
    EXPECT_TRUE(is_reserved_event(n)) << n;
  }
  for (const char* n : {"", "error", "message", "Connect", "connect ", "newlistener", "ping"}) {
    EXPECT_FALSE(is_reserved_event(n)) << n;
  }
}

// --- JSON written as JSON.stringify writes it -------------------------------------------------

std::string stringify(const json::value& v) {
  std::string s;
  append_json(v, s);
  return s;
}

TEST(socketio_json, numbers_like_javascript) {
  const std::vector<std::pair<double, const char*>> cases = {
      {0.0, "0"},
      {-0.0, "0"},
      {1.0, "1"},
      {-1.25, "-1.25"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {100.0, "100"},
      {123456789.0, "123456789"},
      {1e20, "100000000000000000000"},
      {123456789012345680000.0, "123456789012345680000"},
      {1e21, "1e+21"},
      {1.5e21, "1.5e+21"},
      {0.000001, "0.000001"},
      {0.0000012345, "0.0000012345"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {123e-20, "1.23e-18"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1e100, "-1e+100"},
      {9007199254740993.0, "9007199254740992"},
      {std::numeric_limits<double>::quiet_NaN(), "null"},
      {std::numeric_limits<double>::infinity(), "null"},
      {-std::numeric_limits<double>::infinity(), "null"},
  };
  for (const auto& [d, want] : cases) EXPECT_EQ(stringify(d), want) << want;
  EXPECT_EQ(stringify(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(stringify(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(socketio_json, doubles_decode_exactly_and_reencode_identically) {
  // Boost.JSON 1.81's parser rounds these one ulp off; JSON.parse (and the decoder) does not.
  for (const char* n :
       {"-1.9934908051011654e+189", "-3.156233559702614e-80", "-2.9576661961133885e-8",
        "1.1921739093260807e-47", "-1.301662443238458e-102", "0.30000000000000004",
        "0.0034567890123456788", "1.8446744073709658e+34", "5e-324", "1.7976931348623157e+308"}) {
    const std::string text = "2[\"n\"," + std::string(n) + "]";
    auto r = decode_one(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->data.as_array()[1].as_double(), std::strtod(n, nullptr)) << n;
    EXPECT_EQ(encode(*r).text, text);
  }
  // Out of range: JSON.parse gives Infinity / 0, JSON.stringify writes null / 0.
  auto big = decode_one(R"(2["n",1e400,-1e400,1e-400])");
  ASSERT_TRUE(big);
  EXPECT_EQ(encode(*big).text, R"(2["n",null,null,0])");
  // More digits than a double holds: rounded to nearest.
  auto longer = decode_one(R"(2["n",0.00345678901234567890123])");
  ASSERT_TRUE(longer);
  EXPECT_EQ(encode(*longer).text, R"(2["n",0.0034567890123456788])");
}

TEST(socketio_json, strings_like_javascript) {
  EXPECT_EQ(stringify("plain"), R"("plain")");
  EXPECT_EQ(stringify("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(stringify("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(stringify(json::string(std::string_view("\x00\x01\x1f\x7f", 4))),
            "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(stringify("\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\"");
}

TEST(socketio_json, strings_escape_at_every_offset) {
  // Strings are scanned eight bytes at a time: one byte of each kind at every position of strings
  // of up to 25 bytes, against an escape written byte by byte.
  const auto expected = [](std::string_view in) {
    std::string out = "\"";
    for (const char c : in) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (u < 0x20) {
        char esc[7];
        std::snprintf(esc, sizeof esc, "\\u%04x", u);
        out += esc;
      } else {
        out += c;
      }
    }
    return out + '"';
  };
  for (const char special : {'\0', '\x01', '\n', '\x1f', '"', '\\', ' ', '!', '#', '[', ']', '\x7f',
                             '\x80', '\xa2', '\xdc', '\xff'}) {
    for (std::size_t n = 1; n <= 25; ++n) {
      for (std::size_t at = 0; at < n; ++at) {
        std::string in(n, 'a');
        in[at] = special;
        EXPECT_EQ(stringify(json::string(in)), expected(in))
            << "byte " << static_cast<int>(static_cast<unsigned char>(special)) << " at " << at
            << " of " << n;
      }
    }
  }
}

TEST(socketio_json, structures_keep_order) {
  EXPECT_EQ(stringify(js(R"({"z":1,"a":[true,false,null,{}],"m":{"k":[]}})")),
            R"({"z":1,"a":[true,false,null,{}],"m":{"k":[]}})");
  EXPECT_EQ(stringify(json::value()), "null");
  EXPECT_EQ(stringify(json::array()), "[]");
  EXPECT_EQ(stringify(json::object()), "{}");
}

}  // namespace
}  // namespace sio::protocol::socketio
