// What the client's fault tests share: a probe that handlers note events into and the test waits
// on (with a deadline, never a sleep), and an in-process sio server on loopback with the events
// the tests use (echo with ack, binary echo, hi, an endless tick stream), and a TCP relay that can
// cut the connections it relays.
#pragma once

#include <sio/sio.hpp>

#include "../integration/test_certs.hpp"
#include "fixture_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sio::test {

// The whole text of a file (empty when it cannot be read), e.g. a server's log.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Named events noted from any thread (handlers, completions) and waited on by the test.
class probe {
 public:
  void note(const std::string& what, std::string detail = {}) {
    {
      std::lock_guard lock(m_);
      ++counts_[what];
      last_[what] = std::move(detail);
    }
    cv_.notify_all();
  }
  int count(const std::string& what) const {
    std::lock_guard lock(m_);
    auto it = counts_.find(what);
    return it == counts_.end() ? 0 : it->second;
  }
  std::string last(const std::string& what) const {
    std::lock_guard lock(m_);
    auto it = last_.find(what);
    return it == last_.end() ? std::string() : it->second;
  }
  // Waits until `what` was noted `n` times; false when the deadline passed first.
  bool wait(const std::string& what, int n = 1, std::chrono::milliseconds within = 20s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, within, [&] { return counts_[what] >= n; });
  }
  // Waits until pred() holds, checked whenever something is noted (and every 10 ms for state
  // that changes without a note). pred runs without the probe's lock: it may call count().
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds within = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::unique_lock lock(m_);
      cv_.wait_for(lock, 10ms);
    }
    return true;
  }

 private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::map<std::string, int> counts_;
  std::map<std::string, std::string> last_;
};

struct test_server_options {
  std::uint16_t port = 0;  // 0: an ephemeral port
  bool polling = true;
  bool websocket = true;
  std::optional<engineio::tls_options> tls;
  bool recovery = false;
  std::size_t workers = 1;
};

// sio::server on 127.0.0.1 with, on "/":
//   "echo" (ack)          answers with every argument it got (binary included)
//   "hi"                  emits "hi" back
//   "more" (n)            emits "tick" n
// Connections and disconnections are noted in `events` ("connection", "disconnect").
class test_server {
 public:
  explicit test_server(test_server_options o = {}) : secure_(o.tls.has_value()), io_(options(o)) {
    io_.on_connection([this](sio::socket& s) {
      events.note("connection", s.id());
      s.on("echo", [](sio::socket&, const sio::payload& p, sio::ack ack) { ack.send(p); });
      s.on("hi", [](sio::socket& s, const boost::json::array&) { s.emit("hi"); });
      s.on("more", [](sio::socket& s, const boost::json::value& n) { s.emit("tick", n); });
      s.on_disconnect([this](sio::socket&, sio::disconnect_reason r) {
        events.note("disconnect", std::string(to_string(r)));
      });
    });
    io_.start();
  }
  std::uint16_t port() const noexcept { return io_.port(); }
  std::string url() const {
    return (secure_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
  }
  sio::server& io() noexcept { return io_; }
  void stop() { io_.stop(); }

  probe events;

 private:
  static server_options options(const test_server_options& o) {
    server_options so;
    so.http.address = "127.0.0.1";
    so.http.port = o.port;
    so.http.workers = o.workers;
    so.http.tls = o.tls;
    so.engine.polling = o.polling;
    so.engine.websocket = o.websocket;
    if (o.recovery) so.connection_state_recovery.emplace();
    so.log = [](std::string_view) {};
    return so;
  }

  bool secure_;
  sio::server io_;
};

// A TCP relay on a loopback port forwarding to `target`, on its own thread; cut() closes every
// connection it relays (the client sees its connection end without a goodbye).
class tcp_relay {
 public:
  explicit tcp_relay(std::uint16_t target)
      : target_(asio::ip::make_address("127.0.0.1"), target),
        acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~tcp_relay() {
    ioc_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int accepted() const { return accepted_; }
  void cut() {
    asio::post(ioc_, [this] {
      for (auto& l : links_) l.close();
    });
  }

 private:
  struct link {
    link(asio::io_context& ioc, asio::ip::tcp::socket c) : client(std::move(c)), server(ioc) {}
    void close() {
      boost::system::error_code ec;
      client.close(ec);
      server.close(ec);
    }
    asio::ip::tcp::socket client, server;
    std::array<char, 16384> up{}, down{};
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket c) {
      if (ec) return;
      ++accepted_;
      auto& l = links_.emplace_back(ioc_, std::move(c));
      l.server.async_connect(target_, [this, &l](boost::system::error_code ec) {
        if (ec) return l.close();
        pump(l.client, l.server, l.up, l);
        pump(l.server, l.client, l.down, l);
      });
      accept();
    });
  }
  // Copies from -> to until either side ends, then closes both. A link stays in links_ (closed)
  // until the relay goes: the relay lives for one test.
  void pump(asio::ip::tcp::socket& from, asio::ip::tcp::socket& to, std::array<char, 16384>& buf,
            link& l) {
    from.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
      if (ec) return l.close();
      asio::async_write(to, asio::buffer(buf, n), [&](boost::system::error_code ec, std::size_t) {
        if (ec) return l.close();
        pump(from, to, buf, l);
      });
    });
  }

  asio::io_context ioc_;
  asio::ip::tcp::endpoint target_;
  asio::ip::tcp::acceptor acceptor_;
  std::list<link> links_;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Threads running an io_context until stop() (they keep a work guard until then).
class context_runner {
 public:
  explicit context_runner(asio::io_context& ioc, int threads = 1)
      : ioc_(ioc), guard_(ioc.get_executor()) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }
  ~context_runner() { stop(); }
  // Stops the io_context and joins the threads; the work guard goes too.
  void stop() {
    ioc_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    guard_.reset();
  }

 private:
  asio::io_context& ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
};

// engineio::tls_options of a certificate made by test_certs (issue(name) first).
inline engineio::tls_options server_tls(const test_certs& certs, const std::string& name) {
  return {.cert_file = certs.path(name + ".pem"), .key_file = certs.path(name + ".key")};
}

}  // namespace sio::test
