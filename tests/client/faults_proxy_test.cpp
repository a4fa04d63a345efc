// Proxies: tinyproxy (an HTTP CONNECT proxy, with Basic authentication) started on loopback with a
// generated configuration, in front of plain and TLS sio servers on each transport; wrong proxy
// credentials give a connect error naming the refusal. And a TCP relay that cuts every connection
// on demand: the client gets through it again (reconnecting when the cut ended its session).
#include <sio/client/manager.hpp>

#include "faults_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sio::client::transport;
using sio::test::probe;

struct proxy_case {
  std::string name;
  bool tls = false;
  std::vector<transport> transports;
};

// Connects through `mo` to `url` and makes one echo round trip.
void expect_echo_through(const std::string& url, const sio::client::manager_options& mo) {
  probe p;
  sio::client::manager io(url, mo);
  io.on_error([&](std::string_view m) { p.note("error", std::string(m)); });
  auto s = io.socket("/");
  s->on_connect([&] { p.note("connect"); });
  ASSERT_TRUE(p.wait_until([&] { return p.count("connect") > 0 || p.count("error") > 0; }));
  ASSERT_EQ(p.count("connect"), 1) << p.last("error");
  s->emit_with_ack("echo", sio::make_payload("proxied"),
                   [&](boost::system::error_code ec, sio::payload a) {
                     if (!ec && a.args.size() == 1 && a.args[0] == "proxied") p.note("echo");
                   });
  ASSERT_TRUE(p.wait("echo"));
}

#ifdef SIO_TINYPROXY_EXECUTABLE
// tinyproxy on a loopback port, allowing CONNECT to `connect_port` only, with Basic credentials
// user:secret; its log (requests included) in its own folder.
class tinyproxy {
 public:
  explicit tinyproxy(std::uint16_t connect_port)
      : dir_(std::filesystem::temp_directory_path() /
             ("sio-client-tinyproxy-" + std::to_string(::getpid()))),
        port_(sio::test::free_port()) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "tinyproxy.conf")
        << "Port " << port_ << "\nListen 127.0.0.1\nTimeout 60\nMaxClients 64\n"
        << "Allow 127.0.0.1\nConnectPort " << connect_port << "\nBasicAuth user secret\n"
        << "LogFile \"" << (dir_ / "tinyproxy.log").string() << "\"\nLogLevel Connect\n";
  }
  ~tinyproxy() {
    proc_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void start() {
    proc_.emplace(std::vector<std::string>{SIO_TINYPROXY_EXECUTABLE, "-d", "-c",
                                           (dir_ / "tinyproxy.conf").string()},
                  port_);
  }
  std::string url(const std::string& credentials) const {
    return "http://" + credentials + "@127.0.0.1:" + std::to_string(port_);
  }
  std::string log() const { return sio::test::read_text(dir_ / "tinyproxy.log"); }

 private:
  std::filesystem::path dir_;
  std::uint16_t port_;
  std::optional<sio::test::child_server> proc_;
};

class through_tinyproxy : public ::testing::TestWithParam<proxy_case> {
 protected:
  void SetUp() override {
    sio::test::test_server_options so;
    if (GetParam().tls) so.tls = sio::test::server_tls(certs_, "server");
    srv_ = std::make_unique<sio::test::test_server>(so);
    proxy_ = std::make_unique<tinyproxy>(srv_->port());
    proxy_->start();
  }
  sio::client::manager_options options(const std::string& credentials) const {
    sio::client::manager_options mo;
    mo.transports = GetParam().transports;
    mo.tls.ca_file = certs_.path("ca.pem");
    mo.proxy = proxy_->url(credentials);
    mo.reconnection = false;
    return mo;
  }

  sio::test::test_certs certs_;
  std::unique_ptr<sio::test::test_server> srv_;
  std::unique_ptr<tinyproxy> proxy_;
};

TEST_P(through_tinyproxy, connects_through_the_proxy) {
  ASSERT_NO_FATAL_FAILURE(expect_echo_through(srv_->url(), options("user:secret")));
  EXPECT_NE(proxy_->log().find("CONNECT 127.0.0.1:" + std::to_string(srv_->port())),
            std::string::npos)
      << proxy_->log();
}

