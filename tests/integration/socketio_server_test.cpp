// sio::server on its real engine over loopback TCP, with raw Socket.IO clients (polling and
// WebSocket): engine options reached through server_options (limits, CORS), the bound on CONNECT
// auth, trust_proxy as the handshake sees it, and destroying the server and its engine in either
// order, running or not, with clients.
#include <sio/engineio/server.hpp>
#include <sio/server/server.hpp>

#include "engineio_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace eng = sio::engineio;
namespace json = boost::json;
using namespace sio::test;

const std::string polling_path = "/socket.io/?EIO=4&transport=polling";
const std::string websocket_path = "/socket.io/?EIO=4&transport=websocket";

json::object open_packet(const std::string& text) {
  if (text.empty() || text[0] != '0') return {};
  return json::parse(text.substr(1)).as_object();
}

std::string sid_of(const std::string& text) {
  const auto o = open_packet(text);
  return o.contains("sid") ? std::string(o.at("sid").as_string()) : std::string();
}

// A Socket.IO client over polling: handshake, CONNECT to "/", the server's CONNECT answer.
// Returns the Engine.IO sid (empty on failure).
std::string connect_polling(std::uint16_t port, const header_list& headers = {}) {
  const auto open = http_request(port, http::verb::get, polling_path, {}, headers);
  const auto sid = sid_of(open.body);
  if (sid.empty()) return {};
  const auto target = polling_path + "&sid=" + sid;
  if (http_post(port, target, "40").body != "ok") return {};
  return http_get(port, target).body.starts_with("40{") ? sid : std::string();
}

// The same over WebSocket; true when the namespace is joined.
bool connect_websocket(ws_client& ws, std::uint16_t port, const header_list& headers = {}) {
  if (ws.connect(port, websocket_path, headers) != 101) return false;
  if (sid_of(ws.read_text()).empty()) return false;
  return ws.write("40") && ws.read_text().starts_with("40{");
}

// What the server's handlers saw, for the test thread to wait on.
class journal {
 public:
  struct handshake {
    std::string address;
    bool secure = false;
  };

  // Records handshakes and disconnect reasons of io's main namespace.
  void watch(sio::server& io) {
    io.on_connection([this](sio::socket& s) {
      add_handshake({s.handshake().address(), s.handshake().secure()});
      s.on_disconnect([this](sio::socket&, sio::disconnect_reason r) {
        add_disconnect(std::string(sio::to_string(r)));
      });
    });
  }
  void add_handshake(handshake h) {
    std::lock_guard lock(m_);
    handshakes_.push_back(std::move(h));
    cv_.notify_all();
  }
  void add_disconnect(std::string r) {
    std::lock_guard lock(m_);
    disconnects_.push_back(std::move(r));
    cv_.notify_all();
  }
  std::optional<handshake> wait_handshake(std::size_t i) {
    std::unique_lock lock(m_);
    cv_.wait_for(lock, io_deadline, [&] { return handshakes_.size() > i; });
    if (handshakes_.size() <= i) return std::nullopt;
    return handshakes_[i];
  }
  std::vector<std::string> disconnects() {
    std::lock_guard lock(m_);
    return disconnects_;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<handshake> handshakes_;
  std::vector<std::string> disconnects_;
};

// --- options reach the engine
// ---------------------------------------------------------------------

TEST(SocketIOServerOptions, EngineEndpointOptionsReachTheHandshake) {
  using namespace std::chrono_literals;
  sio::server io{{.http = {.address = "127.0.0.1", .workers = 1},
                  .engine = {.path = "/rt/",
                             .ping_interval = 1234ms,
                             .ping_timeout = 567ms,
                             .max_payload = 4321,
                             .allow_upgrades = false}}};
  io.start();
  const auto open = open_packet(http_get(io.port(), "/rt/?EIO=4&transport=polling").body);
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open.at("pingInterval").to_number<int>(), 1234);
  EXPECT_EQ(open.at("pingTimeout").to_number<int>(), 567);
  EXPECT_EQ(open.at("maxPayload").to_number<int>(), 4321);
  EXPECT_TRUE(open.at("upgrades").as_array().empty());
  EXPECT_EQ(http_get(io.port(), polling_path).status, 404u);  // not the default path
  io.stop();
}

