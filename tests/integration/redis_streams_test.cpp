// The Redis Streams transport (redis_streams_adapter) on a private redis-server, driven directly
// through cluster_transport with recording sinks: the entry layout @socket.io/redis-streams-adapter
// writes and reads (JSON and base64 MessagePack data), pub/sub requests and answers, the reader
// resuming after its connection is killed (every entry exactly once, in order), sessions persisted
// and restored with the packets their rooms missed, a Redis restart (one server counted meanwhile,
// the reader going on), and garbage in the stream and on the channels.
#include <sio/protocol/engineio.hpp>
#include <sio/protocol/msgpack.hpp>
#include <sio/redis/client.hpp>
#include <sio/redis/redis_streams_adapter.hpp>

#include "cluster_fixture.hpp"
#include "redis_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/json.hpp>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using sio::cluster_message;
using sio::cluster_message_type;
using sio::test::free_port;
using sio::test::redis_server;

// The namespace as a transport sees it: a name and one worker.
class test_host final : public sio::adapter_host {
 public:
  test_host(std::string name, sio::worker_pool& w) : name_(std::move(name)), workers_(w) {}
  const std::string& name() const noexcept override { return name_; }
  sio::worker_pool& workers() noexcept override { return workers_; }
  std::shared_ptr<const void> keep_alive() override { return std::make_shared<int>(0); }
  std::uint64_t next_ack_id() noexcept override { return ++ack_; }
  sio::member_handle member_of(std::size_t, const std::string&) override { return {}; }
  void deliver(std::size_t, sio::member_span, const sio::outgoing_ptr&,
               const sio::delivery&) override {}
  void collect(std::size_t, sio::member_span, std::vector<sio::socket_info>&) override {}
  void join(std::size_t, sio::member_span, const std::vector<sio::room>&) override {}
  void leave(std::size_t, sio::member_span, const std::vector<sio::room>&) override {}
  void disconnect(std::size_t, sio::member_span, bool) override {}
  void receive_server_side_emit(sio::payload, std::function<void(sio::payload)>) override {}

 private:
  std::string name_;
  sio::worker_pool& workers_;
  std::atomic<std::uint64_t> ack_{0};
};

// Records what the transport hands over, from other nodes only (as cluster_adapter filters).
class recording_sink final : public sio::cluster_sink {
 public:
  explicit recording_sink(std::string uid) : uid_(std::move(uid)) {}
  struct received {
    cluster_message message;
    std::string offset;
  };
  void on_message(cluster_message m, std::string offset) override {
    if (m.uid == uid_) return;
    std::lock_guard lk(mu_);
    messages_.push_back({std::move(m), std::move(offset)});
    cv_.notify_all();
  }
  void on_response(cluster_message m) override {
    std::lock_guard lk(mu_);
    responses_.push_back(std::move(m));
    cv_.notify_all();
  }
  // The first n messages, once there are n (fails after 10 s).
  std::vector<received> messages(std::size_t n) {
    std::unique_lock lk(mu_);
    EXPECT_TRUE(cv_.wait_for(lk, 10s, [&] { return messages_.size() >= n; }))
        << "got " << messages_.size() << " of " << n << " messages";
    return messages_;
  }
  std::vector<cluster_message> responses(std::size_t n) {
    std::unique_lock lk(mu_);
    EXPECT_TRUE(cv_.wait_for(lk, 10s, [&] { return responses_.size() >= n; }));
    return responses_;
  }
  std::size_t count() {
    std::lock_guard lk(mu_);
    return messages_.size();
  }

 private:
  std::string uid_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<received> messages_;
  std::vector<cluster_message> responses_;
};

// One server: an io_context on its own thread, a namespace and its transport.
struct node {
  node(const std::string& url, std::string uid, std::string nsp = "/",
       std::function<void(sio::redis_streams_adapter_options&)> tweak = {})
      : uid(std::move(uid)),
        host(std::move(nsp), pool),
        sink(std::make_shared<recording_sink>(this->uid)) {
    sio::redis_streams_adapter_options o;
    o.url = url;
    o.block_time = 1000ms;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    o.log = log.writer();
    if (tweak) tweak(o);
    thread = std::thread([this] { ioc.run(); });
    transport = sio::redis_streams_adapter::transport_factory(std::move(o))(host);
    transport->start(this->uid, sink);
    std::promise<void> ready;
    sio::redis_streams_adapter::when_ready(*transport, [&] { ready.set_value(); });
    EXPECT_EQ(ready.get_future().wait_for(10s), std::future_status::ready);
  }
  ~node() {
    transport.reset();
    work.reset();
    thread.join();
  }

