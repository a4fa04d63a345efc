// Session tests: rooms and broadcasts through the adapter (to/except, socket.broadcast, volatile,
// local), fetch_sockets, sockets_join/leave, disconnect_sockets, broadcast acks, backpressure.
// Parameterized on the worker count (1 and 4), polled deterministically by the test thread.
#include "harness.hpp"

#include <algorithm>
#include <set>

namespace sio::test {
namespace {

struct rooms : ::testing::TestWithParam<std::size_t> {
  harness h{GetParam()};
  std::vector<std::shared_ptr<fake_connection>> conns;
  std::vector<std::string> ids;
  std::map<std::string, std::shared_ptr<socket>> socks;

  void SetUp() override {
    h.io->on_connection([this](socket& s) { socks[s.id()] = s.shared_from_this(); });
  }
  // n clients spread over the workers.
  void open(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      conns.push_back(h.connect(i % GetParam()));
      ids.push_back(h.join(*conns.back()));
    }
  }
  socket& s(std::size_t i) { return *socks.at(ids[i]); }
  // Joins on the socket's own worker.
  void join(std::size_t i, std::string_view r) {
    auto sp = socks.at(ids[i]);
    h.on_worker(sp->worker_index(), [sp, r = std::string(r)] { sp->join(r); });
  }
  std::vector<std::optional<std::string>> next_of_each() {
    std::vector<std::optional<std::string>> v;
    for (auto& c : conns) v.push_back(c->pop());
    return v;
  }
};

const std::optional<std::string> none;

TEST_P(rooms, ToExceptAndAll) {
  open(4);
  join(0, "a");
  join(1, "a");
  join(1, "b");
  join(2, "b");
  h.io->to("a").emit("m", 1);
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"m\",1]", "2[\"m\",1]", none, none}));
  h.io->to({"a", "b"}).emit("m", 2);  // each socket once
  h.poll();
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>{"2[\"m\",2]", "2[\"m\",2]",
                                                                     "2[\"m\",2]", none}));
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>(4, none)));
  h.io->to("a").except("b").emit("m", 3);
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"m\",3]", none, none, none}));
  h.io->except(ids[3]).emit("m", 4);
  h.poll();
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>{"2[\"m\",4]", "2[\"m\",4]",
                                                                     "2[\"m\",4]", none}));
  h.io->emit("m", 5);
  h.io->local().emit("m", 6);
  h.poll();
  for (auto& c : conns) {
    EXPECT_EQ(c->pop(), "2[\"m\",5]");
    EXPECT_EQ(c->pop(), "2[\"m\",6]");
  }
  // Each socket is in its own id room.
  h.io->to(ids[2]).emit("private");
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{none, none, "2[\"private\"]", none}));
}

// A socket's own room behaves as any room: others may join it, its owner may leave it.
TEST_P(rooms, OwnRoomCanBeJoinedByOthersAndLeft) {
  open(3);
  join(1, ids[0]);
  auto sp = socks.at(ids[0]);
  std::vector<room> r0;
  h.on_worker(sp->worker_index(), [&] {
    sp->join({"b", "a", "b"});
    r0 = sp->rooms();
  });
  h.poll();
  EXPECT_EQ(r0, (std::vector<room>{ids[0], "b", "a"}));  // own room first, then join order
  h.io->to(ids[0]).emit("m", 1);
  h.io->except(ids[0]).emit("m", 2);
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"m\",1]", "2[\"m\",1]", "2[\"m\",2]"}));
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>(3, none)));
  h.on_worker(sp->worker_index(), [&] {
    sp->leave(ids[0]);
    sp->leave("b");
    r0 = sp->rooms();
  });
  h.poll();
  EXPECT_EQ(r0, (std::vector<room>{"a"}));
  h.io->to(ids[0]).emit("m", 3);
  h.io->except(ids[0]).emit("m", 4);
  h.io->to({"a", ids[0]}).emit("m", 5);
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"m\",4]", "2[\"m\",3]", "2[\"m\",4]"}));
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"m\",5]", "2[\"m\",5]", none}));
  // The owner leaves the namespace: the other member of the room named after it stays there.
  conns[0]->peer_close(engineio::close_reason::transport_close);
  h.poll();
  std::vector<std::string> in_room;
  h.io->in(ids[0]).socket_ids([&](std::vector<std::string> v) { in_room = std::move(v); });
  h.poll();
  EXPECT_EQ(in_room, std::vector<std::string>{ids[1]});
}

