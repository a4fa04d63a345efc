// A server program run as a child process on a loopback port, for the client tests: started
// with spawn_child (its own standard output; it dies with the test), ready once its port accepts
// TCP connections, stopped with SIGTERM (SIGKILL when it does not exit within two seconds) or
// killed at once with kill(). It can be stopped and started again on the same port, as a server
// that goes away and comes back.
//
//   sio::test::child_server s({fixture, "--suite", "socket.io-client", "--port", "{port}"});
//   manager io(s.url());
//
// Every "{port}" in the arguments becomes the port. Not thread-safe: one test thread drives it.
#pragma once

#include "../support/child_process.hpp"
#include "../support/loopback.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sio::test {

class child_server {
 public:
  // Starts argv[0] (a path) with the other arguments; throws std::runtime_error when it does not
  // accept connections on `port` within ten seconds.
  explicit child_server(std::vector<std::string> argv, std::uint16_t port = free_port())
      : argv_(std::move(argv)), port_(port) {
    start();
  }
  ~child_server() { stop(); }
  child_server(const child_server&) = delete;
  child_server& operator=(const child_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool running() const noexcept { return pid_ > 0; }

  void start() {
    using namespace std::chrono_literals;
    if (running()) return;
    const auto args = arguments();
    pid_ = spawn_child(args);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!accepts_connections(port_)) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error(args[0] + " exited before accepting connections");
      }
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error(args[0] + " did not accept connections within 10 s");
      }
      std::this_thread::sleep_for(10ms);
    }
  }

  // Idempotent.
  void stop() {
    using namespace std::chrono_literals;
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
  }

  // SIGKILL at once: no goodbye, its connections cut and its sessions lost. Idempotent.
  void kill() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::vector<std::string> arguments() const {
    auto args = argv_;
    const std::string placeholder = "{port}";
    for (auto& a : args)
      for (auto at = a.find(placeholder); at != std::string::npos; at = a.find(placeholder))
        a.replace(at, placeholder.size(), std::to_string(port_));
    return args;
  }

  std::vector<std::string> argv_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace sio::test