  // Publishes m (uid set to this node's) and waits for its offset.
  std::optional<std::string> publish(cluster_message m) {
    m.uid = uid;
    std::promise<std::optional<std::string>> p;
    transport->publish(std::move(m), [&](std::optional<std::string> o) { p.set_value(o); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }
  std::optional<sio::cluster_transport::restored> restore(std::string pid, std::string offset) {
    std::promise<std::optional<sio::cluster_transport::restored>> p;
    transport->restore_session(std::move(pid), std::move(offset),
                               [&](auto r) { p.set_value(std::move(r)); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }
  bool logged(std::string_view what) const { return log.logged(what); }

  std::string uid;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      ioc.get_executor()};
  sio::context_pool pool{{&ioc}};
  test_host host;
  std::shared_ptr<recording_sink> sink;
  std::thread thread;
  std::unique_ptr<sio::cluster_transport> transport;
  sio::test::log_sink log;
};

// Plain Redis commands from the test, answered synchronously.
class raw_redis {
 public:
  explicit raw_redis(std::uint16_t port) {
    sio::redis::client_options o;
    o.server.port = port;
    o.log = [](std::string_view) {};
    c_ = sio::redis::client::create(ioc_, o);
    c_->start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~raw_redis() {
    c_->stop();
    work_.reset();
    thread_.join();
  }
  sio::redis::reply operator()(std::vector<std::string> args) {
    std::promise<sio::redis::reply> p;
    c_->command(std::move(args), [&](boost::system::error_code ec, sio::redis::reply r) {
      EXPECT_FALSE(ec) << ec.message();
      p.set_value(std::move(r));
    });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

 private:
  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      ioc_.get_executor()};
  std::shared_ptr<sio::redis::client> c_;
  std::thread thread_;
};

// A BROADCAST message {packet: {type: 2, data, nsp}, opts: {rooms, except, flags: {}}}.
cluster_message broadcast(json::array data, std::vector<std::string> rooms = {},
                          std::vector<std::string> except = {}, std::string nsp = "/") {
  json::array r(rooms.begin(), rooms.end()), e(except.begin(), except.end());
  cluster_message m;
  m.nsp = nsp;
  m.type = cluster_message_type::broadcast;
  m.data = json::object{
      {"packet", {{"type", 2}, {"data", std::move(data)}, {"nsp", nsp}}},
      {"opts", {{"rooms", std::move(r)}, {"except", std::move(e)}, {"flags", json::object{}}}}};
  return m;
}

json::value placeholder(int n) {
  return json::object{{"_placeholder", true}, {"num", n}};
}

// The fields of the entry `id` as name -> value.
std::map<std::string, std::string> entry_fields(raw_redis& redis, const std::string& id) {
  auto r = redis({"XRANGE", "socket.io", id, id});
  std::map<std::string, std::string> out;
  if (r.elements.size() != 1) return out;
  const auto& kv = r.elements[0].elements[1].elements;
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2) out[kv[i].str] = kv[i + 1].str;
  return out;
}

// Waits until `key` exists (written by another connection).
void wait_for_key(raw_redis& redis, const std::string& key) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (redis({"EXISTS", key}).integer == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << key << " never written";
    std::this_thread::sleep_for(5ms);
  }
}

class RedisStreams : public ::testing::Test {
 protected:
  redis_server server{free_port()};
  raw_redis redis{server.port()};
};

TEST_F(RedisStreams, EntriesAreWrittenAndReadAsTheNodeAdapterDoes) {
  node a(server.url(), "uid-a"), b(server.url(), "uid-b");

  // JSON data.
  auto offset = a.publish(broadcast({"greet", 1, json::object{{"x", "y"}}}, {"r1"}));
  ASSERT_TRUE(offset);
  auto fields = entry_fields(redis, *offset);
  EXPECT_EQ(fields["uid"], "uid-a");
  EXPECT_EQ(fields["nsp"], "/");
  EXPECT_EQ(fields["type"], "3");
  EXPECT_EQ(json::parse(fields["data"]),
            *broadcast({"greet", 1, json::object{{"x", "y"}}}, {"r1"}).data);
  auto got = b.sink->messages(1);
  EXPECT_EQ(got[0].offset, *offset);
  EXPECT_EQ(got[0].message.uid, "uid-a");
  EXPECT_EQ(got[0].message.type, cluster_message_type::broadcast);
  EXPECT_EQ(*got[0].message.data, json::parse(fields["data"]));

  // Binary: base64 MessagePack, the bytes back as attachments.
  auto bin = broadcast({"file", placeholder(0), placeholder(1)});
  bin.attachments = {std::string("\x00\x01\xff", 3), "second"};
  auto bin_offset = a.publish(bin);
  ASSERT_TRUE(bin_offset);
  fields = entry_fields(redis, *bin_offset);
  ASSERT_FALSE(fields["data"].empty());
  EXPECT_NE(fields["data"].front(), '{');
  auto bytes = sio::protocol::engineio::base64_decode(fields["data"]);
  ASSERT_TRUE(bytes);
  auto doc = sio::protocol::msgpack::decode(*bytes);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->value, *bin.data);
  EXPECT_EQ(doc->attachments, bin.attachments);
  got = b.sink->messages(2);
  EXPECT_EQ(got[1].offset, *bin_offset);
  EXPECT_EQ(*got[1].message.data, *bin.data);
  EXPECT_EQ(got[1].message.attachments, bin.attachments);

  // A message without data (ADAPTER_CLOSE) has no data field.
  cluster_message close;
  close.nsp = "/";
  close.type = cluster_message_type::adapter_close;
  auto close_offset = a.publish(close);
  ASSERT_TRUE(close_offset);
  fields = entry_fields(redis, *close_offset);
  EXPECT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields["type"], "13");
  got = b.sink->messages(3);
  EXPECT_EQ(got[2].message.type, cluster_message_type::adapter_close);
  EXPECT_FALSE(got[2].message.data && !got[2].message.data->is_null());

