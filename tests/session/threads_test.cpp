// Session tests with real worker threads (4 and 1): handlers of one socket never overlap,
// broadcasts fan out across workers from any thread, cluster-wide operations aggregate every
// worker. Meant to run clean under TSan.
#include "harness.hpp"

#include <set>

namespace sio::test {
namespace {

struct threads : ::testing::TestWithParam<std::size_t> {
  harness h{GetParam(), true};
};

// Waits until cb-style operations complete, on the test thread.
template <class T>
struct waiter {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<T> value;
  void set(T v) {
    std::lock_guard lk(mu);
    value = std::move(v);
    cv.notify_all();
  }
  T get() {
    std::unique_lock lk(mu);
    EXPECT_TRUE(cv.wait_for(lk, patience, [&] { return value.has_value(); }));
    return value ? std::move(*value) : T{};
  }
};

TEST_P(threads, EventsOfOneSocketNeverRunConcurrently) {
  constexpr int clients = 8, per_client = 200;
  std::atomic<int> total{0};
  h.io->on_connection([&](socket& s) {
    s.data["count"] = 0;
    s.on("inc", [&](socket& s, const boost::json::array& args, ack a) {
      // Plain (non-atomic) per-socket state: TSan flags any overlap of this socket's handlers.
      auto& n = s.data["count"];
      n = n.as_int64() + 1;
      total.fetch_add(1, std::memory_order_relaxed);
      if (n.as_int64() == per_client) a(n);
    });
  });
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    ASSERT_EQ(h.join(*cs.back()).size(), 20u);
  }
  for (int k = 0; k < per_client; ++k)
    for (auto& c : cs) c->text(k + 1 == per_client ? "29[\"inc\"]" : "2[\"inc\"]");
  for (auto& c : cs) {
    ASSERT_TRUE(c->wait_pending(1));
    EXPECT_EQ(c->pop(), "39[" + std::to_string(per_client) + "]");
  }
  EXPECT_EQ(total.load(), clients * per_client);
}

TEST_P(threads, BroadcastsFromAnyThreadReachEveryWorkerOnceInOrder) {
  constexpr int clients = 8, messages = 100;
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    h.join(*cs.back());
  }
  std::thread other([&] {
    for (int i = 0; i < messages; ++i) h.io->emit("n", i);
  });
  other.join();
  std::set<const engineio::message*> first_frames;
  for (auto& c : cs) {
    ASSERT_TRUE(c->wait_pending(messages));
    auto all = c->take_all();
    ASSERT_EQ(all.size(), std::size_t(messages));
    first_frames.insert(all.front().get());
    for (int i = 0; i < messages; ++i)
      EXPECT_EQ(all[i]->data, "2[\"n\"," + std::to_string(i) + "]");
  }
  EXPECT_EQ(first_frames.size(), 1u);  // encoded once for all workers
}

// What a worker posts to the others (broadcasts, joins of the sockets living there) leaves with
// its outbox at the end of its turn and runs on each of them once, in the order written.
TEST_P(threads, WorkPostedByAWorkerReachesEveryWorkerOnceInOrder) {
  constexpr int clients = 8, messages = 100;
  std::mutex mu;
  std::vector<std::shared_ptr<socket>> socks;
  h.io->on_connection([&](socket& s) {
    std::lock_guard lk(mu);
    socks.push_back(s.shared_from_this());
  });
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    h.join(*cs.back());
  }
  // The connection handlers run after the CONNECT answer: let each worker finish its turn.
  for (std::size_t w = 0; w < GetParam(); ++w) h.on_worker(w, [] {});
  h.on_worker(0, [&] {
    std::lock_guard lk(mu);
    ASSERT_EQ(socks.size(), std::size_t(clients));
    for (int i = 0; i < messages; ++i) {
      h.io->emit("n", i);
      if (i == messages / 2)
        for (auto& s : socks) s->join("late");
    }
    h.io->to("late").emit("late");
  });
  for (auto& c : cs) {
    ASSERT_TRUE(c->wait_pending(messages + 1));
    auto all = c->take_all();
    ASSERT_EQ(all.size(), std::size_t(messages + 1));
    for (int i = 0; i < messages; ++i)
      EXPECT_EQ(all[i]->data, "2[\"n\"," + std::to_string(i) + "]");
    EXPECT_EQ(all.back()->data, "2[\"late\"]");
  }
}