TEST_P(rooms, BroadcastIsEncodedOnce) {
  open(4);
  h.io->emit("shared", "payload");
  h.poll();
  std::set<const engineio::message*> frames;
  for (auto& c : conns) {
    auto all = c->take_all();
    ASSERT_EQ(all.size(), 1u);
    frames.insert(all.front().get());
  }
  EXPECT_EQ(frames.size(), 1u);  // the very same immutable frame went to every receiver
}

TEST_P(rooms, SocketBroadcastExcludesItself) {
  open(3);
  join(0, "r");
  join(1, "r");
  auto sp = socks.at(ids[0]);
  h.on_worker(sp->worker_index(), [sp] {
    sp->to("r").emit("x");
    sp->broadcast().emit("y");
  });
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{none, "2[\"x\"]", "2[\"y\"]"}));
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>{none, "2[\"y\"]", none}));
}

TEST_P(rooms, OtherNamespacesAreIsolated) {
  h.io->of("/other");
  open(2);
  auto c = h.connect(0);
  h.join(*c, "/other");
  h.io->emit("main-only");
  h.io->of("/other").emit("other-only");
  h.poll();
  EXPECT_EQ(conns[0]->pop(), "2[\"main-only\"]");
  EXPECT_EQ(conns[0]->pop(), none);
  EXPECT_EQ(c->pop(), "2/other,[\"other-only\"]");
  EXPECT_EQ(c->pop(), none);
}

TEST_P(rooms, VolatileIsDroppedWhenNotWritable) {
  open(3);
  conns[1]->set_writable(false);
  h.io->volatile_().emit("tick", 1);
  h.io->emit("tock", 2);
  h.poll();
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>{
                                "2[\"tick\",1]", "2[\"tock\",2]", "2[\"tick\",1]"}));
  auto sp = socks.at(ids[1]);
  sp->volatile_().emit("direct");
  socks.at(ids[0])->volatile_().emit("direct");
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"tock\",2]", none, "2[\"tock\",2]"}));
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>{"2[\"direct\"]", none, none}));
}

TEST_P(rooms, JoinLeaveAndRoomsCleanedOnDisconnect) {
  open(2);
  auto sp = socks.at(ids[0]);
  std::vector<room> at_disconnecting, at_disconnect;
  h.on_worker(sp->worker_index(), [&] {
    sp->join({"a", "b", "c"});
    sp->leave("b");
    auto r = sp->rooms();
    std::sort(r.begin(), r.end());
    std::vector<room> want{"a", "c", ids[0]};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(r, want);
    sp->on_disconnecting([&](socket& s, disconnect_reason) { at_disconnecting = s.rooms(); });
    sp->on_disconnect([&](socket& s, disconnect_reason) { at_disconnect = s.rooms(); });
  });
  std::vector<std::string> in_a;
  h.io->in("a").socket_ids([&](std::vector<std::string> v) { in_a = std::move(v); });
  h.poll();
  EXPECT_EQ(in_a, std::vector<std::string>{ids[0]});
  conns[0]->peer_close(engineio::close_reason::transport_close);
  h.poll();
  EXPECT_EQ(at_disconnecting.size(), 3u);
  EXPECT_TRUE(at_disconnect.empty());
  h.io->in("a").socket_ids([&](std::vector<std::string> v) { in_a = std::move(v); });
  h.poll();
  EXPECT_TRUE(in_a.empty());
  std::vector<std::string> all;
  h.io->sockets().socket_ids([&](std::vector<std::string> v) { all = std::move(v); });
  h.poll();
  EXPECT_EQ(all, std::vector<std::string>{ids[1]});
}

TEST_P(rooms, FetchSocketsAndRemoteActions) {
  open(4);
  for (std::size_t i = 0; i < 4; ++i) {
    auto sp = socks.at(ids[i]);
    h.on_worker(sp->worker_index(), [sp, i] {
      sp->data["n"] = i;
      if (i % 2 == 0) sp->join("even");
    });
  }
  std::vector<remote_socket> found;
  bool done = false;
  h.io->in("even").fetch_sockets([&](std::vector<remote_socket> v) {
    found = std::move(v);
    done = true;
  });
  ASSERT_TRUE(h.run_until([&] { return done; }));
  ASSERT_EQ(found.size(), 2u);
  std::set<std::int64_t> ns;
  for (auto& r : found) {
    ns.insert(r.data().at("n").to_number<std::int64_t>());
    EXPECT_NE(std::find(r.rooms().begin(), r.rooms().end(), "even"), r.rooms().end());
    EXPECT_EQ(r.handshake().address(), "127.0.0.1");
  }
  EXPECT_EQ(ns, (std::set<std::int64_t>{0, 2}));
  // Remote actions reach the socket wherever it lives.
  const auto target = found.front().id();
  const std::size_t idx = std::find(ids.begin(), ids.end(), target) - ids.begin();
  found.front().emit("hello", "remote");
  found.front().join("vip");
  h.poll();
  EXPECT_EQ(conns[idx]->pop(), "2[\"hello\",\"remote\"]");
  h.io->to("vip").emit("vip-only");
  h.poll();
  EXPECT_EQ(conns[idx]->pop(), "2[\"vip-only\"]");
  found.front().disconnect();
  h.poll();
  EXPECT_EQ(conns[idx]->pop(), "1");
  EXPECT_FALSE(socks.at(target)->connected());
}

