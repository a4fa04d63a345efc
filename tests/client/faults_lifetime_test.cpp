// Lifetimes: disconnect() from inside an event handler and from inside on_connect; the manager
// destroyed from inside its own handler (own thread) and from another thread while events flow;
// a manager destroyed while a reconnection timer is pending returns at once and nothing of it runs
// afterwards (on a caller's io_context, which then runs out of work); a socket outliving its
// manager is inert.
#include <sio/client/manager.hpp>

#include "faults_support.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using sio::client::disconnect_reason;
using sio::test::probe;

// What handlers that may outlive the test's stack frame share with it.
struct shared_state {
  probe p;
  std::atomic<bool> manager_gone{false};
  std::atomic<int> ran_after{0};
  // For handlers: notes `what`, and counts a call made after the manager was destroyed.
  void note(const std::string& what, std::string detail = {}) {
    if (manager_gone) ++ran_after;
    p.note(what, std::move(detail));
  }
};

TEST(lifetime, disconnect_from_inside_an_event_handler) {
  sio::test::test_server srv;
  probe p;
  sio::client::manager io(srv.url());
  auto s = io.socket("/");
  auto* sp = s.get();
  s->on_connect([&] { p.note("connect"); });
  s->on("hi", [&, sp] {
    sp->disconnect();
    p.note("hi", sp->connected() ? "connected" : "disconnected");
  });
  s->on_disconnect([&](disconnect_reason r) { p.note("disconnect", std::string(to_string(r))); });
  ASSERT_TRUE(p.wait("connect"));
  s->emit("hi");
  ASSERT_TRUE(p.wait("hi"));
  EXPECT_EQ(p.last("hi"), "disconnected");
  ASSERT_TRUE(p.wait("disconnect"));
  EXPECT_EQ(p.last("disconnect"), "io client disconnect");
  EXPECT_FALSE(s->active());
  ASSERT_TRUE(srv.events.wait("disconnect"));
  EXPECT_EQ(srv.events.last("disconnect"), "client namespace disconnect");
  // The only namespace left: the manager closes its connection.
  ASSERT_TRUE(p.wait_until([&] { return !io.is_open(); }));
}

TEST(lifetime, disconnect_from_inside_on_connect) {
  sio::test::test_server srv;
  probe p;
  sio::client::manager io(srv.url());
  io.on_reconnect_attempt([&](unsigned) { p.note("attempt"); });
  auto s = io.socket("/");
  auto* sp = s.get();
  s->on_connect([&, sp] {
    p.note("connect");
    sp->disconnect();
  });
  s->on_disconnect([&](disconnect_reason r) { p.note("disconnect", std::string(to_string(r))); });
  ASSERT_TRUE(p.wait("disconnect"));
  EXPECT_EQ(p.last("disconnect"), "io client disconnect");
  EXPECT_FALSE(s->connected());
  EXPECT_FALSE(s->active());
  ASSERT_TRUE(p.wait_until([&] { return !io.is_open(); }));
  EXPECT_EQ(p.count("connect"), 1);
  EXPECT_EQ(p.count("attempt"), 0);
  // It can connect again.
  s->connect();
  ASSERT_TRUE(p.wait("disconnect", 2));  // connects, and its handler disconnects again
  EXPECT_EQ(p.count("connect"), 2);
}

TEST(lifetime, manager_destroyed_from_inside_its_own_handler) {
  sio::test::test_server srv;
  auto st = std::make_shared<shared_state>();
  auto io = std::make_shared<std::unique_ptr<sio::client::manager>>(
      std::make_unique<sio::client::manager>(srv.url()));
  auto s = (*io)->socket("/");
  s->on_connect([st] { st->note("connect"); });
  s->on_disconnect(
      [st](disconnect_reason r) { st->note("disconnect", std::string(to_string(r))); });
  s->on("hi", [st, io] {
    auto state = st;  // this handler is released while the manager goes: no capture used after
    io->reset();      // on the manager's own thread: its destructor must not join itself
    state->manager_gone = true;
    state->p.note("destroyed");
  });
  ASSERT_TRUE(st->p.wait("connect"));
  s->emit("hi");
  ASSERT_TRUE(st->p.wait("destroyed"));
  ASSERT_TRUE(srv.events.wait("disconnect"));
  EXPECT_FALSE(s->connected());
  EXPECT_EQ(st->ran_after, 0);
}

