// The notifications' input rules (apps/notifications/API.md): a new notification's fields, a
// backend job's push, markRead and list arguments, an app's notice made valid, and the JSON.
#include <notifications/rules.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <string>

namespace notifications {
namespace {

namespace json = boost::json;

// `head`, then `n` times `c` (GCC 12 warns falsely about "literal" + std::string at -O3).
std::string text(std::string head, std::size_t n, char c) {
  head.append(n, c);
  return head;
}

template <class T>
std::string error_of(const std::variant<T, std::string>& v) {
  auto* s = std::get_if<std::string>(&v);
  return s ? *s : "";
}

TEST(NotificationsRules, ContentLimits) {
  EXPECT_FALSE(check_content({"t", "", ""}));
  EXPECT_FALSE(check_content({std::string(100, 'x'), std::string(1000, 'y'), "/chat"}));
  EXPECT_TRUE(check_content({"", "", ""}));
  EXPECT_TRUE(check_content({std::string(101, 'x'), "", ""}));
  EXPECT_TRUE(check_content({"t", std::string(1001, 'y'), ""}));
  EXPECT_FALSE(check_content({"t", "", text("/", 199, 'a')}));
  EXPECT_TRUE(check_content({"t", "", text("/", 200, 'a')}));
  for (const char* bad : {"chat", "//evil.example", "/\\evil", "https://x.example/", "/a\nb"}) {
    EXPECT_TRUE(check_content({"t", "", bad})) << bad;
  }
  // Characters as JavaScript counts them: an emoji is two.
  std::string emoji = "\xF0\x9F\x94\x94";
  std::string fifty;
  for (int i = 0; i < 50; ++i) fifty += emoji;
  EXPECT_FALSE(check_content({fifty, "", ""}));
  EXPECT_TRUE(check_content({fifty.append("x"), "", ""}));
}

TEST(NotificationsRules, ParsesANewNotification) {
  auto ok = parse_new(json::parse(R"({"toUserId":3,"title":"  Hi  ","body":"b","url":"/x"})"));
  ASSERT_TRUE(std::holds_alternative<new_request>(ok));
  auto& r = std::get<new_request>(ok);
  EXPECT_EQ(r.to.id, 3);
  EXPECT_EQ(r.what.title, "Hi");
  EXPECT_EQ(r.what.url, "/x");
  auto by_name = parse_new(json::parse(R"({"toUsername":"bob","title":"Hi"})"));
  ASSERT_TRUE(std::holds_alternative<new_request>(by_name));
  EXPECT_EQ(std::get<new_request>(by_name).to.username, "bob");
  EXPECT_EQ(std::get<new_request>(by_name).what.body, "");
  EXPECT_EQ(error_of(parse_new(json::parse(R"({"title":"Hi"})"))),
            "toUserId or toUsername is required");
  EXPECT_EQ(error_of(parse_new(json::parse(R"({"toUserId":0,"title":"Hi"})"))),
            "toUserId must be a positive integer");
  EXPECT_EQ(error_of(parse_new(json::parse(R"({"toUserId":"3","title":"Hi"})"))),
            "toUserId must be a positive integer");
  EXPECT_EQ(error_of(parse_new(json::parse(R"({"toUserId":3,"title":"   "})"))),
            "title must be 1-100 characters");
  EXPECT_EQ(error_of(parse_new(json::parse(R"({"toUserId":3,"title":5})"))),
            "title, body and url must be strings");
  EXPECT_EQ(error_of(parse_new(json::parse("[]"))), "body must be a JSON object");
}

TEST(NotificationsRules, ParsesABackendPush) {
  auto ok = parse_push(json::parse(R"({"key":"k","toUserId":4,"title":"T","body":"B"})"));
  ASSERT_TRUE(std::holds_alternative<push_request>(ok));
  EXPECT_EQ(std::get<push_request>(ok).key, "k");
  EXPECT_EQ(std::get<push_request>(ok).to, 4);
  EXPECT_NE(error_of(parse_push(json::parse(R"({"toUserId":4,"title":"T"})"))), "");
  EXPECT_NE(error_of(parse_push(json::parse(R"({"key":"","toUserId":4,"title":"T"})"))), "");
  const auto long_key = std::string(65, 'k');
  EXPECT_NE(error_of(parse_push(json::value{{"key", long_key}, {"toUserId", 4}, {"title", "T"}})),
            "");
  EXPECT_NE(error_of(parse_push(json::parse(R"({"key":"k","toUserId":-1,"title":"T"})"))), "");
  EXPECT_NE(error_of(parse_push(json::parse(R"({"key":"k","toUserId":4,"title":""})"))), "");
  EXPECT_NE(error_of(parse_push(json::parse(R"("text")"))), "");
}

TEST(NotificationsRules, ClampsAnAppsNotice) {
  auto c = clamp({text("  ", 150, 't').append("  "), std::string(1200, 'b'), "not a path"});
  EXPECT_EQ(c.title, std::string(100, 't'));
  EXPECT_EQ(c.body.size(), 1000u);
  EXPECT_EQ(c.url, "");
  EXPECT_EQ(clamp({"", "", "/ok"}).title, "Notification");
  EXPECT_EQ(clamp({"", "", "/ok"}).url, "/ok");
  EXPECT_FALSE(check_content(clamp({"\xF0\x9F\x94\x94", "", ""})));
}

TEST(NotificationsRules, ParsesMarkRead) {
  auto all = parse_mark(json::parse(R"({"all":true})"));
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->all);
  auto ids = parse_mark(json::parse(R"({"ids":[3,1,3]})"));
  ASSERT_TRUE(ids);
  EXPECT_EQ(ids->ids, (std::vector<id_type>{1, 3}));
  EXPECT_TRUE(parse_mark(json::parse(R"({"ids":[]})")));
  for (const char* bad : {R"({})", R"({"ids":"1"})", R"({"ids":[0]})", R"({"ids":[1.5]})",
                          R"({"ids":["1"]})", R"({"all":false})", R"(null)"}) {
    EXPECT_FALSE(parse_mark(json::parse(bad))) << bad;
  }
  json::array many;
  for (int i = 1; i <= 101; ++i) many.push_back(i);
  EXPECT_FALSE(parse_mark(json::object{{"ids", many}}));
  many.pop_back();
  EXPECT_TRUE(parse_mark(json::object{{"ids", many}}));
}

TEST(NotificationsRules, ParsesAPage) {
  auto d = parse_page(json::value(nullptr));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->before);
  EXPECT_EQ(d->limit, default_list);
  auto p = parse_page(json::parse(R"({"before":9,"limit":50})"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->before, 9);
  EXPECT_EQ(p->limit, 50u);
  for (const char* bad :
       {R"({"limit":0})", R"({"limit":51})", R"({"before":"x"})", R"({"before":-2})", R"([1])"}) {
    EXPECT_FALSE(parse_page(json::parse(bad))) << bad;
  }
  EXPECT_TRUE(parse_page(std::nullopt, std::nullopt));
  EXPECT_EQ(parse_page(std::string("12"), std::string("5"))->limit, 5u);
  EXPECT_FALSE(parse_page(std::string("x"), std::nullopt));
  EXPECT_FALSE(parse_page(std::nullopt, std::string("99")));
}

TEST(NotificationsRules, TheJsonOfANotification) {
  notification_row n{7, 2, 3, "alice", "T", "B", "/u", 1000, false};
  EXPECT_EQ(json::serialize(to_json(n)),
            R"({"id":7,"from":{"userId":3,"username":"alice"},"title":"T","body":"B","url":"/u",)"
            R"("createdAt":1000,"read":false})");
  n.sender = 0;
  n.read = true;
  EXPECT_EQ(json::serialize(to_json(n)),
            R"({"id":7,"from":null,"title":"T","body":"B","url":"/u","createdAt":1000,)"
            R"("read":true})");
}

}  // namespace
}  // namespace notifications
