// The sharded Pub/Sub adapter (redis_sharded_adapter) with two sio servers in one process on a
// private Redis 7 (one server owns every slot), with raw Socket.IO clients over WebSocket:
// broadcasts (rooms, except, binary), the channels each subscription mode subscribes as rooms
// come and go (PUBSUB SHARDCHANNELS), the channel a room broadcast takes and who receives it
// there (SPUBLISH's receiver count), the cluster requests answered on the private channels,
// garbage on the channels, the unsubscription of a server that stops, a Redis restart (local
// delivery meanwhile, then the subscriptions back), and connection state recovery, which restores
// no session on this adapter.
#include <sio/redis/client.hpp>
#include <sio/redis/cluster_client.hpp>
#include <sio/redis/redis_sharded_adapter.hpp>
#include <sio/server/server.hpp>

#include "cluster_fixture.hpp"
#include "redis_server.hpp"
#include "socketio_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <condition_variable>
#include <deque>
#include <future>
#include <set>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using mode = sio::sharded_subscription_mode;
using sio::test::free_port;
using sio::test::redis_server;
using sio::test::sio_client;

using sio::test::eventually;
using sio::test::wait;

std::string mode_name(mode m) {
  switch (m) {
    case mode::static_:
      return "static";
    case mode::dynamic:
      return "dynamic";
    case mode::dynamic_private:
      return "dynamic_private";
  }
  return "?";
}

// A sharded subscriber of its own, recording what it receives on its channels.
class observer {
 public:
  observer(asio::io_context& ioc, const std::string& url, std::vector<std::string> channels) {
    sio::redis::cluster_client_options co;
    co.seeds = {url};
    co.log = [](std::string_view) {};
    client_ = sio::redis::cluster_client::create(ioc, co);
    client_->on_message([this](std::string_view ch, std::string_view msg) {
      std::lock_guard lk(mu_);
      got_.emplace_back(ch, msg);
      cv_.notify_all();
    });
    client_->start();
    client_->ssubscribe(std::move(channels));
    std::promise<void> ready;
    auto f = ready.get_future();
    client_->when_ready([&ready] { ready.set_value(); });
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
  }
  ~observer() { client_->stop(); }

  // The next (channel, message), or {"", ""} after 10 s.
  std::pair<std::string, std::string> next() {
    std::unique_lock lk(mu_);
    if (!cv_.wait_for(lk, 10s, [this] { return !got_.empty(); })) return {};
    auto m = std::move(got_.front());
    got_.pop_front();
    return m;
  }

 private:
  std::shared_ptr<sio::redis::cluster_client> client_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> got_;
};

class RedisSharded : public sio::test::cluster_fixture {
 protected:
  virtual mode subscription_mode() const { return mode::dynamic; }

  void SetUp() override {
    redis_ = std::make_unique<redis_server>(free_port());
    redis_thread_ = std::thread([this] { redis_ioc_.run(); });
    sio::redis::client_options co;
    co.server = *sio::redis::parse_url(redis_->url());
    co.reconnect_min = 20ms;
    co.reconnect_max = 200ms;
    co.log = [](std::string_view) {};
    redis_client_ = sio::redis::client::create(redis_ioc_, co);
    redis_client_->start();
    s1_ = make_server(2);
    s2_ = make_server(1);
    start_servers();
    for (auto* s : servers()) {
      auto* t = sio::redis_sharded_adapter::of(s->of("/"));
      ASSERT_TRUE(t);
      auto f = t->when_ready(asio::use_future);
      wait(f);
    }
    wait_for_servers(2);
  }

  void TearDown() override {
    cluster_fixture::TearDown();
    if (redis_client_) redis_client_->stop();
    work_.reset();
    redis_thread_.join();
  }

  std::unique_ptr<sio::server> make_server(std::size_t workers, bool recovery = false) {
    sio::redis_sharded_adapter_options ro;
    ro.seeds = {redis_->url()};
    ro.subscription_mode = subscription_mode();
    ro.reconnect_min = 20ms;
    ro.reconnect_max = 200ms;
    ro.requests_timeout = 3000ms;
    ro.log = logs_.writer();
    sio::server_options so;
    so.http.address = "127.0.0.1";
    so.http.workers = workers;
    so.adapter = sio::redis_sharded_adapter::factory(ro);
    if (recovery) so.connection_state_recovery = sio::recovery_options{};
    return std::make_unique<sio::server>(std::move(so));
  }

