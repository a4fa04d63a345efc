// A private redis-server child process on a loopback port, for the Redis integration tests.
#pragma once

#include "../support/loopback.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sio::test {

// redis-server on 127.0.0.1:port with no persistence; `extra` arguments are appended (e.g.
// --requirepass, --user, or --port 0 --tls-port N ... where `port` is then the TLS port).
class redis_server {
 public:
  explicit redis_server(std::uint16_t port, std::vector<std::string> extra = {})
      : port_(port), extra_(std::move(extra)) {
    start();
  }
  ~redis_server() { kill(); }
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  void start() {
    using namespace std::chrono_literals;
    const std::string p = std::to_string(port_);
    std::vector<std::string> args{"redis-server", "--port",     p,        "--bind",
                                  "127.0.0.1",    "--save",     "",       "--appendonly",
                                  "no",           "--loglevel", "warning"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ), 0);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!accepts_connections(port_)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "redis-server did not start";
      std::this_thread::sleep_for(20ms);
    }
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

}  // namespace sio::test
