// Session tests: connection state recovery (Node's connectionStateRecovery). The pid in CONNECT,
// offsets exactly where Node appends them, restoring id, rooms and data, the missed packets written
// before CONNECT (in order, once, binary included), expiry, bounds, unknown pid or offset,
// middlewares, which disconnect reasons persist a session, and clients coming back on another
// worker. Parameterized on the worker count (1 and 4).
#include "harness.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

namespace sio::test {
namespace {

using engineio::close_reason;

struct ids {
  std::string sid;
  std::string pid;
};

// The answer to a CONNECT and the messages written before it.
struct connected {
  ids id;
  std::vector<std::string> before;
};

// The last argument of an EVENT message ("2[...]" or "2/nsp,[...]"), when it is a string.
std::optional<std::string> last_string_arg(const std::string& m) {
  const auto open = m.find('[');
  if (open == std::string::npos) return std::nullopt;
  auto v = boost::json::parse(std::string_view(m).substr(open));
  const auto& a = v.as_array();
  if (a.empty() || !a.back().is_string()) return std::nullopt;
  return std::string(a.back().get_string());
}

std::string json_str(const std::string& s) {
  return "\"" + s + "\"";
}

struct recovery : ::testing::TestWithParam<std::size_t> {
  std::unique_ptr<harness> h;
  std::map<std::string, std::shared_ptr<socket>> socks;  // the latest socket of each id
  std::vector<std::shared_ptr<socket>> recovered;

  void start(std::optional<recovery_options> r = recovery_options{}) {
    socks.clear();
    recovered.clear();
    server_options o;
    o.connection_state_recovery = r;
    h = std::make_unique<harness>(GetParam(), false, std::move(o));
    h->io->on_connection([this](socket& s) {
      socks[s.id()] = s.shared_from_this();
      if (s.recovered()) recovered.push_back(s.shared_from_this());
    });
  }
  std::size_t last_worker() const { return GetParam() - 1; }
  session_aware_adapter& store(std::string_view nsp = "/") {
    return dynamic_cast<session_aware_adapter&>(h->io->of(nsp).get_adapter());
  }

