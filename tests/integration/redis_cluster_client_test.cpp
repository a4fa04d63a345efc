// sio::redis::cluster_client against a private Redis Cluster (three primaries, a replica each)
// and against one plain Redis: hash slots as Redis computes them, commands on every shard, ASK
// and MOVED while a slot moves, sharded subscriptions on every shard and following their slot,
// commands and subscriptions resuming after a primary is killed and its replica takes over.
#include <sio/redis/cluster_client.hpp>

#include "redis_cluster.hpp"
#include "redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using sio::redis::hash_slot;
using sio::redis::reply;
using sio::test::redis_cli_at;
using sio::test::redis_cluster;

// A cluster_client on its own io_context thread, with its messages and log lines kept.
class peer {
 public:
  explicit peer(std::vector<std::string> seeds, std::chrono::milliseconds refresh = 5s) {
    sio::redis::cluster_client_options o;
    o.seeds = std::move(seeds);
    o.reconnect_min = 50ms;
    o.reconnect_max = 500ms;
    o.topology_refresh = refresh;
    o.log = [this](std::string_view line) {
      std::lock_guard lock(mtx_);
      log_ += std::string(line) + "\n";
    };
    c_ = sio::redis::cluster_client::create(ioc_, std::move(o));
    c_->on_message([this](std::string_view channel, std::string_view payload) {
      std::lock_guard lock(mtx_);
      messages_.emplace(std::string(channel), std::string(payload));
      cv_.notify_all();
    });
    c_->start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~peer() {
    c_->stop();
    guard_.reset();
    thread_.join();
  }

  sio::redis::cluster_client& client() { return *c_; }

  // The reply to one command, or the transport error.
  std::pair<boost::system::error_code, reply> try_call(std::string key,
                                                       std::vector<std::string> args) {
    std::promise<std::pair<boost::system::error_code, reply>> p;
    c_->command(key, std::move(args), [&p](boost::system::error_code ec, reply r) {
      p.set_value({ec, std::move(r)});
    });
    auto f = p.get_future();
    if (f.wait_for(20s) != std::future_status::ready) {
      ADD_FAILURE() << "no reply\n" << log();
      return {make_error_code(sio::redis::error::not_connected), {}};
    }
    return f.get();
  }
  reply call(std::string key, std::vector<std::string> args) {
    auto [ec, r] = try_call(std::move(key), std::move(args));
    EXPECT_FALSE(ec) << ec.message() << "\n" << log();
    return r;
  }
  std::vector<reply> call_all(std::vector<std::string> args) {
    std::promise<std::vector<reply>> p;
    c_->command_all(std::move(args), [&p](boost::system::error_code ec, std::vector<reply> r) {
      EXPECT_FALSE(ec) << ec.message();
      p.set_value(std::move(r));
    });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(20s), std::future_status::ready) << log();
    return f.get();
  }
  void ready() {
    std::promise<void> p;
    c_->when_ready([&p] { p.set_value(); });
    EXPECT_EQ(p.get_future().wait_for(20s), std::future_status::ready) << log();
  }
  // Waits until `message` arrived on `channel`.
  bool received(const std::string& channel, const std::string& message,
                std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mtx_);
    return cv_.wait_for(lock, timeout, [&] { return messages_.contains({channel, message}); });
  }
  std::string log() {
    std::lock_guard lock(mtx_);
    return log_;
  }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{ioc_.get_executor()};
  std::shared_ptr<sio::redis::cluster_client> c_;
  std::thread thread_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::set<std::pair<std::string, std::string>> messages_;
  std::string log_;
};

bool is_ok(const reply& r) {
  return r.type == reply::kind::status && r.str == "OK";
}

// head + n (not "literal" + std::string: GCC 12's false -Wrestrict at -O3).
std::string numbered(std::string head, int n) {
  head += std::to_string(n);
  return head;
}

// --- hash slots ----------------------------------------------------------------------------------

