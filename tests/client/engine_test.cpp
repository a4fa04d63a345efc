// The client's Engine.IO layer (src/client/engine.hpp) against real servers on loopback: sio's
// Engine.IO server in process (an echo), and small servers written here for what sio's server
// never does (a server that stops pinging, a CONNECT proxy). URL parsing is tested alone.
#include "../../src/client/engine.hpp"

#include <sio/engineio/server.hpp>

#include "../integration/test_certs.hpp"
#include "../support/child_process.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
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
  std::optional<transport> opened_on;  // the transport when the handshake arrived
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
        {.on_open =
             [this](const engine_handshake& h) {
               handshake = h;
               opened_on = eng->current();
             },
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

// --- upgrade -------------------------------------------------------------------------------------

TEST(ClientEngine, PollingUpgradesToWebSocketKeepingOrder) {
  echo_server server;
  client c;
  c.open(server.url());
  ASSERT_TRUE(c.wait_open());
  EXPECT_EQ(c.opened_on, transport::polling);  // the upgrade may have finished already
  EXPECT_EQ(c.handshake->upgrades, std::vector<std::string>{"websocket"});
  // Messages go out before, during and after the upgrade.
  int sent = 0;
  ASSERT_TRUE(c.run_until([&] {
    c.eng->send(std::to_string(sent++), false);
    return c.upgrades > 0 || c.closed.has_value();
  }));
  EXPECT_EQ(c.eng->current(), transport::websocket);
  for (int i = 0; i < 20; ++i) c.eng->send(std::to_string(sent++), i % 2 == 1);
  ASSERT_TRUE(c.wait_messages(static_cast<std::size_t>(sent)));
  ASSERT_EQ(c.messages.size(), static_cast<std::size_t>(sent));
  for (int i = 0; i < sent; ++i) EXPECT_EQ(c.messages[i].first, std::to_string(i));
  EXPECT_GT(sent, 21);
  expect_echo(c, c.messages.size());
}

TEST(ClientEngine, NoUpgradeWhenTurnedOff) {
  echo_server server({.ping_interval = 100ms, .ping_timeout = 200ms});
  client c;
  c.opts.upgrade = false;
  c.open(server.url());
  ASSERT_TRUE(c.wait_open());
  ASSERT_TRUE(c.run_until([&] { return c.pings >= 2 || c.closed; }));
  EXPECT_EQ(c.eng->current(), transport::polling);
  EXPECT_EQ(c.upgrades, 0);
}

TEST(ClientEngine, WebSocketFirstStartsOnWebSocket) {
  echo_server server;
  client c;
  c.open(server.url(), true);
  ASSERT_TRUE(c.wait_open());
  EXPECT_EQ(c.eng->current(), transport::websocket);
  expect_echo(c);
  EXPECT_EQ(c.upgrades, 0);
}

// --- what the server sees ------------------------------------------------------------------------

class recording_handler final : public eng::handler {
 public:
  void on_open(const eng::connection_ptr& c) override {
    std::lock_guard lock(mutex);
    urls.push_back(c->request().url);
    const auto& headers = c->request().headers;
    auto h = headers.find("x-token");
    tokens.push_back(h != headers.end() ? std::string(h->second) : std::string());
  }
  void on_message(eng::connection&, std::string_view text) override {
    std::lock_guard lock(mutex);
    messages.emplace_back(text);
  }
  void on_binary(eng::connection&, std::string_view) override {}
  void on_close(eng::connection&, eng::close_reason r) override {
    std::lock_guard lock(mutex);
    reasons.push_back(r);
  }
  std::mutex mutex;
  std::vector<std::string> urls;
  std::vector<std::string> tokens;
  std::vector<std::string> messages;
  std::vector<eng::close_reason> reasons;
};

TEST(ClientEngine, QueryAndHeadersReachTheServer) {
  auto rec = std::make_shared<recording_handler>();
  eng::server srv({.address = "127.0.0.1", .workers = 1});
  srv.attach({.path = "/custom/"}, rec);
  srv.start();
  for (auto t : {transport::websocket, transport::polling}) {
    client c({t});
    c.opts.path = "/custom/";
    c.opts.query = {{"room", "a b&c"}};
    c.opts.extra_headers = {{"X-Token", "secret"}};
    c.open("http://127.0.0.1:" + std::to_string(srv.port()) + "/ns?from=url");
    ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
  }
  std::lock_guard lock(rec->mutex);
  ASSERT_EQ(rec->urls.size(), 2u);
  for (const auto& url : rec->urls) {
    EXPECT_TRUE(url.starts_with("/custom/?from=url&room=a%20b%26c&EIO=4&transport=")) << url;
  }
  EXPECT_NE(rec->urls[1].find("&t="), std::string::npos);
  EXPECT_EQ(rec->tokens, (std::vector<std::string>{"secret", "secret"}));
}

TEST(ClientEngine, CloseSendsWhatIsQueuedThenTheClosePacket) {
  auto rec = std::make_shared<recording_handler>();
  eng::server srv({.address = "127.0.0.1", .workers = 1});
  srv.attach({}, rec);
  srv.start();
  for (auto t : {transport::websocket, transport::polling}) {
    SCOPED_TRACE(std::string(sio::client::to_string(t)));
    client c({t});
    c.open("http://127.0.0.1:" + std::to_string(srv.port()));
    ASSERT_TRUE(c.wait_open());
    for (int i = 0; i < 5; ++i) c.eng->send(std::to_string(i), false);
    c.eng->close();
    ASSERT_TRUE(c.run_until([&] {
      std::lock_guard lock(rec->mutex);
      return !rec->reasons.empty();
    }));
    std::lock_guard lock(rec->mutex);
    EXPECT_EQ(rec->messages, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
    EXPECT_EQ(rec->reasons, std::vector<eng::close_reason>{eng::close_reason::transport_close});
    rec->messages.clear();
    rec->reasons.clear();
  }
}

// --- heartbeat -----------------------------------------------------------------------------------

// A WebSocket Engine.IO server that opens a session and then never pings.
class silent_server {
 public:
  silent_server() : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      boost::system::error_code ec;
      tcp::socket s(io_);
      acceptor_.accept(s, ec);
      if (ec) return;
      beast::websocket::stream<tcp::socket> ws(std::move(s));
      ws.accept(ec);
      if (ec) return;
      const std::string open =
          R"(0{"sid":"silent","upgrades":[],"pingInterval":100,"pingTimeout":100,"maxPayload":1000})";
      ws.write(net::buffer(open), ec);
      beast::flat_buffer b;
      while (!ec) ws.read(b, ec);
    });
  }
  ~silent_server() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(ClientEngine, AServerThatStopsPingingIsAPingTimeout) {
  silent_server server;
  client c({transport::websocket});
  c.open(server.url());
  ASSERT_TRUE(c.wait_open());
  EXPECT_EQ(c.handshake->sid, "silent");
  ASSERT_TRUE(c.run_until([&] { return c.closed.has_value(); }));
  EXPECT_EQ(*c.closed, "ping timeout");
}