  // Sends CONNECT with `auth` and reads up to the CONNECT answer.
  connected connect(fake_connection& c, const std::string& auth = "") {
    c.text("0" + auth);
    h->poll();
    connected out;
    while (auto m = c.pop()) {
      if (m->rfind("0{", 0) != 0) {
        out.before.push_back(*m);
        continue;
      }
      auto o = boost::json::parse(m->substr(1)).as_object();
      EXPECT_EQ(o.size(), 2u) << *m;
      out.id.sid = std::string(o.at("sid").as_string());
      out.id.pid = std::string(o.at("pid").as_string());
      EXPECT_EQ(*m, "0{\"sid\":" + json_str(out.id.sid) + ",\"pid\":" + json_str(out.id.pid) + "}");
      return out;
    }
    ADD_FAILURE() << "no CONNECT answer";
    return out;
  }
  static std::string resume(const ids& id, const std::string& offset) {
    return "{\"pid\":" + json_str(id.pid) + ",\"offset\":" + json_str(offset) + "}";
  }
  // On the socket's worker.
  void on(const std::string& sid, std::function<void(socket&)> f) {
    auto s = socks.at(sid);
    h->on_worker(s->worker_index(), [s, f = std::move(f)] { f(*s); });
  }
  // Drops the connection as a lost network does and waits until the session is persisted.
  void drop(fake_connection& c, std::size_t sessions_after = 1) {
    c.peer_close(close_reason::transport_close);
    h->poll();
    ASSERT_EQ(store().session_count(), sessions_after);
  }
};

TEST_P(recovery, ConnectCarriesAPidOnlyWhenOn) {
  start(std::nullopt);
  auto off = h->connect(0);
  off->text("0");
  h->poll();
  auto m = off->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(boost::json::parse(m->substr(1)).as_object().size(), 1u) << *m;  // {"sid"} only
  h->io->emit("plain", 1);
  h->poll();
  EXPECT_EQ(off->pop(), "2[\"plain\",1]");

  start();
  auto on = h->connect(0);
  const auto id = connect(*on).id;
  EXPECT_EQ(id.sid.size(), 20u);
  EXPECT_EQ(id.pid.size(), 20u);
  EXPECT_NE(id.sid, id.pid);
  ASSERT_EQ(socks.count(id.sid), 1u);
  EXPECT_FALSE(socks.at(id.sid)->recovered());
}

TEST_P(recovery, OffsetsWhereNodeAppendsThem) {
  start();
  auto c = h->connect(0);
  const auto id = connect(*c).id;
  on(id.sid, [](socket& s) {
    s.join("r");
    s.on("ask", [](socket&, const boost::json::array&, ack a) { a("answer"); });
  });
  std::vector<std::string> offsets;
  auto expect_offset = [&](const std::string& prefix) {
    auto m = c->pop();
    ASSERT_TRUE(m);
    auto off = last_string_arg(*m);
    ASSERT_TRUE(off) << *m;
    EXPECT_EQ(*m, prefix + "," + json_str(*off) + "]");
    offsets.push_back(*off);
  };
  // Broadcast, room broadcast, except, direct emit: an offset, appended last.
  h->io->emit("all", 1);
  h->poll();
  expect_offset("2[\"all\",1");
  h->io->to("r").emit("room", "x");
  h->poll();
  expect_offset("2[\"room\",\"x\"");
  h->io->except("nobody").emit("except");
  h->poll();
  expect_offset("2[\"except\"");
  on(id.sid, [](socket& s) { s.emit("direct", boost::json::object{{"k", 1}}); });
  expect_offset("2[\"direct\",{\"k\":1}");
  // Volatile (socket and broadcast), emit_with_ack (socket and broadcast), acks: none.
  on(id.sid, [](socket& s) {
    s.volatile_().emit("v1");
    s.emit_with_ack("q", make_payload(1), [](boost::system::error_code, payload) {});
  });
  h->io->volatile_().emit("v2");
  h->io->emit_with_ack("bq", make_payload(2),
                       [](boost::system::error_code, std::vector<payload>) {});
  c->text("27[\"ask\"]");
  h->poll();
  EXPECT_EQ(c->pop(), "2[\"v1\"]");
  auto q = c->pop();
  ASSERT_TRUE(q);
  EXPECT_EQ(q->substr(q->find('[')), "[\"q\",1]");
  EXPECT_EQ(c->pop(), "2[\"v2\"]");
  auto bq = c->pop();
  ASSERT_TRUE(bq);
  EXPECT_EQ(bq->substr(bq->find('[')), "[\"bq\",2]");
  EXPECT_EQ(c->pop(), "37[\"answer\"]");
  EXPECT_EQ(c->pop(), std::nullopt);
  EXPECT_EQ(std::set<std::string>(offsets.begin(), offsets.end()).size(), offsets.size());
  EXPECT_EQ(store().packet_count(), offsets.size());  // only those are logged
}

TEST_P(recovery, BinaryEventsGetTheOffsetAfterTheirPlaceholders) {
  start();
  auto c = h->connect(0);
  connect(*c);
  h->io->emit("bin", binary(std::string("\x01\x02", 2)));
  h->poll();
  auto m = c->pop();
  ASSERT_TRUE(m);
  auto off = last_string_arg(*m);
  ASSERT_TRUE(off);
  EXPECT_EQ(*m, "51-[\"bin\",{\"_placeholder\":true,\"num\":0}," + json_str(*off) + "]");
  EXPECT_EQ(c->pop(), std::string("b:\x01\x02", 4));
}

// Node's "should restore session and missed packets" and "should restore rooms and data".
TEST_P(recovery, RestoresIdRoomsDataAndMissedPacketsBeforeConnect) {
  start();
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  on(id.sid, [](socket& s) {
    s.join("room1");
    s.data["foo"] = "bar";
  });
  h->io->emit("hello");
  h->poll();
  const auto offset = last_string_arg(*c1->pop());
  ASSERT_TRUE(offset);
  auto old = socks.at(id.sid);
  drop(*c1);

  h->io->emit("hello1");                            // broadcast
  h->io->to("room1").emit("hello2");                // broadcast to room
  h->on_worker(0, [old] { old->emit("hello3"); });  // direct message, while disconnected
  h->io->to("room2").emit("not-mine");
  h->io->except("room1").emit("excluded");
  h->io->volatile_().emit("volatile");
  h->poll();

  auto c2 = h->connect(last_worker());
  const auto back = connect(*c2, resume(id, *offset));
  EXPECT_EQ(back.id.sid, id.sid);
  EXPECT_EQ(back.id.pid, id.pid);
  ASSERT_EQ(back.before.size(), 3u);
  const char* names[] = {"hello1", "hello2", "hello3"};
  for (std::size_t i = 0; i < 3; ++i) {
    auto off = last_string_arg(back.before[i]);
    ASSERT_TRUE(off);
    EXPECT_EQ(back.before[i], "2[" + json_str(names[i]) + "," + json_str(*off) + "]");
  }
  EXPECT_EQ(c2->pop(), std::nullopt);  // once

  ASSERT_EQ(recovered.size(), 1u);
  auto& s = *recovered.front();
  EXPECT_EQ(s.id(), id.sid);
  EXPECT_TRUE(s.recovered());
  EXPECT_NE(&s, old.get());
  std::vector<room> rooms;
  boost::json::object data;
  h->on_worker(s.worker_index(), [&] {
    rooms = s.rooms();
    data = s.data;
  });
  std::sort(rooms.begin(), rooms.end());
  std::vector<room> want{"room1", id.sid};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(rooms, want);
  EXPECT_EQ(data, (boost::json::object{{"foo", "bar"}}));
  EXPECT_EQ(store().session_count(), 0u);

  // The rooms are live again, and the old socket object reaches the new one (Node: by its room).
  h->io->to("room1").emit("after");
  h->on_worker(0, [old] { old->emit("from-old"); });
  h->poll();
  auto after = c2->pop();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->rfind("2[\"after\",", 0), 0u) << *after;
  auto from_old = c2->pop();
  ASSERT_TRUE(from_old);
  EXPECT_EQ(from_old->rfind("2[\"from-old\",", 0), 0u) << *from_old;
}

TEST_P(recovery, MissedBinaryPacketsKeepTheirAttachments) {
  start();
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  h->io->emit("bin", binary(std::string("\xff\x00", 2)), "tail");
  h->poll();
  auto c2 = h->connect(last_worker());
  const auto back = connect(*c2, resume(id, offset));
  ASSERT_EQ(back.before.size(), 2u);
  const auto off = last_string_arg(back.before[0]);
  ASSERT_TRUE(off);
  EXPECT_EQ(back.before[0],
            "51-[\"bin\",{\"_placeholder\":true,\"num\":0},\"tail\"," + json_str(*off) + "]");
  EXPECT_EQ(back.before[1], std::string("b:\xff\x00", 4));
}

TEST_P(recovery, UnknownPidGivesAFreshSocket) {
  start();
  auto c = h->connect(0);
  const auto got = connect(*c, "{\"pid\":\"foo\",\"offset\":\"bar\"}");
  EXPECT_TRUE(got.before.empty());
  EXPECT_NE(got.id.sid, "foo");
  EXPECT_NE(got.id.pid, "foo");
  EXPECT_TRUE(recovered.empty());
  ASSERT_EQ(socks.count(got.id.sid), 1u);
}

TEST_P(recovery, UnknownOffsetGivesAFreshSocketAndKeepsTheSession) {
  start();
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  for (const auto& bad :
       std::vector<std::string>{"bar", offset + "0", offset.substr(0, offset.size() - 1) + "Z"}) {
    auto c = h->connect(last_worker());
    const auto got = connect(*c, resume(id, bad));
    EXPECT_NE(got.id.sid, id.sid) << bad;
    EXPECT_NE(got.id.pid, id.pid) << bad;
  }
  EXPECT_TRUE(recovered.empty());
  // As Node, the session is still there for the right offset.
  auto c2 = h->connect(last_worker());
  EXPECT_EQ(connect(*c2, resume(id, offset)).id.sid, id.sid);
  EXPECT_EQ(recovered.size(), 1u);
}

TEST_P(recovery, ASessionIsRestoredOnce) {
  start();
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  auto c2 = h->connect(last_worker());
  EXPECT_EQ(connect(*c2, resume(id, offset)).id.sid, id.sid);
  auto c3 = h->connect(0);
  const auto other = connect(*c3, resume(id, offset)).id;
  EXPECT_NE(other.sid, id.sid);
  EXPECT_NE(other.pid, id.pid);
  EXPECT_EQ(recovered.size(), 1u);
}

TEST_P(recovery, RecoveredSocketCanRecoverAgain) {
  start();
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  h->io->emit("one");
  h->poll();
  const auto offset1 = *last_string_arg(*c1->pop());
  drop(*c1);
  auto c2 = h->connect(last_worker());
  EXPECT_EQ(connect(*c2, resume(id, offset1)).id.sid, id.sid);
  h->io->emit("two");
  h->poll();
  const auto offset2 = *last_string_arg(*c2->pop());
  drop(*c2);
  h->io->emit("three");
  h->poll();
  auto c3 = h->connect(0);
  const auto back = connect(*c3, resume(id, offset2));
  EXPECT_EQ(back.id.sid, id.sid);
  ASSERT_EQ(back.before.size(), 1u);
  EXPECT_EQ(back.before[0].rfind("2[\"three\",", 0), 0u);
}

TEST_P(recovery, ExpiredSessionGivesAFreshSocket) {
  start(recovery_options{.max_disconnection_duration = 30ms});
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  const auto expired = std::chrono::steady_clock::now() + 31ms;
  ASSERT_TRUE(h->run_until([&] { return std::chrono::steady_clock::now() > expired; }));
  auto c2 = h->connect(last_worker());
  const auto got = connect(*c2, resume(id, offset));
  EXPECT_NE(got.id.sid, id.sid);
  EXPECT_TRUE(got.before.empty());
  EXPECT_TRUE(recovered.empty());
}

TEST_P(recovery, SweepDropsExpiredSessionsAndPackets) {
  start(recovery_options{.max_disconnection_duration = 20ms});
  auto c1 = h->connect(0);
  connect(*c1);
  h->io->emit("hello");
  h->poll();
  drop(*c1);
  EXPECT_EQ(store().packet_count(), 1u);
  // Nothing touches the store: only the periodic sweep can empty it.
  ASSERT_TRUE(h->run_until([&] { return store().session_count() + store().packet_count() == 0; }));
}

TEST_P(recovery, BeyondMaxSessionsTheOldestLosesRecovery) {
  start(recovery_options{.max_sessions = 1});
  auto c1 = h->connect(0);
  auto c2 = h->connect(last_worker());
  const auto id1 = connect(*c1).id;
  const auto id2 = connect(*c2).id;
  h->io->emit("hello");
  h->poll();
  const auto off1 = *last_string_arg(*c1->pop());
  const auto off2 = *last_string_arg(*c2->pop());
  drop(*c1);
  drop(*c2);  // still one: c1's session made room
  auto r1 = h->connect(0);
  EXPECT_NE(connect(*r1, resume(id1, off1)).id.sid, id1.sid);
  auto r2 = h->connect(0);
  EXPECT_EQ(connect(*r2, resume(id2, off2)).id.sid, id2.sid);
}

TEST_P(recovery, BeyondMaxPacketsTheOldestOffsetsAreGone) {
  start(recovery_options{.max_packets = 2});
  auto c1 = h->connect(0);
  auto c2 = h->connect(last_worker());
  const auto id1 = connect(*c1).id;
  const auto id2 = connect(*c2).id;
  h->io->emit("hello");
  h->poll();
  const auto off1 = *last_string_arg(*c1->pop());
  drop(*c1);
  h->io->emit("m1");
  h->io->emit("m2");
  h->io->emit("m3");  // "hello" and "m1" left the log: c1 missed a packet no longer kept
  h->poll();
  for (int i = 0; i < 3; ++i) c2->pop();
  const auto off2 = *last_string_arg(*c2->pop());
  drop(*c2, 2);
  EXPECT_EQ(store().packet_count(), 2u);
  auto r1 = h->connect(0);
  const auto fresh = connect(*r1, resume(id1, off1));
  EXPECT_NE(fresh.id.sid, id1.sid);
  EXPECT_TRUE(fresh.before.empty());
  // c2 missed nothing: restorable (every packet after its offset is kept).
  auto r2 = h->connect(0);
  const auto back = connect(*r2, resume(id2, off2));
  EXPECT_EQ(back.id.sid, id2.sid);
  EXPECT_TRUE(back.before.empty());
}

TEST_P(recovery, MiddlewaresAreSkippedByDefault) {
  start();
  int runs = 0;
  h->io->use([&](socket&, next n) {
    ++runs;
    n();
  });
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  auto c2 = h->connect(last_worker());
  EXPECT_EQ(connect(*c2, resume(id, offset)).id.sid, id.sid);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(recovered.size(), 1u);
}

TEST_P(recovery, MiddlewaresRunWhenNotSkippedAndSeeTheRecoveredSocket) {
  start(recovery_options{.skip_middlewares = false});
  std::vector<std::pair<bool, boost::json::object>> seen;
  bool refuse = false;
  h->io->use([&](socket& s, next n) {
    seen.emplace_back(s.recovered(), s.data);
    if (refuse) return n(connect_error{"no", std::nullopt});
    n();
  });
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  on(id.sid, [](socket& s) { s.data["user"] = 7; });
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  h->io->emit("missed");
  h->poll();
  auto c2 = h->connect(last_worker());
  const auto back = connect(*c2, resume(id, offset));
  EXPECT_EQ(back.id.sid, id.sid);
  ASSERT_EQ(back.before.size(), 1u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].first);
  EXPECT_TRUE(seen[1].first);
  EXPECT_EQ(seen[1].second, (boost::json::object{{"user", 7}}));