TEST(lifetime, manager_destroyed_from_another_thread_while_events_flow) {
  sio::test::test_server srv;
  auto st = std::make_shared<shared_state>();
  auto io = std::make_unique<sio::client::manager>(srv.url());
  auto s = io->socket("/");
  auto* sp = s.get();
  s->on_connect([st, sp] {
    st->note("connect");
    for (int i = 0; i < 4; ++i) sp->emit("more", i);  // four streams of ticks
  });
  s->on("tick", [st, sp](int n) {
    st->note("tick");
    sp->emit("more", n);
    sp->emit_with_ack("echo", sio::make_payload(n),
                      [st](boost::system::error_code ec, sio::payload) {
                        st->note(ec ? "ack-error" : "ack", ec.message());
                      });
  });
  s->on_disconnect(
      [st](disconnect_reason r) { st->note("disconnect", std::string(to_string(r))); });
  ASSERT_TRUE(st->p.wait("tick", 200));
  ASSERT_TRUE(st->p.wait("ack", 100));
  std::thread([&io] { io.reset(); }).join();
  st->manager_gone = true;
  EXPECT_EQ(st->ran_after, 0);
  EXPECT_FALSE(s->connected());
  s->emit("more", 1);
  ASSERT_TRUE(srv.events.wait("disconnect"));
  EXPECT_EQ(st->ran_after, 0);
}

TEST(lifetime, destroying_a_manager_with_a_pending_reconnection_timer_returns_promptly) {
  sio::test::test_server srv;
  sio::test::tcp_relay relay(srv.port());
  auto st = std::make_shared<shared_state>();
  boost::asio::io_context ioc;
  sio::test::context_runner thread(ioc);
  sio::client::manager_options mo;
  mo.transports = {sio::client::transport::websocket};  // a cut always ends the connection
  mo.reconnection_delay = std::chrono::hours(1);
  mo.reconnection_delay_max = std::chrono::hours(1);
  auto io = std::make_unique<sio::client::manager>(
      ioc.get_executor(), "http://127.0.0.1:" + std::to_string(relay.port()), mo);
  io->on_close([st](std::string_view r) { st->note("close", std::string(r)); });
  io->on_reconnect_attempt([st](unsigned) { st->note("attempt"); });
  auto s = io->socket("/");
  s->on_connect([st] { st->note("connect"); });
  s->on_disconnect(
      [st](disconnect_reason r) { st->note("disconnect", std::string(to_string(r))); });
  ASSERT_TRUE(st->p.wait("connect"));
  relay.cut();  // the connection drops: the next attempt is scheduled in 30 to 90 minutes
  ASSERT_TRUE(st->p.wait("disconnect"));
  EXPECT_TRUE(s->active());

  auto destroyed = std::async(std::launch::async, [&io] { io.reset(); });
  ASSERT_EQ(destroyed.wait_for(20s), std::future_status::ready);
  st->manager_gone = true;
  // Nothing of the manager is left on the io_context: run without a work guard, it returns once
  // what is queued ran (the pending timer would keep it running for half an hour at least).
  thread.stop();
  ioc.restart();
  auto rerun = std::async(std::launch::async, [&ioc] { ioc.run(); });
  const bool ran_out = rerun.wait_for(20s) == std::future_status::ready;
  if (!ran_out) ioc.stop();
  ASSERT_TRUE(ran_out) << "the manager left work on the io_context";
  EXPECT_EQ(st->ran_after, 0);
  EXPECT_EQ(st->p.count("attempt"), 0);
  EXPECT_FALSE(s->active());
  EXPECT_FALSE(s->connected());
}

TEST(lifetime, socket_outliving_its_manager_is_inert) {
  sio::test::test_server srv;
  auto st = std::make_shared<shared_state>();
  auto io = std::make_unique<sio::client::manager>(srv.url());
  auto s = io->socket("/");
  s->on_connect([st] { st->note("connect"); });
  s->on("hi", [st] { st->note("hi"); });
  ASSERT_TRUE(st->p.wait("connect"));
  io.reset();
  st->manager_gone = true;
  EXPECT_FALSE(s->connected());
  EXPECT_FALSE(s->active());
  EXPECT_NO_THROW(s->emit("hi"));
  s->emit_with_ack("echo", sio::make_payload(1), [st](boost::system::error_code ec, sio::payload) {
    st->p.note("ack", ec == sio::client::error::closed ? "closed" : ec.message());
  });
  ASSERT_TRUE(st->p.wait("ack"));
  EXPECT_EQ(st->p.last("ack"), "closed");
  EXPECT_NO_THROW(s->connect());
  EXPECT_NO_THROW(s->disconnect());
  EXPECT_FALSE(s->connected());
  // The server saw the namespace leave once and nothing after: the "hi" above was not sent.
  ASSERT_TRUE(srv.events.wait("disconnect"));
  EXPECT_EQ(srv.events.count("connection"), 1);
  s.reset();
  EXPECT_EQ(st->ran_after, 0);
  EXPECT_EQ(st->p.count("hi"), 0);
}

}  // namespace
