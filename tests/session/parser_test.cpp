// Session tests: the server's parser option. A custom parser (a toy: each packet one JSON text
// [type, nsp, id, data]) drives connect, events, acks and broadcasts; the MessagePack parser speaks
// socket.io-msgpack-parser's binary messages, encodes a broadcast once for every receiver, and
// closes a connection that sends what it cannot decode.
#include "../hex.hpp"
#include "harness.hpp"

#include <sio/protocol/msgpack.hpp>
#include <sio/server/msgpack_parser.hpp>

#include <boost/json/parse.hpp>

namespace sio::test {
namespace {

namespace pt = protocol::socketio;
namespace json = boost::json;

// The toy parser: [type, nsp, id|null, data|null] as one text message; no binary.
class array_parser final : public parser {
 public:
  void encode(pt::packet& p, std::vector<engineio::message_ptr>& out) const override {
    json::array a{static_cast<int>(p.type), json::string(p.nsp),
                  p.id ? json::value(*p.id) : json::value(nullptr), p.data};
    out.push_back(engineio::make_text(json::serialize(a)));
  }
  decode_result decode(bool binary, std::string_view data,
                       std::unique_ptr<parser_state>&) const override {
    if (binary) return protocol::error::unexpected_binary;
    boost::system::error_code ec;
    auto v = json::parse(data, ec);
    const auto* a = v.if_array();
    if (ec || !a || a->size() != 4 || !(*a)[0].is_int64() || !(*a)[1].is_string())
      return protocol::error::invalid_payload;
    pt::packet p;
    p.type = static_cast<pt::packet_type>((*a)[0].get_int64());
    p.nsp = (*a)[1].get_string();
    if ((*a)[2].is_int64()) p.id = static_cast<std::uint64_t>((*a)[2].get_int64());
    p.data = (*a)[3];
    const bool event = p.type == pt::packet_type::event;
    if (event &&
        (!p.data.is_array() || p.data.get_array().empty() || !p.data.get_array()[0].is_string()))
      return protocol::error::invalid_payload;
    return std::optional<pt::packet>(std::move(p));
  }
};

// Bytes of a packet as socket.io-msgpack-parser writes it.
std::string msgpack_packet(pt::packet_type type, std::string nsp, json::value data,
                           std::optional<std::uint64_t> id = {},
                           std::vector<std::string> attachments = {}) {
  pt::packet p;
  p.type = type;
  p.nsp = std::move(nsp);
  p.data = std::move(data);
  p.id = id;
  p.attachments = std::move(attachments);
  return protocol::msgpack_parser::encode(p);
}

pt::packet read_msgpack(const std::string& popped) {
  EXPECT_EQ(popped.rfind("b:", 0), 0u) << "not a binary message: " << popped;
  auto p = protocol::msgpack_parser::decode(std::string_view(popped).substr(2));
  EXPECT_TRUE(p) << p.error().message();
  return p ? *p : pt::packet{};
}

TEST(custom_parser, CarriesConnectEventsAcksAndBroadcasts) {
  harness h(1, false, {.parser = std::make_shared<array_parser>()});
  h.io->on_connection([&](socket& s) {
    s.on("ask", [](socket&, const json::array& args, ack a) { a(args.at(0)); });
    s.on("shout", [&](socket&, const json::array& args) { h.io->emit("heard", args.at(0)); });
  });
  auto c = h.connect();
  c->text(R"([0,"/",null,null])");
  h.poll();
  auto connect = json::parse(c->pop().value_or("null"));
  ASSERT_TRUE(connect.is_array()) << connect;
  EXPECT_EQ(connect.as_array()[0], 0);
  EXPECT_TRUE(connect.as_array()[3].as_object().contains("sid"));

  c->text(R"([2,"/",5,["ask",{"x":1}]])");
  h.poll();
  EXPECT_EQ(c->pop(), R"([3,"/",5,[{"x":1}]])");

  auto other = h.connect();
  other->text(R"([0,"/",null,null])");
  h.poll();
  other->pop();
  c->text(R"([2,"/",null,["shout","hi"]])");
  h.poll();
  EXPECT_EQ(c->pop(), R"([2,"/",null,["heard","hi"]])");
  EXPECT_EQ(other->pop(), R"([2,"/",null,["heard","hi"]])");

  // What the parser refuses closes that connection only (parse error), as with the built-in ones.
  c->text("2[\"socket.io-parser text\"]");
  h.poll();
  EXPECT_EQ(c->closed_with(), engineio::close_reason::forced_close);
  EXPECT_FALSE(other->is_closed());
}

struct msgpack_session : ::testing::Test {
  harness h{1, false, {.parser = std::make_shared<msgpack_parser>()}};