  // A refused recovery writes the refusal only, no missed packet, and keeps the session.
  const auto offset2 = *last_string_arg(back.before[0]);
  drop(*c2);
  h->io->emit("missed-again");
  h->poll();
  refuse = true;
  auto c3 = h->connect(0);
  c3->text("0" + resume(id, offset2));
  h->poll();
  EXPECT_EQ(c3->pop(), "4{\"message\":\"no\"}");
  EXPECT_EQ(c3->pop(), std::nullopt);
  EXPECT_EQ(store().session_count(), 1u);
  refuse = false;
  auto c4 = h->connect(last_worker());
  const auto again = connect(*c4, resume(id, offset2));
  EXPECT_EQ(again.id.sid, id.sid);
  ASSERT_EQ(again.before.size(), 1u);
  EXPECT_EQ(again.before[0].rfind("2[\"missed-again\",", 0), 0u);
}

TEST_P(recovery, OnlyRecoverableReasonsPersistASession) {
  start();
  std::size_t expected = 0;
  auto connect_one = [&] {
    auto c = h->connect(last_worker());
    connect(*c);
    return c;
  };
  // The client leaves its namespace, the server disconnects the socket, a parse error: nothing.
  auto a = connect_one();
  a->text("1");
  auto b = connect_one();
  for (auto& kv : socks) kv.second->disconnect();
  auto p = connect_one();
  p->text("2[\"unterminated");
  h->poll();
  EXPECT_EQ(store().session_count(), 0u);
  // The engine lost the transport in any way.
  for (auto r :
       {close_reason::transport_close, close_reason::transport_error, close_reason::ping_timeout,
        close_reason::forced_close, close_reason::server_shutdown}) {
    connect_one()->peer_close(r);
    h->poll();
    EXPECT_EQ(store().session_count(), ++expected);
  }
  // Invalid state (a second CONNECT to the same namespace): "forced server close".
  auto twice = connect_one();
  twice->text("0");
  h->poll();
  EXPECT_TRUE(twice->is_closed());
  EXPECT_EQ(store().session_count(), ++expected);
  // The server stops: "server shutting down".
  connect_one();
  h->io->stop();
  h->poll();
  EXPECT_EQ(store().session_count(), expected + 1);
}

