// The client's Engine.IO layer (src/client/engine.hpp) against real servers on loopback: sio's
// Engine.IO server in process (an echo), and small servers written here for what sio's server
// never does (a server that stops pinging, a CONNECT proxy). URL parsing is tested alone.
#include "../../src/client/engine.hpp"

#include <sio/engineio/server.hpp>

#include "../integration/test_certs.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace eng = sio::engineio;
using namespace std::chrono_literals;
using sio::client::manager_options;
using sio::client::transport;
using sio::client::detail::engine;
using sio::client::detail::engine_handshake;
using sio::client::detail::parse_url;
using tcp = net::ip::tcp;

// --- URL parsing ---------------------------------------------------------------------------------

TEST(ClientEngineUrl, SchemesPortsPathsAndQueries) {
  auto u = parse_url("http://example.com");
  EXPECT_FALSE(u.secure);
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.path, "");
  EXPECT_EQ(u.query, "");

  u = parse_url("wss://example.com:8443/admin?token=a%20b&x=1");
  EXPECT_TRUE(u.secure);
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.path, "/admin");
  EXPECT_EQ(u.query, "token=a%20b&x=1");

  EXPECT_TRUE(parse_url("https://h/").secure);
  EXPECT_EQ(parse_url("https://h/").port, 443);
  EXPECT_FALSE(parse_url("ws://h:3000").secure);
  EXPECT_EQ(parse_url("HTTP://h:3000").port, 3000);

  u = parse_url("http://[::1]:3000/");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 3000);
  EXPECT_EQ(u.path, "/");

  // No scheme: https, as the JavaScript client outside a browser.
  u = parse_url("localhost:3000/chat");
  EXPECT_TRUE(u.secure);
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 3000);
  EXPECT_EQ(u.path, "/chat");
}

TEST(ClientEngineUrl, RefusesWhatIsNotAServerUrl) {
  EXPECT_THROW(parse_url(""), std::invalid_argument);
  EXPECT_THROW(parse_url("http://"), std::invalid_argument);
  EXPECT_THROW(parse_url("http://h:0/"), std::invalid_argument);
  EXPECT_THROW(parse_url("http://h:70000/"), std::invalid_argument);
  EXPECT_THROW(parse_url("http://h:port/"), std::invalid_argument);
  EXPECT_THROW(parse_url("ftp://h/"), std::invalid_argument);
}

// --- an echo server ------------------------------------------------------------------------------

// Echoes every message (text and binary); "close" makes the server close the session.
class echo_handler final : public eng::handler {
 public:
  void on_open(const eng::connection_ptr&) override {}
  void on_message(eng::connection& c, std::string_view text) override {
    if (text == "close") return c.close();
    c.send(eng::make_text(std::string(text)));
  }
  void on_binary(eng::connection& c, std::string_view bytes) override {
    c.send(eng::make_binary(std::string(bytes)));
  }
  void on_close(eng::connection&, eng::close_reason) override {}
};

struct echo_server {
  explicit echo_server(eng::endpoint_options ep = {},
                       std::optional<eng::tls_options> tls = std::nullopt)
      : srv({.address = "127.0.0.1", .workers = 1, .tls = std::move(tls)}) {
    srv.attach(std::move(ep), std::make_shared<echo_handler>());
    srv.start();
  }
  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(srv.port());
  }
  eng::server srv;
};

// One engine on a test-owned io_context, run in steps from the test's thread.
struct client {
  net::io_context io;
  net::strand<net::io_context::executor_type> strand{io.get_executor()};
  manager_options opts;
  std::shared_ptr<engine> eng;
  std::optional<engine_handshake> handshake;
  std::vector<std::pair<std::string, bool>> messages;
  std::optional<std::string> error;
  std::optional<std::string> closed;
  int pings = 0;
  int upgrades = 0;

  explicit client(std::vector<transport> transports = {transport::polling, transport::websocket}) {
    opts.transports = std::move(transports);
    opts.log = [](std::string_view l) {
      std::fprintf(stderr, "client: %.*s\n", int(l.size()), l.data());
    };
  }

  void open(const std::string& url, bool websocket_first = false) {
    eng = engine::create(
        strand, {parse_url(url), &opts, websocket_first},
        {.on_open = [this](const engine_handshake& h) { handshake = h; },
         .on_message = [this](std::string d, bool b) { messages.emplace_back(std::move(d), b); },
         .on_ping = [this] { ++pings; },
         .on_upgrade = [this](transport) { ++upgrades; },
         .on_error = [this](std::string m) { error = std::move(m); },
         .on_close = [this](std::string r) { closed = std::move(r); }});
    eng->open();
  }

