// RFC 6455 framing (sio_protocol websocket): the client frame decoder, fed whole, split at every
// byte and byte by byte, and the server frame encoders. Frames are built with the RFC's masking
// key example (section 5.7: 37 fa 21 3d).
#include <sio/protocol/websocket.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace ws = sio::protocol::websocket;
using kind = ws::event::kind;

constexpr unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};

// A client frame: masked with `key`, the shortest length form unless `length_form` forces one.
std::string client_frame(unsigned op, bool fin, std::string_view payload, int length_form = 0) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | op);
  const std::uint64_t n = payload.size();
  const int form = length_form != 0 ? length_form : n < 126 ? 7 : n <= 0xffff ? 16 : 64;
  if (form == 7) {
    f += static_cast<char>(0x80 | n);
  } else {
    f += static_cast<char>(0x80 | (form == 16 ? 126 : 127));
    for (int i = form / 8 - 1; i >= 0; --i) f += static_cast<char>(n >> (8 * i));
  }
  f.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += static_cast<char>(payload[i] ^ static_cast<char>(key[i & 3]));
  return f;
}

std::string text(std::string_view s, bool fin = true) {
  return client_frame(1, fin, s);
}
std::string binary(std::string_view s, bool fin = true) {
  return client_frame(2, fin, s);
}
std::string cont(std::string_view s, bool fin) {
  return client_frame(0, fin, s);
}
std::string close_with(std::uint16_t code, std::string_view reason = "") {
  std::string body{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return client_frame(8, true, body.append(reason));
}

std::string with_first_byte(unsigned char b, std::string frame) {
  frame[0] = static_cast<char>(b);
  return frame;
}

// An event with its payload copied (the decoder's views do not outlive the next call).
struct seen {
  kind what;
  bool binary;
  std::uint16_t code;
  std::string payload;
  bool operator==(const seen&) const = default;
};

std::ostream& operator<<(std::ostream& os, const seen& s) {
  return os << "{kind " << static_cast<int>(s.what) << ", binary " << s.binary << ", code "
            << s.code << ", payload \"" << s.payload << "\"}";
}

seen msg(std::string_view s) {
  return {kind::message, false, 0, std::string(s)};
}
seen bin(std::string_view s) {
  return {kind::message, true, 0, std::string(s)};
}
seen error(std::uint16_t code) {
  return {kind::error, false, code, ""};
}

// Feeds `wire` in the pieces that `cuts` (ascending offsets) delimit, collecting every event.
std::vector<seen> decode(std::string wire, const std::vector<std::size_t>& cuts,
                         std::size_t max_message = 1'000'000) {
  ws::decoder d{max_message};
  std::vector<seen> out;
  std::size_t from = 0;
  std::vector<std::string> pieces;  // each piece stays alive, as a read buffer would
  pieces.reserve(cuts.size() + 1);
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : wire.size();
    pieces.push_back(wire.substr(from, to - from));
    from = to;
    d.feed(pieces.back().data(), pieces.back().size());
    for (auto e = d.next(); e.what != kind::need_more; e = d.next())
      out.push_back({e.what, e.binary, e.code, std::string(e.payload)});
  }
  return out;
}

// Decodes `wire` whole, split once at every offset (a sample of them in long frames) and byte by
// byte; every way must give `expected`.
void expect_events(const std::string& wire, const std::vector<seen>& expected,
                   std::size_t max_message = 1'000'000) {
  EXPECT_EQ(decode(wire, {}, max_message), expected) << "whole";
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    // Every cut in the first KiB and the last bytes, a sample of those in between.
    const bool sampled = cut > 1024 && cut + 32 < wire.size() && cut % 1009 != 0;
    if (sampled) continue;
    ASSERT_EQ(decode(wire, {cut}, max_message), expected) << "split at " << cut;
  }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < wire.size(); ++i) every.push_back(i);
  EXPECT_EQ(decode(wire, every, max_message), expected) << "byte by byte";
}

TEST(WebSocketDecoder, RfcMaskedHello) {
  // RFC 6455 section 5.7: a single-frame masked text message containing "Hello".
  const std::string wire = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(wire, text("Hello"));
  expect_events(wire, {msg("Hello")});
}