  // An entry as Node's adapter writes it.
  auto node_id =
      redis({"XADD", "socket.io", "MAXLEN", "~", "10000", "*", "uid", "node-uid", "nsp", "/",
             "type", "4", "data", R"({"opts":{"rooms":["a"],"except":[]},"rooms":["b"]})"});
  got = b.sink->messages(4);
  EXPECT_EQ(got[3].offset, node_id.str);
  EXPECT_EQ(got[3].message.uid, "node-uid");
  EXPECT_EQ(got[3].message.type, cluster_message_type::sockets_join);
  EXPECT_EQ(got[3].message.data->at("rooms"), json::array{"b"});
}

TEST_F(RedisStreams, RequestsAndAnswersGoByPubSub) {
  node a(server.url(), "uid-a"), b(server.url(), "uid-b");
  auto len = redis({"XLEN", "socket.io"}).integer;

  cluster_message fetch;
  fetch.nsp = "/";
  fetch.type = cluster_message_type::fetch_sockets;
  fetch.data = json::object{{"opts", {{"rooms", json::array{}}, {"except", json::array{}}}},
                            {"requestId", "req-1"}};
  EXPECT_EQ(a.publish(fetch), std::optional<std::string>(""));
  auto got = b.sink->messages(1);
  EXPECT_EQ(got[0].offset, "");
  EXPECT_EQ(got[0].message.type, cluster_message_type::fetch_sockets);
  EXPECT_EQ(got[0].message.data->at("requestId"), "req-1");

  // The answer reaches the requester only, as a response.
  cluster_message answer;
  answer.uid = "uid-b";
  answer.nsp = "/";
  answer.type = cluster_message_type::fetch_sockets_response;
  answer.data = json::object{{"requestId", "req-1"}, {"sockets", json::array{}}};
  b.transport->publish_response("uid-a", answer);
  auto res = a.sink->responses(1);
  EXPECT_EQ(res[0].uid, "uid-b");
  EXPECT_EQ(res[0].type, cluster_message_type::fetch_sockets_response);
  EXPECT_EQ(res[0].data->at("requestId"), "req-1");
  EXPECT_EQ(b.sink->responses(0).size(), 0u);

  // A broadcast with acknowledgements is a request too; nothing of these went to the stream.
  auto with_ack = broadcast({"q"});
  with_ack.data->as_object()["requestId"] = "req-2";
  EXPECT_EQ(a.publish(with_ack), std::optional<std::string>(""));
  got = b.sink->messages(2);
  EXPECT_EQ(got[1].message.data->at("requestId"), "req-2");
  EXPECT_EQ(redis({"XLEN", "socket.io"}).integer, len);

  // Every node of the namespace counts (PUBSUB NUMSUB of the public channel).
  std::promise<std::size_t> count;
  a.transport->server_count([&](std::size_t n) { count.set_value(n); });
  EXPECT_EQ(count.get_future().get(), 2u);
}

