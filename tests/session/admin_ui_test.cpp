// Session tests of sio::admin_ui::instrument: the admin namespace's authentication, what it sends
// on connection, server_stats on its timer (with the traffic charts fed from the server's
// metrics), the development-mode events and the UI's actions, the children of dynamic namespaces
// and the sockets that connected before instrument(), over in-memory connections on two workers
// (harness.hpp), polled by the test thread.
#include "harness.hpp"

#include <sio/admin_ui/admin_ui.hpp>

#include <boost/json/parse.hpp>

namespace sio::test {
namespace {

namespace json = boost::json;

// bcryptjs.hashSync("changeit", 4)
constexpr const char* hash = "$2b$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";
constexpr const char* good_auth = R"({"username":"admin","password":"changeit"})";

struct admin_ui : ::testing::Test {
  harness h{2};
  std::optional<sio::admin_ui::instrumentation> ui;

  void instrument(sio::admin_ui::ui_mode mode = sio::admin_ui::ui_mode::development,
                  std::vector<std::reference_wrapper<namespace_>> dynamic = {}) {
    ui.emplace(sio::admin_ui::instrument(*h.io, {.auth = sio::admin_ui::basic_auth{"admin", hash},
                                                 .mode = mode,
                                                 .server_id = "node-1",
                                                 .dynamic_namespaces = std::move(dynamic),
                                                 .stats_interval = std::chrono::milliseconds(20)}));
    h.poll();
  }
  // The admin namespace's events received by `c` so far: [name, args...] arrays.
  static std::vector<json::array> events(fake_connection& c) {
    std::vector<json::array> out;
    const std::string prefix = "2/admin,";
    while (auto m = c.pop()) {
      if (m->rfind(prefix, 0) == 0) out.push_back(json::parse(m->substr(prefix.size())).as_array());
    }
    return out;
  }
  // Runs the workers until `c` received the event `name` passing `ok`; returns its arguments.
  std::optional<json::array> wait_event(
      fake_connection& c, std::string_view name,
      const std::function<bool(const json::array&)>& ok = [](const json::array&) { return true; }) {
    std::optional<json::array> found;
    h.run_until([&] {
      for (auto& e : events(c)) {
        if (!found && e.at(0).as_string() == name && ok(e)) found = e;
      }
      return found.has_value();
    });
    return found;
  }
  static std::size_t sockets_in(const json::array& stats, std::string_view nsp) {
    for (const auto& n : stats.at(1).at("namespaces").as_array())
      if (n.at("name").as_string() == nsp) return n.at("socketsCount").to_number<std::size_t>();
    return 0;
  }
};

TEST_F(admin_ui, RefusesWrongCredentials) {
  instrument();
  auto c = h.connect(1);
  for (const char* auth : {"", R"({"username":"admin","password":"wrong"})",
                           R"({"username":"root","password":"changeit"})",
                           R"({"username":"admin","password":42})", R"({"sessionId":"nope"})"}) {
    c->text(std::string("0/admin,") + auth);
    h.poll();
    EXPECT_EQ(c->pop(), R"(4/admin,{"message":"invalid credentials"})") << auth;
  }
}

TEST_F(admin_ui, AdmitsTheUserWithASessionAndTheConfig) {
  instrument();
  auto c = h.connect(0);
  ASSERT_FALSE(h.join(*c, "/admin", good_auth).empty());
  h.poll();
  auto received = events(*c);
  ASSERT_GE(received.size(), 2u);
  const auto& session = received[0];
  EXPECT_EQ(session.at(0).as_string(), "session");
  EXPECT_EQ(received[1].at(0).as_string(), "config");
  EXPECT_EQ(received[1].at(1).at("supportedFeatures"),
            (json::array{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT",
                         "AGGREGATED_EVENTS", "ALL_EVENTS"}));
  auto again = h.connect(1);
  EXPECT_FALSE(h.join(*again, "/admin",
                      R"({"sessionId":")" + std::string(session.at(1).as_string()) + R"("})")
                   .empty());
}

TEST_F(admin_ui, SendsStatsAndListsSockets) {
  instrument();
  auto user = h.connect(1);
  const std::string id = h.join(*user);
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  auto all = wait_event(*admin, "all_sockets");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->at(1).as_array().size(), 1u);
  EXPECT_EQ(all->at(1).at(0).at("id").as_string(), id);
  EXPECT_EQ(all->at(1).at(0).at("transport").as_string(), "websocket");
  auto stats = wait_event(*admin, "server_stats", [](const json::array& s) {
    return sockets_in(s, "/") == 1 && sockets_in(s, "/admin") == 1;
  });
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->at(1).at("serverId").as_string(), "node-1");
  EXPECT_EQ(stats->at(1).at("clientsCount").as_int64(), 2);
  EXPECT_EQ(stats->at(1).at("pollingClientsCount").as_int64(), 0);
}

