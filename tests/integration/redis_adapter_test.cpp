// Two sio servers in one process on a private redis-server (loopback, free port), with raw
// Socket.IO clients over WebSocket: broadcasts, rooms, binary, fetch_sockets, sockets_join,
// disconnect_sockets, server-side events with acks (typed handlers, argument errors, timeout),
// broadcast acks across servers, the queries awaited by a coroutine, the C++ redis_emitter,
// garbage on the channels, and a Redis restart (local delivery meanwhile, then reconnection,
// re-subscription and cluster delivery again).
#include <sio/redis/client.hpp>
#include <sio/redis/redis_adapter.hpp>
#include <sio/redis/redis_emitter.hpp>
#include <sio/server/server.hpp>

#include "cluster_fixture.hpp"
#include "redis_server.hpp"
#include "socketio_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <future>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using sio::test::free_port;
using sio::test::redis_server;
using sio::test::sio_client;

using sio::test::wait;

class RedisAdapter : public sio::test::cluster_fixture {
 protected:
  void SetUp() override {
    redis_ = std::make_unique<redis_server>(free_port());
    s1_ = make_server(2);
    s2_ = make_server(1);
    a1_ = sio::redis_adapter::of(s1_->of("/"));
    a2_ = sio::redis_adapter::of(s2_->of("/"));
    ASSERT_TRUE(a1_ && a2_);
    start_servers();
    for (auto* a : {a1_, a2_}) {
      auto f = a->when_ready(asio::use_future);
      wait(f);
    }
    wait_for_servers(2);
  }

  std::unique_ptr<sio::server> make_server(std::size_t workers,
                                           sio::socket_redaction redaction = {}) {
    sio::redis_adapter_options ro;
    ro.url = redis_->url();
    ro.reconnect_min = 20ms;
    ro.reconnect_max = 200ms;
    ro.requests_timeout = 3000ms;
    ro.log = logs_.writer();
    sio::server_options so;
    so.http.address = "127.0.0.1";
    so.http.workers = workers;
    so.adapter = sio::redis_adapter::factory(ro);
    so.remote_socket_redaction = std::move(redaction);
    return std::make_unique<sio::server>(std::move(so));
  }

  std::unique_ptr<redis_server> redis_;
  // The application's own context of the awaitable tests: it outlives the servers (TearDown
  // stops and destroys them), whose threads may still be inside a post to it.
  asio::io_context user_;
  sio::redis_adapter* a1_ = nullptr;
  sio::redis_adapter* a2_ = nullptr;
};

TEST_F(RedisAdapter, BroadcastReachesBothServers) {
  sio_client c1(s1_->port()), c2(s2_->port());
  s1_->emit("hello", 1, "two");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["hello",1,"two"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["hello",1,"two"])");
  s2_->emit("back", json::object{{"a", true}});
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["back",{"a":true}])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["back",{"a":true}])");
}

TEST_F(RedisAdapter, RoomsExceptAndBinary) {
  sio_client c1(s1_->port()), c2(s2_->port()), c3(s2_->port());
  join(c2, "r");
  join(c3, "x");
  join(c3, "r");
  s1_->to("r").except("x").emit("bin", sio::binary(std::string("\x00\x01\xff", 3)));
  auto p = c2.next();
  EXPECT_EQ(p.text, R"(51-["bin",{"_placeholder":true,"num":0}])");
  ASSERT_EQ(p.binaries.size(), 1u);
  EXPECT_EQ(p.binaries[0], std::string("\x00\x01\xff", 3));
  // c1 (not in r) and c3 (in x) see the next broadcast first.
  s1_->emit("all");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["all"])");
  EXPECT_EQ(json::serialize(c3.next_event()), R"(["all"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["all"])");
}