TEST_P(threads, HandlersBroadcastToRoomsAcrossWorkers) {
  constexpr int clients = 8;
  h.io->on_connection([](socket& s) {
    s.join("chat");
    s.on("say", [](socket& s, const boost::json::array& args) {
      s.to("chat").emit("said", s.id(), args.at(0));
    });
  });
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    h.join(*cs.back());
  }
  for (int i = 0; i < clients; ++i) cs[i]->text("2[\"say\"," + std::to_string(i) + "]");
  for (auto& c : cs) {
    ASSERT_TRUE(c->wait_pending(clients - 1));
    EXPECT_EQ(c->take_all().size(), std::size_t(clients - 1));  // everyone but itself
  }
}

TEST_P(threads, FetchSocketsAndDisconnectSocketsAggregateAllWorkers) {
  constexpr int clients = 8;
  h.io->on_connection([](socket& s) { s.join("all"); });
  std::vector<std::shared_ptr<fake_connection>> cs;
  std::set<std::string> ids;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    ids.insert(h.join(*cs.back()));
  }
  waiter<std::vector<remote_socket>> fetched;
  h.io->in("all").fetch_sockets([&](std::vector<remote_socket> v) { fetched.set(std::move(v)); });
  std::set<std::string> got;
  for (auto& r : fetched.get()) got.insert(r.id());
  EXPECT_EQ(got, ids);

  waiter<std::pair<boost::system::error_code, std::vector<payload>>> acked;
  h.io->timeout(std::chrono::milliseconds(10000))
      .emit_with_ack("q", {}, [&](boost::system::error_code ec, std::vector<payload> r) {
        acked.set({ec, std::move(r)});
      });
  for (auto& c : cs) {
    ASSERT_TRUE(c->wait_pending(1));
    auto m = *c->pop();
    c->text("3" + m.substr(1, m.find('[') - 1) + "[\"a\"]");
  }
  auto [ec, responses] = acked.get();
  EXPECT_FALSE(ec);
  EXPECT_EQ(responses.size(), std::size_t(clients));

  h.io->disconnect_sockets(true);
  for (auto& c : cs) EXPECT_TRUE(c->wait_closed());
  waiter<std::vector<std::string>> left;
  h.io->sockets().socket_ids([&](std::vector<std::string> v) { left.set(std::move(v)); });
  EXPECT_TRUE(left.get().empty());
}

TEST_P(threads, ForeignThreadCallsArePostedToTheWorker) {
  waiter<std::shared_ptr<socket>> sw;
  h.io->on_connection([&](socket& s) { sw.set(s.shared_from_this()); });
  auto c = h.connect(GetParam() - 1);
  h.join(*c);
  auto s = sw.get();
  s->join("r");
  s->emit("one");
  h.io->to("r").emit("two");
  s->leave("r");
  h.io->to("r").emit("never");
  s->emit("three");
  ASSERT_TRUE(c->wait_pending(3));
  EXPECT_EQ(c->pop(), "2[\"one\"]");
  EXPECT_EQ(c->pop(), "2[\"two\"]");
  EXPECT_EQ(c->pop(), "2[\"three\"]");
  s->disconnect();
  ASSERT_TRUE(c->wait_pending(1));
  EXPECT_EQ(c->pop(), "1");
}

INSTANTIATE_TEST_SUITE_P(workers, threads, ::testing::Values(1, 4));

}  // namespace
}  // namespace sio::test
