// Session-test harness: a sio::server with no network. Each fake client is an in-memory
// engineio::connection living on one of N io_contexts; tests push Engine.IO message payloads in
// (wire strings, as the engine would deliver them) and read the payloads the server sent.
//
// Two ways to run the workers:
//  - deterministic (threads = false): the test thread polls every io_context until idle;
//  - threaded (threads = true): one thread per io_context, the test waits on conditions.
#pragma once

#include <sio/sio.hpp>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sio::test {

using namespace std::chrono_literals;

// Generous upper bound for waiting on something that must happen; never a timing assertion.
inline constexpr auto patience = 10s;

class fake_connection final : public engineio::connection,
                              public std::enable_shared_from_this<fake_connection> {
 public:
  fake_connection(std::string sid, std::size_t worker, boost::asio::io_context& ctx,
                  std::shared_ptr<engineio::handler> h)
      : sid_(std::move(sid)), worker_(worker), ctx_(ctx), h_(std::move(h)) {
    req_->url = "/socket.io/?EIO=4&transport=websocket";
    req_->remote_address = "127.0.0.1";
    req_->headers = {{"host", "localhost"}};
    req_->query = {{"EIO", "4"}};
    req_->issued_ms = 1700000000000;
  }

  std::string_view id() const noexcept override { return sid_; }
  const engineio::request_info& request() const noexcept override { return *req_; }
  // Shared, as the engine's sessions do (no copy).
  std::shared_ptr<const engineio::request_info> shared_request() const override { return req_; }
  // Before any namespace connects only (sockets share the record afterwards).
  engineio::request_info& request_mut() noexcept { return *req_; }
  std::size_t worker_index() const noexcept override { return worker_; }
  boost::asio::any_io_executor executor() const override { return ctx_.get_executor(); }
  std::string_view transport() const noexcept override { return "websocket"; }

  engineio::send_result send(engineio::message_ptr m, engineio::send_flags f) override {
    EXPECT_TRUE(ctx_.get_executor().running_in_this_thread()) << "send off the worker";
    std::lock_guard lk(mu_);
    if (closed_) return engineio::send_result::closed;
    if (f.volatile_ && !writable_) return engineio::send_result::dropped;
    if (out_.size() >= max_queue_) {
      // Like the engine: the session is closed with "transport error".
      close_with(engineio::close_reason::transport_error);
      return engineio::send_result::overflow;
    }
    out_.push_back(std::move(m));
    cv_.notify_all();
    return engineio::send_result::queued;
  }
  bool writable() const noexcept override {
    std::lock_guard lk(mu_);
    return writable_;
  }
  void close() override {
    std::lock_guard lk(mu_);
    close_with(engineio::close_reason::forced_close);
  }

  // --- test side ---
  void set_writable(bool w) {
    std::lock_guard lk(mu_);
    writable_ = w;
  }
  void set_max_queue(std::size_t n) {
    std::lock_guard lk(mu_);
    max_queue_ = n;
  }
  // The peer closes (transport close, ping timeout...): on_close runs on the worker.
  void peer_close(engineio::close_reason r) {
    std::lock_guard lk(mu_);
    close_with(r);
  }
  void open() {
    boost::asio::post(ctx_, [self = shared_from_this()] { self->h_->on_open(self); });
  }
  void text(std::string s) {
    boost::asio::post(ctx_, [self = shared_from_this(), s = std::move(s)] {
      if (!self->is_closed()) self->h_->on_message(*self, s);
    });
  }
  void bin(std::string s) {
    boost::asio::post(ctx_, [self = shared_from_this(), s = std::move(s)] {
      if (!self->is_closed()) self->h_->on_binary(*self, s);
    });
  }
  bool is_closed() const {
    std::lock_guard lk(mu_);
    return closed_;
  }
  std::optional<engineio::close_reason> closed_with() const {
    std::lock_guard lk(mu_);
    return reason_;
  }
  std::size_t pending() const {
    std::lock_guard lk(mu_);
    return out_.size();
  }
  // Pops the oldest message ("b:" prefix for a binary one), or nullopt.
  std::optional<std::string> pop() {
    std::lock_guard lk(mu_);
    if (out_.empty()) return std::nullopt;
    auto m = std::move(out_.front());
    out_.pop_front();
    return (m->binary ? "b:" : "") + m->data;
  }
  std::deque<engineio::message_ptr> take_all() {
    std::lock_guard lk(mu_);
    return std::exchange(out_, {});
  }
  // Threaded mode: waits until at least n messages are queued.
  bool wait_pending(std::size_t n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, patience, [&] { return out_.size() >= n; });
  }
  bool wait_closed() {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, patience, [&] { return closed_; });
  }

 private:
  void close_with(engineio::close_reason r) {  // mu_ held
    if (closed_) return;
    closed_ = true;
    reason_ = r;
    cv_.notify_all();
    boost::asio::post(ctx_, [self = shared_from_this(), r] { self->h_->on_close(*self, r); });
  }

  std::string sid_;
  std::size_t worker_;
  boost::asio::io_context& ctx_;
  std::shared_ptr<engineio::handler> h_;
  std::shared_ptr<engineio::request_info> req_ = std::make_shared<engineio::request_info>();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<engineio::message_ptr> out_;
  bool closed_ = false;
  bool writable_ = true;
  std::size_t max_queue_ = SIZE_MAX;
  std::optional<engineio::close_reason> reason_;
};