TEST_F(RedisAdapter, FetchJoinDisconnectAcrossServers) {
  sio_client c1(s1_->port()), c2(s2_->port());
  join(c2, "r");
  auto f = s1_->fetch_sockets(asio::use_future);
  auto sockets = wait(f);
  ASSERT_EQ(sockets.size(), 2u);
  std::set<std::string> ids;
  for (const auto& s : sockets) ids.insert(s.id());
  EXPECT_EQ(ids, (std::set<std::string>{c1.id(), c2.id()}));
  for (const auto& s : sockets)
    if (s.id() == c2.id()) {
      EXPECT_NE(std::find(s.rooms().begin(), s.rooms().end(), "r"), s.rooms().end());
      EXPECT_EQ(s.handshake().address().empty(), false);
      // The request record crosses the wire (headers and query tables, url).
      EXPECT_EQ(s.handshake().headers().at("host"), "127.0.0.1");
      EXPECT_EQ(s.handshake().headers().at("upgrade"), "websocket");
      EXPECT_EQ(s.handshake().query().at("EIO"), "4");
      EXPECT_EQ(s.handshake().query().at("transport"), "websocket");
      EXPECT_EQ(s.handshake().url(), "/socket.io/?EIO=4&transport=websocket");
    }

  // sockets_join from server 2 reaches server 1's socket.
  s2_->sockets_join("everyone");
  std::promise<std::vector<std::string>> idp;
  auto fi = idp.get_future();
  // The join request travels through Redis: ask server 1 (which applies requests in order).
  s2_->sockets().to("everyone").emit("in-everyone");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["in-everyone"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["in-everyone"])");
  s1_->sockets().socket_ids([&idp](std::vector<std::string> v) { idp.set_value(std::move(v)); });
  auto all = wait(fi);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()),
            (std::set<std::string>{c1.id(), c2.id()}));

  // disconnect_sockets from server 1 reaches server 2's socket in r.
  s1_->sockets().in("r").disconnect_sockets();
  EXPECT_EQ(c2.next().text, "1");
}

TEST_F(RedisAdapter, RedactedHandshakeStaysOnItsServer) {
  auto s3 = make_server(1, {.headers = {"Cookie"}, .auth = true});
  s3->start();
  auto ready = sio::redis_adapter::of(s3->of("/"))->when_ready(asio::use_future);
  wait(ready);
  wait_for_servers(3);
  sio_client c(s3->port(), {{"cookie", "token=cookie-secret"}, {"x-other", "kept"}},
               R"({"token":"auth-secret"})");
  auto handshake_of = [&c](std::vector<sio::remote_socket> sockets) {
    for (const auto& s : sockets)
      if (s.id() == c.id()) return std::optional(s.handshake());
    return std::optional<sio::handshake_info>();
  };
  auto remote_f = s1_->fetch_sockets(asio::use_future);
  auto remote = handshake_of(wait(remote_f));
  ASSERT_TRUE(remote);
  EXPECT_FALSE(remote->headers().contains("cookie"));
  EXPECT_EQ(remote->headers().at("x-other"), "kept");
  EXPECT_TRUE(remote->auth.empty());

  auto local_f = s3->fetch_sockets(asio::use_future);
  auto local = handshake_of(wait(local_f));
  ASSERT_TRUE(local);
  EXPECT_EQ(local->headers().at("cookie"), "token=cookie-secret");
  EXPECT_EQ(json::serialize(local->auth), R"({"token":"auth-secret"})");
  s3->stop();
}

TEST_F(RedisAdapter, ServerSideEmitWithAck) {
  std::promise<std::string> heard;
  auto fh = heard.get_future();
  s2_->on_server_side_emit("ping", [&heard](int n, sio::ack ack) {
    ASSERT_TRUE(ack.requested());
    ack("pong", n);
    heard.set_value(std::to_string(n));
  });
  auto fd = s1_->server_side_emit_with_ack("ping", sio::make_payload(42), asio::use_future);
  EXPECT_EQ(wait(fh), "42");
  auto responses = wait(fd);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(json::serialize(responses[0].args), R"(["pong"])");  // Node sends one argument
}