  std::shared_ptr<fake_connection> join(const std::string& nsp = "/") {
    auto c = h.connect();
    c->bin(msgpack_packet(pt::packet_type::connect, nsp, nullptr));
    h.poll();
    auto p = read_msgpack(c->pop().value_or(""));
    EXPECT_EQ(p.type, pt::packet_type::connect);
    EXPECT_EQ(p.nsp, nsp);
    EXPECT_EQ(p.data.as_object().at("sid").as_string().size(), 20u);
    return c;
  }
};

TEST_F(msgpack_session, ConnectAnswerIsWhatNodeWrites) {
  h.io->on_connection([](socket&) {});
  auto c = h.connect();
  c->bin(msgpack_packet(pt::packet_type::connect, "/", nullptr));
  h.poll();
  const auto m = c->pop().value_or("");
  // fixmap 3: "type" 0, "data" {"sid": <20 chars>}, "nsp" "/"
  using namespace std::string_literals;
  EXPECT_EQ(hex(m.substr(0, 2 + 18)), hex("b:\x83\xa4type\x00\xa4"
                                          "data\x81\xa3sid\xb4"s));
  EXPECT_EQ(hex(m.substr(m.size() - 6)), hex("\xa3nsp\xa1/"));
}

TEST_F(msgpack_session, BinaryEventsAndAcks) {
  h.io->on_connection([](socket& s) {
    s.on("echo", [](socket& s, payload p, ack a) {
      s.emit("echoed", p);
      a(std::move(p));
    });
  });
  auto c = join();
  c->bin(
      msgpack_packet(pt::packet_type::event, "/",
                     json::array{"echo", pt::make_placeholder(0), {{"k", pt::make_placeholder(1)}}},
                     9, {std::string("\x00\x01", 2), "zz"}));
  h.poll();
  auto echoed = read_msgpack(c->pop().value_or(""));
  EXPECT_EQ(echoed.type, pt::packet_type::event);
  EXPECT_EQ(echoed.attachments, (std::vector<std::string>{std::string("\x00\x01", 2), "zz"}));
  EXPECT_EQ(echoed.data.as_array()[0], "echoed");
  auto acked = read_msgpack(c->pop().value_or(""));
  EXPECT_EQ(acked.type, pt::packet_type::ack);
  EXPECT_EQ(acked.id, 9u);
  EXPECT_EQ(acked.attachments.size(), 2u);
  EXPECT_EQ(c->pop(), std::nullopt);  // one message per packet: no attachment messages
}

TEST_F(msgpack_session, BroadcastIsEncodedOnceForEveryReceiver) {
  h.io->on_connection([](socket&) {});
  auto a = join();
  auto b = join();
  h.io->emit("news", binary{std::string("\x07")}, "text");
  h.poll();
  auto ma = a->take_all();
  auto mb = b->take_all();
  ASSERT_EQ(ma.size(), 1u);
  ASSERT_EQ(mb.size(), 1u);
  EXPECT_EQ(ma.front().get(), mb.front().get());  // the same bytes, shared
  EXPECT_TRUE(ma.front()->binary);
  auto p = protocol::msgpack_parser::decode(ma.front()->data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attachments, std::vector<std::string>{"\x07"});
}

TEST_F(msgpack_session, MalformedInputClosesThatConnection) {
  h.io->on_connection([](socket&) {});
  auto good = join();
  for (const std::string& bad : {std::string("\x92\x01\x02"), std::string("\x83\xa4type"),
                                 msgpack_packet(pt::packet_type::event, "/", json::array{})}) {
    auto c = join();
    c->bin(bad);
    h.poll();
    EXPECT_EQ(c->closed_with(), engineio::close_reason::forced_close) << hex(bad);
  }
  auto text = join();
  text->text("2[\"hello\"]");  // socket.io-parser's form: not this parser's
  h.poll();
  EXPECT_TRUE(text->is_closed());
  EXPECT_FALSE(good->is_closed());
}

TEST_F(msgpack_session, UnknownNamespaceIsRefused) {
  auto c = h.connect();
  c->bin(msgpack_packet(pt::packet_type::connect, "/nowhere", nullptr));
  h.poll();
  auto p = read_msgpack(c->pop().value_or(""));
  EXPECT_EQ(p.type, pt::packet_type::connect_error);
  EXPECT_EQ(p.nsp, "/nowhere");
  EXPECT_EQ(p.data.as_object().at("message"), "Invalid namespace");
}

}  // namespace
}  // namespace sio::test