TEST(redis_hash_slot, known_values) {
  EXPECT_EQ(hash_slot("foo"), 12182);
  EXPECT_EQ(hash_slot("123456789"), 0x31C3);  // the CRC16-XMODEM check value
  EXPECT_EQ(hash_slot("{user1000}.following"), hash_slot("{user1000}.followers"));
  EXPECT_EQ(hash_slot("{user1000}.following"), hash_slot("user1000"));
  EXPECT_EQ(hash_slot("foo{bar}{zap}"), hash_slot("bar"));   // the first tag
  EXPECT_EQ(hash_slot("foo{{bar}}zap"), hash_slot("{bar"));  // up to the first '}'
  EXPECT_EQ(hash_slot(""), 0);
}

// --- a Redis Cluster, one for the suite ----------------------------------------------------------

class redis_cluster_client : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new redis_cluster();
    std::cout << "cluster of " << cluster_->nodes().size() << " nodes formed in "
              << cluster_->start_time().count() << " ms" << std::endl;
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static redis_cluster& cluster() { return *cluster_; }

  // A name for each primary: the first of prefix0, prefix1, ... that it serves.
  static std::map<std::size_t, std::string> one_per_primary(const std::string& prefix) {
    std::map<std::size_t, std::string> out;
    for (int i = 0; out.size() < 3 && i < 1000; ++i) {
      const auto name = numbered(prefix, i);
      out.emplace(cluster().primary_of(hash_slot(name)), name);
    }
    EXPECT_EQ(out.size(), 3u);
    return out;
  }

  static inline redis_cluster* cluster_ = nullptr;
};

TEST_F(redis_cluster_client, hash_slot_as_redis_computes_it) {
  const auto port = cluster().nodes()[0].port;
  for (std::string key : {"foo", "bar", "{user1000}.following", "a{b}c", "x{}y", "{}", "é{ü}",
                          "socket.io#/#", "socket.io#/#room#"}) {
    EXPECT_EQ(std::to_string(hash_slot(key)), redis_cli_at(port, {"CLUSTER", "KEYSLOT", key}))
        << key;
  }
}

TEST_F(redis_cluster_client, commands_reach_every_shard) {
  peer p(cluster().seeds());
  std::set<std::size_t> shards;
  for (int i = 0; i < 60; ++i) {
    const auto key = numbered("key:", i);
    EXPECT_TRUE(is_ok(p.call(key, {"SET", key, numbered("v", i)})));
    shards.insert(cluster().primary_of(hash_slot(key)));
  }
  EXPECT_EQ(shards.size(), 3u);
  for (int i = 0; i < 60; ++i) {
    const auto key = numbered("key:", i);
    EXPECT_EQ(p.call(key, {"GET", key}).str, numbered("v", i));
  }
  EXPECT_EQ(p.client().primaries().size(), 3u);
  const auto counts = p.call_all({"PUBSUB", "SHARDNUMSUB", "nobody"});
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& r : counts) EXPECT_EQ(r.type, reply::kind::array);
}

TEST_F(redis_cluster_client, follows_ask_then_moved_while_a_slot_moves) {
  // A map refreshed only on redirections: the client learns of the move from ASK and MOVED.
  peer p(cluster().seeds(), 1h);
  const std::string key = "{moving}key";
  ASSERT_TRUE(is_ok(p.call(key, {"SET", key, "before"})));
  const auto slot = hash_slot(key);
  const auto from = cluster().primary_of(slot);
  const auto to = cluster().other_primary(from);
  cluster().move_slot(slot, to, [&] {
    // The key is on the target, the slot still on the source: ASK.
    EXPECT_EQ(p.call(key, {"GET", key}).str, "before");
  });
  // The slot is the target's: MOVED.
  EXPECT_EQ(p.call(key, {"GET", key}).str, "before");
  EXPECT_TRUE(is_ok(p.call(key, {"SET", key, "after"})));
  EXPECT_EQ(redis_cli_at(cluster().nodes()[to].port, {"GET", key}), "after");
}

