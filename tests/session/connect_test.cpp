// Session tests: connecting to namespaces, auth, handshake, middlewares, connect timeout,
// parse errors and invalid states. Wire strings in and out, no network.
#include "harness.hpp"

namespace sio::test {
namespace {

using engineio::close_reason;

TEST(Connect, MainNamespaceAnswersWithDistinctSocketId) {
  harness h;
  std::shared_ptr<socket> sock;
  h.io->on_connection([&](socket& s) { sock = s.shared_from_this(); });
  auto c = h.connect();
  c->text("0");
  h.poll();
  auto m = c->pop();
  ASSERT_TRUE(m);
  ASSERT_EQ(m->rfind("0{\"sid\":\"", 0), 0u) << *m;
  const auto sid = m->substr(9, m->size() - 11);
  EXPECT_EQ(sid.size(), 20u);
  EXPECT_EQ(m->substr(m->size() - 2), "\"}");
  ASSERT_TRUE(sock);
  EXPECT_EQ(sock->id(), sid);
  EXPECT_NE(sock->id(), sock->engine_id());
  EXPECT_EQ(sock->engine_id(), c->id());
  EXPECT_TRUE(sock->connected());
  EXPECT_EQ(sock->nsp().name(), "/");
  EXPECT_EQ(sock->handshake().query().at("EIO"), "4");
  EXPECT_EQ(sock->handshake().headers().at("host"), "localhost");
  EXPECT_EQ(sock->handshake().address(), "127.0.0.1");
  EXPECT_EQ(sock->handshake().issued(), 1700000000000);
  EXPECT_EQ(sock->handshake().time(),
            "Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated Universal Time)");
  EXPECT_EQ(sock->handshake().url(), "/socket.io/?EIO=4&transport=websocket");
  EXPECT_FALSE(sock->handshake().xdomain());
  EXPECT_FALSE(c->is_closed());
}

TEST(Connect, SocketIdsAreUnique) {
  harness h;
  auto c1 = h.connect();
  auto c2 = h.connect();
  const auto a = h.join(*c1);
  const auto b = h.join(*c2);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
}

TEST(Connect, CustomNamespaceAndAuth) {
  harness h;
  boost::json::object seen;
  h.io->of("/custom").on_connection([&](socket& s) {
    seen = s.handshake().auth;
    s.emit("auth", s.handshake().auth);
  });
  auto c = h.connect();
  c->text("0/custom,{\"token\":\"abc\"}");
  h.poll();
  auto m = c->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rfind("0/custom,{\"sid\":\"", 0), 0u) << *m;
  EXPECT_EQ(c->pop(), "2/custom,[\"auth\",{\"token\":\"abc\"}]");
  EXPECT_EQ(seen.at("token").as_string(), "abc");
}

TEST(Connect, UnknownNamespaceKeepsTheConnection) {
  harness h;
  auto c = h.connect();
  c->text("0/nope,");
  h.poll();
  EXPECT_EQ(c->pop(), "4/nope,{\"message\":\"Invalid namespace\"}");
  EXPECT_FALSE(c->is_closed());
  EXPECT_EQ(h.join(*c).size(), 20u);  // the main namespace still works on it
}

TEST(Connect, MiddlewareRefusalWithData) {
  harness h;
  bool connected = false;
  h.io->use([](socket& s, next n) {
    n(connect_error{"not authorized", boost::json::value{{"code", 401}}});
  });
  h.io->on_connection([&](socket&) { connected = true; });
  auto c = h.connect();
  c->text("0");
  h.poll();
  EXPECT_EQ(c->pop(), "4{\"message\":\"not authorized\",\"data\":{\"code\":401}}");
  EXPECT_FALSE(connected);
  EXPECT_FALSE(c->is_closed());
}

TEST(Connect, MiddlewareRefusalWithoutData) {
  harness h;
  h.io->of("/admin").use([](socket&, next n) { n(connect_error{"nope", std::nullopt}); });
  auto c = h.connect();
  c->text("0/admin,");
  h.poll();
  EXPECT_EQ(c->pop(), "4/admin,{\"message\":\"nope\"}");
  // The main namespace has no middleware.
  EXPECT_EQ(h.join(*c).size(), 20u);
}

TEST(Connect, MiddlewaresRunInOrderAndMayContinueLater) {
  harness h;
  std::vector<int> order;
  std::optional<next> parked;
  h.io->use([&](socket& s, next n) {
    order.push_back(1);
    s.data["user"] = "alice";
    n();
  });
  h.io->use([&](socket&, next n) {
    order.push_back(2);
    parked = n;  // e.g. an asynchronous lookup
  });
  std::string user;
  h.io->on_connection([&](socket& s) {
    order.push_back(3);
    user = s.data.at("user").as_string().c_str();
  });
  auto c = h.connect();
  c->text("0");
  h.poll();
  EXPECT_EQ(c->pending(), 0u);
  ASSERT_TRUE(parked);
  std::thread([n = *parked] { n(); }).join();  // continued from another thread
  h.poll();
  auto m = c->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rfind("0{\"sid\":", 0), 0u);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(user, "alice");
}

