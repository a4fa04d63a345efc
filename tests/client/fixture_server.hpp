// A server program (sio-client-fixture, sio-conformance-server, node with a script...) run as a
// child process on a loopback port, for the client tests: start() waits until the port accepts
// connections, stop() ends it with SIGTERM, kill() with SIGKILL (its sessions are lost), and
// start() again restarts it on the same port.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace sio::test {

// A loopback port free at the time of the call.
inline std::uint16_t free_loopback_port() {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

inline bool loopback_port_accepts(std::uint16_t port) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

class child_server {
 public:
  // argv[0] is the program (looked up on PATH when it has no '/'); `port` is where it listens.
  child_server(std::vector<std::string> argv, std::uint16_t port)
      : argv_(std::move(argv)), port_(port) {}
  ~child_server() { kill(); }
  child_server(const child_server&) = delete;
  child_server& operator=(const child_server&) = delete;

  // Spawns the program and waits (up to 20 s) until its port accepts connections.
  void start() {
    using namespace std::chrono_literals;
    ASSERT_LE(pid_, 0) << "already running";
    std::vector<char*> argv;
    for (auto& a : argv_) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0)
        << "cannot run " << argv_[0];
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!loopback_port_accepts(port_)) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << argv_[0] << " exited before listening on port " << port_;
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << argv_[0] << " did not start";
      std::this_thread::sleep_for(20ms);
    }
  }
  // Ends it with SIGTERM (a graceful stop) and reaps it.
  void stop() { end(SIGTERM); }
  // Ends it with SIGKILL (no goodbye: its connections are cut, its sessions lost) and reaps it.
  void kill() { end(SIGKILL); }
  bool running() const noexcept { return pid_ > 0; }
  std::uint16_t port() const noexcept { return port_; }

 private:
  void end(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::vector<std::string> argv_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace sio::test
