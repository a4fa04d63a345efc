// editor::rest: POST /api/docs and GET /api/docs (see apps/editor/API.md), on SQLite.
#include "server_test_util.hpp"

#include <editor/rest.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace editor {
namespace {

namespace json = boost::json;

json::value body_of(const apps::reply& r) {
  EXPECT_EQ(r.content_type, "application/json");
  return json::parse(r.body);
}

class RestTest : public ::testing::Test {
 protected:
  test::database db{"sqlite"};
  std::unique_ptr<storage> st = db.open();
  rest api{*st, {.create_burst = 3, .creates_per_minute = 1}};
};

TEST_F(RestTest, CreatesAndListsNewestFirst) {
  auto a = api.handle("POST", "/api/docs", R"({"title":"  Plan  "})", 1);
  EXPECT_EQ(a.status, 201u);
  const auto created = body_of(a);
  ASSERT_TRUE(created.at("docId").is_int64());
  auto b = api.handle("POST", "/api/docs", R"({"title":"Notes"})", 1);
  auto list = api.handle("GET", "/api/docs", "", 1);
  EXPECT_EQ(list.status, 200u);
  const auto listed = body_of(list);
  const auto& arr = listed.as_array();
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0].at("title"), "Notes");
  EXPECT_EQ(arr[1].at("title"), "Plan");  // trimmed
  EXPECT_EQ(arr[1].at("id"), created.at("docId"));
  EXPECT_EQ(arr[0].at("updatedAt").as_string().size(), 24u);  // 2026-01-01T00:00:00.000Z
  EXPECT_EQ(body_of(api.handle("GET", "/api/docs?limit=1", "", 1)).as_array().size(), 1u);
  EXPECT_EQ(b.status, 201u);
}

TEST_F(RestTest, RefusesBadTitlesAndLimits) {
  for (const char* body :
       {R"({})", R"({"title":""})", R"({"title":"   "})", R"({"title":5})", R"([])", "not json"}) {
    EXPECT_EQ(api.handle("POST", "/api/docs", body, 1).status, 400u) << body;
  }
  const std::string long_title = R"({"title":")" + std::string(101, 'x') + R"("})";
  EXPECT_EQ(api.handle("POST", "/api/docs", long_title, 1).status, 400u);
  const std::string max_title = R"({"title":")" + std::string(100, 'x') + R"("})";
  EXPECT_EQ(api.handle("POST", "/api/docs", max_title, 1).status, 201u);
  for (const char* target : {"/api/docs?limit=0", "/api/docs?limit=101", "/api/docs?limit=x"}) {
    EXPECT_EQ(api.handle("GET", target, "", 1).status, 400u) << target;
  }
  EXPECT_EQ(api.handle("DELETE", "/api/docs", "", 1).status, 405u);
  EXPECT_EQ(api.handle("GET", "/api/docs/1", "", 1).status, 404u);
}

TEST_F(RestTest, CreationQuotaPerUser) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(api.handle("POST", "/api/docs", R"({"title":"t"})", 1).status, 201u);
  }
  auto r = api.handle("POST", "/api/docs", R"({"title":"t"})", 1);
  EXPECT_EQ(r.status, 429u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_GE(std::stoi(r.headers[0].second), 1);
  EXPECT_EQ(api.handle("POST", "/api/docs", R"({"title":"t"})", 2).status, 201u);
}

}  // namespace
}  // namespace editor
