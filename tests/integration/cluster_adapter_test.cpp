// sio::cluster_adapter (Node's ClusterAdapter protocol) with three sio servers in one process,
// joined by an in-memory bus that stands for Redis: every message crosses it in its document form
// (MessagePack), reaches the sinks on the bus's own thread, and the messages a stream would keep
// get offsets "<ms>-<seq>". Raw Socket.IO clients over WebSocket drive the servers: broadcasts
// (rooms, except, binary, local, with acknowledgements), fetch_sockets / socket ids /
// sockets_join / sockets_leave / disconnect_sockets, server-side events with and without
// acknowledgement (and a silent server: timeout), room events, foreign and malformed messages,
// and connection state recovery (offsets appended, local delivery in publication order, sessions
// restored on another server). Plus cluster_message's document form and stream_offset_seq.
#include <sio/protocol/msgpack.hpp>
#include <sio/redis/cluster_adapter.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/server.hpp>

#include "cluster_fixture.hpp"
#include "socketio_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace msgpack = sio::protocol::msgpack;
using namespace std::chrono_literals;
using sio::cluster_message;
using sio::cluster_message_type;
using sio::test::sio_client;
using mt = cluster_message_type;

using sio::test::wait;

std::string encode(const cluster_message& m) {
  auto d = m.to_document();
  return msgpack::encode(d.value, d.attachments);
}

std::optional<cluster_message> decode(const std::string& bytes) {
  auto d = msgpack::decode(bytes);
  if (!d) return std::nullopt;
  return cluster_message::from_document(std::move(*d));
}

class loopback_transport;

// What stands for Redis: the transports of every server, a stream of the messages that are not
// ephemeral, the persisted sessions, and the room events each node reported. One thread delivers
// everything, in publication order.
class loopback_bus {
 public:
  loopback_bus() : work_(asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~loopback_bus() {
    work_.reset();
    thread_.join();
  }

  void attach(loopback_transport* t, const std::string& uid, std::weak_ptr<sio::cluster_sink> s);
  void detach(loopback_transport* t);
  // A server that counts but never answers.
  void add_silent_server() {
    std::lock_guard lk(mu_);
    ++silent_;
  }

  void publish(cluster_message m, sio::cluster_transport::offset_handler done);
  void publish_response(const std::string& uid, const cluster_message& m);
  void server_count(const std::string& nsp, std::function<void(std::size_t)> done);
  // Sends raw bytes (a document in MessagePack, or garbage) to every sink of the bus.
  void inject(std::string bytes) {
    asio::post(ioc_, [this, bytes = std::move(bytes)] { deliver(bytes, ""); });
  }

  // While held, the publications' completions wait for release() (their messages still go out).
  void hold() {
    std::lock_guard lk(mu_);
    held_ = true;
  }
  // Once n completions are held, runs them in `order` (indexes into them), then stops holding.
  void release(std::vector<std::size_t> order) {
    std::vector<std::function<void()>> run;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, 10s, [&] { return held_done_.size() >= order.size(); });
      ASSERT_EQ(held_done_.size(), order.size());
      for (auto i : order) run.push_back(std::move(held_done_[i]));
      held_done_.clear();
      held_ = false;
    }
    asio::post(ioc_, [run = std::move(run)] {
      for (const auto& f : run) f();
    });
  }

  // While failing, publications go nowhere and complete with nullopt.
  void fail_publications(bool f) {
    std::lock_guard lk(mu_);
    failing_ = f;
  }

  // Sessions (connection state recovery).
  void persist(const sio::persisted_session& s) {
    std::lock_guard lk(mu_);
    sessions_[s.pid] = s;
    cv_.notify_all();
  }
  bool wait_session(const std::string& pid) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, 10s, [&] { return sessions_.contains(pid); });
  }
  void restore(const std::string& nsp, std::string pid, std::string offset,
               std::function<void(std::optional<sio::cluster_transport::restored>)> done);

  // Room events: "+room" / "-room", "*" marking a socket's own id room.
  void room_event(const std::string& uid, std::string e) {
    std::lock_guard lk(mu_);
    room_events_[uid].push_back(std::move(e));
    cv_.notify_all();
  }
  std::vector<std::string> wait_room_events(const std::string& uid, std::size_t n) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, 10s, [&] { return room_events_[uid].size() >= n; });
    return room_events_[uid];
  }

 private:
  struct endpoint {
    loopback_transport* owner;
    std::string uid;
    std::weak_ptr<sio::cluster_sink> sink;
  };
  struct entry {
    std::string offset;
    std::string bytes;
  };

  // On the bus's thread: every sink reads its own copy of the message.
  void deliver(const std::string& bytes, const std::string& offset) {
    std::vector<std::shared_ptr<sio::cluster_sink>> sinks;
    {
      std::lock_guard lk(mu_);
      for (const auto& e : endpoints_)
        if (auto s = e.sink.lock()) sinks.push_back(std::move(s));
    }
    for (const auto& s : sinks)
      if (auto m = decode(bytes)) s->on_message(std::move(*m), offset);
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<endpoint> endpoints_;
  std::size_t silent_ = 0;
  bool held_ = false;
  bool failing_ = false;
  std::vector<std::function<void()>> held_done_;
  std::vector<entry> stream_;
  std::uint64_t seq_ = 0;
  std::map<std::string, sio::persisted_session> sessions_;
  std::map<std::string, std::vector<std::string>> room_events_;
};

