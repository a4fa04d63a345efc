// Session tests: server-side emit_with_ack (answered, timeout, disconnect, binary answers).
#include "harness.hpp"

namespace sio::test {
namespace {

struct acks : ::testing::Test {
  harness h;
  std::shared_ptr<socket> sock;
  std::shared_ptr<fake_connection> c;
  void SetUp() override {
    h.io->on_connection([this](socket& s) { sock = s.shared_from_this(); });
    c = h.connect();
    ASSERT_EQ(h.join(*c).size(), 20u);
  }
};

TEST_F(acks, Answered) {
  int calls = 0;
  boost::system::error_code got_ec = make_error_code(error::timeout);
  payload got;
  sock->emit_with_ack("question", make_payload(1, "two"),
                      [&](boost::system::error_code ec, payload p) {
                        ++calls;
                        got_ec = ec;
                        got = std::move(p);
                      });
  h.poll();
  EXPECT_EQ(c->pop(), "20[\"question\",1,\"two\"]");
  c->text("30[42]");
  c->text("30[43]");  // a second answer to the same id is ignored
  h.poll();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(got_ec);
  EXPECT_EQ(boost::json::serialize(got.args), "[42]");
}

TEST_F(acks, IdsIncreaseAndBinaryAnswers) {
  std::vector<payload> got;
  auto cb = [&](boost::system::error_code ec, payload p) {
    EXPECT_FALSE(ec);
    got.push_back(std::move(p));
  };
  sock->emit_with_ack("a", {}, cb);
  sock->emit_with_ack("b", {}, cb);
  h.poll();
  EXPECT_EQ(c->pop(), "20[\"a\"]");
  EXPECT_EQ(c->pop(), "21[\"b\"]");
  c->text("61-1[{\"_placeholder\":true,\"num\":0}]");
  c->bin("xyz");
  c->text("30[]");
  h.poll();
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(got[0].is_binary(0));
  EXPECT_EQ(got[0].binary_at(0)->bytes, "xyz");
  EXPECT_TRUE(got[1].empty());
}

TEST_F(acks, TimeoutFailsOnceAndLateAnswersAreIgnored) {
  int calls = 0;
  boost::system::error_code got_ec;
  sock->emit_with_ack("slow", {}, std::chrono::milliseconds(20),
                      [&](boost::system::error_code ec, payload) {
                        ++calls;
                        got_ec = ec;
                      });
  ASSERT_TRUE(h.run_until([&] { return calls > 0; }));
  EXPECT_EQ(got_ec, make_error_code(error::timeout));
  c->text("30[1]");
  h.poll();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sock->connected());
}

TEST_F(acks, TimeoutViaEmitter) {
  int calls = 0;
  sock->timeout(std::chrono::milliseconds(10000))
      .emit_with_ack("q", make_payload(1), [&](boost::system::error_code ec, payload p) {
        ++calls;
        EXPECT_FALSE(ec);
        EXPECT_EQ(boost::json::serialize(p.args), "[\"ok\"]");
      });
  h.poll();
  EXPECT_EQ(c->pop(), "20[\"q\",1]");
  c->text("30[\"ok\"]");
  h.poll();
  EXPECT_EQ(calls, 1);
}

TEST_F(acks, DisconnectFailsPendingAcksOnce) {
  std::vector<boost::system::error_code> ecs;
  auto cb = [&](boost::system::error_code ec, payload) { ecs.push_back(ec); };
  sock->emit_with_ack("a", {}, std::chrono::milliseconds(50), cb);
  sock->emit_with_ack("b", {}, cb);
  h.poll();
  c->peer_close(engineio::close_reason::transport_close);
  h.poll();
  ASSERT_EQ(ecs.size(), 2u);
  EXPECT_EQ(ecs[0], make_error_code(error::disconnected));
  EXPECT_EQ(ecs[1], make_error_code(error::disconnected));
  // Run until no work is left: the cancelled timer never fires a second failure.
  h.ctxs[0]->restart();
  h.ctxs[0]->run();
  EXPECT_EQ(ecs.size(), 2u);
  // Emitting on a disconnected socket fails at once.
  sock->emit_with_ack("c", {}, cb);
  h.poll();
  EXPECT_EQ(ecs.size(), 3u);
  EXPECT_EQ(ecs[2], make_error_code(error::disconnected));
}

TEST_F(acks, EmitWithAckFromAnotherThread) {
  int calls = 0;
  std::thread([&, s = sock] {
    s->emit_with_ack("t", make_payload(true), [&](boost::system::error_code ec, payload) {
      EXPECT_FALSE(ec);
      ++calls;
    });
  }).join();
  h.poll();
  EXPECT_EQ(c->pop(), "20[\"t\",true]");
  c->text("30[]");
  h.poll();
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace sio::test

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace sio::test {
namespace {

TEST_F(acks, AwaitableAndFuture) {
  auto fut = sock->emit_with_ack("f", make_payload(1), std::chrono::milliseconds(10000),
                                 boost::asio::use_future);
  std::optional<std::string> co_result;
  boost::asio::co_spawn(
      *h.ctxs[0],
      [&, s = sock]() -> boost::asio::awaitable<void> {
        auto [ec, p] = co_await s->emit_with_ack("c", {}, std::chrono::milliseconds(10000),
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
        co_result = ec ? ec.message() : boost::json::serialize(p.args);
      },
      boost::asio::detached);
  h.poll();
  EXPECT_EQ(c->pop(), "20[\"f\",1]");
  EXPECT_EQ(c->pop(), "21[\"c\"]");
  c->text("31[\"from-coroutine\"]");
  c->text("30[\"from-future\"]");
  h.poll();
  // use_future's executor completes it on a thread of its own.
  ASSERT_EQ(fut.wait_for(patience), std::future_status::ready);
  EXPECT_EQ(boost::json::serialize(fut.get().args), "[\"from-future\"]");
  EXPECT_EQ(co_result, "[\"from-coroutine\"]");
}

}  // namespace
}  // namespace sio::test