TEST_P(rooms, SocketsJoinLeaveAndDisconnectSockets) {
  open(4);
  join(0, "g");
  join(1, "g");
  h.io->in("g").sockets_join("h");
  h.poll();
  h.io->to("h").emit("x");
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{"2[\"x\"]", "2[\"x\"]", none, none}));
  h.io->in(ids[0]).sockets_leave("h");
  h.poll();
  h.io->to("h").emit("y");
  h.poll();
  EXPECT_EQ(next_of_each(),
            (std::vector<std::optional<std::string>>{none, "2[\"y\"]", none, none}));
  h.io->sockets_join("everyone");
  h.poll();
  h.io->to("everyone").emit("z");
  h.poll();
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>(4, "2[\"z\"]")));

  std::map<std::string, disconnect_reason> reasons;
  for (auto& [id, sp] : socks) {
    h.on_worker(sp->worker_index(), [&reasons, sp] {
      sp->on_disconnect([&reasons](socket& s, disconnect_reason r) { reasons[s.id()] = r; });
    });
  }
  h.io->in("g").disconnect_sockets();
  h.poll();
  EXPECT_EQ(next_of_each(), (std::vector<std::optional<std::string>>{"1", "1", none, none}));
  EXPECT_FALSE(conns[0]->is_closed());
  h.io->disconnect_sockets(true);
  h.poll();
  EXPECT_TRUE(conns[2]->is_closed());
  EXPECT_TRUE(conns[3]->is_closed());
  EXPECT_EQ(reasons.size(), 4u);
  for (auto& [id, r] : reasons) EXPECT_EQ(r, disconnect_reason::server_namespace_disconnect);
}

TEST_P(rooms, BroadcastAcksCollectEveryAnswer) {
  open(3);
  join(0, "q");
  join(2, "q");
  bool done = false;
  boost::system::error_code got_ec = make_error_code(error::timeout);
  std::vector<payload> got;
  h.io->to("q")
      .timeout(std::chrono::milliseconds(10000))
      .emit_with_ack("poll", make_payload("?"),
                     [&](boost::system::error_code ec, std::vector<payload> r) {
                       EXPECT_FALSE(done);
                       done = true;
                       got_ec = ec;
                       got = std::move(r);
                     });
  h.poll();
  auto m0 = conns[0]->pop();
  auto m2 = conns[2]->pop();
  ASSERT_TRUE(m0 && m2);
  EXPECT_EQ(*m0, *m2);  // one id serves every receiver
  EXPECT_EQ(conns[1]->pop(), none);
  const auto id = m0->substr(1, m0->find('[') - 1);
  conns[0]->text("3" + id + "[\"yes\"]");
  h.poll();
  EXPECT_FALSE(done);
  conns[2]->text("3" + id + "[\"no\"]");
  h.poll();
  ASSERT_TRUE(done);
  EXPECT_FALSE(got_ec);
  std::multiset<std::string> answers;
  for (auto& p : got) answers.insert(boost::json::serialize(p.args));
  EXPECT_EQ(answers, (std::multiset<std::string>{"[\"yes\"]", "[\"no\"]"}));
}

TEST_P(rooms, BroadcastAcksTimeOutWithPartialAnswers) {
  open(2);
  bool done = false;
  boost::system::error_code got_ec;
  std::vector<payload> got;
  h.io->timeout(std::chrono::milliseconds(30))
      .emit_with_ack("poll", {}, [&](boost::system::error_code ec, std::vector<payload> r) {
        EXPECT_FALSE(done);
        done = true;
        got_ec = ec;
        got = std::move(r);
      });
  h.poll();
  auto m0 = conns[0]->pop();
  ASSERT_TRUE(m0);
  conns[0]->text("3" + m0->substr(1, m0->find('[') - 1) + "[1]");
  ASSERT_TRUE(h.run_until([&] { return done; }));
  EXPECT_EQ(got_ec, make_error_code(error::timeout));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(boost::json::serialize(got[0].args), "[1]");
}

