// The Admin UI's wire shapes and password check (sio_admin_ui, pure parts).
#include <sio/admin_ui/wire.hpp>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>

namespace json = boost::json;
using namespace sio::admin_ui;

namespace {

// bcryptjs.hashSync("changeit", 4) and the same hash under the "$2b$" prefix (the two differ
// only for passwords over 255 bytes).
constexpr const char* hash_2a = "$2a$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";
constexpr const char* hash_2b = "$2b$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";
// bcryptjs.hashSync("s3cret pass", 10)
constexpr const char* hash_10 = "$2a$10$cvWEigz6Qfl9lPY6QGUaWOZe.mwD6yekKfAwZdBUfEuOTrFNe3H9y";

sio::handshake_info handshake(sio::engineio::string_table headers,
                              sio::engineio::string_table query) {
  auto req = std::make_shared<sio::engineio::request_info>();
  req->url = "/socket.io/?EIO=4&transport=polling";
  req->remote_address = "10.0.0.7";
  req->headers = std::move(headers);
  req->query = std::move(query);
  req->issued_ms = 86'400'000;
  return sio::handshake_info(req, json::object{{"token", "secret"}});
}

}  // namespace

TEST(AdminUiPassword, AcceptsTheHashedPassword) {
  EXPECT_TRUE(check_password("changeit", hash_2a));
  EXPECT_TRUE(check_password("changeit", hash_2b));
  EXPECT_TRUE(check_password("s3cret pass", hash_10));
}

TEST(AdminUiPassword, RefusesAnyOtherPassword) {
  EXPECT_FALSE(check_password("changeiT", hash_2b));
  EXPECT_FALSE(check_password("changeit ", hash_2b));
  EXPECT_FALSE(check_password("", hash_2b));
  EXPECT_FALSE(check_password("s3cret", hash_10));
}

TEST(AdminUiPassword, RefusesHashesThatAreNotBcrypt) {
  EXPECT_FALSE(check_password("changeit", ""));
  EXPECT_FALSE(check_password("changeit", "changeit"));
  EXPECT_FALSE(check_password("changeit", "$1$abcdefgh$abcdefghijklmnopqrstuv"));
  EXPECT_FALSE(check_password("changeit", std::string(hash_2b).substr(0, 59)));
  EXPECT_FALSE(
      check_password("changeit", "$2b$04$!!!!!!!!!!!!!!!!!!!!!!.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu"));
}

TEST(AdminUiSerialize, SocketHasTheFieldsTheUiReads) {
  sio::socket_info s{
      "abc",
      "/chat",
      handshake({{"origin", "http://x"}}, {{"EIO", "4"}}),
      {"abc", "room1"},
      {{"userId", 7}, {"_admin", {{"clientId", "0123456789ab"}, {"transport", "websocket"}}}}};
  const json::object out = serialize_socket(s);
  EXPECT_EQ(out.at("id"), "abc");
  EXPECT_EQ(out.at("nsp"), "/chat");
  EXPECT_EQ(out.at("clientId"), "0123456789ab");
  EXPECT_EQ(out.at("transport"), "websocket");
  EXPECT_EQ(out.at("data"), (json::object{{"userId", 7}}));
  EXPECT_EQ(out.at("rooms"), (json::array{"abc", "room1"}));
  const auto& h = out.at("handshake").as_object();
  EXPECT_EQ(h.at("address"), "10.0.0.7");
  EXPECT_EQ(h.at("headers"), (json::object{{"origin", "http://x"}}));
  EXPECT_EQ(h.at("query"), (json::object{{"EIO", "4"}}));
  EXPECT_EQ(h.at("issued"), 86'400'000);
  EXPECT_EQ(h.at("secure"), false);
  EXPECT_EQ(h.at("xdomain"), true);
  EXPECT_EQ(h.at("url"), "/socket.io/?EIO=4&transport=polling");
  EXPECT_EQ(h.at("time"), "Fri Jan 02 1970 00:00:00 GMT+0000 (Coordinated Universal Time)");
  EXPECT_FALSE(h.contains("auth"));
}

TEST(AdminUiSerialize, AddressPrefersTheProxyHeaders) {
  sio::socket_info s{"a", "/", handshake({{"x-forwarded-for", "1.2.3.4"}}, {}), {}, {}};
  EXPECT_EQ(serialize_socket(s).at("handshake").at("address"), "1.2.3.4");
  s.handshake = handshake({{"cf-connecting-ip", "5.6.7.8"}, {"x-forwarded-for", "1.2.3.4"}}, {});
  EXPECT_EQ(serialize_socket(s).at("handshake").at("address"), "5.6.7.8");
}

TEST(AdminUiSerialize, HiddenHeadersAreLeftOut) {
  sio::socket_info s{
      "a",
      "/",
      handshake({{"authorization", "Bearer t"}, {"cookie", "token=t"}, {"user-agent", "test"}}, {}),
      {},
      {}};
  const std::vector<std::string> hidden{"cookie", "authorization"};
  EXPECT_EQ(serialize_socket(s, hidden).at("handshake").at("headers"),
            (json::object{{"user-agent", "test"}}));
  EXPECT_EQ(serialize_socket(s).at("handshake").at("headers").as_object().size(), 3u);
}

TEST(AdminUiSerialize, SocketWithoutAdminDataHasNoClientId) {
  sio::socket_info s{"a", "/", handshake({}, {}), {"a"}, {}};
  const auto out = serialize_socket(s);
  EXPECT_FALSE(out.contains("clientId"));
  EXPECT_FALSE(out.contains("transport"));
  EXPECT_EQ(out.at("data"), json::object{});
}

TEST(AdminUiSerialize, StatsHaveTheFieldsTheUiReads) {
  server_stats s{"node-1", "host", 42, 1.5, 3, 1, {{"/", 2}, {"/admin", 1}}, {}};
  const json::object out = serialize_stats(s);
  EXPECT_EQ(out.at("serverId"), "node-1");
  EXPECT_EQ(out.at("hostname"), "host");
  EXPECT_EQ(out.at("pid"), 42);
  EXPECT_EQ(out.at("uptime"), 1.5);
  EXPECT_EQ(out.at("clientsCount"), 3);
  EXPECT_EQ(out.at("pollingClientsCount"), 1);
  EXPECT_EQ(out.at("aggregatedEvents"), json::array{});
  EXPECT_EQ(out.at("namespaces"),
            (json::array{json::object{{"name", "/"}, {"socketsCount", 2}},
                         json::object{{"name", "/admin"}, {"socketsCount", 1}}}));
}

TEST(AdminUiEventBuffer, CountsPerSecondAndTypeThenEmpties) {
  event_buffer b;
  b.push("rawConnection", "", 10'100);
  b.push("rawConnection", "", 10'900);
  b.push("rawConnection", "", 11'000);
  b.push("rawDisconnection", "transport close", 10'500, 2);
  const json::array out = b.take();
  EXPECT_EQ(out, (json::array{
                     json::object{{"timestamp", 10'000}, {"type", "rawConnection"}, {"count", 2}},
                     json::object{{"timestamp", 10'000},
                                  {"type", "rawDisconnection"},
                                  {"count", 2},
                                  {"subType", "transport close"}},
                     json::object{{"timestamp", 11'000}, {"type", "rawConnection"}, {"count", 1}},
                 }));
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.take(), json::array{});
}