TEST_F(RedisAdapter, ServerSideEmitBadArgumentsAndTimeout) {
  s2_->on_server_side_emit("typed", [](std::string, sio::ack ack) { ack("never"); });
  auto fd = s1_->server_side_emit_with_ack("typed", sio::make_payload(1), asio::use_future);
  auto responses = wait(fd);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(json::serialize(responses[0].args),
            R"([{"error":"argument 1: value is not a string"}])");
  // No handler on server 2: no answer, the request times out with what it has (none).
  // The error comes as a value: an exception handed through a future from another thread is
  // one ThreadSanitizer cannot follow (libstdc++'s exception_ptr count is not instrumented).
  std::promise<std::pair<boost::system::error_code, std::vector<sio::payload>>> silent;
  auto fs = silent.get_future();
  s1_->server_side_emit_with_ack(
      "nobody", {}, [&silent](boost::system::error_code ec, std::vector<sio::payload> answers) {
        silent.set_value({ec, std::move(answers)});
      });
  auto [ec, answers] = wait(fs);
  EXPECT_EQ(ec, sio::make_error_code(sio::error::timeout));
  EXPECT_TRUE(answers.empty());
}

// Every cluster-wide query awaited by a coroutine on the application's own io_context.
TEST_F(RedisAdapter, AwaitableAcrossServers) {
  sio_client c1(s1_->port()), c2(s2_->port());
  join(c2, "r");
  s2_->on_server_side_emit("count-me", [](sio::ack ack) { ack(1); });
  auto& user = user_;
  std::promise<std::string> result;
  auto fr = result.get_future();
  asio::co_spawn(
      user,
      [&]() -> asio::awaitable<void> {
        std::string out;
        out += std::to_string(co_await s1_->server_count(asio::use_awaitable)) + " servers";
        auto in_r = co_await s1_->in("r").fetch_sockets(asio::use_awaitable);
        out += ", " + std::to_string(in_r.size()) + " in r";
        auto ids = co_await s1_->socket_ids(asio::use_awaitable);
        out += ", " + std::to_string(ids.size()) + " ids";
        auto rooms = co_await a1_->all_rooms(asio::use_awaitable);
        out += std::string(", r ") + (rooms.contains("r") ? "listed" : "missing");
        auto answers = co_await s1_->server_side_emit_with_ack("count-me", {}, asio::use_awaitable);
        out += ", " + std::to_string(answers.size()) + " answer";
        auto acks = co_await s1_->to("r").timeout(5s).emit_with_ack("q", {}, asio::use_awaitable);
        out += ", " + json::serialize(acks.at(0).args);
        out += user.get_executor().running_in_this_thread() ? " (user thread)" : " (elsewhere)";
        result.set_value(out);
      },
      asio::detached);
  std::thread runner([&user] { user.run(); });
  auto p = c2.next();  // the broadcast with ack, once the coroutine got there
  ASSERT_EQ(p.text.substr(0, 1), "2") << p.text;
  c2.send("3" + p.text.substr(1, p.text.find('[') - 1) + "[\"yes\"]");
  EXPECT_EQ(wait(fr), R"(2 servers, 1 in r, 2 ids, r listed, 1 answer, ["yes"] (user thread))");
  runner.join();  // returns once the coroutine is done: nothing else keeps the context busy
}

TEST_F(RedisAdapter, BroadcastAcksCountRemoteClients) {
  sio_client c1(s1_->port()), c2(s2_->port()), c3(s2_->port());
  // A move-only callback.
  std::promise<std::pair<boost::system::error_code, std::vector<sio::payload>>> done;
  auto fd = done.get_future();
  s1_->sockets().timeout(5s).emit_with_ack(
      "q", sio::make_payload(1),
      [done = std::move(done)](boost::system::error_code ec, std::vector<sio::payload> r) mutable {
        done.set_value({ec, std::move(r)});
      });
  int n = 0;
  for (auto* c : {&c1, &c2, &c3}) {
    auto p = c->next();
    ASSERT_EQ(p.text.substr(0, 1), "2") << p.text;
    const auto id = p.text.substr(1, p.text.find('[') - 1);
    c->send("3" + id + "[\"a" + std::to_string(++n) + "\"]");
  }
  auto [ec, responses] = wait(fd);
  EXPECT_FALSE(ec);
  std::set<std::string> got;
  for (const auto& r : responses) got.insert(std::string(r.args.at(0).as_string()));
  EXPECT_EQ(got, (std::set<std::string>{"a1", "a2", "a3"}));
}

