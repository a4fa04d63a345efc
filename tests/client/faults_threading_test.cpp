// Threading: eight threads emitting with acks on one socket while another disconnects and
// reconnects it (every completion called exactly once, answers matching what was sent); a manager
// on a caller's io_context run by two threads never runs two of its handlers at once. Meant to run
// under ThreadSanitizer too.
#include <sio/client/manager.hpp>

#include "faults_support.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sio::test::probe;

TEST(threading, eight_threads_emit_with_acks_while_another_disconnects_and_reconnects) {
  constexpr int threads = 8;
  constexpr int per_thread = 150;
  constexpr int total = threads * per_thread;
  sio::test::test_server srv({.workers = 2});
  probe p;
  std::vector<std::atomic<int>> calls(total);
  std::atomic<int> answered{0}, wrong{0}, unexpected_error{0};
  sio::client::manager_options mo;
  mo.reconnection_delay = 20ms;
  mo.reconnection_delay_max = 100ms;
  sio::client::manager io(srv.url(), mo);
  auto s = io.socket("/", {.max_buffered_packets = 2 * total});
  s->on_connect([&] { p.note("connect"); });
  ASSERT_TRUE(p.wait("connect"));

  std::atomic<int> emitters_done{0};
  std::vector<std::thread> emitters;
  for (int t = 0; t < threads; ++t) {
    emitters.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const int id = t * per_thread + i;
        s->timeout(10s).emit_with_ack(
            "echo", sio::make_payload(id), [&, id](boost::system::error_code ec, sio::payload a) {
              ++calls[id];
              if (!ec) {
                ++(a.args.size() == 1 && a.args[0] == id ? answered : wrong);
              } else if (ec != sio::client::error::disconnected &&
                         ec != sio::client::error::timeout) {
                ++unexpected_error;
              }
              p.note("done");
            });
      }
      ++emitters_done;
    });
  }
  // Meanwhile: disconnect and connect again, each time until connected, while emitters run.
  int cycles = 0;
  while (emitters_done < threads || cycles < 3) {
    s->disconnect();
    s->connect();
    ++cycles;
    ASSERT_TRUE(p.wait("connect", cycles + 1)) << "cycle " << cycles;
  }
  for (auto& e : emitters) e.join();

  ASSERT_TRUE(p.wait("done", total, 60s)) << p.count("done") << " of " << total;
  for (int id = 0; id < total; ++id) ASSERT_EQ(calls[id], 1) << "completion of emit " << id;
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(unexpected_error, 0);
  RecordProperty("answered", answered.load());  // the others: disconnected before the answer
  EXPECT_TRUE(s->connected());
  s->emit_with_ack("echo", sio::make_payload("after"),
                   [&](boost::system::error_code ec, sio::payload) {
                     if (!ec) p.note("after");
                   });
  ASSERT_TRUE(p.wait("after"));
}

// Counts handlers running at once: a second one entering while one runs is an overlap.
class concurrency_check {
 public:
  class scope {
   public:
    explicit scope(concurrency_check& c) : c_(c) {
      if (c_.inside_.fetch_add(1) != 0) ++c_.overlaps_;
      std::this_thread::yield();  // widens the window another thread would have to enter
    }
    ~scope() { --c_.inside_; }

   private:
    concurrency_check& c_;
  };
  int overlaps() const { return overlaps_; }

 private:
  std::atomic<int> inside_{0};
  std::atomic<int> overlaps_{0};
};

TEST(threading, handlers_never_run_concurrently_on_a_caller_io_context_run_by_two_threads) {
  sio::test::test_server srv({.workers = 2});
  probe p;
  concurrency_check check;
  boost::asio::io_context ioc;
  sio::test::context_runner runner(ioc, 2);
  {
    sio::client::manager io(ioc.get_executor(), srv.url());
    auto s = io.socket("/");
    auto* sp = s.get();
    s->on_any([&](std::string_view, const sio::payload&) { concurrency_check::scope in(check); });
    s->on_connect([&, sp] {
      concurrency_check::scope in(check);
      for (int i = 0; i < 4; ++i) sp->emit("more", i);  // four streams of ticks
      p.note("connect");
    });
    s->on("tick", [&, sp](int n) {
      concurrency_check::scope in(check);
      if (p.count("tick") < 2000) sp->emit("more", n);
      p.note("tick");
    });
    ASSERT_TRUE(p.wait("connect"));
    // Meanwhile acks complete on the strand as well, for emits made from this thread.
    for (int i = 0; i < 500; ++i)
      s->emit_with_ack("echo", sio::make_payload(i), [&](boost::system::error_code, sio::payload) {
        concurrency_check::scope in(check);
        p.note("ack");
      });
    ASSERT_TRUE(p.wait("ack", 500, 60s));
    ASSERT_TRUE(p.wait("tick", 2000, 60s));
  }
  EXPECT_EQ(check.overlaps(), 0);
}

}  // namespace
