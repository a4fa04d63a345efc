// The Socket.IO v5 protocol test suite's scenarios (conformance_test.cpp) again, every packet
// written as socket.io-msgpack-parser writes it, as socketioxide runs its msgpack variant of the
// suite: the server configured like the suite's reference server with sio::msgpack_parser.
#include "harness.hpp"

#include <sio/protocol/msgpack_parser.hpp>
#include <sio/server/msgpack_parser.hpp>

#include <boost/json/parse.hpp>

namespace sio::test {
namespace {

namespace pt = protocol::socketio;
namespace json = boost::json;
using type = pt::packet_type;

struct sent {
  type t;
  std::string nsp = "/";
  json::value data = nullptr;
  std::optional<std::uint64_t> id = {};
  std::vector<std::string> attachments = {};
};

std::string bytes_of(const sent& s) {
  pt::packet p;
  p.type = s.t;
  p.nsp = s.nsp;
  p.data = s.data;
  p.id = s.id;
  p.attachments = s.attachments;
  return protocol::msgpack_parser::encode(p);
}

struct msgpack_suite : ::testing::Test {
  harness h{1, false, {.parser = std::make_shared<msgpack_parser>()}};
  std::shared_ptr<fake_connection> c;

  void SetUp() override {
    auto on = [](socket& s) {
      s.emit("auth", s.handshake().auth);
      s.on("message", [](socket& s, const payload& p) { s.emit("message-back", p); });
      s.on("message-with-ack", [](socket&, const payload& p, ack a) { a(p); });
    };
    h.io->on_connection(on);
    h.io->of("/custom").on_connection(on);
    c = h.connect();
  }
  void send(const sent& s) { c->bin(bytes_of(s)); }
  // The next packet the server wrote (a binary message), decoded.
  pt::packet next() {
    auto m = c->pop();
    EXPECT_TRUE(m && m->rfind("b:", 0) == 0) << (m ? *m : "nothing");
    if (!m || m->rfind("b:", 0) != 0) return {};
    auto p = protocol::msgpack_parser::decode(std::string_view(*m).substr(2));
    EXPECT_TRUE(p);
    return p ? *p : pt::packet{};
  }
  void expect(const sent& want) {
    const auto p = next();
    EXPECT_EQ(p.type, want.t);
    EXPECT_EQ(p.nsp, want.nsp);
    EXPECT_EQ(json::serialize(p.data), json::serialize(want.data));
    EXPECT_EQ(p.id, want.id);
    EXPECT_EQ(p.attachments, want.attachments);
  }
  // CONNECT answered with {"sid": ...}, then the "auth" event with `auth`.
  void expect_connected(const std::string& nsp, json::value auth) {
    const auto p = next();
    EXPECT_EQ(p.type, type::connect);
    EXPECT_EQ(p.nsp, nsp);
    EXPECT_EQ(p.data.as_object().at("sid").as_string().size(), 20u);
    expect({type::event, nsp, json::array{"auth", std::move(auth)}});
  }
  void join_main() {
    send({type::connect});
    h.poll();
    expect_connected("/", json::object{});
  }
};

TEST_F(msgpack_suite, ConnectMain) {
  join_main();
}

TEST_F(msgpack_suite, ConnectMainWithPayload) {
  send({type::connect, "/", json::object{{"token", "123"}}});
  h.poll();
  expect_connected("/", json::object{{"token", "123"}});
}

TEST_F(msgpack_suite, ConnectCustom) {
  send({type::connect, "/custom"});
  h.poll();
  expect_connected("/custom", json::object{});
}

TEST_F(msgpack_suite, ConnectCustomWithPayload) {
  send({type::connect, "/custom", json::object{{"token", "abc"}}});
  h.poll();
  expect_connected("/custom", json::object{{"token", "abc"}});
}

TEST_F(msgpack_suite, UnknownNamespace) {
  send({type::connect, "/random"});
  h.poll();
  expect({type::connect_error, "/random", json::object{{"message", "Invalid namespace"}}});
}

TEST_F(msgpack_suite, InvalidHandshake) {
  c->bin("abc");
  h.poll();
  EXPECT_TRUE(c->is_closed());
}

TEST_F(msgpack_suite, DisconnectMainKeepsTheConnection) {
  join_main();
  send({type::disconnect});
  h.poll();
  EXPECT_FALSE(c->is_closed());
  EXPECT_EQ(c->pop(), std::nullopt);
}

TEST_F(msgpack_suite, ConnectThenDisconnectCustom) {
  join_main();
  send({type::connect, "/custom"});
  h.poll();
  expect_connected("/custom", json::object{});
  send({type::disconnect, "/custom"});
  send({type::event, "/", json::array{"message", "message to main namespace"}});
  h.poll();
  expect({type::event, "/", json::array{"message-back", "message to main namespace"}});
}

TEST_F(msgpack_suite, Messages) {
  join_main();
  send({type::event, "/", json::array{"message", 1, "2", json::object{{"3", json::array{true}}}}});
  h.poll();
  expect({type::event, "/",
          json::array{"message-back", 1, "2", json::object{{"3", json::array{true}}}}});
  const std::vector<std::string> bins{"\x01\x02\x03", "\x04\x05\x06"};
  const auto placeholders = [] {
    return json::array{pt::make_placeholder(0), pt::make_placeholder(1)};
  };
  auto with_name = [&](const char* name) {
    auto a = placeholders();
    a.insert(a.begin(), name);
    return a;
  };
  send({type::event, "/", with_name("message"), {}, bins});
  h.poll();
  expect({type::event, "/", with_name("message-back"), {}, bins});
  send({type::event, "/",
        json::array{"message-with-ack", 1, "2", json::object{{"3", json::array{false}}}}, 456});
  h.poll();
  expect({type::ack, "/", json::array{1, "2", json::object{{"3", json::array{false}}}}, 456});
  send({type::event, "/", with_name("message-with-ack"), 789, bins});
  h.poll();
  expect({type::ack, "/", placeholders(), 789, bins});
}

TEST_F(msgpack_suite, InvalidFormatsClose) {
  // Not MessagePack; a map without a valid type; an EVENT whose data is not an array; text.
  const std::vector<std::string> bad{"abc", bytes_of({type::event, "/", json::object{}}),
                                     std::string("\x81\xa4type\x09", 7)};
  for (const auto& b : bad) {
    auto conn = h.connect();
    conn->bin(bytes_of({type::connect}));
    h.poll();
    conn->bin(b);
    h.poll();
    EXPECT_TRUE(conn->is_closed());
  }
  auto text = h.connect();
  text->text("0");
  h.poll();
  EXPECT_TRUE(text->is_closed());
}

}  // namespace
}  // namespace sio::test
