// The chat's REST routes behind the demo server's /api (registry): the accounts' routes they
// need (register, login, logout), the rooms, their messages and leaving them.
#include "api.hpp"
#include "recording_notifier.hpp"
#include "registry.hpp"
#include "validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include <boost/json/parse.hpp>

namespace apps::chat {
namespace {
namespace json = boost::json;

// The chat's routes as the chat module serves them (without its Socket.IO side).
class routes final : public app_module {
 public:
  explicit routes(api& a) : api_(a) {}
  app_info info() const override { return {"chat", "Chat", "", "/chat"}; }
  void install(host_context&) override {}
  bool handle(const api_request& req, reply_fn& done) override {
    auto r = api_.handle(req);
    if (!r) return false;
    done(std::move(*r));
    return true;
  }

 private:
  api& api_;
};

class ChatApiTest : public ::testing::Test {
 protected:
  ChatApiTest() {
    hooks.on_room_created = [this](const room& r, const std::vector<id_type>& members,
                                   id_type creator) {
      created.push_back({r, members, creator});
    };
    hooks.on_room_left = [this](id_type room_id, id_type user) {
      left.emplace_back(room_id, user);
    };
    service = std::make_unique<api>(*db, *users, auth, notices, api_options{}, hooks);
    modules.add(std::make_unique<routes>(*service));
  }

  // A same-origin request, with a JSON body type unless it is a GET.
  reply call(std::string method, std::string target, std::string body = {},
             std::string authorization = {}, std::string cookie = {}) {
    api_request req{std::move(method), std::move(target), std::move(authorization),
                    std::move(cookie), std::move(body)};
    if (req.method != "GET") req.content_type = "application/json";
    req.origin = "http://localhost:3000";
    req.host = "localhost:3000";
    return send(std::move(req));
  }
  reply send(api_request req) {
    std::optional<reply> out;
    modules.handle(auth, req, [&](reply r) { out = std::move(r); });
    EXPECT_TRUE(out);
    return out ? *out : reply{};
  }
  // A request from the client at `address`.
  reply call_from(std::string address, std::string target, std::string body) {
    api_request req{"POST", std::move(target), {}, {}, std::move(body), std::move(address)};
    req.content_type = "application/json";
    return send(std::move(req));
  }
  static std::string credentials(std::string_view name, std::string_view password) {
    return R"({"username":")" + std::string(name) + R"(","password":")" + std::string(password) +
           "\"}";
  }
  static json::value body(const reply& r) { return json::parse(r.body); }
  static json::array array_of(const reply& r) {
    json::value v = json::parse(r.body);
    return v.is_array() ? json::array(v.get_array()) : json::array();
  }
  static std::string header(const reply& r, std::string_view name) {
    for (auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  // Registers and logs in; returns "Bearer <token>".
  std::string login(const std::string& name) {
    auto cred = R"({"username":")" + name + R"(","password":"password123"})";
    EXPECT_EQ(call("POST", "/api/register", cred).status, 201u);
    auto r = call("POST", "/api/login", cred);
    EXPECT_EQ(r.status, 200u);
    return "Bearer " + std::string(body(r).at("token").as_string());
  }

  struct created_room {
    room r;
    std::vector<id_type> members;
    id_type creator;
  };
  database dbase = open_database(":memory:");
  std::unique_ptr<accounts> users = open_accounts(dbase);
  std::unique_ptr<storage> db = open_storage(dbase);
  token_service tokens{"test-secret"};
  std::vector<id_type> logged_out;
  accounts_api auth{*users,
                    tokens,
                    accounts_api_options{.cost = password_cost::minimal()},
                    {},
                    [this](id_type user) { logged_out.push_back(user); }};
  api_hooks hooks;
  recording_notifier notices;
  std::unique_ptr<api> service;
  registry modules;
  std::vector<created_room> created;
  std::vector<std::pair<id_type, id_type>> left;  // {room, user}
};

TEST_F(ChatApiTest, RegisterStatuses) {
  auto r = call("POST", "/api/register", R"({"username":"alice","password":"password123"})");
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(r.content_type, "application/json");
  auto b = body(r);
  EXPECT_EQ(b.at("username"), "alice");
  EXPECT_TRUE(b.at("userId").is_int64());
  // Taken (also with another case).
  EXPECT_EQ(
      call("POST", "/api/register", R"({"username":"alice","password":"password123"})").status,
      409u);
  EXPECT_EQ(
      call("POST", "/api/register", R"({"username":"ALICE","password":"password123"})").status,
      409u);
  // Invalid username / password.
  for (auto bad : {R"({"username":"al","password":"password123"})",
                   R"({"username":"bad name","password":"password123"})",
                   R"({"username":"bob","password":"short"})", R"({"username":"bob"})",
                   R"({"password":"password123"})", R"({"username":5,"password":"password123"})",
                   R"({"username":"bob","password":null})", R"([1,2])", R"("str")", "null",
                   "{bad json", "", R"({"username":"bob","password":"password123")"}) {
    auto res = call("POST", "/api/register", bad);
    EXPECT_EQ(res.status, 400u) << bad;
    EXPECT_TRUE(body(res).at("error").is_string()) << bad;
  }
  // The password is stored hashed.
  auto u = users->find_user("alice");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->password_hash.starts_with("$argon2id$"));
}

TEST_F(ChatApiTest, LoginSetsCookieAndToken) {
  call("POST", "/api/register", R"({"username":"alice","password":"password123"})");
  auto r = call("POST", "/api/login", R"({"username":"alice","password":"password123"})");
  ASSERT_EQ(r.status, 200u);
  auto b = body(r);
  std::string token(b.at("token").as_string());
  EXPECT_EQ(b.at("username"), "alice");
  EXPECT_EQ(header(r, "Set-Cookie"), "token=" + token + "; HttpOnly; SameSite=Lax; Path=/");
  auto claims = tokens.verify(token, now_ms() / 1000);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->user_id, b.at("userId").as_int64());