TEST_P(recovery, ClientReturnsOnAnotherWorkerIntoItsRooms) {
  start();
  auto c1 = h->connect(0);
  const auto id = connect(*c1).id;
  on(id.sid, [](socket& s) { s.join("r"); });
  h->io->emit("hello");
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  drop(*c1);
  auto c2 = h->connect(last_worker());
  EXPECT_EQ(connect(*c2, resume(id, offset)).id.sid, id.sid);
  EXPECT_EQ(recovered.front()->worker_index(), last_worker());
  std::vector<std::string> in_r;
  h->io->in("r").socket_ids([&](std::vector<std::string> v) { in_r = std::move(v); });
  h->io->to("r").emit("live");
  h->poll();
  EXPECT_EQ(in_r, std::vector<std::string>{id.sid});
  auto m = c2->pop();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rfind("2[\"live\",", 0), 0u);
  EXPECT_EQ(c2->pop(), std::nullopt);
}

TEST_P(recovery, CustomNamespacesKeepTheirOwnLog) {
  start();
  h->io->of("/chat").on_connection([](socket& s) { s.join("r"); });
  auto c1 = h->connect(0);
  c1->text("0/chat,");
  h->poll();
  auto m = c1->pop();
  ASSERT_TRUE(m);
  auto o = boost::json::parse(m->substr(m->find('{'))).as_object();
  const ids id{std::string(o.at("sid").as_string()), std::string(o.at("pid").as_string())};
  h->io->of("/chat").emit("hello");
  h->io->emit("main");  // not this namespace's log
  h->poll();
  const auto offset = *last_string_arg(*c1->pop());
  c1->peer_close(close_reason::transport_close);
  h->poll();
  EXPECT_EQ(store("/chat").session_count(), 1u);
  h->io->of("/chat").to("r").emit("missed");
  h->poll();
  auto c2 = h->connect(last_worker());
  c2->text("0/chat," + resume(id, offset));
  h->poll();
  auto missed = c2->pop();
  ASSERT_TRUE(missed);
  EXPECT_EQ(missed->rfind("2/chat,[\"missed\",", 0), 0u) << *missed;
  EXPECT_EQ(c2->pop(),
            "0/chat,{\"sid\":" + json_str(id.sid) + ",\"pid\":" + json_str(id.pid) + "}");
}