TEST_F(admin_ui, ActionsReachTheSockets) {
  instrument();
  auto user = h.connect(1);
  const std::string id = h.join(*user);
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  admin->text(R"(2/admin,["join","/","vip",")" + id + R"("])");
  EXPECT_TRUE(wait_event(*admin, "room_joined", [&](const json::array& e) {
    return e.at(2).as_string() == "vip" && e.at(3).as_string() == id;
  }));
  admin->text(R"(2/admin,["emit","/","vip","notice","hi"])");
  h.poll();
  EXPECT_EQ(user->pop(), R"(2["notice","hi"])");
  admin->text(R"(2/admin,["_disconnect","/",false,")" + id + R"("])");
  auto gone = wait_event(*admin, "socket_disconnected",
                         [&](const json::array& e) { return e.at(2).as_string() == id; });
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->at(3).as_string(), "server namespace disconnect");
  EXPECT_EQ(user->pop(), "1");
}

// The aggregatedEvents counts of `type` in one server_stats.
std::uint64_t aggregated(const json::array& stats, std::string_view type) {
  std::uint64_t n = 0;
  for (const auto& e : stats.at(1).at("aggregatedEvents").as_array())
    if (e.at("type").as_string() == type) n += e.at("count").to_number<std::uint64_t>();
  return n;
}

TEST_F(admin_ui, ChartsPacketsAndBytesFromTheMetrics) {
  instrument();
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  auto user = h.connect(1);
  h.join(*user);
  const std::string event = R"(2["hello","world"])";
  for (int i = 0; i < 3; ++i) user->text(event);
  // Counted from instrument() on: the user's CONNECT and three events at least, and what the
  // admin namespace sent the UI.
  std::uint64_t packets_in = 0, bytes_in = 0, packets_out = 0, bytes_out = 0;
  EXPECT_TRUE(wait_event(*admin, "server_stats", [&](const json::array& s) {
    packets_in += aggregated(s, "packetsIn");
    bytes_in += aggregated(s, "bytesIn");
    packets_out += aggregated(s, "packetsOut");
    bytes_out += aggregated(s, "bytesOut");
    return packets_in >= 5 && bytes_in >= 3 * event.size() && packets_out > 0 && bytes_out > 0;
  }));
  EXPECT_GE(bytes_out, packets_out);
}

