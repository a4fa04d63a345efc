// The accounts' REST API on its own: the bounded queue of slow (Argon2id) work, and the HTTP
// helpers every app's routes use. The routes themselves are exercised with the chat's
// (tests/chat/api_test.cpp) and the interop tests.
#include "accounts_api.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace apps {
namespace {

TEST(AccountsApiSlowWork, QueueIsBoundedWith503) {
  auto db = open_database(":memory:");
  auto users = open_accounts(db);
  token_service tokens("s");
  std::vector<std::function<void()>> queued;
  accounts_api service(*users, tokens, {.cost = password_cost::minimal(), .max_pending_slow = 2},
                       [&](std::function<void()> work) { queued.push_back(std::move(work)); });
  std::vector<unsigned> statuses;
  auto reg = [&](std::string name) {
    reply_fn done = [&](reply r) { statuses.push_back(r.status); };
    service.handle({"POST",
                    "/api/register",
                    {},
                    {},
                    R"({"username":")" + name + R"(","password":"password123"})",
                    {},
                    "application/json"},
                   done);
  };
  reg("user1");
  reg("user2");
  reg("user3");  // over the bound: answered at once
  ASSERT_EQ(statuses, (std::vector<unsigned>{503}));
  for (auto& w : queued) w();
  EXPECT_EQ(statuses, (std::vector<unsigned>{503, 201, 201}));
  reg("user3");  // room again
  ASSERT_EQ(queued.size(), 3u);
  queued.back()();
  EXPECT_EQ(statuses.back(), 201u);
}

TEST(AccountsApiHelpers, SameOrigin) {
  EXPECT_TRUE(same_origin("", "localhost:3000", false));
  EXPECT_TRUE(same_origin("http://localhost:3000", "localhost:3000", false));
  EXPECT_TRUE(same_origin("https://Chat.Example.com", "chat.example.com", true));
  EXPECT_TRUE(same_origin("https://chat.example.com", "chat.example.com:443", true));
  EXPECT_TRUE(same_origin("http://chat.example.com:80", "chat.example.com", false));
  EXPECT_TRUE(same_origin("http://localhost:3000/rooms?x=1", "localhost:3000", false));  // Referer
  EXPECT_FALSE(same_origin("http://evil.example", "localhost:3000", false));
  EXPECT_FALSE(same_origin("http://localhost:3001", "localhost:3000", false));
  EXPECT_FALSE(same_origin("http://localhost:3000.evil.example", "localhost:3000", false));
  EXPECT_FALSE(same_origin("null", "localhost:3000", false));
  EXPECT_FALSE(same_origin("http://localhost:3000", "", false));
  // The scheme counts: HTTPS (native TLS or X-Forwarded-Proto) against an http:// page.
  EXPECT_FALSE(same_origin("http://chat.example.com", "chat.example.com", true));
  EXPECT_FALSE(same_origin("https://chat.example.com", "chat.example.com", false));
}

TEST(AccountsApiHelpers, CookieBearerQuery) {
  EXPECT_EQ(cookie_value("a=1; token=abc; b=2", "token"), "abc");
  EXPECT_EQ(cookie_value("token=\"q\"", "token"), "q");
  EXPECT_EQ(cookie_value("mytoken=1", "token"), std::nullopt);
  EXPECT_EQ(cookie_value("", "token"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer x.y.z"), "x.y.z");
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
  EXPECT_EQ(bearer_token("Token x"), std::nullopt);
  EXPECT_EQ(query_param("/p?a=1&b=x%20y", "b"), "x y");
  EXPECT_EQ(query_param("/p?a=1", "b"), std::nullopt);
  EXPECT_EQ(query_param("/p", "a"), std::nullopt);
}

}  // namespace
}  // namespace apps
