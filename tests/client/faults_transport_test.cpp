// WebSocket blocked: a server that serves polling only, and nginx in front of a server that offers
// WebSocket but forwarding no Upgrade header (so every WebSocket handshake fails). A client with
// the default transports stays on polling and works (emits, acks, binary); a WebSocket-only
// client gets connection errors and reconnection attempts until it gives up.
#include <sio/client/manager.hpp>

#include "faults_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace {

using namespace std::chrono_literals;
using sio::client::transport;
using sio::test::probe;

const std::string blob = std::string("\0\x01\x02\xff binary", 11);

// A connected client on `url` with the default transports: events noted in `p`.
struct default_client {
  default_client(const std::string& url, probe& p) : io(url, {}) {
    io.on_upgrade([&p](transport) { p.note("upgrade"); });
    s = io.socket("/");
    s->on_connect([&p] { p.note("connect"); });
    s->on("hi", [&p] { p.note("hi"); });
  }
  sio::client::manager io;
  std::shared_ptr<sio::client::socket> s;
};

// Emits, acks and binary work: "hi" comes back, an echo of text and bytes is answered as sent.
void expect_round_trips(sio::client::socket& s, probe& p) {
  s.emit("hi");
  s.emit_with_ack("echo", sio::make_payload("text", sio::binary(blob)),
                  [&p](boost::system::error_code ec, sio::payload a) {
                    const bool ok = !ec && a.args.size() == 2 && a.args[0] == "text" &&
                                    a.attachments.size() == 1 && a.attachments[0].bytes == blob;
                    p.note(ok ? "echo" : "echo-wrong", ec.message());
                  });
  ASSERT_TRUE(p.wait("hi"));
  ASSERT_TRUE(p.wait("echo")) << p.last("echo-wrong");
}

TEST(websocket_blocked, polling_only_server_keeps_a_default_client_on_polling) {
  sio::test::test_server srv({.websocket = false});
  probe p;
  default_client c(srv.url(), p);
  ASSERT_TRUE(p.wait("connect"));
  EXPECT_EQ(c.io.current_transport(), transport::polling);
  ASSERT_NO_FATAL_FAILURE(expect_round_trips(*c.s, p));
  // The server offered no upgrade: none can have happened.
  EXPECT_EQ(p.count("upgrade"), 0);
  EXPECT_EQ(c.io.current_transport(), transport::polling);
}

TEST(websocket_blocked, websocket_only_client_gets_connect_errors_and_reconnect_attempts) {
  sio::test::test_server srv({.websocket = false});
  probe p;
  sio::client::manager_options mo;
  mo.transports = {transport::websocket};
  mo.reconnection_attempts = 2;
  mo.reconnection_delay = 50ms;
  mo.reconnection_delay_max = 100ms;
  sio::client::manager io(srv.url(), mo);
  io.on_error([&](std::string_view m) { p.note("error", std::string(m)); });
  io.on_reconnect_attempt([&](unsigned n) { p.note("attempt", std::to_string(n)); });
  io.on_reconnect_error([&](std::string_view m) { p.note("reconnect-error", std::string(m)); });
  io.on_reconnect_failed([&] { p.note("failed"); });
  auto s = io.socket("/");
  s->on_connect([&] { p.note("connect"); });
  s->on_connect_error([&](const sio::connect_error& e) { p.note("connect-error", e.message); });

  ASSERT_TRUE(p.wait("failed"));
  // As the JavaScript client: the last attempt's reconnect_error follows reconnect_failed.
  ASSERT_TRUE(p.wait("reconnect-error", 2));
  EXPECT_GE(p.count("error"), 1);
  EXPECT_FALSE(p.last("error").empty());
  EXPECT_EQ(p.count("attempt"), 2);
  EXPECT_EQ(p.last("attempt"), "2");
  EXPECT_GE(p.count("connect-error"), 1);
  EXPECT_EQ(p.count("connect"), 0);
  EXPECT_FALSE(s->connected());
  EXPECT_EQ(srv.events.count("connection"), 0);
}

#ifdef SIO_NGINX_EXECUTABLE
// nginx on a loopback port proxying to `upstream` over HTTP/1.1 without forwarding Upgrade (a
// proxy configured for plain HTTP only), its access log in its own folder.
class plain_http_nginx {
 public:
  explicit plain_http_nginx(std::uint16_t upstream)
      : dir_(std::filesystem::temp_directory_path() /
             ("sio-client-nginx-" + std::to_string(::getpid()))),
        port_(sio::test::free_port()) {
    std::filesystem::create_directories(dir_);
    const auto d = dir_.string();
    std::ofstream(dir_ / "nginx.conf")
        << "daemon off;\nworker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
        << "/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log " << d
        << "/access.log;\n  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d
        << "/proxy;\n  fastcgi_temp_path " << d << "/fastcgi;\n  uwsgi_temp_path " << d
        << "/uwsgi;\n  scgi_temp_path " << d << "/scgi;\n  server {\n    listen 127.0.0.1:" << port_
        << ";\n    location / {\n      proxy_pass http://127.0.0.1:" << upstream
        << ";\n      proxy_http_version 1.1;\n    }\n  }\n}\n";
  }
  ~plain_http_nginx() {
    proc_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void start() {
    proc_.emplace(std::vector<std::string>{SIO_NGINX_EXECUTABLE, "-p", dir_.string(), "-c",
                                           (dir_ / "nginx.conf").string(), "-e",
                                           (dir_ / "error.log").string()},
                  port_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string access_log() const { return sio::test::read_text(dir_ / "access.log"); }

 private:
  std::filesystem::path dir_;
  std::uint16_t port_;
  std::optional<sio::test::child_server> proc_;
};

TEST(websocket_blocked, proxy_without_upgrade_keeps_a_default_client_on_polling) {
  sio::test::test_server srv;  // offers the WebSocket upgrade
  plain_http_nginx proxy(srv.port());
  proxy.start();
  probe p;
  default_client c(proxy.url(), p);
  ASSERT_TRUE(p.wait("connect"));
  // The client tried the upgrade the server offered: its WebSocket handshake reached nginx and
  // failed there.
  ASSERT_TRUE(p.wait_until(
      [&] { return proxy.access_log().find("transport=websocket") != std::string::npos; }));
  ASSERT_NO_FATAL_FAILURE(expect_round_trips(*c.s, p));
  EXPECT_EQ(p.count("upgrade"), 0);
  EXPECT_EQ(c.io.current_transport(), transport::polling);
  EXPECT_TRUE(c.s->connected());
}
#endif

}  // namespace