TEST_P(rooms, BroadcastAckWithNoReceiversCompletesAtOnce) {
  open(1);
  bool done = false;
  h.io->to("empty")
      .timeout(std::chrono::milliseconds(10000))
      .emit_with_ack("x", {}, [&](boost::system::error_code ec, std::vector<payload> r) {
        EXPECT_FALSE(ec);
        EXPECT_TRUE(r.empty());
        done = true;
      });
  h.poll();
  EXPECT_TRUE(done);
}

// The adapter's entries hold handles of the sockets: a member gone during a broadcast (here
// disconnected by another member's outgoing listener) is skipped, and once it is released for good
// the room reaches only those still in it.
TEST_P(rooms, MemberGoneDuringBroadcastIsSkipped) {
  for (int i = 0; i < 3; ++i) {  // one worker: the broadcast reaches them in one turn
    conns.push_back(h.connect(0));
    ids.push_back(h.join(*conns.back()));
  }
  auto first = socks.at(ids[0]);
  std::weak_ptr<socket> gone = socks.at(ids[1]);
  h.on_worker(0, [&] {
    for (auto& [id, sp] : socks) sp->join("r");
    first->on_any_outgoing([&](socket&, std::string_view, std::span<const boost::json::value>) {
      if (auto g = gone.lock()) g->disconnect();
    });
  });
  h.poll();
  socks.erase(ids[1]);
  h.io->to("r").emit("x");
  h.poll();
  EXPECT_EQ(conns[0]->pop(), "2[\"x\"]");
  EXPECT_EQ(conns[2]->pop(), "2[\"x\"]");
  // The gone member got the event only if it came before the listener ran; then its DISCONNECT.
  auto rest = conns[1]->take_all();
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.back()->data, "1");
  EXPECT_TRUE(gone.expired());
  h.io->to("r").emit("y");
  h.poll();
  EXPECT_EQ(conns[0]->pop(), "2[\"y\"]");
  EXPECT_EQ(conns[2]->pop(), "2[\"y\"]");
  EXPECT_TRUE(conns[1]->take_all().empty());
}

// Everything one turn of a worker posts to another worker (broadcast jobs, joins and leaves of the
// sockets living there) runs there in the order written.
TEST_P(rooms, WorkPostedInOneTurnRunsOnTheOtherWorkerInOrder) {
  open(2);
  join(0, "r");
  auto other = socks.at(ids[1]);
  h.on_worker(s(0).worker_index(), [&] {
    h.io->to("r").emit("a");
    other->join("r");
    h.io->to("r").emit("b");
    other->leave("r");
    h.io->to("r").emit("c");
  });
  EXPECT_EQ(conns[0]->pop(), "2[\"a\"]");
  EXPECT_EQ(conns[0]->pop(), "2[\"b\"]");
  EXPECT_EQ(conns[0]->pop(), "2[\"c\"]");
  EXPECT_EQ(conns[1]->pop(), "2[\"b\"]");
  EXPECT_EQ(conns[1]->pop(), none);
}

// The broadcasts of one turn reach another worker together, in one handler, at the end of the
// turn: that worker delivers them back to back (its connections then write them in one go).
TEST(hand_over, BroadcastsOfOneTurnReachAnotherWorkerInOneHandler) {
  harness h{2};
  h.io->on_connection([](socket& s) { s.join("r"); });
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (std::size_t w = 0; w < 2; ++w) {
    cs.push_back(h.connect(w));
    h.join(*cs.back());
  }
  boost::asio::post(*h.ctxs[0], [&] {
    for (int i = 0; i < 3; ++i) h.io->to("r").emit("m", i);
  });
  h.ctxs[0]->restart();
  h.ctxs[0]->poll();  // the turn, then its hand-over
  EXPECT_EQ(cs[0]->take_all().size(), 3u);
  EXPECT_EQ(cs[1]->pending(), 0u);
  h.ctxs[1]->restart();
  EXPECT_EQ(h.ctxs[1]->poll_one(), 1u);
  EXPECT_EQ(cs[1]->pop(), "2[\"m\",0]");
  EXPECT_EQ(cs[1]->pop(), "2[\"m\",1]");
  EXPECT_EQ(cs[1]->pop(), "2[\"m\",2]");
}