TEST(SocketIOServerOptions, TransportsAndHttpLimitsReachTheEngine) {
  sio::server io{{.http = {.address = "127.0.0.1", .workers = 1, .max_app_body_bytes = 10},
                  .engine = {.websocket = false}}};
  io.engine()->on_request(
      [](eng::http_request&& req, const eng::request_info&, eng::http_respond r) {
        eng::http_response res{http::status::ok, req.version()};
        res.body() = "app";
        res.prepare_payload();
        r(std::move(res));
      });
  io.start();
  ws_client ws;
  EXPECT_EQ(ws.connect(io.port(), websocket_path), 400u);
  EXPECT_FALSE(connect_polling(io.port()).empty());
  EXPECT_EQ(http_post(io.port(), "/app", "short").body, "app");
  EXPECT_EQ(http_post(io.port(), "/app", "longer than ten bytes").status, 413u);
  io.stop();
}

TEST(SocketIOServerOptions, AnAttachedServerLeavesTheHttpSideToItsEngine) {
  eng::server engine{{.address = "127.0.0.1", .workers = 1}};
  EXPECT_THROW(sio::server(engine, {.http = {.port = 3000}}), std::invalid_argument);
  sio::server io{engine, {.engine = {.path = "/rt/"}}};
  engine.start();
  EXPECT_FALSE(sid_of(http_get(engine.port(), "/rt/?EIO=4&transport=polling").body).empty());
  engine.stop();
}