TEST_F(redis_cluster_client, sharded_subscriptions_on_every_shard) {
  peer sub(cluster().seeds());
  peer pub(cluster().seeds());
  const auto channels = one_per_primary("shard-channel-");
  std::vector<std::string> names;
  for (const auto& [i, c] : channels) names.push_back(c);
  sub.client().ssubscribe(names);
  sub.ready();
  for (const auto& c : names) {
    const auto r = pub.call(c, {"SPUBLISH", c, "hello " + c});
    EXPECT_EQ(r.integer, 1) << c;
    EXPECT_TRUE(sub.received(c, "hello " + c)) << c << "\n" << sub.log();
  }
  // spublish and command_all as the sharded adapter uses them.
  std::promise<reply> done;
  pub.client().spublish(names[0], "again", [&done](boost::system::error_code, reply r) {
    done.set_value(std::move(r));
  });
  EXPECT_EQ(done.get_future().get().integer, 1);
  EXPECT_TRUE(sub.received(names[0], "again"));
  std::int64_t subscribers = 0;
  for (const auto& r : pub.call_all({"PUBSUB", "SHARDNUMSUB", names[0], names[1], names[2]})) {
    for (std::size_t i = 1; i < r.elements.size(); i += 2) subscribers += r.elements[i].integer;
  }
  EXPECT_EQ(subscribers, 3);
  sub.client().sunsubscribe({names[0]});
  sub.ready();
  // Unsubscribed: the publication reaches nobody (once the SUNSUBSCRIBE went through).
  for (int i = 0; pub.call(names[0], {"SPUBLISH", names[0], "gone"}).integer != 0 && i < 100; ++i)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(pub.call(names[0], {"SPUBLISH", names[0], "gone"}).integer, 0);
}

TEST_F(redis_cluster_client, a_connection_refused_a_sharded_channel_goes_on_with_its_own) {
  // redis::client on one primary: SSUBSCRIBE and SUNSUBSCRIBE of another primary's channel are
  // answered MOVED in place of their confirmation; the refused channel is reported, the rest of
  // the connection's replies keep their order.
  const auto channels = one_per_primary("refusing-");
  const auto [home, own] = *channels.begin();
  const auto foreign = channels.rbegin()->second;
  asio::io_context ioc;
  sio::redis::client_options o;
  o.server = *sio::redis::parse_url(cluster().nodes()[home].url());
  o.log = [](std::string_view) {};
  auto c = sio::redis::client::create(ioc, o);
  std::vector<std::pair<std::string, std::string>> dropped;
  std::vector<std::pair<std::string, std::string>> messages;
  c->on_sdropped([&](std::string_view ch, std::string_view why) {
    dropped.emplace_back(std::string(ch), std::string(why));
  });
  c->on_smessage([&](std::string_view ch, std::string_view m) {
    messages.emplace_back(std::string(ch), std::string(m));
  });
  c->start();
  bool up = false;
  c->when_ready([&] { up = true; });
  while (!up && ioc.run_one_for(10s)) {
  }
  ASSERT_TRUE(up);
  c->ssubscribe({foreign});
  c->sunsubscribe({foreign});  // ended here before its refusal arrives: not reported
  c->ssubscribe({own});
  c->ssubscribe({foreign});  // refused: reported
  bool ready = false;
  c->when_ready([&] { ready = true; });
  reply pong;
  c->command({"PING"}, [&](boost::system::error_code, reply r) { pong = std::move(r); });
  while (pong.type == reply::kind::nil && ioc.run_one_for(10s)) {
  }
  EXPECT_TRUE(ready);
  EXPECT_EQ(pong.type, reply::kind::array);  // PING in subscriber mode: ["pong", ""]
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].first, foreign);
  EXPECT_TRUE(dropped[0].second.starts_with("MOVED ")) << dropped[0].second;
  EXPECT_EQ(redis_cli_at(cluster().nodes()[home].port, {"SPUBLISH", own, "to own"}), "1");
  while (messages.empty() && ioc.run_one_for(10s)) {
  }
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].first, own);
  EXPECT_EQ(messages[0].second, "to own");
  c->stop();
  ioc.poll();
}

// Publishes on `channel` until `sub` receives one of the messages.
bool keeps_receiving(peer& pub, peer& sub, const std::string& channel, const std::string& tag) {
  for (int i = 0; i < 200; ++i) {
    const auto message = numbered(tag, i);
    pub.try_call(channel, {"SPUBLISH", channel, message});
    if (sub.received(channel, message, 100ms)) return true;
  }
  return false;
}

