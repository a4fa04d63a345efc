// Session tests: completion tokens on every operation that completes later. Coroutines on a user
// io_context (use_awaitable, as_tuple), use_future, deferred and move-only callbacks; completions
// run on the token's executor when it has one, else on the worker.
#include "harness.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <set>

namespace sio::test {
namespace {

namespace asio = boost::asio;

struct completion : ::testing::Test {
  harness h{2};
  asio::io_context user;  // the application's own io_context
  std::vector<std::shared_ptr<fake_connection>> conns;
  std::vector<std::string> ids;

  void SetUp() override {
    h.io->on_connection([](socket& s) { s.join("r"); });
    for (std::size_t w = 0; w < 2; ++w) {
      conns.push_back(h.connect(w));
      ids.push_back(h.join(*conns.back()));
    }
  }
  // Runs the workers and the user's io_context until `done`.
  bool run_until(const bool& done) {
    return h.run_until([&] {
      user.restart();
      user.poll();
      return done;
    });
  }
  // Answers the next emit_with_ack each client received with its index.
  void answer_all() {
    for (std::size_t i = 0; i < conns.size(); ++i) {
      auto m = conns[i]->pop();
      ASSERT_TRUE(m);
      // "3<nsp,><id>[i]": built by appends (g++ 12 -O3 warns falsely on "3" + substr).
      std::string answer(1, '3');
      answer.append(*m, 1, m->find('[') - 1);
      answer += '[' + std::to_string(i) + ']';
      conns[i]->text(answer);
    }
  }
};

TEST_F(completion, AwaitableQueriesResumeOnTheUserContext) {
  bool done = false;
  asio::co_spawn(
      user,
      [&]() -> asio::awaitable<void> {
        const auto n = co_await h.io->server_count(asio::use_awaitable);
        EXPECT_EQ(n, 1u);
        EXPECT_TRUE(user.get_executor().running_in_this_thread());
        auto in_room = co_await h.io->in("r").socket_ids(asio::use_awaitable);
        EXPECT_EQ(std::set<std::string>(in_room.begin(), in_room.end()),
                  std::set<std::string>(ids.begin(), ids.end()));
        auto sockets = co_await h.io->in("r").fetch_sockets(asio::use_awaitable);
        EXPECT_EQ(sockets.size(), 2u);
        auto none = co_await h.io->of("/").in("nobody").fetch_sockets(asio::use_awaitable);
        EXPECT_TRUE(none.empty());
        EXPECT_TRUE(user.get_executor().running_in_this_thread());
        done = true;
      },
      asio::detached);
  ASSERT_TRUE(run_until(done));
}

TEST_F(completion, AwaitableBroadcastAcksAnswersTimeoutAndTuple) {
  bool asked = false, done = false;
  asio::co_spawn(
      user,
      [&]() -> asio::awaitable<void> {
        auto answers = co_await h.io->to("r").timeout(patience).emit_with_ack("q", make_payload(1),
                                                                              asio::use_awaitable);
        std::multiset<std::string> got;
        for (const auto& a : answers) got.insert(boost::json::serialize(a.args));
        EXPECT_EQ(got, (std::multiset<std::string>{"[0]", "[1]"}));
        asked = true;
        // Nobody answers now: the timeout is the error_code, thrown...
        boost::system::error_code thrown;
        try {
          co_await h.io->timeout(std::chrono::milliseconds(20))
              .emit_with_ack("slow", {}, asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
          thrown = e.code();
        }
        EXPECT_EQ(thrown, make_error_code(error::timeout));
        // ... or given with the answers so far by as_tuple.
        auto [ec, partial] = co_await h.io->timeout(std::chrono::milliseconds(20))
                                 .emit_with_ack("slow", {}, asio::as_tuple(asio::use_awaitable));
        EXPECT_EQ(ec, make_error_code(error::timeout));
        EXPECT_TRUE(partial.empty());
        done = true;
      },
      asio::detached);
  user.poll();  // starts the coroutine: the broadcast goes out
  h.poll();
  answer_all();
  ASSERT_TRUE(run_until(asked));
  ASSERT_TRUE(run_until(done));
}

TEST_F(completion, AwaitableOperationsThatCompleteAtOnce) {
  bool done = false;
  asio::co_spawn(
      user,
      [&]() -> asio::awaitable<void> {
        // No receiver: complete before any client could answer.
        auto none = co_await h.io->to("empty").emit_with_ack("x", {}, asio::use_awaitable);
        EXPECT_TRUE(none.empty());
        // A single server has no other servers to answer.
        auto others = co_await h.io->server_side_emit_with_ack("ping", {}, asio::use_awaitable);
        EXPECT_TRUE(others.empty());
        EXPECT_TRUE(user.get_executor().running_in_this_thread());
        done = true;
      },
      asio::detached);
  ASSERT_TRUE(run_until(done));
}

TEST_F(completion, SocketAckAwaitedOnAUserContext) {
  std::shared_ptr<socket> s;
  h.on_worker(0, [&] { s = h.io->sockets().local_socket(ids[0]); });
  ASSERT_TRUE(s);
  std::string got;
  bool done = false;
  asio::co_spawn(
      user,
      [&]() -> asio::awaitable<void> {
        auto p = co_await s->emit_with_ack("q", make_payload(1), asio::use_awaitable);
        EXPECT_TRUE(user.get_executor().running_in_this_thread());
        got = boost::json::serialize(p.args);
        auto [ec, r] = co_await s->timeout(std::chrono::milliseconds(20))
                           .emit_with_ack("slow", {}, asio::as_tuple(asio::use_awaitable));
        EXPECT_EQ(ec, make_error_code(error::timeout));
        done = true;
      },
      asio::detached);
  user.poll();
  h.poll();
  EXPECT_EQ(conns[0]->pop(), R"(20["q",1])");
  // The pending operation counts as work: the user's io_context does not run out meanwhile.
  user.poll();
  EXPECT_FALSE(user.stopped());
  conns[0]->text(R"(30["yes"])");
  ASSERT_TRUE(run_until(done));
  EXPECT_EQ(got, R"(["yes"])");
  EXPECT_EQ(conns[0]->pop(), R"(21["slow"])");
}

TEST_F(completion, FutureDeferredAndMoveOnlyCallbacks) {
  auto n = h.io->server_count(asio::use_future);
  auto sockets = h.io->fetch_sockets(asio::use_future);
  h.poll();
  ASSERT_EQ(n.wait_for(patience), std::future_status::ready);
  EXPECT_EQ(n.get(), 1u);
  ASSERT_EQ(sockets.wait_for(patience), std::future_status::ready);
  EXPECT_EQ(sockets.get().size(), 2u);

  std::size_t counted = 0;
  auto op = h.io->socket_ids(asio::deferred);
  h.poll();
  EXPECT_EQ(counted, 0u);  // deferred: nothing started yet
  std::move(op)([&](std::vector<std::string> v) { counted = v.size(); });
  h.poll();
  EXPECT_EQ(counted, 2u);

  // Move-only callbacks (no std::function copy requirement).
  auto token = std::make_unique<int>(7);
  int seen = 0;
  h.io->to("r").emit_with_ack(
      "q", {}, [&, t = std::move(token)](boost::system::error_code ec, std::vector<payload> r) {
        EXPECT_FALSE(ec);
        seen = *t + static_cast<int>(r.size());
      });
  h.poll();
  answer_all();
  h.poll();
  EXPECT_EQ(seen, 9);
  auto other = std::make_unique<int>(1);
  bool server_side_done = false;
  h.io->server_side_emit_with_ack(
      "tick", make_payload(1),
      [&, o = std::move(other)](boost::system::error_code ec, std::vector<payload> r) {
        server_side_done = !ec && r.empty() && *o == 1;
      });
  EXPECT_TRUE(server_side_done);  // a single server completes at once
}

}  // namespace
}  // namespace sio::test