// --- TLS -----------------------------------------------------------------------------------------

struct tls_fixture {
  tls_fixture()
      : server({}, eng::tls_options{certs.path("server.pem"), certs.path("server.key")}) {}
  sio::test::test_certs certs;
  echo_server server;
};

TEST(ClientEngine, TlsWithTheTrustedCa) {
  tls_fixture f;
  for (auto scheme : {"https", "wss"}) {
    client c;
    c.opts.tls.ca_file = f.certs.path("ca.pem");
    c.open(f.server.url(scheme));
    ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
    expect_echo(c);
    ASSERT_TRUE(c.run_until([&] { return c.upgrades > 0 || c.closed; }));
    EXPECT_EQ(c.eng->current(), transport::websocket);
    expect_echo(c, 2);
  }
}

TEST(ClientEngine, TlsRefusesAnUntrustedOrMisnamedServer) {
  tls_fixture f;
  for (auto t : {transport::polling, transport::websocket}) {
    client untrusted({t});  // the system store does not know the test CA
    untrusted.open(f.server.url("https"));
    ASSERT_TRUE(untrusted.run_until([&] { return untrusted.error || untrusted.handshake; }));
    ASSERT_TRUE(untrusted.error.has_value());
    EXPECT_TRUE(untrusted.error->starts_with("TLS handshake with 127.0.0.1 failed"))
        << *untrusted.error;

    client misnamed({t});
    misnamed.opts.tls.ca_file = f.certs.path("ca.pem");
    misnamed.opts.tls.server_name = "other.example";
    misnamed.open(f.server.url("https"));
    ASSERT_TRUE(misnamed.run_until([&] { return misnamed.error || misnamed.handshake; }));
    ASSERT_TRUE(misnamed.error.has_value());
    EXPECT_EQ(*misnamed.error,
              "TLS handshake with other.example failed: certificate verification failed: hostname "
              "mismatch");
  }
}