TEST_F(RedisAdapter, EmitterReachesClients) {
  sio_client c1(s1_->port()), c2(s2_->port());
  join(c2, "r");
  asio::io_context ioc;
  sio::redis_emitter em(ioc, {.url = redis_->url(), .key = "socket.io", .log = {}});
  std::promise<sio::payload> heard;
  auto fh = heard.get_future();
  s1_->on_server_side_emit("tick", [&heard](const sio::payload& args, sio::ack ack) {
    EXPECT_FALSE(ack.requested());
    heard.set_value(args);
  });
  em.to("r").emit("from-emitter", sio::binary(std::string("ab")));
  em.emit("all-from-emitter", 7);
  em.server_side_emit("tick", 1);
  em.flush([&ioc] { ioc.stop(); });
  ioc.run_for(10s);
  auto p = c2.next();
  EXPECT_EQ(p.text, R"(51-["from-emitter",{"_placeholder":true,"num":0}])");
  ASSERT_EQ(p.binaries.size(), 1u);
  EXPECT_EQ(p.binaries[0], "ab");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["all-from-emitter",7])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["all-from-emitter",7])");
  EXPECT_EQ(json::serialize(wait(fh).args), "[1]");
}

TEST_F(RedisAdapter, GarbageIsDroppedAndLogged) {
  sio_client c1(s1_->port()), c2(s2_->port());
  asio::io_context ioc;
  sio::redis::client_options co;
  co.server = *sio::redis::parse_url(redis_->url());
  auto rc = sio::redis::client::create(ioc, co);
  rc->start();
  const std::vector<std::string> channels{"socket.io#/#", "socket.io#/#r#", "socket.io-request#/#",
                                          "socket.io-response#/#",
                                          "socket.io-response#/#" + a1_->uid() + "#"};
  const std::vector<std::string> garbage{"",
                                         "{",
                                         "\x93\xa1x",
                                         std::string("\xdd\xff\xff\xff\xff", 5),
                                         "\xc1",
                                         R"({"type":7,"requestId":"x","packet":{"data":[]}})",
                                         R"({"type":6,"requestId":"y","data":1})",
                                         R"({"type":5,"opts":7,"requestId":3})",
                                         R"({"requestId":"z","type":9})",
                                         std::string(5000, '\x91')};
  for (const auto& ch : channels)
    for (const auto& g : garbage) rc->command({"PUBLISH", ch, g});
  rc->command({"PING"}, [&ioc](boost::system::error_code, sio::redis::reply) { ioc.stop(); });
  ioc.run_for(10s);
  rc->stop();
  s1_->emit("alive");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["alive"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["alive"])");
  EXPECT_TRUE(logged("dropped"));
}

TEST_F(RedisAdapter, RedisRestartKeepsLocalDeliveryThenResumes) {
  sio_client c1(s1_->port()), c2(s2_->port());
  redis_->kill();
  // Local delivery does not wait for Redis.
  s1_->emit("during-outage");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["during-outage"])");
  redis_->start();
  wait_for_servers(2);  // both re-connected and re-subscribed
  EXPECT_TRUE(logged("connection lost"));
  EXPECT_TRUE(logged("reconnected"));
  s1_->emit("after-restart");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["after-restart"])");
  // c2 may also get the broadcast queued during the outage (offline queue), in order.
  auto e = c2.next_event();
  if (json::serialize(e) == R"(["during-outage"])") e = c2.next_event();
  EXPECT_EQ(json::serialize(e), R"(["after-restart"])");
}

TEST(RedisUrl, Parses) {
  auto e = sio::redis::parse_url("redis://:secret@localhost:6380/2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "localhost");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->password, "secret");
  EXPECT_EQ(e->db, 2);
  e = sio::redis::parse_url("redis://127.0.0.1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 6379);
  EXPECT_FALSE(sio::redis::parse_url("http://x"));
  EXPECT_FALSE(sio::redis::parse_url("redis://h:99999"));
}

}  // namespace