TEST(Connect, ThrowingMiddlewareRefuses) {
  harness h;
  h.io->use([](socket&, next) { throw std::runtime_error("db down"); });
  auto c = h.connect();
  c->text("0");
  h.poll();
  EXPECT_EQ(c->pop(), "4{\"message\":\"db down\"}");
  EXPECT_FALSE(c->is_closed());
}

TEST(Connect, DynamicNamespaceByRegexAndPredicate) {
  harness h;
  std::vector<std::string> names;
  auto& parent = h.io->of(std::regex("/dyn-\\d+"));
  parent.use([](socket& s, next n) {
    s.data["checked"] = true;
    n();
  });
  parent.on_connection([&](socket& s) { names.push_back(s.nsp().name()); });
  h.io->of([](std::string_view name, const boost::json::object& auth) {
    return name == "/pred" && auth.contains("ok");
  });
  auto c = h.connect();
  EXPECT_EQ(h.join(*c, "/dyn-1").size(), 20u);
  EXPECT_EQ(h.join(*c, "/dyn-22").size(), 20u);
  c->text("0/dyn-x,");
  h.poll();
  EXPECT_EQ(c->pop(), "4/dyn-x,{\"message\":\"Invalid namespace\"}");
  c->text("0/pred,{}");
  h.poll();
  EXPECT_EQ(c->pop(), "4/pred,{\"message\":\"Invalid namespace\"}");
  EXPECT_EQ(h.join(*c, "/pred", "{\"ok\":1}").size(), 20u);
  EXPECT_EQ(names, (std::vector<std::string>{"/dyn-1", "/dyn-22"}));
  // A broadcast on the parent reaches every child namespace.
  parent.emit("hi", 1);
  h.poll();
  EXPECT_EQ(c->pop(), "2/dyn-1,[\"hi\",1]");
  EXPECT_EQ(c->pop(), "2/dyn-22,[\"hi\",1]");
  EXPECT_EQ(c->pop(), std::nullopt);
}

// Like emit, joining, leaving and disconnecting through the parent reach every child's sockets.
TEST(Connect, DynamicParentJoinsAndDisconnectsItsChildrensSockets) {
  harness h;
  auto& parent = h.io->of(std::regex("/dyn-\\d+"));
  auto c = h.connect();
  h.join(*c, "/dyn-1");
  h.join(*c, "/dyn-2");
  parent.sockets_join("r");
  h.poll();
  parent.to("r").emit("in", 1);
  h.poll();
  EXPECT_EQ(c->pop(), "2/dyn-1,[\"in\",1]");
  EXPECT_EQ(c->pop(), "2/dyn-2,[\"in\",1]");
  parent.sockets_leave("r");
  h.poll();
  parent.to("r").emit("in", 2);
  h.poll();
  EXPECT_EQ(c->pop(), std::nullopt);
  parent.local().disconnect_sockets();
  h.poll();
  EXPECT_EQ(c->pop(), "1/dyn-1,");
  EXPECT_EQ(c->pop(), "1/dyn-2,");
  EXPECT_FALSE(c->is_closed());
}