TEST(ClientEngine, TlsWithoutVerificationWhenAskedTo) {
  tls_fixture f;
  client c;
  c.opts.tls.verify_peer = false;
  c.open(f.server.url("https"));
  ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
  expect_echo(c);
}

TEST(ClientEngine, TlsBadCaFileIsAnOpeningError) {
  client c;
  c.opts.tls.ca_file = "/nonexistent/ca.pem";
  c.open("https://127.0.0.1:1");
  ASSERT_TRUE(c.run_until([&] { return c.error.has_value(); }));
  EXPECT_TRUE(c.error->starts_with("TLS: cannot load the CA file")) << *c.error;
}

// --- close and lifetime --------------------------------------------------------------------------

TEST(ClientEngine, NoCallbackAfterCloseOrDestruction) {
  echo_server server;
  for (auto t : {transport::websocket, transport::polling}) {
    client c({t});
    c.open(server.url());
    ASSERT_TRUE(c.wait_open());
    for (int i = 0; i < 10; ++i) c.eng->send(std::to_string(i), false);
    c.eng->close();
    c.eng->send("after", false);
    const auto n = c.messages.size();
    ASSERT_TRUE(c.run_until([&] { return server.srv.session_count() == 0; }));
    EXPECT_EQ(c.messages.size(), n);
    EXPECT_FALSE(c.closed || c.error);

    client d({t});  // dropped while opening
    d.open(server.url());
    d.eng.reset();
    d.run_until([] { return false; }, 1s);
    EXPECT_FALSE(d.handshake || d.closed || d.error);
  }
}

// The engine on a strand of an io_context that two threads run; the test reaches it by posting.
TEST(ClientEngine, OnAStrandOfAThreadPool) {
  echo_server server;
  net::io_context io;
  auto strand = net::make_strand(io);
  manager_options opts;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> received;
  bool upgraded = false;
  std::shared_ptr<engine> eng;
  auto guard = net::make_work_guard(io);
  std::thread a([&] { io.run(); }), b([&] { io.run(); });
  net::post(strand, [&] {
    eng = engine::create(strand, {parse_url(server.url()), &opts, false},
                         {.on_message =
                              [&](std::string d, bool) {
                                std::lock_guard lock(mutex);
                                received.push_back(std::move(d));
                                cv.notify_all();
                              },
                          .on_upgrade =
                              [&](transport) {
                                std::lock_guard lock(mutex);
                                upgraded = true;
                                cv.notify_all();
                              }});
    eng->open();
  });
  for (int i = 0; i < 200; ++i) net::post(strand, [&, i] { eng->send(std::to_string(i), false); });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 20s, [&] { return received.size() == 200 && upgraded; }));
    for (int i = 0; i < 200; ++i) EXPECT_EQ(received[i], std::to_string(i));
  }
  std::promise<void> closed;
  net::post(strand, [&] {
    eng->close();
    eng.reset();
    closed.set_value();
  });
  closed.get_future().wait();
  guard.reset();
  a.join();
  b.join();
}

// --- proxy ---------------------------------------------------------------------------------------

