// notifications::realtime on the in-memory server harness (tests/session): wire strings in and
// out, SQLite storage, the host's login stood in for by a middleware that takes the user from
// auth. The owner check (`forbidden`), `unread` on connect, an app's push reaching each of the
// user's connections once (and nobody else's), markRead's ack and `read` to the other connection
// only, and a stopped module dropping pushes.
#include "harness.hpp"
#include "temp_dir.hpp"

#include "accounts.hpp"
#include "database.hpp"

#include <notifications/realtime.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

namespace notifications {
namespace {

namespace json = boost::json;

// The login middleware's record on the socket, from auth {"user": <id>}.
void fake_login(sio::socket& s, sio::next next) {
  const auto* user = s.handshake().auth.if_contains("user");
  if (!user || !user->is_int64()) return next(sio::connect_error{"unauthorized", std::nullopt});
  s.data["userId"] = user->get_int64();
  s.data["username"] = "user" + std::to_string(user->get_int64());
  next();
}

class RealtimeTest : public ::testing::Test {
 protected:
  RealtimeTest() {
    users.use(fake_login);
    rt.install();
  }

  // The event of a packet "2/users/<id>,[event, payload, ...]" of `c`: [event, payload].
  std::optional<json::array> event(sio::test::fake_connection& c, id_type user) {
    auto m = c.pop();
    const auto prefix = "2" + realtime::namespace_of(user) + ",";
    if (!m || m->rfind(prefix, 0) != 0) return std::nullopt;
    return json::parse(m->substr(prefix.size())).as_array();
  }

  // A connection of `user` to its namespace, its `unread` taken.
  std::shared_ptr<sio::test::fake_connection> tab(id_type user, std::int64_t unread_count = 0) {
    auto c = h.connect();
    EXPECT_EQ(
        h.join(*c, realtime::namespace_of(user), R"({"user":)" + std::to_string(user) + "}").size(),
        20u);
    h.poll();
    auto unread = event(*c, user);
    EXPECT_TRUE(unread && unread->at(0) == "unread");
    if (unread) {
      EXPECT_EQ(unread->at(1).at("count"), unread_count);
    }
    return c;
  }

  sio::test::harness h;
  apps::test::temp_dir dir;
  apps::database db = apps::open_database((dir.path() / "apps.db").string());
  std::unique_ptr<apps::accounts> accounts = apps::open_accounts(db);
  std::unique_ptr<storage> store = open_storage(db);
  sio::namespace_& users = h.io->of(std::regex(std::string(realtime::namespace_pattern)));
  realtime rt{*h.io, users, *store, *accounts, {}};
};

TEST(RealtimeNames, TheUserOfANamespaceInItsOneForm) {
  EXPECT_EQ(realtime::namespace_of(42), "/users/42");
  EXPECT_EQ(realtime::user_of_namespace("/users/42"), 42);
  for (std::string_view other :
       {"/users/042", "/users/0", "/users/-1", "/users/+1", "/users/", "/users/42/", "/users/4x",
        "/user/42", "/users/1234567890123456789"})
    EXPECT_FALSE(realtime::user_of_namespace(other)) << other;
}

TEST_F(RealtimeTest, RefusesAnotherUsersNamespace) {
  auto c = h.connect();
  c->text(R"(0/users/2,{"user":1})");
  h.poll();
  EXPECT_EQ(c->pop(), R"(4/users/2,{"message":"forbidden"})");
  c->text("0/users/2,{}");
  h.poll();
  EXPECT_EQ(c->pop(), R"(4/users/2,{"message":"unauthorized"})");
  c->text("0/users/02,{}");
  h.poll();
  EXPECT_EQ(c->pop(), R"(4/users/02,{"message":"Invalid namespace"})");
}

TEST_F(RealtimeTest, APushReachesEachConnectionOfTheUserOnce) {
  auto one = tab(1);
  auto two = tab(1);
  auto other = tab(2);
  rt.push({1, 0, "  Your turn  ", "bob played", "/tictactoe/3"});
  h.poll();
  for (auto* c : {one.get(), two.get()}) {
    auto n = event(*c, 1);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->at(0), "notification");
    const auto& v = n->at(1).as_object();
    EXPECT_EQ(v.at("title"), "Your turn");
    EXPECT_EQ(v.at("body"), "bob played");
    EXPECT_EQ(v.at("url"), "/tictactoe/3");
    EXPECT_TRUE(v.at("from").is_null());
    EXPECT_EQ(v.at("read"), false);
    EXPECT_EQ(c->pop(), std::nullopt);  // once
  }
  EXPECT_EQ(other->pop(), std::nullopt);
  tab(1, 1);  // stored: in `unread` on connect
}

TEST_F(RealtimeTest, MarkReadAnswersAndTellsTheOtherConnectionOnly) {
  auto one = tab(1);
  auto two = tab(1);
  rt.push({1, 0, "a", "", ""});
  h.poll();
  const auto id = event(*one, 1)->at(1).at("id").as_int64();
  event(*two, 1);
  one->text(R"(2/users/1,7["markRead",{"ids":[)" + std::to_string(id) + "]}]");
  h.poll();
  EXPECT_EQ(one->pop(),
            R"(3/users/1,7[{"success":true,"ids":[)" + std::to_string(id) + R"(],"count":0}])");
  EXPECT_EQ(one->pop(), std::nullopt);
  auto read = event(*two, 1);
  ASSERT_TRUE(read);
  EXPECT_EQ(json::serialize(*read),
            R"(["read",{"ids":[)" + std::to_string(id) + R"(],"count":0}])");
  one->text(R"(2/users/1,8["markRead",{"ids":"all"}])");
  h.poll();
  EXPECT_EQ(one->pop(), R"(3/users/1,8[{"success":false,"error":"Invalid ids"}])");
}

TEST_F(RealtimeTest, AStoppedModuleDropsPushes) {
  auto one = tab(1);
  rt.stop();
  rt.push({1, 0, "late", "", ""});
  h.poll();
  EXPECT_EQ(one->pop(), std::nullopt);
  EXPECT_EQ(store->unread_count(1), 0);
}

}  // namespace
}  // namespace notifications
