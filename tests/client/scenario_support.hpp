// What the scenario tests share: the servers they run against (the official fixture on Node's
// socket.io, sio-client-fixture with one worker and with four), a log that client handlers write
// to and the test waits on, and the value-parameterized fixture that starts each server once.
#pragma once

#include "fixture_server.hpp"

#include <sio/client/manager.hpp>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace sio::test {

using namespace std::chrono_literals;

// One server the scenarios run against: a name for the test names and the program's arguments.
struct scenario_server {
  std::string name;
  std::vector<std::string> argv;
};

// gtest prints the parameter by its name (in test listings and ctest's test names).
inline void PrintTo(const scenario_server& s, std::ostream* os) {
  *os << s.name;
}

inline std::vector<scenario_server> scenario_servers() {
  std::vector<scenario_server> servers;
#ifdef SIO_TEST_NODE
  // The socket.io-client suite's own fixture (test/support/server.ts) on Node's socket.io.
  servers.push_back(
      {"node",
       {SIO_TEST_NODE, SIO_TEST_NODE_FIXTURE, "--suite", "socket.io-client", "--port", "{port}"}});
#endif
  for (const char* workers : {"1", "4"})
    servers.push_back({std::string("sio") + workers,
                       {SIO_TEST_CLIENT_FIXTURE, "--suite", "socket.io-client", "--port", "{port}",
                        "--workers", workers}});
  return servers;
}

inline std::string scenario_server_name(const testing::TestParamInfo<scenario_server>& info) {
  return info.param.name;
}

// What happened, in order: handlers (on the client's thread) add entries, the test waits for
// them. Waits end after ten seconds at most; a wait that times out is a failure of the test.
class recorder {
 public:
  void add(std::string entry) {
    {
      std::lock_guard lock(mutex_);
      entries_.push_back(std::move(entry));
    }
    changed_.notify_all();
  }
  // Waits until `entry` was added `n` times.
  bool wait(const std::string& entry, std::size_t n = 1) {
    return wait_until([&](const std::vector<std::string>& e) {
      return static_cast<std::size_t>(std::count(e.begin(), e.end(), entry)) >= n;
    });
  }
  bool wait_until(const std::function<bool(const std::vector<std::string>&)>& done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return done(entries_); });
  }
  std::size_t count(const std::string& entry) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(entries_.begin(), entries_.end(), entry));
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> entries_;
};

// A window in which something must NOT happen (a reconnection after a forced close...): the
// official suite waits as long; nothing is asserted about how long anything took.
inline void quiet_window(std::chrono::milliseconds d) {
  std::this_thread::sleep_for(d);
}

// The JS client's defaults, with short reconnection delays (the official suite uses 10 ms where
// it waits for a reconnection).
inline client::manager_options scenario_options() {
  client::manager_options o;
  o.reconnection_delay = 100ms;
  o.reconnection_delay_max = 500ms;
  return o;
}

// The scenarios' fixture: each server is started once per test program and stopped at its end.
class scenario_test : public testing::TestWithParam<scenario_server> {
 protected:
  void SetUp() override {
    auto& running = servers()[GetParam().name];
    if (!running) running = std::make_unique<child_server>(GetParam().argv);
    server_ = running.get();
  }
  static void TearDownTestSuite() { servers().clear(); }

  std::string url(const std::string& tail = "") const { return server_->url() + tail; }
  // A URL where nothing listens.
  static std::string closed_url() { return "http://127.0.0.1:" + std::to_string(free_port()); }

  static client::manager_options options() { return scenario_options(); }

  child_server* server_ = nullptr;

 private:
  static std::map<std::string, std::unique_ptr<child_server>>& servers() {
    static std::map<std::string, std::unique_ptr<child_server>> s;
    return s;
  }
};

inline std::string json_text(const boost::json::value& v) {
  return boost::json::serialize(v);
}

}  // namespace sio::test