class loopback_transport : public sio::cluster_transport {
 public:
  loopback_transport(loopback_bus& bus, std::string nsp) : bus_(bus), nsp_(std::move(nsp)) {}
  ~loopback_transport() override { bus_.detach(this); }

  void start(const std::string& uid, std::weak_ptr<sio::cluster_sink> sink) override {
    uid_ = uid;
    bus_.attach(this, uid, std::move(sink));
  }
  void publish(cluster_message m, offset_handler done) override {
    bus_.publish(std::move(m), std::move(done));
  }
  void publish_response(const std::string& requester, cluster_message m) override {
    bus_.publish_response(requester, m);
  }
  void server_count(std::function<void(std::size_t)> done) override {
    bus_.server_count(nsp_, std::move(done));
  }
  bool wants_room_events() const noexcept override { return true; }
  void room_created(const sio::room& r, bool private_room) override {
    bus_.room_event(uid_, "+" + r + (private_room ? "*" : ""));
  }
  void room_deleted(const sio::room& r, bool private_room) override {
    bus_.room_event(uid_, "-" + r + (private_room ? "*" : ""));
  }
  void persist_session(const sio::persisted_session& s, std::chrono::milliseconds) override {
    bus_.persist(s);
  }
  void restore_session(std::string pid, std::string offset,
                       std::function<void(std::optional<restored>)> done) override {
    bus_.restore(nsp_, std::move(pid), std::move(offset), std::move(done));
  }

 private:
  loopback_bus& bus_;
  std::string nsp_, uid_;
};

void loopback_bus::attach(loopback_transport* t, const std::string& uid,
                          std::weak_ptr<sio::cluster_sink> s) {
  std::lock_guard lk(mu_);
  endpoints_.push_back({t, uid, std::move(s)});
}

void loopback_bus::detach(loopback_transport* t) {
  std::lock_guard lk(mu_);
  std::erase_if(endpoints_, [t](const endpoint& e) { return e.owner == t; });
}

void loopback_bus::publish(cluster_message m, sio::cluster_transport::offset_handler done) {
  const bool stored = !m.ephemeral();
  asio::post(ioc_, [this, bytes = encode(m), stored, done = std::move(done)]() mutable {
    bool failing = false;
    {
      std::lock_guard lk(mu_);
      failing = failing_;
    }
    if (failing) return done(std::nullopt);
    std::string offset;
    if (stored) {
      std::lock_guard lk(mu_);
      offset = "1733000000000-" + std::to_string(seq_++);
      stream_.push_back({offset, bytes});
    }
    deliver(bytes, offset);
    {
      std::lock_guard lk(mu_);
      if (held_) {
        held_done_.push_back([done = std::move(done), offset] { done(offset); });
        cv_.notify_all();
        return;
      }
    }
    done(offset);
  });
}

