// Session-test harness: a sio::server with no network. Each fake client is an in-memory
// engineio::connection living on one of N io_contexts; tests push Engine.IO message payloads in
// (wire strings, as the engine would deliver them) and read the payloads the server sent.
//
// Two ways to run the workers:
//  - deterministic (threads = false): the test thread polls every io_context until idle;
//  - threaded (threads = true): one thread per io_context, the test waits on conditions.
//
// Compiled once (harness.cpp, the library sio_test_session_harness) for every test that uses it.
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
                  std::shared_ptr<engineio::handler> h);

  std::string_view id() const noexcept override { return sid_; }
  const engineio::request_info& request() const noexcept override { return *req_; }
  // Shared, as the engine's sessions do (no copy).
  std::shared_ptr<const engineio::request_info> shared_request() const override { return req_; }
  // Before any namespace connects only (sockets share the record afterwards).
  engineio::request_info& request_mut() noexcept { return *req_; }
  std::size_t worker_index() const noexcept override { return worker_; }
  boost::asio::any_io_executor executor() const override { return ctx_.get_executor(); }
  std::string_view transport() const noexcept override { return "websocket"; }

  engineio::send_result send(engineio::message_ptr m, engineio::send_flags f) override;
  bool writable() const noexcept override;
  void close() override;

  // --- test side ---
  void set_writable(bool w);
  void set_max_queue(std::size_t n);
  // The peer closes (transport close, ping timeout...): on_close runs on the worker.
  void peer_close(engineio::close_reason r);
  void open();
  void text(std::string s);
  void bin(std::string s);
  bool is_closed() const;
  std::optional<engineio::close_reason> closed_with() const;
  std::size_t pending() const;
  // Pops the oldest message ("b:" prefix for a binary one), or nullopt.
  std::optional<std::string> pop();
  std::deque<engineio::message_ptr> take_all();
  // Threaded mode: waits until at least n messages are queued.
  bool wait_pending(std::size_t n);
  bool wait_closed();

 private:
  void close_with(engineio::close_reason r);  // mu_ held

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
  explicit harness(std::size_t workers = 1, bool threads = false, server_options opts = {});
  ~harness();

  // Deterministic mode: runs every worker until nothing is ready.
  void poll();
  // Deterministic mode: runs workers (timers included) until pred() or patience runs out.
  bool run_until(const std::function<bool()>& pred);
  // Runs f on worker w and waits for it (both modes).
  void on_worker(std::size_t w, std::function<void()> f);

  std::shared_ptr<fake_connection> connect(std::size_t worker = 0);

  // Connects to `nsp` ("0..." packet) and returns the socket id from the CONNECT answer.
  std::string join(fake_connection& c, const std::string& nsp = "/", const std::string& auth = "");

  std::vector<std::string> log_lines();

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