  EXPECT_EQ(call("POST", "/api/login", R"({"username":"alice","password":"wrongpass1"})").status,
            401u);
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"nobody","password":"password123"})").status,
            401u);
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"x y","password":"password123"})").status,
            401u);
  EXPECT_EQ(call("POST", "/api/login", "nope").status, 400u);
  EXPECT_EQ(call("GET", "/api/login").status, 405u);
}

TEST_F(ChatApiTest, AuthFromBearerOrCookie) {
  auto bearer = login("alice");
  auto token = bearer.substr(7);
  auto me = call("GET", "/api/me", {}, bearer);
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(body(me).at("username"), "alice");
  EXPECT_EQ(call("GET", "/api/me", {}, {}, "a=b; token=" + token + "; c=d").status, 200u);
  EXPECT_EQ(call("GET", "/api/me", {}, "bearer " + token).status, 200u);

  EXPECT_EQ(call("GET", "/api/me").status, 401u);
  EXPECT_EQ(call("GET", "/api/rooms").status, 401u);
  EXPECT_EQ(call("POST", "/api/rooms", R"({"name":"x"})").status, 401u);
  EXPECT_EQ(call("GET", "/api/rooms/1/messages").status, 401u);
  EXPECT_EQ(call("GET", "/api/me", {}, "Bearer garbage").status, 401u);
  EXPECT_EQ(call("GET", "/api/me", {}, "Basic abc").status, 401u);
  EXPECT_EQ(call("GET", "/api/me", {}, {}, "token=garbage").status, 401u);
  token_service other("other-secret");
  EXPECT_EQ(
      call("GET", "/api/me", {}, "Bearer " + other.issue(1, "alice", 0, now_ms() / 1000)).status,
      401u);
  // A valid signature for a user that does not exist.
  EXPECT_EQ(
      call("GET", "/api/me", {}, "Bearer " + tokens.issue(999, "ghost", 0, now_ms() / 1000)).status,
      401u);
}