void loopback_bus::publish_response(const std::string& uid, const cluster_message& m) {
  asio::post(ioc_, [this, uid, bytes = encode(m)] {
    std::shared_ptr<sio::cluster_sink> sink;
    {
      std::lock_guard lk(mu_);
      for (const auto& e : endpoints_)
        if (e.uid == uid) sink = e.sink.lock();
    }
    if (auto m = decode(bytes); m && sink) sink->on_response(std::move(*m));
  });
}

void loopback_bus::server_count(const std::string&, std::function<void(std::size_t)> done) {
  asio::post(ioc_, [this, done = std::move(done)] {
    std::size_t n = 0;
    {
      std::lock_guard lk(mu_);
      n = endpoints_.size() + silent_;
    }
    done(n);
  });
}

void loopback_bus::restore(
    const std::string& nsp, std::string pid, std::string offset,
    std::function<void(std::optional<sio::cluster_transport::restored>)> done) {
  asio::post(ioc_,
             [this, nsp, pid = std::move(pid), offset = std::move(offset), done = std::move(done)] {
               sio::cluster_transport::restored r;
               std::vector<entry> after;
               {
                 std::lock_guard lk(mu_);
                 auto it = sessions_.find(pid);
                 auto at = std::find_if(stream_.begin(), stream_.end(),
                                        [&](const entry& e) { return e.offset == offset; });
                 if (it == sessions_.end() || at == stream_.end()) return done(std::nullopt);
                 r.session = std::move(it->second);
                 sessions_.erase(it);
                 after.assign(at + 1, stream_.end());
               }
               const auto& rooms = r.session.rooms;
               auto any_in = [&rooms](const std::vector<sio::room>& list) {
                 return std::any_of(rooms.begin(), rooms.end(), [&](const sio::room& x) {
                   return std::find(list.begin(), list.end(), x) != list.end();
                 });
               };
               for (const auto& e : after) {
                 auto m = decode(e.bytes);
                 if (!m || m->nsp != nsp || m->type != mt::broadcast) continue;
                 auto& data = m->data->as_object();
                 sio::broadcast_options o;
                 for (const auto& x : data.at("opts").at("rooms").as_array())
                   o.rooms.emplace_back(x.as_string());
                 for (const auto& x : data.at("opts").at("except").as_array())
                   o.except.emplace_back(x.as_string());
                 if ((!o.rooms.empty() && !any_in(o.rooms)) || any_in(o.except)) continue;
                 auto args = data.at("packet").at("data").as_array();
                 args.emplace_back(e.offset);
                 r.missed.push_back({std::move(args), std::move(m->attachments), e.offset});
               }
               done(std::move(r));
             });
}

sio::cluster_adapter* cluster_of(sio::server& s, const std::string& nsp = "/") {
  return dynamic_cast<sio::cluster_adapter*>(&s.of(nsp).get_adapter());
}

class ClusterAdapter : public sio::test::cluster_fixture {
 protected:
  void start(bool recovery) {
    s1_ = make_server(2, recovery);
    s2_ = make_server(1, recovery);
    s3_ = make_server(1, recovery);
    for (auto* s : servers()) ASSERT_TRUE(cluster_of(*s));
    start_servers([](sio::socket& s) { s.on("ping", [](sio::socket& s) { s.emit("pong"); }); });
  }

  std::unique_ptr<sio::server> make_server(std::size_t workers, bool recovery) {
    sio::server_options so;
    so.http.address = "127.0.0.1";
    so.http.workers = workers;
    if (recovery) so.connection_state_recovery = sio::recovery_options{};
    sio::cluster_adapter_options co;
    co.requests_timeout = 1500ms;
    co.log = logs_.writer();
    so.adapter = sio::cluster_adapter::factory(
        [this](sio::adapter_host& h) {
          return std::make_unique<loopback_transport>(bus_, h.name());
        },
        co);
    return std::make_unique<sio::server>(std::move(so));
  }

