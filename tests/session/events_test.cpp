// Session tests: events in and out, client acknowledgements, typed and binary arguments,
// catch-all listeners, packet middlewares, throwing handlers.
#include "harness.hpp"

namespace chat {
struct message {
  std::string room;
  std::string text;
};
message tag_invoke(boost::json::value_to_tag<message>, const boost::json::value& v) {
  const auto& o = v.as_object();
  return {std::string(o.at("room").as_string()), std::string(o.at("text").as_string())};
}
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const message& m) {
  v = {{"room", m.room}, {"text", m.text}};
}
}  // namespace chat

namespace sio::test {
namespace {

std::string bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

struct events : ::testing::Test {
  harness h;
  std::shared_ptr<socket> sock;
  std::shared_ptr<fake_connection> c;

  void SetUp() override {
    h.io->on_connection([this](socket& s) { sock = s.shared_from_this(); });
  }
  void open(const std::function<void(socket&)>& setup = {}) {
    if (setup) h.io->on_connection(setup);
    c = h.connect();
    ASSERT_EQ(h.join(*c).size(), 20u);
  }
};

TEST_F(events, EventWithoutAck) {
  boost::json::array got;
  bool requested = true;
  open([&](socket& s) {
    s.on("hello", [&](socket&, const boost::json::array& args, ack a) {
      got = args;
      requested = a.requested();
      a("ignored");  // no id: nothing is sent
    });
  });
  c->text("2[\"hello\",\"world\",1,{\"a\":[true,null]}]");
  h.poll();
  EXPECT_EQ(boost::json::serialize(got), "[\"world\",1,{\"a\":[true,null]}]");
  EXPECT_FALSE(requested);
  EXPECT_EQ(c->pop(), std::nullopt);
}

TEST_F(events, NumericEventNamesAndUnknownEvents) {
  int calls = 0;
  open([&](socket& s) { s.on("42", [&](socket&, const boost::json::array&) { ++calls; }); });
  c->text("2[42]");
  c->text("2[\"nobody-listens\",1]");
  c->text("21[\"nobody-listens\"]");
  h.poll();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(c->pop(), std::nullopt);
  EXPECT_FALSE(c->is_closed());
}

// A running handler may register more handlers (growing the list), replace or remove itself.
TEST_F(events, HandlersReplaceAndRemoveThemselvesWhileRunning) {
  std::vector<std::string> seen;
  open([&](socket& s) {
    s.on("grow", [&, big = std::string(100, 'x')](socket& s, const boost::json::array&) {
      for (char i = 'a'; i <= 'z'; ++i)
        s.on(std::string(3, i), [](socket&, const boost::json::array&) {});
      seen.push_back(big);  // its captures are still alive
    });
    s.on("once", [&, tag = std::string(64, 'o')](socket& s, const boost::json::array&) {
      s.off("once");
      seen.push_back(tag);
    });
    s.on("swap", [&](socket& s, const boost::json::array&) {
      s.on("swap", [&](socket&, const boost::json::array&) { seen.push_back("swapped"); });
      seen.push_back("swap");
    });
  });
  for (const char* ev : {"grow", "once", "once", "swap", "swap", "swap", "grow"})
    c->text(std::string("2[\"") + ev + "\"]");
  h.poll();
  const std::string big(100, 'x'), tag(64, 'o');
  EXPECT_EQ(seen, (std::vector<std::string>{big, tag, "swap", "swapped", "swapped", big}));
  EXPECT_FALSE(c->is_closed());
}

TEST_F(events, EventWithAckAnswersOnce) {
  open([&](socket& s) {
    s.on("ping", [](socket&, const boost::json::array& args, ack a) {
      EXPECT_TRUE(a.requested());
      a("pong", args.at(0));
      a("again");  // ignored
    });
  });
  c->text("27[\"ping\",5]");
  h.poll();
  EXPECT_EQ(c->pop(), "37[\"pong\",5]");
  EXPECT_EQ(c->pop(), std::nullopt);
}

TEST_F(events, AckWithObjectAndEmptyAck) {
  open([&](socket& s) {
    s.on("a", [](socket&, const boost::json::array&, ack a) { a({{"success", true}}); });
    s.on("b", [](socket&, const boost::json::array&, ack a) { a(); });
  });
  c->text("20[\"a\"]");
  c->text("21[\"b\"]");
  h.poll();
  EXPECT_EQ(c->pop(), "30[{\"success\":true}]");
  EXPECT_EQ(c->pop(), "31[]");
}

TEST_F(events, AckFromAnotherThreadAndInNamespace) {
  std::optional<ack> saved;
  h.io->of("/admin").on_connection([&](socket& s) {
    s.on("later", [&](socket&, const boost::json::array&, ack a) { saved = a; });
  });
  c = h.connect();
  h.join(*c, "/admin");
  c->text("2/admin,12[\"later\"]");
  h.poll();
  ASSERT_TRUE(saved);
  std::thread([a = *saved] { a(1, "two"); }).join();
  h.poll();
  EXPECT_EQ(c->pop(), "3/admin,12[1,\"two\"]");
}

TEST_F(events, TypedHandlerAndBadArguments) {
  std::vector<std::string> seen;
  open([&](socket& s) {
    s.on("send", [&](socket& s, const chat::message& m, ack a) {
      seen.push_back(m.room + "/" + m.text);
      s.emit("echo", m);
      a(true);
    });
  });
  c->text("23[\"send\",{\"room\":\"r1\",\"text\":\"hi\"}]");
  c->text("24[\"send\",\"not an object\"]");
  c->text("25[\"send\"]");
  h.poll();
  EXPECT_EQ(seen, (std::vector<std::string>{"r1/hi"}));
  EXPECT_EQ(c->pop(), "2[\"echo\",{\"room\":\"r1\",\"text\":\"hi\"}]");
  EXPECT_EQ(c->pop(), "33[true]");
  // Bad arguments answer the ack with an error, not the handler.
  EXPECT_EQ(c->pop(), "34[{\"error\":\"argument 1: not an object\"}]");
  EXPECT_EQ(c->pop(), "35[{\"error\":\"argument 1: missing\"}]");
  EXPECT_EQ(c->pop(), std::nullopt);
  EXPECT_FALSE(c->is_closed());  // bad arguments refuse the event, not the socket
  EXPECT_TRUE(sock->connected());
}

TEST_F(events, ClientErrorEventIsOrdinary) {
  int calls = 0;
  open([&](socket& s) { s.on("error", [&](socket&, const boost::json::array&) { ++calls; }); });
  c->text("2[\"error\",\"boom\"]");
  h.poll();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sock->connected());
}

TEST_F(events, BinaryArgumentsInAcrossFrames) {
  payload got;
  open([&](socket& s) {
    s.on("upload", [&](socket&, const payload& p, ack a) {
      got = p;
      a(p);  // echo the binaries back in a BINARY_ACK
    });
  });
  c->text(
      "52-3[\"upload\",{\"_placeholder\":true,\"num\":0},\"mid\",{\"_placeholder\":true,\"num\":1}"
      "]");
  h.poll();
  EXPECT_EQ(c->pop(), std::nullopt);  // waits for the attachments
  c->bin(bytes({1, 2, 3}));
  h.poll();
  EXPECT_TRUE(got.empty());
  c->bin(bytes({0, 255}));
  h.poll();
  ASSERT_EQ(got.size(), 3u);
  ASSERT_TRUE(got.is_binary(0));
  EXPECT_FALSE(got.is_binary(1));
  ASSERT_TRUE(got.is_binary(2));
  EXPECT_EQ(got.binary_at(0)->bytes, bytes({1, 2, 3}));
  EXPECT_EQ(got.binary_at(2)->bytes, bytes({0, 255}));
  EXPECT_EQ(c->pop(),
            "62-3[{\"_placeholder\":true,\"num\":0},\"mid\",{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(c->pop(), "b:" + bytes({1, 2, 3}));
  EXPECT_EQ(c->pop(), "b:" + bytes({0, 255}));
}

TEST_F(events, BinaryArgumentsOut) {
  open();
  std::vector<std::byte> raw{std::byte{9}, std::byte{8}};
  sock->emit("file", "name.bin", raw, binary(bytes({7})));
  h.poll();
  EXPECT_EQ(c->pop(),
            "52-[\"file\",\"name.bin\",{\"_placeholder\":true,\"num\":0},"
            "{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(c->pop(), "b:" + bytes({9, 8}));
  EXPECT_EQ(c->pop(), "b:" + bytes({7}));
}

TEST_F(events, EchoingAPayloadSplicesItsBinaries) {
  open([&](socket& s) {
    s.on("message",
         [](socket& s, const payload& p) { s.emit("message-back", binary(bytes({1})), p); });
  });
  c->text("51-[\"message\",{\"_placeholder\":true,\"num\":0},2]");
  c->bin(bytes({5}));
  h.poll();
  EXPECT_EQ(c->pop(),
            "52-[\"message-back\",{\"_placeholder\":true,\"num\":0},"
            "{\"_placeholder\":true,\"num\":1},2]");
  EXPECT_EQ(c->pop(), "b:" + bytes({1}));
  EXPECT_EQ(c->pop(), "b:" + bytes({5}));
}

TEST_F(events, TextWhileAttachmentsPendingIsAParseError) {
  open();
  c->text("51-[\"x\",{\"_placeholder\":true,\"num\":0}]");
  c->text("2[\"y\"]");
  h.poll();
  EXPECT_TRUE(c->is_closed());
}

TEST_F(events, CatchAllListeners) {
  std::vector<std::string> in, out;
  open([&](socket& s) {
    s.on_any([&](socket&, std::string_view ev, const payload& p) {
      in.push_back(std::string(ev) + boost::json::serialize(p.args));
    });
    s.on_any_outgoing([&](socket&, std::string_view ev, std::span<const boost::json::value> args) {
      out.push_back(std::string(ev) + std::to_string(args.size()));
    });
  });
  c->text("2[\"a\",1,2]");
  h.poll();
  sock->emit("b", 1);
  h.io->emit("c");
  h.poll();
  EXPECT_EQ(in, (std::vector<std::string>{"a[1,2]"}));
  EXPECT_EQ(out, (std::vector<std::string>{"b1", "c0"}));
}

TEST_F(events, PacketMiddlewareCanRefuse) {
  std::vector<std::string> handled, errors;
  open([&](socket& s) {
    s.use([](socket&, std::string_view ev, payload& p, next n) {
      if (ev == "secret") return n(connect_error{"forbidden", std::nullopt});
      p.args.push_back("tagged");
      n();
    });
    s.on_error([&](socket&, const connect_error& e) { errors.push_back(e.message); });
    s.on("open", [&](socket&, const boost::json::array& a) {
      handled.push_back(boost::json::serialize(a));
    });
    s.on("secret", [&](socket&, const boost::json::array&) { handled.push_back("secret"); });
  });
  c->text("2[\"open\",1]");
  c->text("2[\"secret\"]");
  h.poll();
  EXPECT_EQ(handled, (std::vector<std::string>{"[1,\"tagged\"]"}));
  EXPECT_EQ(errors, (std::vector<std::string>{"forbidden"}));
  EXPECT_EQ(c->pop(), std::nullopt);  // nothing goes to the client
  EXPECT_TRUE(sock->connected());
}

TEST_F(events, ThrowingHandlerDisconnectsOnlyThatSocket) {
  std::vector<disconnect_reason> reasons;
  open([&](socket& s) {
    s.on("boom", [](socket&, const boost::json::array&) { throw std::runtime_error("bug"); });
    s.on_disconnect([&](socket&, disconnect_reason r) { reasons.push_back(r); });
  });
  auto other = h.connect();
  h.join(*other);
  c->text("2[\"boom\"]");
  h.poll();
  EXPECT_EQ(c->pop(), "1");  // DISCONNECT from the server
  EXPECT_FALSE(c->is_closed());
  EXPECT_EQ(reasons,
            (std::vector<disconnect_reason>{disconnect_reason::server_namespace_disconnect}));
  bool logged = false;
  for (const auto& l : h.log_lines()) logged |= l.find("bug") != std::string::npos;
  EXPECT_TRUE(logged);
  h.io->emit("alive");
  h.poll();
  EXPECT_EQ(other->pop(), "2[\"alive\"]");
  // Further packets for the left namespace close the connection (invalid state).
  c->text("2[\"x\"]");
  h.poll();
  EXPECT_TRUE(c->is_closed());
}

TEST_F(events, ThrowingConnectionHandlerDisconnects) {
  std::vector<disconnect_reason> reasons;
  h.io->on_connection([&](socket& s) {
    s.on_disconnect([&](socket&, disconnect_reason r) { reasons.push_back(r); });
    throw std::logic_error("oops");
  });
  c = h.connect();
  h.join(*c);
  EXPECT_EQ(c->pop(), "1");
  EXPECT_EQ(reasons,
            (std::vector<disconnect_reason>{disconnect_reason::server_namespace_disconnect}));
}

TEST_F(events, EmittingReservedNamesThrows) {
  open();
  EXPECT_THROW(sock->emit("connect"), std::invalid_argument);
  EXPECT_THROW(h.io->emit("disconnect"), std::invalid_argument);
  EXPECT_NO_THROW(sock->emit("error", "ordinary"));
}

TEST_F(events, ServerDisconnect) {
  std::vector<disconnect_reason> reasons;
  open([&](socket& s) {
    s.on_disconnecting([&](socket& s, disconnect_reason r) {
      EXPECT_FALSE(s.rooms().empty());  // still in its rooms
      reasons.push_back(r);
    });
    s.on_disconnect([&](socket& s, disconnect_reason r) {
      EXPECT_TRUE(s.rooms().empty());
      EXPECT_FALSE(s.connected());
      reasons.push_back(r);
    });
    s.join("room");
  });
  sock->disconnect();
  h.poll();
  EXPECT_EQ(c->pop(), "1");
  EXPECT_FALSE(c->is_closed());
  EXPECT_EQ(reasons,
            (std::vector<disconnect_reason>(2, disconnect_reason::server_namespace_disconnect)));
}

TEST_F(events, ServerDisconnectWithClose) {
  std::vector<std::string> reasons;
  auto on = [&](socket& s) {
    s.on_disconnect([&](socket& s, disconnect_reason r) {
      reasons.push_back(s.nsp().name() + ":" + std::string(to_string(r)));
    });
  };
  h.io->of("/a").on_connection(on);
  open(on);
  h.join(*c, "/a");
  sock->disconnect(true);
  h.poll();
  EXPECT_EQ(c->pop(), "1");
  EXPECT_EQ(c->pop(), "1/a,");
  EXPECT_TRUE(c->is_closed());
  EXPECT_EQ(reasons, (std::vector<std::string>{"/:server namespace disconnect",
                                               "/a:server namespace disconnect"}));
}

}  // namespace
}  // namespace sio::test