TEST_P(rooms, SlowConsumerIsDisconnectedOthersKeepReceiving) {
  open(3);
  conns[1]->set_max_queue(2);
  std::vector<disconnect_reason> reasons;
  auto sp = socks.at(ids[1]);
  h.on_worker(sp->worker_index(), [&] {
    sp->on_disconnect([&](socket&, disconnect_reason r) { reasons.push_back(r); });
  });
  for (int i = 0; i < 5; ++i) h.io->emit("n", i);
  h.poll();
  EXPECT_TRUE(conns[1]->is_closed());
  EXPECT_EQ(conns[1]->closed_with(), engineio::close_reason::transport_error);
  EXPECT_EQ(reasons, (std::vector<disconnect_reason>{disconnect_reason::transport_error}));
  EXPECT_EQ(conns[0]->take_all().size(), 5u);
  EXPECT_EQ(conns[2]->take_all().size(), 5u);
  h.io->emit("after");
  h.poll();
  EXPECT_EQ(conns[0]->pop(), "2[\"after\"]");
  EXPECT_EQ(conns[2]->pop(), "2[\"after\"]");
  bool logged = false;
  for (const auto& l : h.log_lines()) logged |= l.find("overflow") != std::string::npos;
  EXPECT_TRUE(logged);
}

INSTANTIATE_TEST_SUITE_P(workers, rooms, ::testing::Values(1, 4));

}  // namespace
}  // namespace sio::test

namespace sio::test {
namespace {

// A cluster adapter plugs in through server_options::adapter; this one only counts broadcasts and
// relies on the in-memory adapter for the local fan-out.
class counting_adapter final : public in_memory_adapter {
 public:
  counting_adapter(adapter_host& nsp, std::atomic<int>& n) : in_memory_adapter(nsp), n_(n) {}
  void broadcast(outgoing_ptr p, broadcast_options opts) override {
    n_.fetch_add(1);
    in_memory_adapter::broadcast(std::move(p), std::move(opts));
  }
  void server_count(std::function<void(std::size_t)> done) override { done(1); }

 private:
  std::atomic<int>& n_;
};

TEST(adapter, CustomAdapterIsUsedByEveryNamespace) {
  std::atomic<int> broadcasts{0};
  server_options o;
  o.adapter = [&](adapter_host& nsp) {
    return std::make_unique<counting_adapter>(nsp, broadcasts);
  };
  harness h(2, false, o);
  h.io->of("/x");
  auto c = h.connect(1);
  h.join(*c);
  h.join(*c, "/x");
  h.io->emit("a");
  h.io->of("/x").to("nobody").emit("b");
  h.poll();
  EXPECT_EQ(broadcasts.load(), 2);
  EXPECT_EQ(c->pop(), "2[\"a\"]");
  EXPECT_EQ(c->pop(), std::nullopt);
}

}  // namespace
}  // namespace sio::test

namespace sio::test {
namespace {

// One set of modifiers (flag_builder) on the server, namespaces, broadcasts and sockets.
TEST(flags, EveryEmitterChainsTheSameModifiers) {
  harness h;
  const auto f = h.io->volatile_()
                     .compress(false)
                     .local()
                     .timeout(std::chrono::milliseconds(5))
                     .options()
                     .flags;
  EXPECT_TRUE(f.volatile_);
  EXPECT_FALSE(f.compress);
  EXPECT_TRUE(f.local);
  EXPECT_EQ(f.timeout, std::chrono::milliseconds(5));
  const auto base = h.io->of("/x").to("r");
  const auto loc = base.local();
  EXPECT_FALSE(base.options().flags.local);  // a modifier returns a new operator
  EXPECT_TRUE(loc.options().flags.local);
  EXPECT_EQ(loc.options().rooms, (std::vector<room>{"r"}));
  EXPECT_TRUE(h.io->of("/x").timeout(std::chrono::milliseconds(1)).options().flags.timeout);

  std::shared_ptr<socket> s;
  h.io->on_connection([&](socket& sock) { s = sock.shared_from_this(); });
  auto c = h.connect();
  h.join(*c);
  ASSERT_TRUE(s);
  c->set_writable(false);
  s->volatile_().compress(false).emit("dropped");  // volatile: the transport cannot write now
  s->compress(false).emit("kept");
  h.poll();
  EXPECT_EQ(c->pop(), R"(2["kept"])");
  EXPECT_EQ(c->pop(), std::nullopt);
}

}  // namespace
}  // namespace sio::test