TEST_F(redis_cluster_client, a_subscription_follows_its_slot) {
  peer sub(cluster().seeds(), 1h);
  peer pub(cluster().seeds());
  const std::string channel = "following-channel";
  sub.client().ssubscribe({channel});
  sub.ready();
  EXPECT_TRUE(keeps_receiving(pub, sub, channel, "before-"));
  const auto slot = hash_slot(channel);
  const auto to = cluster().other_primary(cluster().primary_of(slot));
  cluster().move_slot(slot, to);
  // Redis ends the subscription on the old owner; the client subscribes on the new one.
  EXPECT_TRUE(keeps_receiving(pub, sub, channel, "after-")) << sub.log();
  EXPECT_EQ(redis_cli_at(cluster().nodes()[to].port, {"PUBSUB", "SHARDNUMSUB", channel}),
            channel + "\n1");
}

// Last in the suite: it kills a primary (started again at the end, as a replica).
TEST_F(redis_cluster_client, resumes_after_a_failover) {
  peer sub(cluster().seeds());
  peer p(cluster().seeds());
  const auto channels = one_per_primary("failover-channel-");
  std::vector<std::string> names;
  for (const auto& [i, c] : channels) names.push_back(c);
  sub.client().ssubscribe(names);
  sub.ready();
  const std::string key = names[0];  // a key on the same primary as the first channel
  ASSERT_TRUE(is_ok(p.call(key, {"SET", key, "1"})));
  const auto victim = cluster().primary_of(hash_slot(key));
  const auto t0 = std::chrono::steady_clock::now();
  cluster().kill(victim);
  // Commands sent while the primary is gone wait for the new map (those already written when the
  // connection dropped fail with not_connected): every one is answered.
  constexpr int during = 20;
  std::promise<void> all_answered;
  std::atomic<int> answered = 0;
  for (int i = 0; i < during; ++i) {
    p.client().command(key, {"SET", key, "during"}, [&](boost::system::error_code, reply) {
      if (++answered == during + 1) all_answered.set_value();
    });
  }
  p.client().command_all({"PUBSUB", "SHARDNUMSUB", key},
                         [&](boost::system::error_code, std::vector<reply>) {
                           if (++answered == during + 1) all_answered.set_value();
                         });
  // Meanwhile another shard is served throughout (a command answered CLUSTERDOWN while the
  // cluster is down goes again a little later).
  const auto other_key = channels.rbegin()->second;
  std::atomic<bool> failed_over = false;
  std::vector<std::string> other_errors;
  std::thread other([&] {
    while (!failed_over) {
      auto [ec, r] = p.try_call(other_key, {"SET", other_key, "served"});
      if (ec || !is_ok(r)) other_errors.push_back(ec ? ec.message() : r.str);
    }
  });
  cluster().wait_ok();
  failed_over = true;
  other.join();
  EXPECT_TRUE(other_errors.empty()) << other_errors.front();
  std::cout << "failover took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - t0)
                   .count()
            << " ms" << std::endl;
  EXPECT_EQ(all_answered.get_future().wait_for(20s), std::future_status::ready) << p.log();
  const auto victim_address = "127.0.0.1:" + std::to_string(cluster().nodes()[victim].port);
  // Commands: once the client has learnt the new map, the key is served by the promoted replica
  // (replication is asynchronous: its value may or may not have made it).
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    auto [ec, r] = p.try_call(key, {"SET", key, "2"});
    served = !ec && is_ok(r);
  }
  EXPECT_TRUE(served) << p.log();
  EXPECT_EQ(p.call(key, {"GET", key}).str, "2");
  for (const auto& c : names) EXPECT_TRUE(keeps_receiving(p, sub, c, "after-failover-")) << c;
  EXPECT_EQ(p.call_all({"PUBSUB", "SHARDNUMSUB", key}).size(), 3u);
  const auto primaries = sub.client().primaries();
  EXPECT_EQ(primaries.size(), 3u);
  EXPECT_EQ(std::count(primaries.begin(), primaries.end(), victim_address), 0);
  cluster().restart(victim);
  cluster().wait_ok();
}

// --- one plain Redis -----------------------------------------------------------------------------