TEST_P(through_tinyproxy, wrong_credentials_are_a_connect_error) {
  probe p;
  sio::client::manager io(srv_->url(), options("user:wrong"));
  io.on_error([&](std::string_view m) { p.note("error", std::string(m)); });
  auto s = io.socket("/");
  s->on_connect([&] { p.note("connect"); });
  s->on_connect_error([&](const sio::connect_error& e) { p.note("connect-error", e.message); });
  ASSERT_TRUE(p.wait("error"));
  // The error names the proxy's refusal and its status (tinyproxy answers wrong credentials with
  // 401, missing ones with 407).
  const auto m = p.last("error");
  EXPECT_NE(m.find("proxy"), std::string::npos) << m;
  EXPECT_TRUE(m.find("401") != std::string::npos || m.find("407") != std::string::npos) << m;
  ASSERT_TRUE(p.wait("connect-error"));
  EXPECT_EQ(p.count("connect"), 0);
  EXPECT_EQ(srv_->events.count("connection"), 0);
}

INSTANTIATE_TEST_SUITE_P(
    faults, through_tinyproxy,
    ::testing::Values(proxy_case{"http_polling", false, {transport::polling}},
                      proxy_case{"http_websocket", false, {transport::websocket}},
                      proxy_case{"http_upgrade", false, {transport::polling, transport::websocket}},
                      proxy_case{"https_polling", true, {transport::polling}},
                      proxy_case{"https_websocket", true, {transport::websocket}},
                      proxy_case{
                          "https_upgrade", true, {transport::polling, transport::websocket}}),
    [](const auto& info) { return info.param.name; });
#endif

class through_cutting_relay : public ::testing::TestWithParam<proxy_case> {};

// Echoes `n` until an echo is answered: an emit made while the connection dies is lost (as with
// the JavaScript client), so each try has a timeout.
bool echo_answered(sio::client::socket& s, probe& p, int n) {
  const auto what = "echo-" + std::to_string(n);
  for (int attempt = 0; attempt < 10; ++attempt) {
    s.timeout(2s).emit_with_ack("echo", sio::make_payload(n),
                                [&p, n, what](boost::system::error_code ec, sio::payload a) {
                                  if (!ec && a.args.size() == 1 && a.args[0] == n) p.note(what);
                                });
    if (p.wait(what, 1, 3s)) return true;
  }
  return false;
}

// WebSocket: every cut ends the connection, and the client reconnects through the relay. Polling
// only: a kept-alive HTTP connection cut between two requests is replaced by the next request
// (the session goes on), one cut while the server holds a poll ends the session (the client
// reconnects); either way the client gets through the relay again.
TEST_P(through_cutting_relay, client_gets_through_again_after_every_cut) {
  const bool websocket = GetParam().transports.back() == transport::websocket;
  sio::test::test_server srv;
  sio::test::tcp_relay relay(srv.port());
  probe p;
  sio::client::manager_options mo;
  mo.transports = GetParam().transports;
  mo.reconnection_delay = 50ms;
  mo.reconnection_delay_max = 200ms;
  sio::client::manager io("http://127.0.0.1:" + std::to_string(relay.port()), mo);
  io.on_reconnect([&](unsigned) { p.note("reconnect"); });
  io.on_upgrade([&](transport) { p.note("upgrade"); });
  auto s = io.socket("/");
  s->on_connect([&] { p.note("connect"); });
  s->on_disconnect(
      [&](sio::client::disconnect_reason r) { p.note("disconnect", std::string(to_string(r))); });
  ASSERT_TRUE(p.wait("connect"));
  for (int cut = 1; cut <= 3; ++cut) {
    if (GetParam().transports.size() > 1) {
      ASSERT_TRUE(p.wait("upgrade", cut));  // cut the WebSocket the client upgraded to
    }
    const int accepted = relay.accepted();
    const int disconnects = p.count("disconnect");
    relay.cut();
    if (websocket) {
      ASSERT_TRUE(p.wait("disconnect", cut));
      ASSERT_TRUE(p.wait("reconnect", cut));
      ASSERT_TRUE(p.wait("connect", cut + 1));
    }
    ASSERT_TRUE(echo_answered(*s, p, cut)) << "cut " << cut;
    EXPECT_GT(relay.accepted(), accepted);
    EXPECT_TRUE(s->connected());
    if (p.count("disconnect") > disconnects) {
      const auto reason = p.last("disconnect");
      EXPECT_TRUE(reason == "transport close" || reason == "transport error") << reason;
      EXPECT_EQ(p.count("disconnect"), disconnects + 1);
      EXPECT_EQ(p.count("connect"), p.count("disconnect") + 1);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    faults, through_cutting_relay,
    ::testing::Values(proxy_case{"polling", false, {transport::polling}},
                      proxy_case{"websocket", false, {transport::websocket}},
                      proxy_case{"upgrade", false, {transport::polling, transport::websocket}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