TEST_F(ChatApiTest, RoomsCreateAndList) {
  auto alice = login("alice");
  auto bob = login("bob");
  auto carol = login("carol");
  db->create_room("general", false, 0, {}, 1);

  auto r =
      call("POST", "/api/rooms", R"({"name":" Secret ","private":true,"members":["bob"]})", alice);
  ASSERT_EQ(r.status, 201u);
  auto b = body(r);
  EXPECT_EQ(b.at("name"), "Secret");
  EXPECT_EQ(b.at("private"), true);
  auto room_id = b.at("roomId").as_int64();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].r.id, room_id);
  EXPECT_EQ(created[0].members.size(), 2u);  // alice + bob

  auto pub = call("POST", "/api/rooms", R"({"name":"Open"})", bob);
  ASSERT_EQ(pub.status, 201u);
  EXPECT_EQ(body(pub).at("private"), false);

  auto names = [&](const std::string& auth) {
    std::vector<std::string> out;
    json::value list = body(call("GET", "/api/rooms", {}, auth));
    for (auto& v : list.as_array()) {
      out.emplace_back(v.at("name").as_string());
    }
    return out;
  };
  EXPECT_EQ(names(alice), (std::vector<std::string>{"general", "Secret", "Open"}));
  EXPECT_EQ(names(bob), (std::vector<std::string>{"general", "Secret", "Open"}));
  EXPECT_EQ(names(carol), (std::vector<std::string>{"general", "Open"}));

  for (auto bad :
       {R"({})", R"({"name":""})", R"({"name":"   "})", R"({"name":5})",
        R"({"name":"x","private":"yes"})", R"({"name":"x","members":"bob"})",
        R"({"name":"x","members":[1]})", R"({"name":"x","members":["nobody"]})", "[]", "{oops"}) {
    EXPECT_EQ(call("POST", "/api/rooms", bad, alice).status, 400u) << bad;
  }
  EXPECT_EQ(call("DELETE", "/api/rooms", {}, alice).status, 405u);
}

TEST_F(ChatApiTest, MessagesHistoryAndAccess) {
  auto alice = login("alice");
  auto carol = login("carol");
  auto a = *users->find_user("alice");
  room pub = *db->create_room("general", false, 0, {}, 1);
  room priv = *db->create_room("secret", true, a.id, {}, 1);
  std::vector<id_type> ids;
  for (int i = 0; i < 60; ++i) {
    std::string text = std::to_string(i);
    text.insert(0, 1, 'm');
    ids.push_back(db->add_message(pub.id, a.id, text, i).id);
  }
  db->add_message(priv.id, a.id, "hidden", 1);

  auto path = [](id_type id, std::string q = {}) {
    return "/api/rooms/" + std::to_string(id) + "/messages" + q;
  };
  auto r = call("GET", path(pub.id), {}, carol);
  ASSERT_EQ(r.status, 200u);
  json::array arr = array_of(r);
  ASSERT_EQ(arr.size(), 50u);  // default limit
  EXPECT_EQ(arr.front().at("message"), "m10");
  EXPECT_EQ(arr.back().at("message"), "m59");
  EXPECT_EQ(arr.back().at("username"), "alice");
  EXPECT_EQ(arr.back().at("roomId").as_int64(), pub.id);
  EXPECT_TRUE(arr.back().at("createdAt").is_string());

  arr =
      array_of(call("GET", path(pub.id, "?limit=5&before=" + std::to_string(ids[20])), {}, carol));
  ASSERT_EQ(arr.size(), 5u);
  EXPECT_EQ(arr.front().at("message"), "m15");
  EXPECT_EQ(arr.back().at("message"), "m19");

  EXPECT_EQ(call("GET", path(priv.id), {}, carol).status, 403u);
  EXPECT_EQ(call("GET", path(priv.id), {}, alice).status, 200u);
  EXPECT_EQ(call("GET", path(999), {}, alice).status, 404u);
  EXPECT_EQ(call("GET", "/api/rooms/abc/messages", {}, alice).status, 404u);
  for (auto q : {"?limit=0", "?limit=101", "?limit=x", "?before=abc", "?limit=-3"}) {
    EXPECT_EQ(call("GET", path(pub.id, q), {}, alice).status, 400u) << q;
  }
}