TEST(Connect, NamespacesAreMultiplexedOnOneConnection) {
  harness h;
  std::vector<std::string> got;
  auto on = [&](socket& s) {
    s.on("ev", [&](socket& s, const boost::json::array& args) {
      got.push_back(s.nsp().name() + ":" + boost::json::serialize(args));
    });
  };
  h.io->on_connection(on);
  h.io->of("/a").on_connection(on);
  auto c = h.connect();
  const auto main_id = h.join(*c);
  const auto a_id = h.join(*c, "/a");
  EXPECT_NE(main_id, a_id);
  c->text("2/a,[\"ev\",1]");
  c->text("2[\"ev\",2]");
  h.poll();
  EXPECT_EQ(got, (std::vector<std::string>{"/a:[1]", "/:[2]"}));
}

// The sockets of one connection share its request record (no copy per socket); auth is theirs.
TEST(Connect, HandshakeSharesTheRequestOfTheConnection) {
  harness h;
  std::vector<std::shared_ptr<socket>> socks;
  auto keep = [&](socket& s) { socks.push_back(s.shared_from_this()); };
  h.io->on_connection(keep);
  h.io->of("/a").on_connection(keep);
  auto c = h.connect();
  c->request_mut().headers = {{"host", "localhost"}, {"origin", "http://example.com"}};
  c->request_mut().query = {{"EIO", "4"}, {"token", "t1"}};
  EXPECT_FALSE(h.join(*c).empty());
  EXPECT_FALSE(h.join(*c, "/a", "{\"k\":1}").empty());
  ASSERT_EQ(socks.size(), 2u);
  const auto& main = socks[0]->handshake();
  const auto& a = socks[1]->handshake();
  EXPECT_EQ(&main.request(), &c->request());
  EXPECT_EQ(&a.request(), &c->request());
  EXPECT_EQ(&a.headers(), &main.headers());
  EXPECT_TRUE(a.xdomain());
  EXPECT_EQ(a.query().at("token"), "t1");
  EXPECT_EQ(boost::json::serialize(main.auth), "{}");
  EXPECT_EQ(boost::json::serialize(a.auth), "{\"k\":1}");
  // A copy (as fetch_sockets returns) shares it too.
  const handshake_info copy = a;
  EXPECT_EQ(&copy.request(), &c->request());
  // A default one is empty, never null.
  const handshake_info empty;
  EXPECT_TRUE(empty.headers().empty());
  EXPECT_EQ(empty.address(), "");
  EXPECT_FALSE(empty.xdomain());
}

TEST(Connect, ClientNamespaceDisconnectLeavesOnlyThatNamespace) {
  harness h;
  std::vector<std::string> reasons;
  auto on = [&](socket& s) {
    s.on_disconnect([&](socket& s, disconnect_reason r) {
      reasons.push_back(s.nsp().name() + ":" + std::string(to_string(r)));
    });
  };
  h.io->on_connection(on);
  h.io->of("/a").on_connection(on);
  auto c = h.connect();
  h.join(*c);
  h.join(*c, "/a");
  c->text("1/a,");
  h.poll();
  EXPECT_EQ(reasons, (std::vector<std::string>{"/a:client namespace disconnect"}));
  EXPECT_FALSE(c->is_closed());
  // Reconnecting to it works.
  EXPECT_EQ(h.join(*c, "/a").size(), 20u);
  c->peer_close(close_reason::transport_close);
  h.poll();
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(reasons[1].substr(reasons[1].find(':')), ":transport close");
  EXPECT_EQ(reasons[2].substr(reasons[2].find(':')), ":transport close");
}