TEST(SocketIOServerOptions, CorsCredentialsNeedAListOfOrigins) {
  for (std::vector<std::string> any : {std::vector<std::string>{}, {"*"}}) {
    EXPECT_THROW(
        sio::server({.http = {.address = "127.0.0.1", .workers = 1},
                     .engine = {.cors = {.enabled = true, .origins = any, .credentials = true}}}),
        std::invalid_argument);
  }
  sio::server io{
      {.http = {.address = "127.0.0.1", .workers = 1},
       .engine = {
           .cors = {.enabled = true, .origins = {"https://app.example"}, .credentials = true}}}};
  io.start();
  const auto r = http_request(io.port(), http::verb::get, polling_path, {},
                              {{http::field::origin, "https://evil.example"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.header(http::field::access_control_allow_origin).empty());
  io.stop();
}

TEST(SocketIOServerOptions, PerAddressLimitsReachTheEngine) {
  sio::server io{{.http = {.address = "127.0.0.1",
                           .workers = 2,
                           .handshakes_per_second = 1,
                           .handshake_burst = 2}}};
  io.start();
  ws_client a, b, c;
  EXPECT_TRUE(connect_websocket(a, io.port()));
  EXPECT_FALSE(connect_polling(io.port()).empty());
  EXPECT_EQ(c.connect(io.port(), websocket_path), 429u);
  // The joined client is still served.
  EXPECT_TRUE(a.write("40/other,"));
  EXPECT_TRUE(a.read_text().starts_with("44/other,"));  // no such namespace
  io.stop();
}

// --- CONNECT auth bound
// ---------------------------------------------------------------------------

// A CONNECT (40) whose auth object is `{"t":"xx..."}`, `bytes` long as JSON.
std::string connect_with_auth(std::string_view nsp, std::size_t bytes) {
  std::string out = "40";
  if (nsp != "/") out.append(nsp).append(",");
  return out + R"({"t":")" + std::string(bytes - 8, 'x') + R"("})";
}

TEST(ConnectAuth, AnAuthOverMaxAuthBytesIsRefusedForThatNamespaceOnly) {
  std::atomic<int> connections{0};
  sio::server io{{.http = {.address = "127.0.0.1", .workers = 1}}};
  io.on_connection([&](sio::socket&) { ++connections; });
  io.of("/admin").on_connection([&](sio::socket&) { ++connections; });
  io.start();
  ws_client ws;
  ASSERT_EQ(ws.connect(io.port(), websocket_path), 101u);
  ASSERT_FALSE(sid_of(ws.read_text()).empty());
  // Default bound: 8 KiB of encoded JSON.
  ASSERT_TRUE(ws.write(connect_with_auth("/", 8 * 1024 + 1)));
  EXPECT_EQ(ws.read_text(), R"(44{"message":"Auth payload too large"})");
  // The connection stays usable: the same namespace with a smaller auth, another at the bound.
  ASSERT_TRUE(ws.write(connect_with_auth("/", 16)));
  EXPECT_TRUE(ws.read_text().starts_with("40{\"sid\":"));
  ASSERT_TRUE(ws.write(connect_with_auth("/admin", 8 * 1024)));
  EXPECT_TRUE(ws.read_text().starts_with("40/admin,{\"sid\":"));
  EXPECT_EQ(connections.load(), 2);
  ws.close();
  io.stop();
}

TEST(ConnectAuth, TheBoundIsAnOption) {
  sio::server io{{.http = {.address = "127.0.0.1", .workers = 1}, .max_auth_bytes = 32}};
  io.start();
  ws_client ws;
  ASSERT_EQ(ws.connect(io.port(), websocket_path), 101u);
  ASSERT_FALSE(sid_of(ws.read_text()).empty());
  ASSERT_TRUE(ws.write(connect_with_auth("/", 33)));
  EXPECT_EQ(ws.read_text(), R"(44{"message":"Auth payload too large"})");
  ASSERT_TRUE(ws.write(connect_with_auth("/", 32)));
  EXPECT_TRUE(ws.read_text().starts_with("40{\"sid\":"));
  ws.close();
  io.stop();
}

// --- trust_proxy: handshake().address() and secure() ---------------------------------------------

enum class transport { polling, websocket };

class TrustProxy : public ::testing::TestWithParam<transport> {
 protected:
  // The handshake the server saw for one client sending `headers`, with `trust` configured.
  journal::handshake seen(std::vector<std::string> trust, const header_list& headers) {
    journal j;  // outlives io, whose destruction disconnects the client
    sio::server io{{.http = {.address = "127.0.0.1", .workers = 1, .trust_proxy = trust}}};
    j.watch(io);
    io.start();
    if (GetParam() == transport::polling) {
      EXPECT_FALSE(connect_polling(io.port(), headers).empty());
    } else {
      ws_client ws;
      EXPECT_TRUE(connect_websocket(ws, io.port(), headers));
      ws.close();
    }
    return j.wait_handshake(0).value_or(journal::handshake{"(no handshake)", false});
  }

  const header_list proxied{{"X-Forwarded-For", "198.51.100.1, 203.0.113.7"},
                            {"X-Forwarded-Proto", "https"}};
};

TEST_P(TrustProxy, ATrustedProxyGivesTheClientAddressAndScheme) {
  const auto h = seen({"127.0.0.1"}, proxied);
  EXPECT_EQ(h.address, "203.0.113.7");
  EXPECT_TRUE(h.secure);
}

TEST_P(TrustProxy, WithoutTheOptionTheHeadersAreIgnored) {
  const auto h = seen({}, proxied);
  EXPECT_EQ(h.address, "127.0.0.1");
  EXPECT_FALSE(h.secure);
}

TEST_P(TrustProxy, SpoofedHeadersFromAnUntrustedPeerAreIgnored) {
  const auto h = seen({"10.0.0.0/8"}, proxied);
  EXPECT_EQ(h.address, "127.0.0.1");
  EXPECT_FALSE(h.secure);
}

TEST_P(TrustProxy, ATrustedPeerWithoutHeadersIsTheClient) {
  const auto h = seen({"loopback"}, {});
  EXPECT_EQ(h.address, "127.0.0.1");
  EXPECT_FALSE(h.secure);
}

INSTANTIATE_TEST_SUITE_P(Transports, TrustProxy,
                         ::testing::Values(transport::polling, transport::websocket),
                         [](const auto& info) {
                           return info.param == transport::polling ? "polling" : "websocket";
                         });

// --- destruction order ---------------------------------------------------------------------------

// Connects one client per transport, then, as a browser would, waits on each: the WebSocket reads
// until the server closes it, the polling one polls (the poll is usually held by the time the test
// goes on, but need not be).
struct clients {
  explicit clients(std::uint16_t port) {
    EXPECT_TRUE(connect_websocket(ws, port));
    sid = connect_polling(port);
    EXPECT_FALSE(sid.empty());
    ws_closed = std::async(std::launch::async, [this] { return read_until_closed(); });
    poll = std::async(std::launch::async,
                      [port, sid = sid] { return http_get(port, polling_path + "&sid=" + sid); });
  }
  // True when the server ends the WebSocket (after at most a few more packets).
  bool read_until_closed() {
    for (int i = 0; i < 8; ++i)
      if (!ws.read()) return ws.last_error() != beast::error::timeout;
    return false;
  }

  ws_client ws;
  std::string sid;
  std::future<bool> ws_closed;
  std::future<http_reply> poll;
};

const std::vector<std::string> two_shutdowns{"server shutting down", "server shutting down"};

// The usual order: the engine first, the server attached to it second, so the server goes first.
TEST(Destruction, AttachedServerDestroyedBeforeItsRunningEngine) {
  journal j;
  std::optional<clients> cs;
  {
    eng::server engine{{.address = "127.0.0.1", .workers = 2}};
    engine.on_request([](eng::http_request&& req, const eng::request_info&, eng::http_respond r) {
      eng::http_response res{http::status::ok, req.version()};
      res.body() = "app";
      res.prepare_payload();
      r(std::move(res));
    });
    {
      sio::server io{engine};
      j.watch(io);
      // A handler that uses the server while it goes away.
      io.of("/").on_connection([&io](sio::socket& s) {
        s.on_disconnect([&io](sio::socket&, sio::disconnect_reason) { io.emit("left"); });
      });
      engine.start();
      cs.emplace(engine.port());
      ASSERT_TRUE(j.wait_handshake(1));
    }  // ~server: detaches, with the engine running
    EXPECT_EQ(j.disconnects(), two_shutdowns);
    EXPECT_TRUE(cs->ws_closed.get());
    // The poll was answered: the close packet, the other client's "left" broadcast (the
    // disconnect handlers run during the detach), or, sent after it, the application's answer.
    const auto poll = cs->poll.get();
    EXPECT_TRUE(poll.body == "1" || poll.body.starts_with("42[\"left\"]") || poll.body == "app")
        << poll.body;
    // The engine keeps serving; the Socket.IO path is no longer mounted.
    EXPECT_EQ(http_get(engine.port(), polling_path).body, "app");
  }  // ~engine without stop()
}

TEST(Destruction, AttachedServerAndEngineNeverStarted) {
  eng::server engine{{.address = "127.0.0.1", .workers = 2}};
  sio::server io{engine};
  io.on_connection([](sio::socket&) {});
}

TEST(Destruction, RunningEngineDestroyedBeforeItsAttachedServer) {
  journal j;
  std::optional<clients> cs;
  {
    std::optional<sio::server> io;
    eng::server engine{{.address = "127.0.0.1", .workers = 2}};
    io.emplace(engine);
    j.watch(*io);
    io->of("/").on_connection([&io](sio::socket& s) {
      s.on_disconnect([&io](sio::socket&, sio::disconnect_reason) { io->emit("left"); });
    });
    engine.start();
    cs.emplace(engine.port());
    ASSERT_TRUE(j.wait_handshake(1));
  }  // ~engine (stops it), then ~server
  EXPECT_EQ(j.disconnects(), two_shutdowns);
  EXPECT_TRUE(cs->ws_closed.get());
}

TEST(Destruction, EngineNeverStartedDestroyedBeforeItsAttachedServer) {
  std::optional<sio::server> io;
  eng::server engine{{.address = "127.0.0.1", .workers = 2}};
  io.emplace(engine);
  io->on_connection([](sio::socket&) {});
}

TEST(Destruction, OwnedEngineServerDestroyedWhileRunning) {
  journal j;
  std::optional<clients> cs;
  {
    sio::server io{{.http = {.address = "127.0.0.1", .workers = 2}}};
    j.watch(io);
    io.of("/").on_connection([&io](sio::socket& s) {
      s.on_disconnect([&io](sio::socket&, sio::disconnect_reason) { io.emit("left"); });
    });
    io.start();
    cs.emplace(io.port());
    ASSERT_TRUE(j.wait_handshake(1));
  }
  EXPECT_EQ(j.disconnects(), two_shutdowns);
  EXPECT_TRUE(cs->ws_closed.get());
}

TEST(Destruction, OwnedEngineServerNeverStarted) {
  sio::server io{{.http = {.address = "127.0.0.1", .workers = 2}}};
  io.on_connection([](sio::socket&) {});
}

// A broadcast ack still waiting when the server goes away never calls back afterwards, though the
// engine's worker (where its timer lives) keeps running.
TEST(Destruction, PendingBroadcastAckNeverCompletesAfterTheServerIsGone) {
  using namespace std::chrono_literals;
  eng::server engine{{.address = "127.0.0.1", .workers = 1}};
  std::atomic<bool> destroyed{false};
  std::atomic<int> late_callbacks{0};
  journal j;
  {
    sio::server io{engine};
    j.watch(io);
    engine.start();
    ws_client ws;
    ASSERT_TRUE(connect_websocket(ws, engine.port()));
    ASSERT_TRUE(j.wait_handshake(0));
    // The client never answers.
    io.timeout(50ms).emit_with_ack("question", {}, [&](boost::system::error_code, auto) {
      if (destroyed) ++late_callbacks;
    });
  }
  destroyed = true;  // ~server returned: from here on, a callback would be a late one
  // A timer due after the ack's timeout, on the same worker: once it fired, so did that one.
  std::promise<void> later;
  boost::asio::steady_timer t(engine.worker(0), 200ms);
  t.async_wait([&](boost::system::error_code) { later.set_value(); });
  later.get_future().wait();
  EXPECT_EQ(late_callbacks, 0);
  engine.stop();
}

}  // namespace