  // Runs the io_context until `done` holds or 20 s passed; returns done().
  bool run_until(const std::function<bool()>& done, std::chrono::seconds limit = 20s) {
    auto guard = net::make_work_guard(io);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(5ms);
    }
    return done();
  }
  bool wait_open() {
    return run_until([this] { return handshake || error || closed; }) && handshake.has_value();
  }
  bool wait_messages(std::size_t n) {
    return run_until([&] { return messages.size() >= n || closed || error; }) &&
           messages.size() >= n;
  }
  ~client() {
    eng.reset();
    io.restart();
    io.run_for(50ms);
  }
};

void expect_echo(client& c, std::size_t first = 0) {
  c.eng->send("hello", false);
  c.eng->send(std::string("\x00\x01\xff", 3), true);
  ASSERT_TRUE(c.wait_messages(first + 2));
  EXPECT_EQ(c.messages[first], std::make_pair(std::string("hello"), false));
  EXPECT_EQ(c.messages[first + 1], std::make_pair(std::string("\x00\x01\xff", 3), true));
}

// --- WebSocket -----------------------------------------------------------------------------------

TEST(ClientEngine, WebSocketOnlyHandshakeEchoAndClose) {
  echo_server server({.path = "/socket.io/"});
  client c({transport::websocket});
  c.open(server.url());
  ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
  EXPECT_FALSE(c.handshake->sid.empty());
  EXPECT_EQ(c.eng->sid(), c.handshake->sid);
  EXPECT_EQ(c.eng->current(), transport::websocket);
  expect_echo(c);
  c.eng->close();
  EXPECT_FALSE(c.eng->current().has_value());
  // The server sees the session end.
  ASSERT_TRUE(c.run_until([&] { return server.srv.session_count() == 0; }));
  EXPECT_FALSE(c.closed.has_value());
}

TEST(ClientEngine, ServerCloseIsTransportClose) {
  echo_server server;
  for (auto t : {transport::websocket, transport::polling}) {
    client c({t});
    c.open(server.url());
    ASSERT_TRUE(c.wait_open());
    c.eng->send("close", false);
    ASSERT_TRUE(c.run_until([&] { return c.closed.has_value(); }));
    EXPECT_EQ(*c.closed, "transport close");
  }
}

TEST(ClientEngine, PingsAreAnsweredOverSeveralIntervals) {
  echo_server server({.ping_interval = 100ms, .ping_timeout = 200ms});
  for (auto t : {transport::websocket, transport::polling}) {
    client c({t});
    c.open(server.url());
    ASSERT_TRUE(c.wait_open());
    EXPECT_EQ(c.handshake->ping_interval, 100ms);
    ASSERT_TRUE(c.run_until([&] { return c.pings >= 5 || c.closed; }));
    EXPECT_FALSE(c.closed.has_value()) << *c.closed;
    expect_echo(c);
  }
}

TEST(ClientEngine, LargeMessagesBothWays) {
  echo_server server({.max_payload = 4'000'000});
  for (auto t : {transport::websocket, transport::polling}) {
    client c({t});
    c.open(server.url());
    ASSERT_TRUE(c.wait_open());
    std::string big(1'500'000, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
    std::string bytes(700'000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
    c.eng->send(big, false);
    c.eng->send(bytes, true);
    ASSERT_TRUE(c.wait_messages(2));
    EXPECT_EQ(c.messages[0].first, big);
    EXPECT_EQ(c.messages[1], std::make_pair(bytes, true));
  }
}

TEST(ClientEngine, MessagesOverTheLimitEndTheConnection) {
  echo_server server({.max_payload = 4'000'000});
  for (auto t : {transport::websocket, transport::polling}) {
    client c({t});
    c.opts.max_message_size = 10'000;
    c.open(server.url());
    ASSERT_TRUE(c.wait_open());
    c.eng->send(std::string(20'000, 'y'), false);
    ASSERT_TRUE(c.run_until([&] { return c.closed.has_value(); }));
    EXPECT_EQ(*c.closed, "transport error");
  }
}

TEST(ClientEngine, ConnectionRefusedIsAnOpeningError) {
  // A port nobody listens on: bind one, then close it.
  net::io_context io;
  tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  for (auto [t, message] : {std::pair{transport::websocket, "websocket error"},
                            std::pair{transport::polling, "xhr poll error"}}) {
    client c({t});
    c.open("http://127.0.0.1:" + std::to_string(port));
    ASSERT_TRUE(c.run_until([&] { return c.error.has_value(); }));
    EXPECT_EQ(*c.error, message);
    EXPECT_FALSE(c.handshake || c.closed);
  }
}

}  // namespace
