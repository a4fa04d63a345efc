// The Socket.IO v5 protocol test suite's scenarios (docs/socket.io-protocol/v5-test-suite), at
// the session level: the server configured like the suite's reference server, wire strings
// without the Engine.IO '4' prefix.
#include "harness.hpp"

namespace sio::test {
namespace {

void configure(server& io) {
  auto on = [](socket& s) {
    s.emit("auth", s.handshake().auth);
    s.on("message", [](socket& s, const payload& p) { s.emit("message-back", p); });
    s.on("message-with-ack", [](socket&, const payload& p, ack a) { a(p); });
  };
  io.on_connection(on);
  io.of("/custom").on_connection(on);
}

struct suite : ::testing::Test {
  harness h;
  std::shared_ptr<fake_connection> c;
  void SetUp() override {
    configure(*h.io);
    c = h.connect();
  }
  std::string handshake_prefix() {
    auto m = c->pop();
    return m ? m->substr(0, m->find('{')) : "";
  }
};

TEST_F(suite, ConnectMain) {
  c->text("0");
  h.poll();
  EXPECT_EQ(handshake_prefix(), "0");
  EXPECT_EQ(c->pop(), "2[\"auth\",{}]");
}

TEST_F(suite, ConnectMainWithPayload) {
  c->text("0{\"token\":\"123\"}");
  h.poll();
  EXPECT_EQ(handshake_prefix(), "0");
  EXPECT_EQ(c->pop(), "2[\"auth\",{\"token\":\"123\"}]");
}

TEST_F(suite, ConnectCustom) {
  c->text("0/custom,");
  h.poll();
  EXPECT_EQ(handshake_prefix(), "0/custom,");
  EXPECT_EQ(c->pop(), "2/custom,[\"auth\",{}]");
}

TEST_F(suite, ConnectCustomWithPayload) {
  c->text("0/custom,{\"token\":\"abc\"}");
  h.poll();
  EXPECT_EQ(handshake_prefix(), "0/custom,");
  EXPECT_EQ(c->pop(), "2/custom,[\"auth\",{\"token\":\"abc\"}]");
}

TEST_F(suite, UnknownNamespace) {
  c->text("0/random");
  h.poll();
  EXPECT_EQ(c->pop(), "4/random,{\"message\":\"Invalid namespace\"}");
}

TEST_F(suite, InvalidHandshake) {
  c->text("abc");
  h.poll();
  EXPECT_TRUE(c->is_closed());
}

TEST_F(suite, DisconnectMainKeepsTheConnection) {
  h.join(*c);
  c->pop();
  c->text("1");
  h.poll();
  EXPECT_FALSE(c->is_closed());
  EXPECT_EQ(c->pop(), std::nullopt);
}

TEST_F(suite, ConnectThenDisconnectCustom) {
  h.join(*c);
  c->pop();
  c->text("0/custom");
  h.poll();
  EXPECT_EQ(handshake_prefix(), "0/custom,");
  c->pop();
  c->text("1/custom");
  c->text("2[\"message\",\"message to main namespace\"]");
  h.poll();
  EXPECT_EQ(c->pop(), "2[\"message-back\",\"message to main namespace\"]");
}

TEST_F(suite, Messages) {
  h.join(*c);
  c->pop();
  c->text("2[\"message\",1,\"2\",{\"3\":[true]}]");
  h.poll();
  EXPECT_EQ(c->pop(), "2[\"message-back\",1,\"2\",{\"3\":[true]}]");
  c->text("52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
  c->bin("\x01\x02\x03");
  c->bin("\x04\x05\x06");
  h.poll();
  EXPECT_EQ(c->pop(),
            "52-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
            "\"num\":1}]");
  EXPECT_EQ(c->pop(), "b:\x01\x02\x03");
  EXPECT_EQ(c->pop(), "b:\x04\x05\x06");
  c->text("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");
  h.poll();
  EXPECT_EQ(c->pop(), "3456[1,\"2\",{\"3\":[false]}]");
  c->text(
      "52-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,"
      "\"num\":1}]");
  c->bin("\x01\x02\x03");
  c->bin("\x04\x05\x06");
  h.poll();
  EXPECT_EQ(c->pop(),
            "62-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(c->pop(), "b:\x01\x02\x03");
  EXPECT_EQ(c->pop(), "b:\x04\x05\x06");
}

TEST_F(suite, InvalidFormatsClose) {
  for (const char* bad : {"abc", "2{}", "2abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]"}) {
    auto conn = h.connect();
    h.join(*conn);
    conn->text(bad);
    h.poll();
    EXPECT_TRUE(conn->is_closed()) << bad;
  }
}

}  // namespace
}  // namespace sio::test
