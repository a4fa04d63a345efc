// WebSocket permessage-deflate on sio::engineio::server over loopback TCP, from a raw socket: the
// 101's Sec-WebSocket-Extensions, compressed echoes both ways with and without context takeover,
// the threshold and send_flags::compress, broadcasts to mixed receivers, the bound on context
// takeover, Beast's client as a peer, the compress flag over polling, and hostile input (RSV1
// without the extension, invalid data, a decompression bomb).
// Every test runs with 1 and with 4 workers.
#include "engineio_client.hpp"

#include <sio/engineio/server.hpp>
#include <sio/protocol/permessage_deflate.hpp>

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <mutex>
#include <set>

namespace {

namespace eng = sio::engineio;
namespace pmd = sio::protocol::permessage_deflate;
using namespace sio::test;

constexpr std::string_view offer =
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";

// Echoes messages ("plain:..." with send_flags::compress off); "broadcast" sends one shared large
// message to every open session.
class echo final : public eng::handler {
 public:
  static inline const std::string big = [] {
    std::string s = "[";
    for (int i = 0; i < 400; ++i) s += "{\"n\":" + std::to_string(i) + ",\"text\":\"hello\"},";
    return s + "{}]";
  }();

  void on_open(const eng::connection_ptr& c) override {
    std::lock_guard lock(m_);
    open_.insert(c);
  }
  void on_message(eng::connection& c, std::string_view text) override {
    if (text == "broadcast") {
      const auto m = eng::make_text(big);
      std::lock_guard lock(m_);
      for (const auto& o : open_) boost::asio::post(o->executor(), [o, m] { o->send(m); });
      return;
    }
    const bool plain = text.starts_with("plain:");
    c.send(eng::make_text(std::string(text)), {.compress = !plain});
  }
  void on_binary(eng::connection& c, std::string_view bytes) override {
    c.send(eng::make_binary(std::string(bytes)));
  }
  void on_close(eng::connection& c, eng::close_reason) override {
    std::lock_guard lock(m_);
    for (auto it = open_.begin(); it != open_.end(); ++it)
      if (it->get() == &c) {
        open_.erase(it);
        break;
      }
  }

 private:
  std::mutex m_;
  std::set<eng::connection_ptr> open_;
};

std::string header_value(const std::string& head, std::string_view name) {
  const auto at = head.find(std::string("\r\n") + std::string(name) + ": ");
  if (at == std::string::npos) return {};
  const auto from = at + 4 + name.size();
  return head.substr(from, head.find("\r\n", from) - from);
}

// A permessage-deflate client over raw_ws: compresses what it sends (first frame RSV1), inflates
// what arrives with RSV1, each direction with or without context takeover.
class deflate_client {
 public:
  deflate_client(std::uint16_t port, bool client_takeover = true, bool server_takeover = true)
      : ws_(port), tx_(15, -1, 8, !client_takeover), rx_(15, !server_takeover) {}

  std::string open(std::string_view path, std::string_view extensions = offer) {
    const auto head = ws_.handshake(std::string(path) + "?EIO=4&transport=websocket",
                                    "dGhlIHNhbXBsZSBub25jZQ==", "13", extensions);
    if (head.rfind("HTTP/1.1 101 ", 0) != 0) return head;
    const auto open_packet = next();
    EXPECT_TRUE(open_packet && open_packet->data[0] == '0');
    return head;
  }
  void send_compressed(std::string_view text) {
    std::string z;
    tx_.compress({}, text, z);
    ws_.write(client_frame(1, z, true, true, 0x40));
  }
  void send_plain(std::string_view text) { ws_.write(client_frame(1, text)); }
  // The next frame, inflated when it came compressed (`compressed` tells).
  std::optional<server_frame> next() {
    auto f = ws_.read();
    if (!f || !f->rsv1) return f;
    std::string out;
    EXPECT_EQ(rx_.inflate(f->data, 10'000'000, out), pmd::inflater::status::ok);
    f->data = std::move(out);
    return f;
  }
  // The close code the server ends with (frames before it skipped).
  std::uint16_t close_code_seen() {
    std::optional<server_frame> f;
    while ((f = ws_.read()) && f->op != 8) {
    }
    return f ? close_code(*f) : 0;
  }
  raw_ws& raw() { return ws_; }