  sio::redis::reply command(std::vector<std::string> args) {
    std::promise<sio::redis::reply> p;
    auto f = p.get_future();
    redis_client_->command(
        std::move(args), [&p](boost::system::error_code, sio::redis::reply r) { p.set_value(r); });
    return wait(f);
  }

  // PUBSUB SHARDCHANNELS of namespace "/".
  std::set<std::string> shard_channels() {
    std::set<std::string> out;
    for (const auto& e : command({"PUBSUB", "SHARDCHANNELS", "socket.io#/#*"}).elements)
      out.insert(e.str);
    return out;
  }

  std::int64_t shard_subscribers(const std::string& channel) {
    auto r = command({"PUBSUB", "SHARDNUMSUB", channel});
    return r.elements.size() == 2 ? r.elements[1].integer : -1;
  }

  std::unique_ptr<redis_server> redis_;
  asio::io_context redis_ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{redis_ioc_.get_executor()};
  std::thread redis_thread_;
  std::shared_ptr<sio::redis::client> redis_client_;
};

class RedisShardedModes : public RedisSharded, public ::testing::WithParamInterface<mode> {
 protected:
  mode subscription_mode() const override { return GetParam(); }
};

TEST_F(RedisSharded, BroadcastsRoomsExceptAndBinary) {
  sio_client c1(s1_->port()), c2(s2_->port()), c3(s2_->port());
  s1_->emit("hello", 1, "two");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["hello",1,"two"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["hello",1,"two"])");
  EXPECT_EQ(json::serialize(c3.next_event()), R"(["hello",1,"two"])");

  call(c2, "join", "r");
  call(c3, "join", "x");
  call(c3, "join", "r");
  // Server 2 subscribes the room's channel after the join (asynchronously).
  ASSERT_TRUE(eventually([&] { return shard_subscribers("socket.io#/#r#") == 1; }));
  s1_->to("r").except("x").emit("bin", sio::binary(std::string("\x00\x01\xff", 3)));
  auto p = c2.next();
  EXPECT_EQ(p.text, R"(51-["bin",{"_placeholder":true,"num":0}])");
  ASSERT_EQ(p.binaries.size(), 1u);
  EXPECT_EQ(p.binaries[0], std::string("\x00\x01\xff", 3));
  // c1 (not in r) and c3 (in x) see the next broadcast first.
  s2_->emit("all");
  for (auto* c : {&c1, &c2, &c3}) EXPECT_EQ(json::serialize(c->next_event()), R"(["all"])");
}

// The channels of each mode while a room exists on server 2 only, and after it is gone.
TEST_P(RedisShardedModes, RoomChannelsFollowMembership) {
  sio_client c2(s2_->port());
  call(c2, "join", "room-a");
  const std::string room = "socket.io#/#room-a#", own = "socket.io#/#" + c2.id() + "#";
  const bool dynamic = GetParam() != mode::static_;
  const bool dynamic_private = GetParam() == mode::dynamic_private;
  EXPECT_TRUE(eventually([&] {
    auto chs = shard_channels();
    return chs.contains(room) == dynamic && chs.contains(own) == dynamic_private;
  })) << mode_name(GetParam());
  // The namespace's channel and one private channel per server, always.
  auto chs = shard_channels();
  EXPECT_TRUE(chs.contains("socket.io#/#"));
  EXPECT_EQ(shard_subscribers("socket.io#/#"), 2);
  EXPECT_EQ(chs.size(), 3u + (dynamic ? 1 : 0) + (dynamic_private ? 1 : 0));

  call(c2, "leave", "room-a");
  EXPECT_TRUE(eventually([&] { return !shard_channels().contains(room); }));
  EXPECT_EQ(shard_channels().contains(own), dynamic_private);
}