TEST_F(ChatApiTest, OversizeBodyAndUnknownRoutes) {
  std::string big(65 * 1024, 'x');
  EXPECT_EQ(call("POST", "/api/register", big).status, 413u);
  EXPECT_EQ(call("GET", "/api/nothing").status, 404u);
  auto alice = login("alice");
  EXPECT_EQ(call("GET", "/api/nothing", {}, alice).status, 404u);
}

TEST_F(ChatApiTest, LogoutClearsCookie) {
  auto r = call("POST", "/api/logout");
  EXPECT_EQ(r.status, 204u);
  EXPECT_NE(header(r, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_TRUE(logged_out.empty());  // nobody was logged in
}

TEST_F(ChatApiTest, LogoutRevokesTheTokens) {
  auto alice = login("alice");
  auto bob = login("bob");
  const std::string cookie = "token=" + alice.substr(7);
  auto second = call("POST", "/api/login", R"({"username":"alice","password":"password123"})");
  auto other_tab = "Bearer " + std::string(body(second).at("token").as_string());
  ASSERT_EQ(call("GET", "/api/me", {}, alice).status, 200u);

  EXPECT_EQ(call("POST", "/api/logout", {}, {}, cookie).status, 204u);
  auto alice_id = users->find_user("alice")->id;
  EXPECT_EQ(logged_out, (std::vector<id_type>{alice_id}));
  // The token is still signed and unexpired, but revoked: as a cookie, as a Bearer, and so is
  // every other token of hers.
  EXPECT_EQ(call("GET", "/api/me", {}, {}, cookie).status, 401u);
  EXPECT_EQ(call("GET", "/api/me", {}, alice).status, 401u);
  EXPECT_EQ(call("GET", "/api/rooms", {}, other_tab).status, 401u);
  EXPECT_FALSE(auth.authenticate_token(alice.substr(7)));
  EXPECT_EQ(call("GET", "/api/me", {}, bob).status, 200u);  // others are untouched
  // Logging in again gives a token that works.
  auto again = call("POST", "/api/login", R"({"username":"alice","password":"password123"})");
  auto fresh = "Bearer " + std::string(body(again).at("token").as_string());
  EXPECT_EQ(call("GET", "/api/me", {}, fresh).status, 200u);
  EXPECT_EQ(call("POST", "/api/logout", {}, fresh).status, 204u);
  EXPECT_EQ(call("GET", "/api/me", {}, fresh).status, 401u);
}

TEST_F(ChatApiTest, PrivateRoomInvitesEveryMemberButTheCreator) {
  auto alice = login("alice");
  login("bob");
  login("carol");
  auto bob_id = users->find_user("bob")->id;
  auto carol_id = users->find_user("carol")->id;
  auto alice_id = users->find_user("alice")->id;

  auto r = call("POST", "/api/rooms",
                R"({"name":"Plans","private":true,"members":["bob","carol","alice"]})", alice);
  ASSERT_EQ(r.status, 201u);
  const auto room_id = body(r).at("roomId").as_int64();
  auto sent = notices.pushed();
  ASSERT_EQ(sent.size(), 2u);
  std::vector<id_type> to;
  for (const auto& n : sent) {
    to.push_back(n.to_user);
    EXPECT_EQ(n.from_user, alice_id);
    EXPECT_EQ(n.title, "Invitation to Plans");
    EXPECT_EQ(n.body, "alice added you to the private room Plans");
    EXPECT_EQ(n.url, "/chat#/room/" + std::to_string(room_id));
  }
  std::sort(to.begin(), to.end());
  std::vector<id_type> want{bob_id, carol_id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(to, want);
}

TEST_F(ChatApiTest, PublicOrRefusedRoomsInviteNobody) {
  auto alice = login("alice");
  login("bob");
  EXPECT_EQ(call("POST", "/api/rooms", R"({"name":"Open","members":["bob"]})", alice).status, 201u);
  EXPECT_EQ(call("POST", "/api/rooms", R"({"name":"open","private":true,"members":["bob"]})", alice)
                .status,
            409u);
  EXPECT_EQ(call("POST", "/api/rooms", R"({"name":"x","private":true,"members":["nobody"]})", alice)
                .status,
            400u);
  EXPECT_TRUE(notices.pushed().empty());
}

TEST_F(ChatApiTest, RoomNamesAreUniqueCaseInsensitively) {
  auto alice = login("alice");
  auto bob = login("bob");
  EXPECT_EQ(call("POST", "/api/rooms", R"({"name":"Lobby"})", alice).status, 201u);
  auto dup = call("POST", "/api/rooms", R"({"name":" lobby ","private":true})", bob);
  EXPECT_EQ(dup.status, 409u);
  EXPECT_TRUE(body(dup).as_object().contains("error"));
  EXPECT_EQ(created.size(), 1u);
}

TEST_F(ChatApiTest, RoomCreationIsThrottledPerUser) {
  auto alice = login("alice");
  auto bob = login("bob");
  for (int i = 0; i < 5; ++i) {
    auto r = call("POST", "/api/rooms", R"({"name":"a)" + std::to_string(i) + R"("})", alice);
    EXPECT_EQ(r.status, 201u) << i;
  }
  auto busy = call("POST", "/api/rooms", R"({"name":"a5"})", alice);
  EXPECT_EQ(busy.status, 429u);
  EXPECT_EQ(header(busy, "Retry-After"), "12");  // 5 per minute
  EXPECT_TRUE(body(busy).as_object().contains("error"));
  EXPECT_EQ(call("POST", "/api/rooms", R"({"name":"b0"})", bob).status, 201u);  // per user
  EXPECT_EQ(created.size(), 6u);
}

TEST_F(ChatApiTest, RoomListIsPaginated) {
  auto alice = login("alice");
  for (int i = 0; i < 120; ++i) db->create_room("room" + std::to_string(i), false, 0, {}, 1);
  auto first = call("GET", "/api/rooms", {}, alice);
  ASSERT_EQ(first.status, 200u);
  EXPECT_EQ(array_of(first).size(), 50u);  // the default page
  auto last_id = array_of(first).back().at("roomId").as_int64();
  EXPECT_EQ(header(first, "Link"),
            "</api/rooms?limit=50&after=" + std::to_string(last_id) + ">; rel=\"next\"");
  // Following the links gives every room once, in order.
  std::vector<std::int64_t> ids;
  std::string next = "/api/rooms?limit=100";
  for (int pages = 0; !next.empty(); ++pages) {
    ASSERT_LT(pages, 3);
    auto r = call("GET", next, {}, alice);
    ASSERT_EQ(r.status, 200u);
    for (auto& v : array_of(r)) ids.push_back(v.at("roomId").as_int64());
    auto link = header(r, "Link");
    next = link.empty() ? "" : link.substr(1, link.find('>') - 1);
  }
  ASSERT_EQ(ids.size(), 120u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  EXPECT_EQ(
      array_of(call("GET", "/api/rooms?limit=100&after=" + std::to_string(ids.back()), {}, alice))
          .size(),
      0u);
  for (auto bad : {"limit=0", "limit=101", "limit=x", "after=0", "after=abc"}) {
    EXPECT_EQ(call("GET", std::string("/api/rooms?") + bad, {}, alice).status, 400u) << bad;
  }
}

TEST_F(ChatApiTest, AMemberLeavesAPrivateRoom) {
  auto alice = login("alice");
  auto bob = login("bob");
  auto r =
      call("POST", "/api/rooms", R"({"name":"secret","private":true,"members":["bob"]})", alice);
  auto id = std::to_string(body(r).at("roomId").as_int64());
  auto pub = std::to_string(
      body(call("POST", "/api/rooms", R"({"name":"open"})", alice)).at("roomId").as_int64());
  auto names = [&](const std::string& auth) {
    std::vector<std::string> out;
    for (auto& v : array_of(call("GET", "/api/rooms", {}, auth))) {
      out.emplace_back(v.at("name").as_string());
    }
    return out;
  };
  ASSERT_EQ(names(bob), (std::vector<std::string>{"secret", "open"}));

  EXPECT_EQ(call("POST", "/api/rooms/" + id + "/leave", "{}", bob).status, 204u);
  EXPECT_EQ(names(bob), (std::vector<std::string>{"open"}));
  EXPECT_EQ(call("GET", "/api/rooms/" + id + "/messages", {}, bob).status, 403u);
  auto bob_id = users->find_user("bob")->id;
  EXPECT_EQ(left, (std::vector<std::pair<id_type, id_type>>{{std::stoll(id), bob_id}}));
  EXPECT_EQ(names(alice), (std::vector<std::string>{"secret", "open"}));  // still hers

  EXPECT_EQ(call("POST", "/api/rooms/" + id + "/leave", "{}", bob).status, 403u);  // not in it
  EXPECT_EQ(call("POST", "/api/rooms/" + pub + "/leave", "{}", bob).status, 400u);
  EXPECT_EQ(call("POST", "/api/rooms/424242/leave", "{}", bob).status, 404u);
  EXPECT_EQ(call("GET", "/api/rooms/" + id + "/leave", {}, bob).status, 405u);
  EXPECT_EQ(call("POST", "/api/rooms/" + id + "/leave", "{}").status, 401u);
  EXPECT_EQ(left.size(), 1u);
}

TEST_F(ChatApiTest, CrossSiteRequestsAreRefused) {
  auto bearer = login("alice");
  const std::string cookie = "token=" + bearer.substr(7);
  auto cross = [&](std::string method, std::string target, std::string body, std::string type) {
    api_request req{std::move(method), std::move(target), {}, cookie, std::move(body)};
    req.content_type = std::move(type);
    req.origin = "http://evil.example";
    req.host = "localhost:3000";
    return req;
  };
  auto refused = [](const reply& r) {
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_TRUE(body(r).as_object().contains("error")) << r.body;
  };
  // A form posted from another site: text/plain, with the user's cookie.
  refused(send(cross("POST", "/api/rooms", R"({"name":"pwned"})", "text/plain")));
  refused(send(cross("POST", "/api/login", R"({"username":"alice","password":"password123"})",
                     "text/plain")));
  refused(send(cross("POST", "/api/logout", "", "")));
  // Even with a JSON type (a page allowed to send one elsewhere), the origin is wrong.
  refused(send(cross("POST", "/api/rooms", R"({"name":"pwned"})", "application/json")));
  // Without Origin, the Referer decides.
  auto via_referer = cross("POST", "/api/rooms", R"({"name":"pwned"})", "application/json");
  via_referer.origin.clear();
  via_referer.referer = "http://evil.example/page";
  refused(send(via_referer));
  // Same origin, but not JSON.
  auto plain = cross("POST", "/api/rooms", R"({"name":"pwned"})", "text/plain");
  plain.origin = "http://localhost:3000";
  refused(send(plain));
  // An http:// page against the HTTPS server.
  auto downgrade = cross("POST", "/api/rooms", R"({"name":"pwned"})", "application/json");
  downgrade.origin = "http://localhost:3000";
  downgrade.secure = true;
  refused(send(downgrade));
  EXPECT_TRUE(db->visible_rooms(1, 0, 1000).empty());

  // The app itself: same origin (or a same-origin Referer), JSON.
  auto ok = cross("POST", "/api/rooms", R"({"name":"mine"})", "application/json; charset=utf-8");
  ok.origin = "https://localhost:3000";
  ok.secure = true;
  EXPECT_EQ(send(ok).status, 201u);
  auto ok_referer = cross("POST", "/api/rooms", R"({"name":"mine2"})", "application/json");
  ok_referer.origin.clear();
  ok_referer.referer = "http://localhost:3000/";
  EXPECT_EQ(send(ok_referer).status, 201u);
  // A Bearer client is not a browser riding on a cookie: its origin does not matter.
  auto with_bearer = cross("POST", "/api/rooms", R"({"name":"api"})", "application/json");
  with_bearer.authorization = bearer;
  EXPECT_EQ(send(with_bearer).status, 201u);
  // Reads are not state-changing.
  EXPECT_EQ(send(cross("GET", "/api/me", "", "")).status, 200u);
}

// 429 with the chat's JSON error and a Retry-After of whole seconds.
void expect_throttled(const reply& r) {
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(json::parse(r.body).at("error"), "Too many attempts, try again later");
  bool retry_after = false;
  for (auto& [k, v] : r.headers) {
    if (k == "Retry-After") retry_after = std::stoi(v) >= 1;
  }
  EXPECT_TRUE(retry_after);
}

TEST_F(ChatApiTest, GuessingIsThrottledPerAddressAndUsername) {
  ASSERT_EQ(call_from("192.0.2.1", "/api/register", credentials("alice", "password123")).status,
            201u);
  const std::string attacker = "198.51.100.1";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        call_from(attacker, "/api/login", credentials("alice", "guess" + std::to_string(i))).status,
        401u);
  }
  // Five tries of one username from one address, then one per 30 s, right password or not.
  expect_throttled(call_from(attacker, "/api/login", credentials("alice", "password123")));
  // The address itself has 30 attempts (then 1 per second), whatever the usernames.
  int attempts = 6;  // so far from this address
  for (; attempts < 100; ++attempts) {
    auto r =
        call_from(attacker, "/api/login", credentials("nobody" + std::to_string(attempts), "x"));
    if (r.status == 429u) {
      expect_throttled(r);
      break;
    }
    EXPECT_EQ(r.status, 401u);
  }
  EXPECT_GE(attempts, 30);
  EXPECT_LT(attempts, 100);
  // Another address is not concerned.
  EXPECT_EQ(call_from("192.0.2.1", "/api/login", credentials("alice", "password123")).status, 200u);
}

TEST_F(ChatApiTest, RealLoginSucceedsDuringAFloodFromOtherAddresses) {
  ASSERT_EQ(call_from("192.0.2.7", "/api/register", credentials("carol", "password123")).status,
            201u);
  int guesses = 0, refused = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 150; ++i) {
      const std::string address = "10.0." + std::to_string(i / 100) + "." + std::to_string(i % 100);
      auto r =
          call_from(address, "/api/login", credentials("carol", "guess" + std::to_string(round)));
      if (r.status == 401u) ++guesses;
      if (r.status == 429u) ++refused;
    }
    if (round == 2) {  // mid-flood, from the owner's own address
      EXPECT_EQ(call_from("192.0.2.7", "/api/login", credentials("carol", "password123")).status,
                200u);
    }
  }
  EXPECT_EQ(guesses + refused, 750);
  // Guessing slowed: after the username's 50 failures, each address had one more try at most.
  EXPECT_LE(guesses, 150 + 10);
  // The right password from a flooding address is refused like any guess...
  expect_throttled(call_from("10.0.0.1", "/api/login", credentials("carol", "password123")));
  // ...while the owner's address, which logged in, still does.
  EXPECT_EQ(call_from("192.0.2.7", "/api/login", credentials("carol", "password123")).status, 200u);
}

TEST_F(ChatApiTest, RegistrationIsThrottledPerAddress) {
  int created = 0;
  for (; created < 100; ++created) {
    auto r = call_from("203.0.113.5", "/api/register",
                       credentials("reg" + std::to_string(created), "password123"));
    if (r.status == 429u) {
      expect_throttled(r);
      break;
    }
    EXPECT_EQ(r.status, 201u);
  }
  EXPECT_GE(created, 30);
  EXPECT_LT(created, 100);
  EXPECT_EQ(call_from("203.0.113.6", "/api/register", credentials("other", "password123")).status,
            201u);
}

}  // namespace
}  // namespace apps::chat