INSTANTIATE_TEST_SUITE_P(workers, recovery, ::testing::Values(1, 4));

// With worker threads: a room broadcast keeps going from another thread while the client drops
// and comes back on another worker. What the first connection received plus what the second one
// received (missed packets, then live ones) is every packet, in order, each once.
TEST(RecoveryThreads, NoPacketLostOrDuplicatedWhileBroadcastsRace) {
  server_options o;
  o.connection_state_recovery = recovery_options{};
  harness h(4, true, std::move(o));
  h.io->on_connection([](socket& s) { s.join("r"); });
  auto c1 = h.connect(0);
  c1->text("0");
  ASSERT_TRUE(c1->wait_pending(1));
  auto hello = boost::json::parse(c1->pop()->substr(1)).as_object();
  const ids id{std::string(hello.at("sid").as_string()), std::string(hello.at("pid").as_string())};

  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> sent{0};
  std::thread emitter([&] {
    for (std::int64_t i = 1; !stop.load() && i <= 50'000; ++i) {
      h.io->to("r").emit("n", i);
      sent.store(i);
      if (i % 64 == 0) std::this_thread::yield();
    }
  });
  ASSERT_TRUE(c1->wait_pending(50));
  c1->peer_close(close_reason::transport_close);
  auto first = c1->take_all();  // final: a closed connection takes nothing more
  ASSERT_FALSE(first.empty());
  auto& adapter = dynamic_cast<session_aware_adapter&>(h.io->of("/").get_adapter());
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (adapter.session_count() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(adapter.session_count(), 1u);
  const auto offset = *last_string_arg(first.back()->data);

  auto c2 = h.connect(3);
  c2->text("0{\"pid\":\"" + id.pid + "\",\"offset\":\"" + offset + "\"}");
  // Let the broadcasts run on for a while after the recovery, then stop them.
  const auto resumed_at = sent.load();
  while (sent.load() < resumed_at + 500 && sent.load() < 50'000 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  stop = true;
  emitter.join();
  const auto total = sent.load();
  h.io->to("r").emit("end");

  std::vector<std::int64_t> got;
  for (const auto& m : first)
    got.push_back(boost::json::parse(m->data.substr(1)).as_array()[1].as_int64());
  bool connected_seen = false, ended = false;
  while (!ended) {
    ASSERT_TRUE(c2->wait_pending(1));
    const auto m = *c2->pop();
    if (m.rfind("0{", 0) == 0) {
      EXPECT_EQ(m, "0{\"sid\":" + json_str(id.sid) + ",\"pid\":" + json_str(id.pid) + "}");
      connected_seen = true;
      continue;
    }
    const auto a = boost::json::parse(m.substr(1)).as_array();
    if (a[0].as_string() == "end") {
      ended = true;
      continue;
    }
    got.push_back(a[1].as_int64());
  }
  EXPECT_TRUE(connected_seen);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(total));
  for (std::int64_t i = 0; i < total; ++i) ASSERT_EQ(got[i], i + 1) << "at " << i;
}

}  // namespace
}  // namespace sio::test