// An HTTP CONNECT proxy on loopback: reads the CONNECT head, connects to the target, answers 200
// (or 407 without the expected credentials) and relays bytes both ways.
class connect_proxy {
 public:
  // `refused`: the number (1-based) of a CONNECT request refused whatever its credentials.
  explicit connect_proxy(std::string authorization = {}, std::size_t refused = 0)
      : authorization_(std::move(authorization)),
        refused_(refused),
        acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~connect_proxy() {
    net::post(io_, [this] { io_.stop(); });
    thread_.join();
  }
  std::string url(const std::string& credentials = {}) const {
    return "http://" + credentials +
           "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<std::string> targets() {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  struct tunnel : std::enable_shared_from_this<tunnel> {
    explicit tunnel(tcp::socket s) : client(std::move(s)), server(client.get_executor()) {}
    tcp::socket client;
    tcp::socket server;
    beast::flat_buffer head;
    beast::http::request<beast::http::empty_body> req;
    std::array<char, 16384> up{}, down{};
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      auto t = std::make_shared<tunnel>(std::move(s));
      beast::http::async_read(t->client, t->head, t->req,
                              [this, t](boost::system::error_code rec, std::size_t) {
                                if (!rec) on_request(t);
                              });
      accept();
    });
  }

  void on_request(const std::shared_ptr<tunnel>& t) {
    std::size_t n = 0;
    {
      std::lock_guard lock(mutex_);
      targets_.emplace_back(t->req.target());
      n = targets_.size();
    }
    auto auth = t->req[beast::http::field::proxy_authorization];
    if (t->req.method() != beast::http::verb::connect || auth != authorization_ || n == refused_) {
      static const std::string refused =
          "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
      net::async_write(t->client, net::buffer(refused), [t](auto, auto) {});
      return;
    }
    const std::string target(t->req.target());
    const auto colon = target.rfind(':');
    const tcp::endpoint ep(net::ip::make_address(target.substr(0, colon)),
                           static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1))));
    t->server.async_connect(ep, [t](boost::system::error_code ec) {
      if (ec) return;
      static const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
      net::async_write(t->client, net::buffer(ok), [t](boost::system::error_code wec, auto) {
        if (wec) return;
        relay(t, t->client, t->server, t->up);
        relay(t, t->server, t->client, t->down);
      });
    });
  }

  static void relay(const std::shared_ptr<tunnel>& t, tcp::socket& from, tcp::socket& to,
                    std::array<char, 16384>& buf) {
    from.async_read_some(
        net::buffer(buf), [t, &from, &to, &buf](boost::system::error_code ec, std::size_t n) {
          if (ec) {
            boost::system::error_code ignored;
            to.shutdown(tcp::socket::shutdown_send, ignored);
            return;
          }
          net::async_write(to, net::buffer(buf.data(), n),
                           [t, &from, &to, &buf](boost::system::error_code wec, std::size_t) {
                             if (!wec) relay(t, from, to, buf);
                           });
        });
  }

  std::string authorization_;
  std::size_t refused_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> targets_;
};

TEST(ClientEngine, ThroughAConnectProxyWithCredentials) {
  echo_server server;
  connect_proxy proxy("Basic dXNlcjpwYXNz");  // user:pass
  client c;
  c.opts.proxy = proxy.url("user:pass@");
  c.open(server.url());
  ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
  expect_echo(c);
  ASSERT_TRUE(c.run_until([&] { return c.upgrades > 0 || c.closed; }));
  expect_echo(c, 2);
  const auto targets = proxy.targets();
  ASSERT_GE(targets.size(), 2u);  // polling and WebSocket connections, all tunnelled
  for (const auto& t : targets) EXPECT_EQ(t, "127.0.0.1:" + std::to_string(server.srv.port()));
}

TEST(ClientEngine, AFailedUpgradeKeepsPolling) {
  echo_server server({.ping_interval = 300ms, .ping_timeout = 300ms});
  // The polling GET connection is the first through the proxy, the WebSocket probe (sent at once)
  // the second; the POST connection (the first PONG's) comes later.
  connect_proxy proxy({}, 2);
  client c;
  std::vector<std::string> lines;
  c.opts.log = [&](std::string_view l) { lines.emplace_back(l); };
  c.opts.proxy = proxy.url();
  c.open(server.url());
  ASSERT_TRUE(c.wait_open());
  ASSERT_TRUE(c.run_until([&] { return !lines.empty() || c.closed; }));
  EXPECT_TRUE(lines.front().starts_with("WebSocket upgrade failed")) << lines.front();
  ASSERT_TRUE(c.run_until([&] { return c.pings >= 3 || c.closed; }));
  EXPECT_FALSE(c.closed.has_value());
  EXPECT_EQ(c.eng->current(), transport::polling);
  EXPECT_EQ(c.upgrades, 0);
  expect_echo(c);
}