// A broadcast to a room that exists on server 2 only: on the room's channel (subscribed by
// server 2 alone) in the dynamic modes, on the namespace's (every server) in static mode.
TEST_P(RedisShardedModes, RoomBroadcastTakesItsChannel) {
  sio_client c1(s1_->port()), c2(s2_->port());
  call(c2, "join", "r");
  const std::string ns = "socket.io#/#", room = "socket.io#/#r#";
  const bool dynamic = GetParam() != mode::static_;
  ASSERT_TRUE(eventually([&] { return shard_subscribers(room) == (dynamic ? 1 : 0); }));

  asio::io_context ioc;
  auto work = asio::make_work_guard(ioc);
  std::thread t([&ioc] { ioc.run(); });
  {
    const std::string own = ns + c2.id() + "#";
    observer o(ioc, redis_->url(), {ns, room, own});
    s1_->to("r").emit("to-r", 1);
    auto [ch, msg] = o.next();
    EXPECT_EQ(ch, dynamic ? room : ns);
    auto v = json::parse(msg).as_object();  // JSON: no binary
    EXPECT_EQ(v.at("type").as_int64(), 3);
    EXPECT_EQ(json::serialize(v.at("data").at("packet").at("data")), R"(["to-r",1])");
    EXPECT_EQ(json::serialize(c2.next_event()), R"(["to-r",1])");

    // With binary: MessagePack, same channel.
    s1_->to("r").emit("bin-r", sio::binary(std::string("\x01", 1)));
    auto [bch, bmsg] = o.next();
    EXPECT_EQ(bch, dynamic ? room : ns);
    ASSERT_FALSE(bmsg.empty());
    EXPECT_NE(bmsg.front(), '{');
    EXPECT_EQ(c2.next().text, R"(51-["bin-r",{"_placeholder":true,"num":0}])");

    // A socket's own room goes to its channel in dynamic_private mode only.
    s1_->to(c2.id()).emit("to-c2");
    auto [sch, smsg] = o.next();
    EXPECT_EQ(sch, GetParam() == mode::dynamic_private ? own : ns);
    EXPECT_FALSE(smsg.empty());
    EXPECT_EQ(json::serialize(c2.next_event()), R"(["to-c2"])");
  }
  work.reset();
  t.join();

  // What a Node.js server publishes for io.to("r").emit(...): SPUBLISH reaches one subscriber
  // (server 2) on the room's channel in the dynamic modes, both servers on the namespace's.
  const std::string node_broadcast =
      R"({"uid":"node1","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["from-node"],)"
      R"("nsp":"/"},"opts":{"rooms":["r"],"except":[],"flags":{}}}})";
  auto r = command({"SPUBLISH", dynamic ? room : ns, node_broadcast});
  EXPECT_EQ(r.integer, dynamic ? 1 : 2);
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["from-node"])");
  // c1 (not in r) sees the next broadcast first.
  s2_->emit("all");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["all"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["all"])");
}

INSTANTIATE_TEST_SUITE_P(Modes, RedisShardedModes,
                         ::testing::Values(mode::static_, mode::dynamic, mode::dynamic_private),
                         [](const auto& info) { return mode_name(info.param); });

TEST_F(RedisSharded, RequestsAnsweredOnPrivateChannels) {
  sio_client c1(s1_->port()), c2(s2_->port());
  call(c2, "join", "r");
  auto f = s1_->in("r").fetch_sockets(asio::use_future);
  auto sockets = wait(f);
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0].id(), c2.id());

  s2_->on_server_side_emit("ping", [](int n, sio::ack ack) { ack("pong", n); });
  auto fd = s1_->server_side_emit_with_ack("ping", sio::make_payload(42), asio::use_future);
  auto responses = wait(fd);
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(json::serialize(responses[0].args), R"(["pong"])");

  // A broadcast with acks goes to every server (the namespace's channel), even to one room.
  std::promise<std::vector<sio::payload>> acks;
  auto fa = acks.get_future();
  s1_->to("r").timeout(5s).emit_with_ack(
      "q", {}, [&acks](boost::system::error_code ec, std::vector<sio::payload> r) {
        EXPECT_FALSE(ec);
        acks.set_value(std::move(r));
      });
  auto p = c2.next();
  ASSERT_EQ(p.text.substr(0, 1), "2") << p.text;
  c2.send("3" + p.text.substr(1, p.text.find('[') - 1) + R"(["yes"])");
  auto got = wait(fa);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(json::serialize(got[0].args), R"(["yes"])");

  // Server 2 subscribes the room's channel once the join reached it; a broadcast before that
  // would not reach it (as with Node's sharded adapter).
  s1_->sockets_join("everyone");
  ASSERT_TRUE(eventually([&] { return shard_subscribers("socket.io#/#everyone#") == 2; }));
  s1_->to("everyone").emit("in-everyone");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["in-everyone"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["in-everyone"])");
  s1_->in("r").disconnect_sockets();
  EXPECT_EQ(c2.next().text, "1");
}