struct harness {
  explicit harness(std::size_t workers = 1, bool threads = false, server_options opts = {})
      : threaded(threads) {
    for (std::size_t i = 0; i < workers; ++i)
      ctxs.push_back(std::make_unique<boost::asio::io_context>(1));
    std::vector<boost::asio::io_context*> raw;
    for (auto& c : ctxs) raw.push_back(c.get());
    pool = std::make_shared<context_pool>(raw);
    if (!opts.log)
      opts.log = [this](std::string_view m) {
        std::lock_guard lk(log_mu);
        logs.emplace_back(m);
      };
    io = std::make_unique<server>(pool, std::move(opts));
    if (threaded) {
      for (auto& c : ctxs) {
        guards.emplace_back(c->get_executor());
        runners.emplace_back([c = c.get()] { c->run(); });
      }
    }
  }
  ~harness() {
    if (threaded) {
      // Settle: let every queued handler run, then stop.
      guards.clear();
      for (auto& c : ctxs) c->stop();
      for (auto& t : runners) t.join();
    }
    io.reset();
  }

  // Deterministic mode: runs every worker until nothing is ready.
  void poll() {
    for (int round = 0; round < 1000; ++round) {
      std::size_t n = 0;
      for (auto& c : ctxs) {
        c->restart();
        n += c->poll();
      }
      if (n == 0) return;
    }
  }
  // Deterministic mode: runs workers (timers included) until pred() or patience runs out.
  bool run_until(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
      poll();
      if (pred()) return true;
      for (auto& c : ctxs) {
        c->restart();
        c->run_one_for(2ms);
      }
    }
    poll();
    return pred();
  }
  // Runs f on worker w and waits for it (both modes).
  void on_worker(std::size_t w, std::function<void()> f) {
    if (!threaded) {
      boost::asio::post(*ctxs[w], std::move(f));
      poll();
      return;
    }
    std::promise<void> done;
    boost::asio::post(*ctxs[w], [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  std::shared_ptr<fake_connection> connect(std::size_t worker = 0) {
    auto c = std::make_shared<fake_connection>("eio" + std::to_string(next_sid++), worker,
                                               *ctxs[worker], io->engine_handler());
    c->open();
    if (!threaded) poll();
    return c;
  }

  // Connects to `nsp` ("0..." packet) and returns the socket id from the CONNECT answer.
  std::string join(fake_connection& c, const std::string& nsp = "/", const std::string& auth = "") {
    std::string pkt = "0";
    if (nsp != "/") pkt += nsp + ",";
    pkt += auth;
    c.text(pkt);
    if (threaded)
      c.wait_pending(1);
    else
      poll();
    auto m = c.pop();
    if (!m) return {};
    const std::string prefix = nsp == "/" ? "0{\"sid\":\"" : "0" + nsp + ",{\"sid\":\"";
    if (m->rfind(prefix, 0) != 0) {
      ADD_FAILURE() << "unexpected connect answer: " << *m;
      return {};
    }
    return m->substr(prefix.size(), m->size() - prefix.size() - 2);
  }

  std::vector<std::string> log_lines() {
    std::lock_guard lk(log_mu);
    return logs;
  }

  bool threaded;
  std::vector<std::unique_ptr<boost::asio::io_context>> ctxs;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards;
  std::vector<std::thread> runners;
  std::shared_ptr<context_pool> pool;
  std::mutex log_mu;
  std::vector<std::string> logs;
  std::unique_ptr<server> io;
  int next_sid = 1;
};

}  // namespace sio::test