  loopback_bus bus_;  // outlives the servers (TearDown destroys them)
};

class Cluster : public ClusterAdapter {
 protected:
  void SetUp() override { start(false); }
};

class ClusterRecovery : public ClusterAdapter {
 protected:
  void SetUp() override { start(true); }
};

std::string event_of(sio_client& c) {
  return json::serialize(c.next_event());
}

TEST_F(Cluster, BroadcastToAllRoomsAndExcept) {
  const auto& uid = cluster_of(*s1_)->uid();
  EXPECT_EQ(uid.size(), 16u);
  EXPECT_EQ(uid.find_first_not_of("0123456789abcdef"), std::string::npos);
  sio_client c1(s1_->port()), c2(s2_->port()), c3(s3_->port());
  // The bus hands every message to its sender too: ignored (c1 would see "hello" twice).
  s1_->emit("hello", 1, "two");
  for (auto* c : {&c1, &c2, &c3}) EXPECT_EQ(event_of(*c), R"(["hello",1,"two"])");
  join(c2, "r");
  join(c3, "r");
  join(c3, "x");
  join(c1, "r");
  s2_->to("r").except("x").emit("in-r");
  s3_->emit("all");
  // c3 (in x) sees the second broadcast only.
  EXPECT_EQ(event_of(c1), R"(["in-r"])");
  EXPECT_EQ(event_of(c2), R"(["in-r"])");
  EXPECT_EQ(event_of(c3), R"(["all"])");
  EXPECT_EQ(event_of(c1), R"(["all"])");
  EXPECT_EQ(event_of(c2), R"(["all"])");
}

TEST_F(Cluster, BinaryBroadcast) {
  sio_client c1(s1_->port()), c2(s2_->port());
  const std::string bytes("\x00\x01\xff", 3);
  s1_->emit("bin", sio::binary(bytes), json::object{{"k", 1}});
  for (auto* c : {&c1, &c2}) {
    auto p = c->next();
    EXPECT_EQ(p.text, R"(51-["bin",{"_placeholder":true,"num":0},{"k":1}])");
    ASSERT_EQ(p.binaries.size(), 1u);
    EXPECT_EQ(p.binaries[0], bytes);
  }
}

TEST_F(Cluster, LocalFlagStaysOnItsServer) {
  sio_client c1(s1_->port()), c2(s2_->port());
  s1_->local().emit("here");
  s1_->emit("everywhere");
  EXPECT_EQ(event_of(c1), R"(["here"])");
  EXPECT_EQ(event_of(c1), R"(["everywhere"])");
  EXPECT_EQ(event_of(c2), R"(["everywhere"])");  // the local one never came
}

TEST_F(Cluster, BroadcastWithAcksCountsEveryServer) {
  sio_client c1(s1_->port()), c2(s2_->port()), c3(s3_->port()), c4(s3_->port());
  std::promise<std::pair<boost::system::error_code, std::vector<sio::payload>>> done;
  auto fd = done.get_future();
  s1_->sockets().timeout(5s).emit_with_ack(
      "q", sio::make_payload(1),
      [&done](boost::system::error_code ec, std::vector<sio::payload> r) {
        done.set_value({ec, std::move(r)});
      });
  int n = 0;
  for (auto* c : {&c1, &c2, &c3, &c4}) {
    auto p = c->next();
    ASSERT_EQ(p.text.substr(0, 1), "2") << p.text;
    const auto id = p.text.substr(1, p.text.find('[') - 1);
    EXPECT_EQ(p.text.substr(p.text.find('[')), R"(["q",1])");
    c->send("3" + id + "[\"a" + std::to_string(++n) + "\"]");
  }
  auto [ec, responses] = wait(fd);
  EXPECT_FALSE(ec);
  std::multiset<std::string> got;
  for (const auto& r : responses) got.insert(std::string(r.args.at(0).as_string()));
  EXPECT_EQ(got, (std::multiset<std::string>{"a1", "a2", "a3", "a4"}));
}