TEST_F(admin_ui, ListsAndInstrumentsTheChildrenOfADynamicNamespace) {
  auto& users = h.io->of(std::regex("^/users/\\d+$"));
  auto early = h.connect(0);
  const std::string early_id = h.join(*early, "/users/7");
  ASSERT_FALSE(early_id.empty());
  instrument(sio::admin_ui::ui_mode::development, {users});
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  auto all = wait_event(*admin, "all_sockets");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->at(1).as_array().size(), 1u);  // the child's socket
  auto user = h.connect(1);
  const std::string id = h.join(*user, "/users/42");
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(wait_event(*admin, "socket_connected", [&](const json::array& e) {
    return e.at(1).at("nsp").as_string() == "/users/42" && e.at(1).at("id").as_string() == id;
  }));
  EXPECT_TRUE(wait_event(*admin, "server_stats", [](const json::array& s) {
    return sockets_in(s, "/users/7") == 1 && sockets_in(s, "/users/42") == 1;
  }));
  admin->text(R"(2/admin,["emit","/users/42","","notice","hi"])");
  h.poll();
  EXPECT_EQ(user->pop(), R"(2/users/42,["notice","hi"])");
  user->text(R"(2/users/42,["read",1])");
  EXPECT_TRUE(wait_event(*admin, "event_received", [&](const json::array& e) {
    return e.at(1).as_string() == "/users/42" && e.at(2).as_string() == id;
  }));
}

TEST_F(admin_ui, CountsAndWatchesTheSocketsConnectedBeforehand) {
  auto user = h.connect(1);
  const std::string id = h.join(*user);
  instrument();
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  EXPECT_TRUE(wait_event(*admin, "server_stats", [](const json::array& s) {
    return sockets_in(s, "/") == 1 && s.at(1).at("clientsCount").as_int64() == 2;
  }));
  user->text(R"(2["hello"])");
  EXPECT_TRUE(wait_event(*admin, "event_received",
                         [&](const json::array& e) { return e.at(2).as_string() == id; }));
  user->text("1");
  auto gone = wait_event(*admin, "socket_disconnected",
                         [&](const json::array& e) { return e.at(2).as_string() == id; });
  ASSERT_TRUE(gone);
  EXPECT_TRUE(wait_event(*admin, "server_stats",
                         [](const json::array& s) { return sockets_in(s, "/") == 0; }));
}

TEST_F(admin_ui, IgnoresMalformedActions) {
  instrument();
  auto user = h.connect(1);
  h.join(*user);
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  for (const char* a : {R"(["_disconnect"])", R"(["_disconnect","/elsewhere",true])",
                        R"(["join",1,2,3])", R"(["emit","/",null,"connect"])", R"(["leave"])"}) {
    admin->text(std::string("2/admin,") + a);
  }
  h.poll();
  EXPECT_FALSE(user->is_closed());
  EXPECT_EQ(user->pop(), std::nullopt);
}

TEST_F(admin_ui, ProductionModeListsNoSockets) {
  instrument(sio::admin_ui::ui_mode::production);
  auto admin = h.connect(0);
  h.join(*admin, "/admin", good_auth);
  auto config = wait_event(*admin, "config");
  ASSERT_TRUE(config);
  for (const auto& f : config->at(1).at("supportedFeatures").as_array())
    EXPECT_NE(f.as_string(), "ALL_EVENTS");
  auto user = h.connect(1);
  h.join(*user);
  EXPECT_TRUE(wait_event(*admin, "server_stats",
                         [](const json::array& s) { return sockets_in(s, "/") == 1; }));
  h.poll();
  for (auto& e : events(*admin)) {
    EXPECT_NE(e.at(0).as_string(), "all_sockets");
    EXPECT_NE(e.at(0).as_string(), "socket_connected");
  }
}

TEST_F(admin_ui, PasswordChecksBeyondTheBudgetAreRefused) {
  ui.emplace(sio::admin_ui::instrument(*h.io, {.auth = sio::admin_ui::basic_auth{"admin", hash},
                                               .max_password_checks_per_second = 0}));
  auto c = h.connect(0);
  c->text(std::string("0/admin,") + good_auth);
  h.poll();
  EXPECT_EQ(c->pop(), R"(4/admin,{"message":"invalid credentials"})");
}

TEST_F(admin_ui, RefusesAHashThatIsNotBcrypt) {
  EXPECT_THROW(sio::admin_ui::instrument(*h.io, {.auth = sio::admin_ui::basic_auth{"a", "plain"}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace sio::test