// Kills the reader connection(s) (the ones blocked in XREAD) and returns how many.
int kill_readers(raw_redis& redis) {
  auto list = redis({"CLIENT", "LIST"}).str;
  int killed = 0;
  std::istringstream in(list);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" cmd=xread") == std::string::npos) continue;
    auto id = line.substr(3, line.find(' ') - 3);  // "id=N ..."
    if (redis({"CLIENT", "KILL", "ID", id}).integer == 1) ++killed;
  }
  return killed;
}

TEST_F(RedisStreams, TheReaderGoesOnFromItsLastEntryAfterItsConnectionIsKilled) {
  node a(server.url(), "uid-a"), b(server.url(), "uid-b");
  std::vector<std::string> ids;
  int kills = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 20; ++i) {
      auto id = a.publish(broadcast({"n", round * 20 + i}));
      ASSERT_TRUE(id);
      ids.push_back(*id);
      if (i == 10) kills += kill_readers(redis);  // while entries keep coming
    }
    // The reader is back before the next round (its entries reach the sink).
    b.sink->messages(ids.size());
  }
  EXPECT_GE(kills, 5);
  auto got = b.sink->messages(ids.size());
  ASSERT_EQ(got.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(got[i].offset, ids[i]);
    EXPECT_EQ(got[i].message.data->at("packet").at("data").at(1), static_cast<std::int64_t>(i));
  }
  // Nothing more arrives (no entry twice): a last entry is the next one received.
  auto last = a.publish(broadcast({"last"}));
  got = b.sink->messages(ids.size() + 1);
  EXPECT_EQ(got.size(), ids.size() + 1);
  EXPECT_EQ(got.back().offset, *last);
  EXPECT_TRUE(b.logged("connection lost"));
}

std::size_t server_count(node& n) {
  std::promise<std::size_t> count;
  n.transport->server_count([&](std::size_t c) { count.set_value(c); });
  return count.get_future().get();
}

TEST_F(RedisStreams, ARedisRestartCountsOneServerMeanwhileThenTheReaderGoesOn) {
  node a(server.url(), "uid-a"), b(server.url(), "uid-b");
  a.publish(broadcast({"before"}));
  b.sink->messages(1);
  server.kill();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server_count(a) != 1) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(10ms);
  }
  server.start();  // empty: new entries get ids after the reader's last one
  auto after = a.publish(broadcast({"after"}));
  ASSERT_TRUE(after);
  auto got = b.sink->messages(2);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].offset, *after);
  while (server_count(a) != 2) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline + 10s);
    std::this_thread::sleep_for(10ms);
  }
}

TEST_F(RedisStreams, SessionsArePersistedAndRestoredWithTheMissedPackets) {
  node a(server.url(), "uid-a"), b(server.url(), "uid-b"), other(server.url(), "uid-c", "/other");
  auto offset = b.publish(broadcast({"before"}));
  ASSERT_TRUE(offset);
  sio::persisted_session s{"sid-1", "pid-1", {"sid-1", "r1"}, json::object{{"user", "ann"}}};
  a.transport->persist_session(s, 60s);
  wait_for_key(redis, "sio:session:pid-1");

  auto to_r1 = b.publish(broadcast({"to r1"}, {"r1"}));
  b.publish(broadcast({"to r2"}, {"r2"}));
  auto to_all = b.publish(broadcast({"to all"}));
  b.publish(broadcast({"not r1"}, {}, {"r1"}));
  // A broadcast with acknowledgement never goes to the stream from this transport: written by
  // hand, as another implementation might.
  redis(
      {"XADD", "socket.io", "*", "uid", "z", "nsp", "/", "type", "3", "data",
       R"({"packet":{"type":2,"data":["with ack"],"nsp":"/"},"opts":{"rooms":[],"except":[]},"requestId":"x"})"});
  other.publish(broadcast({"other nsp"}, {}, {}, "/other"));
  auto bin = broadcast({"bin", placeholder(0)}, {"sid-1"});
  bin.attachments = {"\x01\x02"};
  auto to_sid = b.publish(bin);

  EXPECT_GT(redis({"PTTL", "sio:session:pid-1"}).integer, 0);
  auto r = b.restore("pid-1", *offset);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->session.sid, "sid-1");
  EXPECT_EQ(r->session.pid, "pid-1");
  EXPECT_EQ(r->session.rooms, s.rooms);
  EXPECT_EQ(r->session.data, s.data);
  ASSERT_EQ(r->missed.size(), 3u);
  EXPECT_EQ(r->missed[0].data, (json::array{"to r1", json::value(*to_r1)}));
  EXPECT_EQ(r->missed[1].data, (json::array{"to all", json::value(*to_all)}));
  EXPECT_EQ(r->missed[2].data, (json::array{"bin", placeholder(0), json::value(*to_sid)}));
  EXPECT_EQ(r->missed[0].offset, *to_r1);
  EXPECT_EQ(r->missed[1].offset, *to_all);
  EXPECT_EQ(r->missed[2].offset, *to_sid);
  EXPECT_TRUE(r->missed[0].attachments.empty());
  EXPECT_TRUE(r->missed[1].attachments.empty());
  EXPECT_EQ(r->missed[2].attachments, bin.attachments);

  // Read once: the session is gone.
  EXPECT_EQ(redis({"EXISTS", "sio:session:pid-1"}).integer, 0);
  EXPECT_FALSE(b.restore("pid-1", *offset));

  // An offset that is not an entry id, or no longer in the stream: no recovery.
  a.transport->persist_session({"sid-2", "pid-2", {}, {}}, 60s);
  wait_for_key(redis, "sio:session:pid-2");
  EXPECT_FALSE(b.restore("pid-2", "not-an-offset"));
  EXPECT_FALSE(b.restore("pid-2", "1-0"));
  EXPECT_EQ(redis({"EXISTS", "sio:session:pid-2"}).integer, 0);  // read (and deleted) anyway
  // A session that is not one.
  redis({"SET", "sio:session:pid-3", "%%%"});
  EXPECT_FALSE(b.restore("pid-3", *offset));
  EXPECT_TRUE(b.logged("not one"));
}