TEST_F(Cluster, FetchSocketsJoinLeaveDisconnect) {
  sio_client c1(s1_->port()), c2(s2_->port()), c3(s3_->port());
  join(c2, "r");
  auto f = s1_->fetch_sockets(asio::use_future);
  auto sockets = wait(f);
  std::set<std::string> ids;
  for (const auto& s : sockets) ids.insert(s.id());
  EXPECT_EQ(ids, (std::set<std::string>{c1.id(), c2.id(), c3.id()}));
  for (const auto& s : sockets)
    if (s.id() == c2.id()) {
      EXPECT_NE(std::find(s.rooms().begin(), s.rooms().end(), "r"), s.rooms().end());
      EXPECT_EQ(s.handshake().query().at("EIO"), "4");
    }
  auto in_r = s3_->in("r").fetch_sockets(asio::use_future);
  auto r = wait(in_r);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id(), c2.id());

  // sockets_join from server 3 reaches every server; the ids come deduplicated.
  s3_->sockets_join("everyone");
  s3_->to("everyone").emit("in-everyone");
  for (auto* c : {&c1, &c2, &c3}) EXPECT_EQ(event_of(*c), R"(["in-everyone"])");
  auto fi = s1_->in("everyone").socket_ids(asio::use_future);
  auto all = wait(fi);
  EXPECT_EQ(all.size(), 3u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()),
            (std::set<std::string>{c1.id(), c2.id(), c3.id()}));

  // sockets_leave from server 1: nobody is in "everyone" anymore.
  s1_->in("r").sockets_leave("everyone");
  s1_->to("everyone").emit("still-in");
  s2_->emit("marker");
  EXPECT_EQ(event_of(c1), R"(["still-in"])");
  EXPECT_EQ(event_of(c3), R"(["still-in"])");
  EXPECT_EQ(event_of(c2), R"(["marker"])");  // c2 left before

  // disconnect_sockets from server 1 reaches server 2's socket in r.
  s1_->in("r").disconnect_sockets();
  EXPECT_EQ(c2.next().text, "1");
}

TEST_F(Cluster, ServerSideEmitWithAndWithoutAck) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> heard;
  for (auto* s : {s2_.get(), s3_.get()}) {
    s->on_server_side_emit("tick", [&](const sio::payload& p, sio::ack ack) {
      EXPECT_FALSE(ack.requested());
      std::lock_guard lk(mu);
      heard.push_back(json::serialize(p.args));
      cv.notify_all();
    });
    s->on_server_side_emit("ping", [](int n, sio::ack ack) { ack("pong", n); });
  }
  s1_->on_server_side_emit("tick", [](sio::ack) { ADD_FAILURE() << "own event came back"; });
  s1_->server_side_emit("tick", 1, sio::binary(std::string("b")));
  {
    std::unique_lock lk(mu);
    cv.wait_for(lk, 10s, [&] { return heard.size() == 2; });
    EXPECT_EQ(heard, (std::vector<std::string>(2, R"([1,{"_placeholder":true,"num":0}])")));
  }
  auto fd = s1_->server_side_emit_with_ack("ping", sio::make_payload(42), asio::use_future);
  auto responses = wait(fd);
  ASSERT_EQ(responses.size(), 2u);
  for (const auto& r : responses) EXPECT_EQ(json::serialize(r.args), R"(["pong"])");
}

TEST_F(Cluster, SilentServerTimesOut) {
  s2_->on_server_side_emit("ping", [](sio::ack ack) { ack("pong"); });
  s3_->on_server_side_emit("ping", [](sio::ack ack) { ack("pong"); });
  sio_client c2(s2_->port());
  bus_.add_silent_server();
  std::promise<std::pair<boost::system::error_code, std::vector<sio::payload>>> done;
  auto fd = done.get_future();
  s1_->server_side_emit_with_ack(
      "ping", {}, [&done](boost::system::error_code ec, std::vector<sio::payload> answers) {
        done.set_value({ec, std::move(answers)});
      });
  auto [ec, answers] = wait(fd);
  EXPECT_EQ(ec, sio::make_error_code(sio::error::timeout));
  EXPECT_EQ(answers.size(), 2u);
  // fetch_sockets completes with what it has (after the broadcast's own timeout).
  auto f = s1_->timeout(300ms).fetch_sockets(asio::use_future);
  auto sockets = wait(f);
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0].id(), c2.id());
  EXPECT_TRUE(logged("timeout reached"));
}