TEST(Connect, ConnectTimeoutClosesIdleConnections) {
  server_options o;
  o.connect_timeout = 30ms;
  harness h(1, false, o);
  auto idle = h.connect();
  auto active = h.connect();
  h.join(*active);
  ASSERT_TRUE(h.run_until([&] { return idle->is_closed(); }));
  EXPECT_EQ(idle->closed_with(), close_reason::forced_close);
  EXPECT_FALSE(active->is_closed());
}

TEST(Connect, ParseErrorClosesOnlyThatConnection) {
  harness h;
  std::vector<disconnect_reason> reasons;
  h.io->on_connection([&](socket& s) {
    s.on_disconnect([&](socket&, disconnect_reason r) { reasons.push_back(r); });
  });
  auto bad = h.connect();
  auto good = h.connect();
  h.join(*bad);
  h.join(*good);
  bad->text("2[\"unterminated");
  h.poll();
  EXPECT_TRUE(bad->is_closed());
  EXPECT_FALSE(good->is_closed());
  EXPECT_EQ(reasons, (std::vector<disconnect_reason>{disconnect_reason::parse_error}));
  h.io->emit("still", "here");
  h.poll();
  EXPECT_EQ(good->pop(), "2[\"still\",\"here\"]");
}

TEST(Connect, ReservedEventNamesFromClientsAreParseErrors) {
  harness h;
  auto c = h.connect();
  h.join(*c);
  c->text("2[\"disconnecting\"]");
  h.poll();
  EXPECT_TRUE(c->is_closed());
}

TEST(Connect, PacketForANamespaceNotJoinedClosesTheConnection) {
  harness h;
  std::vector<disconnect_reason> reasons;
  h.io->on_connection([&](socket& s) {
    s.on_disconnect([&](socket&, disconnect_reason r) { reasons.push_back(r); });
  });
  auto c = h.connect();
  h.join(*c);
  c->text("2/other,[\"x\"]");
  h.poll();
  EXPECT_TRUE(c->is_closed());
  EXPECT_EQ(reasons, (std::vector<disconnect_reason>{disconnect_reason::forced_server_close}));
}

TEST(Connect, EngineCloseReasonsReachSockets) {
  harness h;
  std::vector<std::string> reasons;
  h.io->on_connection([&](socket& s) {
    s.on_disconnect([&](socket&, disconnect_reason r) { reasons.emplace_back(to_string(r)); });
  });
  const std::pair<close_reason, const char*> cases[] = {
      {close_reason::transport_close, "transport close"},
      {close_reason::transport_error, "transport error"},
      {close_reason::ping_timeout, "ping timeout"},
      {close_reason::parse_error, "parse error"},
      {close_reason::forced_close, "forced close"},
      {close_reason::server_shutdown, "server shutting down"},
  };
  for (auto [r, text] : cases) {
    auto c = h.connect();
    h.join(*c);
    c->peer_close(r);
    h.poll();
    ASSERT_FALSE(reasons.empty());
    EXPECT_EQ(reasons.back(), text);
  }
  EXPECT_EQ(reasons.size(), 6u);
}

TEST(Connect, StopDisconnectsEverySocket) {
  harness h;
  std::vector<disconnect_reason> reasons;
  h.io->on_connection([&](socket& s) {
    s.on_disconnect([&](socket&, disconnect_reason r) { reasons.push_back(r); });
  });
  auto c1 = h.connect();
  auto c2 = h.connect();
  h.join(*c1);
  h.join(*c2);
  h.io->stop();
  h.poll();
  EXPECT_TRUE(c1->is_closed());
  EXPECT_TRUE(c2->is_closed());
  EXPECT_EQ(reasons, (std::vector<disconnect_reason>(2, disconnect_reason::server_shutting_down)));
}

}  // namespace
}  // namespace sio::test
