// sio::server on its real engine over loopback TCP, with raw Socket.IO clients (polling and
// WebSocket): engine options reached through server_options, trust_proxy as the handshake sees it.
#include <sio/engineio/server.hpp>
#include <sio/server/server.hpp>

#include "engineio_client.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <condition_variable>
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

}  // namespace