TEST_F(Cluster, RoomEventsCountEveryWorker) {
  const auto uid = cluster_of(*s1_)->uid();
  sio_client a(s1_->port()), b(s1_->port());  // two workers
  auto events = bus_.wait_room_events(uid, 2);
  EXPECT_EQ(std::set<std::string>(events.begin(), events.end()),
            (std::set<std::string>{"+" + a.id() + "*", "+" + b.id() + "*"}));
  join(a, "shared");
  join(b, "shared");
  call(a, "leave", "shared");
  join(a, "shared");
  call(b, "leave", "shared");
  call(a, "leave", "shared");
  events = bus_.wait_room_events(uid, 4);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2], "+shared");
  EXPECT_EQ(events[3], "-shared");
  a.close();
  events = bus_.wait_room_events(uid, 5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[4], "-" + a.id() + "*");
}

TEST_F(Cluster, ForeignAndMalformedMessages) {
  sio_client c1(s1_->port()), c2(s2_->port());
  auto broadcast = [](std::string uid, std::string nsp, std::string event) {
    cluster_message m;
    m.uid = std::move(uid);
    m.nsp = std::move(nsp);
    m.type = mt::broadcast;
    m.data = json::object{
        {"packet", {{"type", 2}, {"data", json::array{json::value(event)}}, {"nsp", "/"}}},
        {"opts", {{"rooms", json::array{}}, {"except", json::array{}}, {"flags", json::object{}}}}};
    return m;
  };
  // Another namespace: ignored; an emitter's: delivered.
  bus_.inject(encode(broadcast("emitter", "/other", "elsewhere")));
  // Garbage of every shape: dropped and logged.
  for (const auto& d :
       {json::value(nullptr), json::value(1), json::value(json::object{}),
        json::value(json::object{{"packet", 1}}),
        json::value(json::object{{"packet", {{"type", 2}, {"data", 1}}}}),
        json::value(json::object{{"opts", 1}}), json::value(json::object{{"requestId", 5}})})
    for (auto t : {mt::broadcast, mt::sockets_join, mt::disconnect_sockets, mt::fetch_sockets,
                   mt::server_side_emit, mt::fetch_sockets_response, mt::broadcast_ack,
                   static_cast<mt>(99)}) {
      cluster_message m;
      m.uid = "someone";
      m.nsp = "/";
      m.type = t;
      m.data = d;
      bus_.inject(encode(m));
    }
  auto bad_placeholder = broadcast("someone", "/", "x");
  bad_placeholder.data->as_object()["packet"].as_object()["data"].as_array().push_back(
      json::object{{"_placeholder", true}, {"num", 3}});
  auto doc = bad_placeholder.to_document();
  bus_.inject(msgpack::encode(doc.value, {}));
  bus_.inject("\xc1");
  bus_.inject(encode(broadcast("emitter", "/", "from-emitter")));
  EXPECT_EQ(event_of(c1), R"(["from-emitter"])");
  EXPECT_EQ(event_of(c2), R"(["from-emitter"])");
  EXPECT_TRUE(logged("dropped"));
  s1_->emit("alive");
  EXPECT_EQ(event_of(c1), R"(["alive"])");
  EXPECT_EQ(event_of(c2), R"(["alive"])");
}

// --- connection state recovery -------------------------------------------------------------------

// The offset a recovering client sends: the last argument of the last event it got.
std::string offset_of(const json::array& event) {
  return event.empty() || !event.back().is_string() ? "" : std::string(event.back().as_string());
}

