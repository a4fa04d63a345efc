// What the client's fault tests share: a probe that handlers note events into and the test waits
// on (with a deadline, never a sleep), and an in-process sio server on loopback with the events
// the tests use (echo with ack, binary echo, hi, an endless tick stream), and a TCP relay that can
// cut the connections it relays. Declared here, compiled once in faults_support.cpp (the library
// sio_test_client_faults): the server's and Asio's templates are not compiled again in each test.
#pragma once

#include "../integration/test_certs.hpp"
#include "fixture_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sio {
class server;
}

namespace sio::test {

// The whole text of a file (empty when it cannot be read), e.g. a server's log.
std::string read_text(const std::filesystem::path& path);

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Named events noted from any thread (handlers, completions) and waited on by the test.
class probe {
 public:
  void note(const std::string& what, std::string detail = {});
  int count(const std::string& what) const;
  std::string last(const std::string& what) const;
  // Waits until `what` was noted `n` times; false when the deadline passed first.
  bool wait(const std::string& what, int n = 1, std::chrono::milliseconds within = 20s);
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

// A certificate and its key, as files (engineio::tls_options of the server).
struct server_certificate {
  std::string cert_file;
  std::string key_file;
};

struct test_server_options {
  std::uint16_t port = 0;  // 0: an ephemeral port
  bool polling = true;
  bool websocket = true;
  std::optional<server_certificate> tls;
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
  explicit test_server(test_server_options o = {});
  ~test_server();
  std::uint16_t port() const noexcept;
  std::string url() const;
  void stop();

  probe events;

 private:
  bool secure_;
  std::unique_ptr<sio::server> io_;
};

// A TCP relay on a loopback port forwarding to `target`, on its own thread; cut() closes every
// connection it relays (the client sees its connection end without a goodbye).
class tcp_relay {
 public:
  explicit tcp_relay(std::uint16_t target);
  ~tcp_relay();
  std::uint16_t port() const;
  int accepted() const;
  void cut();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// Threads running an io_context until stop() (they keep a work guard until then).
class context_runner {
 public:
  explicit context_runner(asio::io_context& ioc, int threads = 1);
  ~context_runner() { stop(); }
  // Stops the io_context and joins the threads; the work guard goes too.
  void stop();

 private:
  asio::io_context& ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::vector<std::thread> threads_;
};

// The certificate made by test_certs (issue(name) first).
server_certificate server_tls(const test_certs& certs, const std::string& name);

}  // namespace sio::test