TEST(redis_cluster_client_plain, one_redis_serves_every_slot) {
  sio::test::redis_server server(sio::test::free_port());
  peer p({server.url()});
  peer sub({server.url()});
  for (int i = 0; i < 10; ++i) {
    const auto key = numbered("plain:", i);
    EXPECT_TRUE(is_ok(p.call(key, {"SET", key, "x"})));
  }
  EXPECT_EQ(p.call("plain:3", {"GET", "plain:3"}).str, "x");
  EXPECT_EQ(p.client().primaries(),
            std::vector<std::string>{"127.0.0.1:" + std::to_string(server.port())});
  sub.client().ssubscribe({"a", "b"});
  sub.ready();
  EXPECT_EQ(p.call("b", {"SPUBLISH", "b", "to b"}).integer, 1);
  EXPECT_TRUE(sub.received("b", "to b"));
  EXPECT_EQ(p.call_all({"PUBSUB", "SHARDNUMSUB", "a"}).size(), 1u);
}

TEST(redis_cluster_client_plain, subscriptions_come_back_after_a_restart) {
  sio::test::redis_server server(sio::test::free_port());
  peer p({server.url()});
  peer sub({server.url()});
  sub.client().ssubscribe({"restart-channel"});
  sub.ready();
  EXPECT_TRUE(keeps_receiving(p, sub, "restart-channel", "before-"));
  server.kill();
  server.start();
  EXPECT_TRUE(keeps_receiving(p, sub, "restart-channel", "after-")) << sub.log();
}

TEST(redis_cluster_client_plain, commands_waiting_for_a_map_are_bounded) {
  // No Redis there: commands wait for a slot map, up to 16 MiB of them.
  asio::io_context ioc;
  sio::redis::cluster_client_options o;
  o.seeds = {"redis://127.0.0.1:" + std::to_string(sio::test::free_port())};
  o.log = [](std::string_view) {};
  auto c = sio::redis::cluster_client::create(ioc, o);
  c->start();
  int full = 0, stopped = 0;
  for (int i = 0; i < 20; ++i) {
    c->command("k", {"SET", "k", std::string(1024 * 1024, 'x')},
               [&](boost::system::error_code ec, reply) {
                 full += ec == sio::redis::error::queue_full;
                 stopped += ec == sio::redis::error::stopped;
               });
  }
  ioc.poll();
  EXPECT_EQ(full, 5);
  c->stop();
  ioc.poll();
  EXPECT_EQ(stopped, 15);
}

TEST(redis_cluster_client_plain, outlives_its_io_context) {
  // The io_context goes first (as a server's may, before the adapter's owner): nothing runs after.
  sio::test::redis_server server(sio::test::free_port());
  std::shared_ptr<sio::redis::cluster_client> c;
  bool ready = false;
  {
    asio::io_context ioc;
    sio::redis::cluster_client_options o;
    o.seeds = {server.url()};
    o.log = [](std::string_view) {};
    c = sio::redis::cluster_client::create(ioc, o);
    c->start();
    c->ssubscribe({"outliving"});
    c->when_ready([&] { ready = true; });
    while (!ready && ioc.run_one_for(10s)) {
    }
    c->command("k", {"GET", "k"}, [](boost::system::error_code, reply) { ADD_FAILURE(); });
  }
  EXPECT_TRUE(ready);
  c->command("k", {"GET", "k"});
  c->stop();
  c.reset();
}

TEST(redis_cluster_client_plain, refuses_bad_seeds) {
  asio::io_context ioc;
  EXPECT_THROW(sio::redis::cluster_client::create(ioc, {}), std::invalid_argument);
  sio::redis::cluster_client_options o;
  o.seeds = {"http://127.0.0.1:6379"};
  EXPECT_THROW(sio::redis::cluster_client::create(ioc, o), std::invalid_argument);
}

TEST(redis_cluster_client_plain, stop_fails_what_waits) {
  // No Redis there: the command waits for a slot map until stop().
  asio::io_context ioc;
  sio::redis::cluster_client_options o;
  o.seeds = {"redis://127.0.0.1:" + std::to_string(sio::test::free_port())};
  o.log = [](std::string_view) {};
  auto c = sio::redis::cluster_client::create(ioc, o);
  c->start();
  boost::system::error_code got;
  c->command("k", {"GET", "k"}, [&got](boost::system::error_code ec, reply) { got = ec; });
  ioc.run_for(100ms);
  c->stop();
  ioc.run_for(100ms);
  EXPECT_EQ(got, sio::redis::error::stopped);
}

}  // namespace