TEST_F(ClusterRecovery, OffsetsAppendedOnEveryServer) {
  EXPECT_TRUE(cluster_of(*s1_)->routes_socket_emits());
  sio_client c1(s1_->port()), c2(s2_->port());
  s1_->emit("e", 1);
  auto e1 = c1.next_event(), e2 = c2.next_event();
  EXPECT_EQ(json::serialize(e1), json::serialize(e2));
  ASSERT_EQ(e1.size(), 3u);
  EXPECT_GT(sio::stream_offset_seq(offset_of(e1)), 0u);
  // A socket's own emit goes through the cluster too (its offset appended).
  c2.send(R"(2["ping"])");
  auto pong = c2.next_event();
  ASSERT_EQ(pong.size(), 2u);
  EXPECT_GT(sio::stream_offset_seq(offset_of(pong)), sio::stream_offset_seq(offset_of(e1)));
  // Volatile broadcasts carry none.
  s1_->volatile_().emit("v");
  EXPECT_EQ(event_of(c1), R"(["v"])");
}

TEST_F(ClusterRecovery, LocalDeliveryWaitsForTheOffset) {
  sio_client c1(s1_->port());
  bus_.hold();
  s1_->emit("first");
  s1_->local().emit("second");  // nothing to publish, yet behind "first"
  bus_.release({0});
  auto first = c1.next_event();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "first");
  EXPECT_GT(sio::stream_offset_seq(offset_of(first)), 0u);
  EXPECT_EQ(event_of(c1), R"(["second"])");
}

TEST_F(ClusterRecovery, LocalOrderKeptWhenPublicationsCompleteOutOfOrder) {
  sio_client c1(s1_->port()), c2(s2_->port());
  bus_.hold();
  s1_->emit("a");
  s1_->emit("b");
  s1_->emit("c");
  bus_.release({2, 0, 1});
  std::uint64_t last = 0;
  for (const char* name : {"a", "b", "c"}) {
    auto e = c1.next_event();
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0], name);
    const auto seq = sio::stream_offset_seq(offset_of(e));
    EXPECT_GT(seq, last);
    last = seq;
  }
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(c2.next_event().at(0), name);
}

TEST_F(ClusterRecovery, FailedPublicationStillDeliversLocally) {
  sio_client c1(s1_->port()), c2(s2_->port());
  bus_.fail_publications(true);
  s1_->emit("unpublished");
  EXPECT_EQ(event_of(c1), R"(["unpublished"])");  // as Node: no offset
  bus_.fail_publications(false);
  s1_->emit("published");
  EXPECT_EQ(c1.next_event().at(0), "published");
  EXPECT_EQ(c2.next_event().at(0), "published");  // the failed one never reached server 2
  EXPECT_TRUE(logged("publishing a broadcast failed"));
}

TEST_F(ClusterRecovery, SessionRestoredOnAnotherServer) {
  std::string id, pid, offset;
  {
    sio_client c(s1_->port());
    join(c, "r");
    s1_->to("r").emit("seen");
    auto e = c.next_event();
    offset = offset_of(e);
    id = c.id();
    pid = c.pid();
    ASSERT_FALSE(pid.empty());
    c.close();
    ASSERT_TRUE(bus_.wait_session(pid));
  }
  s2_->to("r").emit("missed", sio::binary(std::string("z")));
  s3_->to("elsewhere").emit("not-for-r");
  s2_->emit("missed-all");
  sio_client back(s3_->port(), {}, json::serialize(json::object{{"pid", pid}, {"offset", offset}}));
  EXPECT_EQ(back.id(), id);
  auto p = back.next();
  EXPECT_TRUE(p.text.starts_with(R"(51-["missed",{"_placeholder":true,"num":0},")")) << p.text;
  ASSERT_EQ(p.binaries.size(), 1u);
  EXPECT_EQ(p.binaries[0], "z");
  auto all = back.next_event();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], "missed-all");
  // Still in its room: a live broadcast reaches it once.
  s1_->to("r").emit("live");
  auto live = back.next_event();
  EXPECT_EQ(live.at(0), "live");
}

// --- the message form and the offsets ------------------------------------------------------------