 private:
  raw_ws ws_;
  pmd::deflater tx_;
  pmd::inflater rx_;
};

class EngineDeflate : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<eng::server>(eng::server_options{
        .address = "127.0.0.1", .port = 0, .workers = GetParam(), .handshakes_per_second = 0});
    auto attach = [&](std::string path, std::optional<eng::per_message_deflate_options> d) {
      eng::endpoint_options o;
      o.path = std::move(path);
      o.max_payload = 100'000;
      o.per_message_deflate = d;
      server_->attach(o, h_);
    };
    attach("/engine.io/", eng::per_message_deflate_options{});
    attach("/nct/", eng::per_message_deflate_options{.server_no_context_takeover = true});
    attach("/bounded/", eng::per_message_deflate_options{.max_context_takeover = 1});
    attach("/off/", std::nullopt);
    server_->start();
    port_ = server_->port();
  }
  void TearDown() override { server_->stop(); }

  std::shared_ptr<echo> h_ = std::make_shared<echo>();
  std::unique_ptr<eng::server> server_;
  std::uint16_t port_ = 0;
};

TEST_P(EngineDeflate, TheOfferIsAnsweredAsTheWsPackageAnswersIt) {
  deflate_client c(port_);
  auto head = c.open("/engine.io/");
  EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"), "permessage-deflate") << head;
  deflate_client nct(port_);
  head = nct.open("/nct/");
  EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"),
            "permessage-deflate; server_no_context_takeover");
  // Off: the header is not read, not even a malformed one.
  deflate_client off(port_);
  head = off.open("/off/", "Sec-WebSocket-Extensions: permessage-deflate; bogus\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 101 ", 0), 0u) << head;
  EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"), "");
  // No offer: no extension.
  deflate_client none(port_);
  head = none.open("/engine.io/", "");
  EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"), "");
  // An invalid offer gets the `ws` package's 400, and no session.
  raw_ws bad(port_);
  auto out =
      bad.handshake("/engine.io/?EIO=4&transport=websocket", "dGhlIHNhbXBsZSBub25jZQ==", "13",
                    "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99\r\n");
  out += bad.rest();
  EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("Invalid or unacceptable Sec-WebSocket-Extensions header"), std::string::npos);
}

TEST_P(EngineDeflate, CompressedEchoesWithContextTakeover) {
  for (const auto* path : {"/engine.io/", "/nct/"}) {
    SCOPED_TRACE(path);
    const bool server_takeover = std::string_view(path) == "/engine.io/";
    deflate_client c(port_, true, server_takeover);
    c.open(path);
    for (int i = 0; i < 3; ++i) {  // the same message again: takeover makes it tiny
      c.send_compressed("4" + echo::big);
      auto f = c.next();
      ASSERT_TRUE(f);
      EXPECT_TRUE(f->rsv1);
      EXPECT_EQ(f->data, "4" + echo::big);
    }
    // Under the threshold, or sent with compress off: plain frames. A plain client frame is fine.
    c.send_compressed("4small");
    auto f = c.next();
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->rsv1);
    EXPECT_EQ(f->data, "4small");
    c.send_plain("4plain:" + echo::big);
    f = c.next();
    ASSERT_TRUE(f);
    EXPECT_FALSE(f->rsv1);
    EXPECT_EQ(f->data, "4plain:" + echo::big);
  }
}

TEST_P(EngineDeflate, ClientWithoutContextTakeover) {
  deflate_client c(port_, false, true);
  const auto head = c.open("/engine.io/",
                           "Sec-WebSocket-Extensions: permessage-deflate; "
                           "client_no_context_takeover\r\n");
  EXPECT_EQ(header_value(head, "Sec-WebSocket-Extensions"),
            "permessage-deflate; client_no_context_takeover");
  for (int i = 0; i < 3; ++i) {
    c.send_compressed("4" + echo::big + std::to_string(i));
    const auto f = c.next();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->data, "4" + echo::big + std::to_string(i));
  }
}

TEST_P(EngineDeflate, BroadcastReachesMixedReceivers) {
  std::vector<std::unique_ptr<deflate_client>> clients;
  for (const auto* path : {"/nct/", "/nct/", "/engine.io/", "/off/"}) {
    const bool takeover = std::string_view(path) != "/nct/";
    clients.push_back(std::make_unique<deflate_client>(port_, true, takeover));
    clients.back()->open(path);
  }
  clients[0]->send_plain("4broadcast");
  for (std::size_t i = 0; i < clients.size(); ++i) {
    SCOPED_TRACE(i);
    const auto f = clients[i]->next();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->rsv1, i < 3);
    EXPECT_EQ(f->data, "4" + echo::big);
  }
}