TEST(WebSocketDecoder, MessagesPingPongAndClose) {
  expect_events(text("4hello") + binary(std::string("\x00\xff\xfe", 3)) +
                    client_frame(9, true, "probe") + client_frame(10, true, "") +
                    close_with(1001, "going away"),
                {msg("4hello"),
                 bin(std::string("\x00\xff\xfe", 3)),
                 {kind::ping, false, 0, "probe"},
                 {kind::pong, false, 0, ""},
                 {kind::close, false, 1001, "going away"}});
}

TEST(WebSocketDecoder, EmptyMessages) {
  expect_events(text("") + binary(""), {msg(""), bin("")});
}

TEST(WebSocketDecoder, ExtendedLengths) {
  const std::string medium(300, 'm');
  const std::string large(70'000, 'l');
  expect_events(text(medium) + binary(large), {msg(medium), bin(large)});
}

TEST(WebSocketDecoder, FragmentedMessageWithControlFramesBetween) {
  // "é" (c3 a9) split across fragments is valid once joined.
  expect_events(text("Hel\xc3", false) + client_frame(9, true, "p") + cont("\xa9l", false) +
                    cont("o", true) + text("next"),
                {{kind::ping, false, 0, "p"}, msg("Hel\xc3\xa9lo"), msg("next")});
  expect_events(binary("ab", false) + cont("", false) + cont("cd", true), {bin("abcd")});
}

TEST(WebSocketDecoder, CloseFrames) {
  expect_events(client_frame(8, true, ""), {{kind::close, false, ws::close_code::no_status, ""}});
  expect_events(close_with(1000), {{kind::close, false, 1000, ""}});
  expect_events(close_with(4999, "app \xc3\xa9"), {{kind::close, false, 4999, "app \xc3\xa9"}});
  // Nothing is decoded after a close frame.
  expect_events(close_with(1000) + text("late"), {{kind::close, false, 1000, ""}});
  expect_events(close_with(1000) + "junk", {{kind::close, false, 1000, ""}});
}

TEST(WebSocketDecoder, ProtocolErrors) {
  constexpr auto protocol = ws::close_code::protocol_error;
  const std::vector<std::string> bad = {
      std::string("\x81\x05Hello", 7),                   // not masked
      with_first_byte(0xc1, text("x")),                  // RSV1
      with_first_byte(0x91, text("x")),                  // RSV2
      with_first_byte(0xa1, text("x")),                  // RSV3
      client_frame(3, true, "x"),                        // reserved data opcode
      client_frame(11, true, "x"),                       // reserved control opcode
      client_frame(9, false, "x"),                       // fragmented ping
      client_frame(9, true, std::string(126, 'p')),      // control frame over 125 bytes
      client_frame(8, true, "x"),                        // close body of one byte
      close_with(1004),                                  // reserved close code
      close_with(1005),                                  // never on the wire
      close_with(2999),                                  // unassigned
      close_with(5000),                                  // out of range
      cont("x", true),                                   // continuation with no message
      text("a", false) + text("b"),                      // new message inside a fragmented one
      text("a", false) + binary("b", false),             // idem
      client_frame(1, true, "short", 16),                // 16-bit length under 126
      client_frame(1, true, std::string(200, 'x'), 64),  // 64-bit length under 65536
  };
  for (const auto& wire : bad) {
    SCOPED_TRACE(testing::PrintToString(wire));
    expect_events(wire, {error(protocol)});
  }
  // A 64-bit length with its most significant bit set.
  std::string top = "\x81\xff\x80";
  top.append(7, '\0').append(reinterpret_cast<const char*>(key), 4);
  expect_events(top, {error(protocol)});
}

TEST(WebSocketDecoder, InvalidUtf8) {
  constexpr auto invalid = ws::close_code::invalid_payload;
  expect_events(text("\xc3\x28"), {error(invalid)});
  expect_events(text("ok\xc3", false) + cont("", true), {error(invalid)});
  expect_events(close_with(1000, "\xff"), {error(invalid)});
  // Binary messages are not checked.
  expect_events(binary("\xc3\x28"), {bin("\xc3\x28")});
  // Frames before the bad one are delivered.
  expect_events(text("fine") + text("\xed\xa0\x80"), {msg("fine"), error(invalid)});
}

TEST(WebSocketDecoder, MessageSizeLimit) {
  constexpr auto too_big = ws::close_code::message_too_big;
  expect_events(text("12345"), {msg("12345")}, 5);
  expect_events(text("123456"), {error(too_big)}, 5);
  expect_events(text("123", false) + cont("45", true), {msg("12345")}, 5);
  expect_events(text("123", false) + cont("456", true), {error(too_big)}, 5);
  // Control frames are bounded by 125 bytes alone.
  expect_events(client_frame(9, true, "123456"), {{kind::ping, false, 0, "123456"}}, 5);
  // Refused from the header alone, before any of the payload arrives.
  const std::string header = client_frame(2, true, std::string(70'000, 'x')).substr(0, 14);
  EXPECT_EQ(decode(header, {}, 1000), std::vector<seen>{error(too_big)});
}

TEST(WebSocketDecoder, HoldsBuffersOnlyWhileNeeded) {
  ws::decoder d;
  std::string first = text("ab") + text("cd").substr(0, 3);
  d.feed(first.data(), first.size());
  EXPECT_EQ(d.next().payload, "ab");
  EXPECT_EQ(d.next().what, kind::need_more);
  EXPECT_FALSE(d.idle());  // three bytes of the next frame are kept
  std::string rest = text("cd").substr(3);
  d.feed(rest.data(), rest.size());
  EXPECT_EQ(d.next().payload, "cd");
  EXPECT_EQ(d.next().what, kind::need_more);
  EXPECT_TRUE(d.idle());
  std::string fragment = text("x", false);
  d.feed(fragment.data(), fragment.size());
  EXPECT_EQ(d.next().what, kind::need_more);
  EXPECT_FALSE(d.idle());  // a fragmented message is open
  std::string last = cont("y", true);
  d.feed(last.data(), last.size());
  EXPECT_EQ(d.next().payload, "xy");
  EXPECT_EQ(d.next().what, kind::need_more);
  EXPECT_TRUE(d.idle());
  EXPECT_FALSE(d.done());
}

TEST(WebSocketDecoder, StaysDoneAfterAnError) {
  ws::decoder d;
  std::string bad = cont("x", true);
  d.feed(bad.data(), bad.size());
  EXPECT_EQ(d.next().what, kind::error);
  EXPECT_TRUE(d.done());
  std::string good = text("ok");
  d.feed(good.data(), good.size());
  EXPECT_EQ(d.next().what, kind::need_more);
}

TEST(WebSocketEncoder, Headers) {
  unsigned char h[ws::max_header_size] = {};
  EXPECT_EQ(ws::write_header(h, ws::opcode::text, 5), 2u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(h), 2), "\x81\x05");
  EXPECT_EQ(ws::write_header(h, ws::opcode::binary, 125), 2u);
  EXPECT_EQ(h[1], 125);
  EXPECT_EQ(ws::write_header(h, ws::opcode::binary, 126), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(h), 4), std::string("\x82\x7e\x00\x7e", 4));
  EXPECT_EQ(ws::write_header(h, ws::opcode::text, 0xffff), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(h), 4), "\x81\x7e\xff\xff");
  EXPECT_EQ(ws::write_header(h, ws::opcode::text, 0x10000), 10u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(h), 10),
            std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  for (const std::size_t n : {0u, 125u, 126u, 65535u, 65536u})
    EXPECT_EQ(ws::header_size(n), ws::write_header(h, ws::opcode::text, n));
}

TEST(WebSocketEncoder, ControlFrames) {
  EXPECT_EQ(ws::close_frame(1000), "\x88\x02\x03\xe8");
  EXPECT_EQ(ws::close_frame(1009), "\x88\x02\x03\xf1");
  EXPECT_EQ(ws::control_frame(ws::opcode::pong, "probe"), "\x8a\x05probe");
  EXPECT_EQ(ws::control_frame(ws::opcode::ping, ""), std::string("\x89\x00", 2));
}

TEST(WebSocketCloseCodes, Valid) {
  for (const std::uint16_t c : {1000, 1001, 1002, 1003, 1007, 1010, 1014, 3000, 4999})
    EXPECT_TRUE(ws::valid_close_code(c)) << c;
  for (const std::uint16_t c : {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535})
    EXPECT_FALSE(ws::valid_close_code(c)) << c;
}

}  // namespace