TEST_F(RedisStreams, ARestoreCollectsAtMostMaxLenPackets) {
  node writer(server.url(), "uid-w");
  node reader(server.url(), "uid-r", "/",
              [](sio::redis_streams_adapter_options& o) { o.max_len = 5; });
  auto offset = writer.publish(broadcast({"before"}));
  ASSERT_TRUE(offset);
  reader.transport->persist_session({"sid-1", "pid-1", {"r"}, {}}, 60s);
  reader.transport->persist_session({"sid-2", "pid-2", {"r"}, {}}, 60s);
  wait_for_key(redis, "sio:session:pid-1");
  wait_for_key(redis, "sio:session:pid-2");
  for (int i = 0; i < 5; ++i) writer.publish(broadcast({"to r", i}, {"r"}));
  auto r = reader.restore("pid-1", *offset);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->missed.size(), 5u);
  // Past the bound the gap cannot be replayed whole: the client starts afresh.
  writer.publish(broadcast({"to r"}, {"r"}));
  EXPECT_FALSE(reader.restore("pid-2", *offset));
  EXPECT_TRUE(reader.logged("more than max_len packets"));
}

TEST_F(RedisStreams, GarbageIsDroppedAndTheNodeKeepsServing) {
  node a(server.url(), "uid-a"), b(server.url(), "uid-b");
  const std::vector<std::vector<std::string>> garbage{
      {"uid", "x"},                                            // no nsp: not ours
      {"uid", "x", "nsp", "/", "type", "3", "data", "{nope"},  // not JSON
      {"uid", "x", "nsp", "/", "type", "3", "data", "!!!"},    // not base64
      {"uid", "x", "nsp", "/", "type", "3", "data", "wQ=="},   // 0xc1: not MessagePack
      {"uid", "x", "nsp", "/", "type", "three"},               // not a type
      {"nsp", "/", "data", "{}"},                              // no uid, no type
  };
  for (const auto& g : garbage) {
    std::vector<std::string> cmd{"XADD", "socket.io", "*"};
    cmd.insert(cmd.end(), g.begin(), g.end());
    EXPECT_EQ(redis(cmd).type, sio::redis::reply::kind::string);
  }
  redis({"PUBLISH", "socket.io#/#", "\xc1 garbage"});
  redis({"PUBLISH", "socket.io#/#uid-b#", "[1,2"});
  auto good = a.publish(broadcast({"still here"}));
  auto got = b.sink->messages(1);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].offset, *good);
  EXPECT_TRUE(b.logged("dropped entry"));
  EXPECT_TRUE(b.logged("dropped a message on socket.io#/#"));

  cluster_message fetch;
  fetch.nsp = "/";
  fetch.type = cluster_message_type::fetch_sockets;
  fetch.data = json::object{{"opts", json::object{}}, {"requestId", "r"}};
  a.publish(fetch);
  EXPECT_EQ(b.sink->messages(2).size(), 2u);
}

}  // namespace