TEST_P(EngineDeflate, ContextTakeoverIsBounded) {
  deflate_client first(port_);
  EXPECT_EQ(header_value(first.open("/bounded/"), "Sec-WebSocket-Extensions"),
            "permessage-deflate");
  // The only slot is taken: the next client is asked for no context takeover either way.
  deflate_client second(port_, false, false);
  EXPECT_EQ(header_value(second.open("/bounded/"), "Sec-WebSocket-Extensions"),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  second.send_compressed("4" + echo::big);
  const auto f = second.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data, "4" + echo::big);
}

TEST_P(EngineDeflate, HostileCompressedInput) {
  // RSV1 without the extension.
  deflate_client off(port_);
  off.open("/off/");
  off.send_compressed("4" + echo::big);
  EXPECT_EQ(off.close_code_seen(), 1002u);
  // Not DEFLATE data.
  deflate_client junk(port_);
  junk.open("/engine.io/");
  junk.raw().write(client_frame(1, "\xff\xff\xff\xff", true, true, 0x40));
  EXPECT_EQ(junk.close_code_seen(), 1007u);
  // Invalid UTF-8 once inflated.
  deflate_client utf8(port_);
  utf8.open("/engine.io/");
  utf8.send_compressed("4\xc3\x28");
  EXPECT_EQ(utf8.close_code_seen(), 1007u);
  // A bomb: about 10 KB that inflate to 10 MB, past max_payload (100 KB).
  std::string zeros(10'000'000, '\0');
  pmd::deflater z(15, 9, 9, true);
  std::string bomb;
  z.compress("4", zeros, bomb);
  ASSERT_LT(bomb.size(), 20'000u);
  deflate_client bomber(port_);
  bomber.open("/engine.io/");
  bomber.raw().write(client_frame(1, bomb, true, true, 0x40));
  EXPECT_EQ(bomber.close_code_seen(), 1009u);
  // The others are still served.
  deflate_client after(port_);
  after.open("/engine.io/");
  after.send_compressed("4" + echo::big);
  const auto f = after.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data, "4" + echo::big);
}

TEST_P(EngineDeflate, BeastClientInterop) {
  // Beast's permessage-deflate (its own DEFLATE, not zlib) as the peer: it compresses every message
  // it sends and inflates ours, with and without context takeover on either side.
  for (const bool client_nct : {false, true}) {
    for (const auto* path : {"/engine.io/", "/nct/"}) {
      SCOPED_TRACE(std::string(path) + (client_nct ? " client_no_context_takeover" : ""));
      ws_client ws;
      websocket::permessage_deflate o;
      o.client_enable = true;
      o.client_no_context_takeover = client_nct;
      ws.offer_deflate(o);
      ASSERT_EQ(ws.connect(port_, std::string(path) + "?EIO=4&transport=websocket"), 101u);
      EXPECT_TRUE(ws.extensions().starts_with("permessage-deflate")) << ws.extensions();
      EXPECT_EQ(ws.extensions().find("client_no_context_takeover") != std::string::npos,
                client_nct);
      ASSERT_EQ(ws.read_text().substr(0, 1), "0");
      for (int i = 0; i < 3; ++i) {
        const std::string text = "4" + echo::big + std::to_string(i);
        ASSERT_TRUE(ws.write(text));
        EXPECT_EQ(ws.read_text(), text);
        const std::string bytes = echo::big + "binary";
        ASSERT_TRUE(ws.write(bytes, true));
        const auto f = ws.read();
        ASSERT_TRUE(f);
        EXPECT_TRUE(f->binary);
        EXPECT_EQ(f->data, bytes);
      }
      ws.close();
    }
  }
}

TEST_P(EngineDeflate, PollingResponsesFollowTheCompressFlag) {
  // As Node's polling transport: a response is gzip-encoded when one of its packets was sent with
  // compression (engineio::send_flags::compress), not when it was sent with compress(false).
  const auto open = http_get(port_, "/engine.io/?EIO=4&transport=polling");
  ASSERT_EQ(open.status, 200u);
  const std::string sid(boost::json::parse(open.body.substr(1)).at("sid").as_string());
  const std::string target = "/engine.io/?EIO=4&transport=polling&sid=" + sid;
  for (const bool plain : {true, false}) {
    const std::string text = std::string(plain ? "4plain:" : "4") + echo::big;
    ASSERT_EQ(http_post(port_, target, text).status, 200u);
    const auto g =
        http_request(port_, http::verb::get, target, {}, {{http::field::accept_encoding, "gzip"}});
    ASSERT_EQ(g.status, 200u);
    EXPECT_EQ(g.header(http::field::content_encoding), plain ? "" : "gzip");
    if (plain) {
      EXPECT_EQ(g.body, text);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, EngineDeflate, ::testing::Values(1u, 4u));

}  // namespace