TEST(ClusterMessage, DocumentRoundTrip) {
  cluster_message m;
  m.uid = "0123456789abcdef";
  m.nsp = "/chat";
  m.type = mt::server_side_emit_response;
  m.data =
      json::object{{"requestId", "r1"},
                   {"packet", json::array{1, json::object{{"_placeholder", true}, {"num", 0}}}}};
  m.attachments = {std::string("\x00\xff", 2)};
  auto back = decode(encode(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->uid, m.uid);
  EXPECT_EQ(back->nsp, m.nsp);
  EXPECT_EQ(back->type, m.type);
  EXPECT_EQ(*back->data, *m.data);
  EXPECT_EQ(back->attachments, m.attachments);

  // The type as a stream entry keeps it (a decimal string); no data for a heartbeat.
  auto v = json::parse(R"({"uid":"u","nsp":"/","type":"2"})");
  auto hb = cluster_message::from_document({v, {}});
  ASSERT_TRUE(hb);
  EXPECT_EQ(hb->type, mt::heartbeat);
  EXPECT_FALSE(hb->data);
  EXPECT_FALSE(hb->to_document().value.as_object().contains("data"));

  auto with = [](mt t, json::value d) {
    cluster_message x;
    x.type = t;
    x.data = std::move(d);
    return x;
  };
  EXPECT_TRUE(with(mt::broadcast, json::object{{"requestId", "x"}}).ephemeral());
  EXPECT_FALSE(with(mt::broadcast, json::object{}).ephemeral());
  EXPECT_TRUE(with(mt::fetch_sockets, json::object{}).ephemeral());
  EXPECT_TRUE(with(mt::server_side_emit, json::object{}).ephemeral());
  EXPECT_FALSE(with(mt::sockets_join, json::object{}).ephemeral());
  for (auto t : {mt::broadcast, mt::broadcast_ack, mt::fetch_sockets_response, mt::server_side_emit,
                 mt::server_side_emit_response})
    EXPECT_TRUE(with(t, {}).may_carry_binary());
  for (auto t : {mt::heartbeat, mt::sockets_join, mt::fetch_sockets, mt::broadcast_client_count})
    EXPECT_FALSE(with(t, {}).may_carry_binary());
}

TEST(ClusterMessage, MalformedDocumentsAreRefused) {
  for (const char* text : {
           R"([])",
           R"("x")",
           R"({"nsp":"/","type":3})",
           R"({"uid":1,"nsp":"/","type":3})",
           R"({"uid":"u","type":3})",
           R"({"uid":"u","nsp":["/"],"type":3})",
           R"({"uid":"u","nsp":"/"})",
           R"({"uid":"u","nsp":"/","type":"3x"})",
           R"({"uid":"u","nsp":"/","type":""})",
           R"({"uid":"u","nsp":"/","type":-1})",
           R"({"uid":"u","nsp":"/","type":1.5})",
           R"({"uid":"u","nsp":"/","type":true})",
           R"({"uid":"u","nsp":"/","type":3,"data":{"packet":{"_placeholder":true,"num":0}}})",
       })
    EXPECT_FALSE(cluster_message::from_document({json::parse(text), {}})) << text;
}

TEST(StreamOffsetSeq, OrdersStreamIds) {
  EXPECT_EQ(sio::stream_offset_seq("1733000000000-5"), (1733000000000ull << 22) | 5);
  EXPECT_LT(sio::stream_offset_seq("1733000000000-5"), sio::stream_offset_seq("1733000000000-6"));
  EXPECT_LT(sio::stream_offset_seq("1733000000000-99999999"),
            sio::stream_offset_seq("1733000000001-0"));
  EXPECT_EQ(sio::stream_offset_seq("1-99999999"), (1ull << 22) | ((1ull << 22) - 1));
  for (const char* bad : {"", "-", "1-", "-1", "a-b", "1-2-3", "1 -2", "+1-2", "1-+2", "12",
                          "99999999999999999999-1", "4398046511104-0"})
    EXPECT_EQ(sio::stream_offset_seq(bad), 0u) << bad;
  EXPECT_NE(sio::stream_offset_seq("4398046511103-0"), 0u);  // the largest ms that fits
}

}  // namespace