TEST_F(RedisSharded, GarbageIsDroppedAndLogged) {
  sio_client c1(s1_->port()), c2(s2_->port());
  call(c2, "join", "r");
  std::vector<std::string> channels{"socket.io#/#", "socket.io#/#r#"};
  for (const auto& ch : shard_channels()) channels.push_back(ch);  // the private ones too
  const std::vector<std::string> garbage{"",
                                         "{",
                                         "\x93\xa1x",
                                         std::string("\xdd\xff\xff\xff\xff", 5),
                                         "\xc1",
                                         R"({"uid":"x","nsp":"/","type":3,"data":7})",
                                         R"({"uid":"x","nsp":"/","type":"nine"})",
                                         R"({"type":8,"data":{"requestId":1}})",
                                         "[1,2,3]",
                                         std::string(5000, '\x91')};
  for (const auto& ch : channels)
    for (const auto& g : garbage) command({"SPUBLISH", ch, g});
  s1_->emit("alive");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["alive"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["alive"])");
  EXPECT_TRUE(logged("dropped"));
}

TEST_F(RedisSharded, StoppedServerUnsubscribes) {
  sio_client c2(s2_->port());
  call(c2, "join", "gone");
  ASSERT_TRUE(eventually([&] { return shard_subscribers("socket.io#/#gone#") == 1; }));
  const auto before = shard_channels().size();
  s2_->stop();
  s2_.reset();
  EXPECT_TRUE(eventually([&] {
    return shard_subscribers("socket.io#/#") == 1 && shard_channels().size() == before - 2;
  }));
  EXPECT_FALSE(shard_channels().contains("socket.io#/#gone#"));
  wait_for_servers(1);
}

TEST_F(RedisSharded, RedisRestartKeepsLocalDeliveryThenResumes) {
  sio_client c1(s1_->port()), c2(s2_->port());
  call(c2, "join", "r");
  redis_->kill();
  // Local delivery does not wait for Redis.
  s1_->emit("during-outage");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["during-outage"])");
  redis_->start();
  // Both servers subscribed again: the namespace's channel, and server 2 the room's.
  ASSERT_TRUE(eventually([&] { return shard_subscribers("socket.io#/#") == 2; }));
  ASSERT_TRUE(eventually([&] { return shard_subscribers("socket.io#/#r#") == 1; }));
  s1_->to("r").emit("after-restart");
  // c2 may also get the broadcast queued during the outage, in order.
  auto e = c2.next_event();
  if (json::serialize(e) == R"(["during-outage"])") e = c2.next_event();
  EXPECT_EQ(json::serialize(e), R"(["after-restart"])");
  s2_->emit("back");
  EXPECT_EQ(json::serialize(c1.next_event()), R"(["back"])");
  EXPECT_EQ(json::serialize(c2.next_event()), R"(["back"])");
}

// Node's sharded adapter keeps no sessions: with connection state recovery on, a socket's own
// emits still reach it (through the adapter, as Node routes them) and a client coming back with
// its private id gets a new session.
TEST_F(RedisSharded, RecoveryOnRestoresNoSession) {
  auto s3 = make_server(1, true);
  s3->on_connection([](sio::socket& s) { s.emit("welcome", 1); });
  s3->start();
  auto ready = sio::redis_sharded_adapter::of(s3->of("/"))->when_ready(asio::use_future);
  wait(ready);
  wait_for_servers(3);
  std::string id, pid;
  {
    sio_client c(s3->port());
    id = c.id();
    pid = c.pid();
    EXPECT_FALSE(pid.empty());
    auto e = c.next_event();
    ASSERT_GE(e.size(), 2u);
    EXPECT_EQ(e[0], "welcome");
    EXPECT_EQ(e[1], 1);
    s1_->emit("to-all");
    EXPECT_EQ(c.next_event().at(0), "to-all");
    c.close();
  }
  {
    sio_client again(s3->port(), {}, R"({"pid":")" + pid + R"(","offset":""})");
    EXPECT_NE(again.id(), id);
    EXPECT_NE(again.pid(), pid);
    EXPECT_EQ(again.next_event().at(0), "welcome");
  }
  s3->stop();
}

TEST(ShardedSubscriptionMode, ParsesNodeNames) {
  EXPECT_EQ(sio::parse_subscription_mode("static"), mode::static_);
  EXPECT_EQ(sio::parse_subscription_mode("dynamic"), mode::dynamic);
  EXPECT_EQ(sio::parse_subscription_mode("dynamic-private"), mode::dynamic_private);
  EXPECT_FALSE(sio::parse_subscription_mode("Dynamic"));
  EXPECT_THROW(sio::redis_sharded_adapter::factory({.seeds = {}}), std::invalid_argument);
  EXPECT_THROW(sio::redis_sharded_adapter::factory({.seeds = {"http://x"}}), std::invalid_argument);
}

}  // namespace
