// The apps of a demo server (apps::registry): GET /api/apps lists them in order, their routes
// come after the accounts', a duplicate id or path is refused, install and stop reach every app.
#include "registry.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace apps {
namespace {
namespace json = boost::json;

// An app answering GET /api/<id>/ping, and recording what the host told it.
class fake_app final : public app_module {
 public:
  fake_app(std::string id, std::vector<std::string>* log) : id_(std::move(id)), log_(log) {}
  app_info info() const override { return {id_, "Title " + id_, "About " + id_, "/" + id_}; }
  void install(host_context&) override { log_->push_back("install " + id_); }
  bool handle(const api_request& req, reply_fn& done) override {
    if (request_path(req.target) != "/api/" + id_ + "/ping") return false;
    done(json_reply(200, json::object{{"app", id_}}));
    return true;
  }
  void stop() override { log_->push_back("stop " + id_); }

 private:
  std::string id_;
  std::vector<std::string>* log_;
};

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() {
    apps.add(std::make_unique<fake_app>("chat", &log));
    apps.add(std::make_unique<fake_app>("editor", &log));
  }
  reply get(std::string target, std::string method = "GET", std::string body = {}) {
    api_request req{std::move(method), std::move(target)};
    req.body = std::move(body);
    std::optional<reply> out;
    apps.handle(auth, req, [&](reply r) { out = std::move(r); });
    EXPECT_TRUE(out);
    return out ? *out : reply{};
  }

  database db = open_database(":memory:");
  std::unique_ptr<accounts> users = open_accounts(db);
  token_service tokens{"test-secret"};
  accounts_api auth{*users, tokens, {.cost = password_cost::minimal()}};
  std::vector<std::string> log;
  registry apps;
};

TEST_F(RegistryTest, ApiAppsListsTheAppsInOrder) {
  auto r = get("/api/apps");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body), json::parse(R"([
    {"id":"chat","title":"Title chat","summary":"About chat","path":"/chat"},
    {"id":"editor","title":"Title editor","summary":"About editor","path":"/editor"}])"));
  EXPECT_EQ(get("/api/apps/").status, 200u);
  EXPECT_EQ(get("/api/apps", "POST").status, 405u);
}

TEST_F(RegistryTest, RequestsReachTheAppWhoseRouteItIs) {
  EXPECT_EQ(json::parse(get("/api/editor/ping").body).at("app"), "editor");
  EXPECT_EQ(json::parse(get("/api/chat/ping?x=1").body).at("app"), "chat");
  EXPECT_EQ(get("/api/nobody/ping").status, 404u);
  EXPECT_EQ(get("/api/me").status, 401u);  // the accounts' route, before any app's
  EXPECT_EQ(get("/api/chat/ping", "POST", std::string(65 * 1024, 'x')).status, 413u);
}

TEST_F(RegistryTest, ADuplicateIdOrPathIsRefused) {
  EXPECT_THROW(apps.add(std::make_unique<fake_app>("chat", &log)), std::invalid_argument);
  EXPECT_EQ(apps.modules().size(), 2u);
  EXPECT_EQ(apps.list().size(), 2u);
}

TEST_F(RegistryTest, InstallAndStopReachEveryApp) {
  sio::engineio::server engine({.address = "127.0.0.1", .port = 0});
  sio::server io(engine, {});
  sessions logins(io, auth);
  notifier_slot notify;
  host_context host{io, db, *users, auth, logins, {}, false, notify, "node1"};
  apps.install(host);
  apps.stop();
  EXPECT_EQ(log, (std::vector<std::string>{"install chat", "install editor", "stop editor",
                                           "stop chat"}));
}

}  // namespace
}  // namespace apps