TEST(ClientEngine, TlsThroughAConnectProxy) {
  tls_fixture f;
  connect_proxy proxy;
  client c({transport::websocket});
  c.opts.proxy = proxy.url();
  c.opts.tls.ca_file = f.certs.path("ca.pem");
  c.open(f.server.url("wss"));
  ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
  expect_echo(c);
}

TEST(ClientEngine, AProxyRefusalIsAnOpeningError) {
  echo_server server;
  connect_proxy proxy("Basic dXNlcjpwYXNz");
  for (auto t : {transport::polling, transport::websocket}) {
    client c({t});
    c.opts.proxy = proxy.url();  // no credentials
    c.open(server.url());
    ASSERT_TRUE(c.run_until([&] { return c.error || c.handshake; }));
    ASSERT_TRUE(c.error.has_value());
    EXPECT_EQ(*c.error, "proxy: CONNECT 127.0.0.1:" + std::to_string(server.srv.port()) +
                            " refused: HTTP 407 Proxy Authentication Required");
  }
}

// --- Node's engine.io
// -----------------------------------------------------------------------------
#ifdef SIO_NODE_EXECUTABLE

// tests/client/node_engine_echo.cjs in a child process; its port is the line it prints first.
class node_echo_server {
 public:
  explicit node_echo_server(int ping_interval_ms = 25000, int ping_timeout_ms = 20000) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const std::vector<std::string> env{"NODE_PATH=" SIO_NODE_PATH,
                                       "PING_INTERVAL=" + std::to_string(ping_interval_ms),
                                       "PING_TIMEOUT=" + std::to_string(ping_timeout_ms)};
    try {
      pid_ = sio::test::spawn_child({SIO_NODE_EXECUTABLE, SIO_NODE_ENGINE_ECHO}, &env, fds[1]);
    } catch (...) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw;
    }
    ::close(fds[1]);
    std::string line;
    char ch = 0;
    while (::read(fds[0], &ch, 1) == 1 && ch != '\n') line += ch;
    ::close(fds[0]);
    if (line.empty()) throw std::runtime_error("node engine.io echo server");
    port_ = std::stoi(line);
  }
  ~node_echo_server() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(ClientEngineNode, WebSocketPollingAndTheUpgrade) {
  node_echo_server server(200, 400);
  for (auto ts : {std::vector{transport::websocket}, std::vector{transport::polling},
                  std::vector{transport::polling, transport::websocket}}) {
    client c(ts);
    c.opts.path = "/engine.io/";
    c.open(server.url());
    ASSERT_TRUE(c.wait_open()) << c.error.value_or("");
    EXPECT_EQ(c.eng->current(), ts.front());
    expect_echo(c);
    if (ts.size() == 2) {
      ASSERT_TRUE(c.run_until([&] { return c.upgrades > 0 || c.closed; }));
      EXPECT_EQ(c.eng->current(), transport::websocket);
      expect_echo(c, 2);
    }
    ASSERT_TRUE(c.run_until([&] { return c.pings >= 3 || c.closed; }));
    EXPECT_FALSE(c.closed.has_value()) << *c.closed;
    c.eng->send("close", false);
    ASSERT_TRUE(c.run_until([&] { return c.closed.has_value(); }));
    EXPECT_EQ(*c.closed, "transport close");
  }
}

TEST(ClientEngineNode, MessagesDuringTheUpgradeArriveInOrderOnce) {
  node_echo_server server;
  client c;
  c.opts.path = "/engine.io/";
  c.open(server.url());
  ASSERT_TRUE(c.wait_open());
  int sent = 0;
  ASSERT_TRUE(c.run_until([&] {
    c.eng->send(std::to_string(sent), sent % 3 == 0);
    ++sent;
    return c.upgrades > 0 || c.closed.has_value();
  }));
  for (int i = 0; i < 20; ++i) c.eng->send(std::to_string(sent++), false);
  ASSERT_TRUE(c.wait_messages(static_cast<std::size_t>(sent)));
  ASSERT_EQ(c.messages.size(), static_cast<std::size_t>(sent));
  for (int i = 0; i < sent; ++i) EXPECT_EQ(c.messages[i].first, std::to_string(i));
}

#endif

}  // namespace
