// A server process killed (SIGKILL) while the client streams, then restarted on the same port:
// the client reconnects by itself, the emits buffered while the server was down are delivered
// once after the reconnection, and connection state recovery cannot resume (the killed process
// lost its sessions). Against sio-client-fixture and against the same fixture on Node's
// socket.io (tests/interop/client-fixture-reference.mjs); both keep sessions for recovery.
// And a server process goes with the test process that started it, also when that one is killed.
#include <sio/client/manager.hpp>

#include "faults_support.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sio::client::transport;
using sio::test::probe;

struct restart_case {
  std::string name;
  std::vector<std::string> (*argv)(std::uint16_t port);
  std::vector<transport> transports;
};

std::vector<restart_case> restart_cases() {
  std::vector<restart_case> cases;
  const std::vector<std::pair<std::string, std::vector<transport>>> transports = {
      {"polling_then_upgrade", {transport::polling, transport::websocket}},
      {"websocket", {transport::websocket}},
  };
  for (const auto& [tname, t] : transports) {
#ifdef SIO_CLIENT_FIXTURE
    cases.push_back(
        {"sio_" + tname,
         [](std::uint16_t port) -> std::vector<std::string> {
           return {
               SIO_CLIENT_FIXTURE, "--suite", "socket.io-client", "--port", std::to_string(port),
               "--workers",        "1"};
         },
         t});
#endif
#ifdef SIO_NODE_EXECUTABLE
    cases.push_back({"node_" + tname,
                     [](std::uint16_t port) -> std::vector<std::string> {
                       return {SIO_NODE_EXECUTABLE,
                               SIO_CLIENT_FIXTURE_REFERENCE,
                               "--suite",
                               "socket.io-client",
                               "--port",
                               std::to_string(port)};
                     },
                     t});
#endif
  }
  return cases;
}

class server_restart : public ::testing::TestWithParam<restart_case> {};

TEST_P(server_restart, client_reconnects_and_delivers_what_was_buffered_once) {
  const auto port = sio::test::free_port();
  sio::test::child_server srv(GetParam().argv(port), port);  // running

  probe p;  // outlives the manager: completions still pending at its end refer to it
  std::atomic<bool> reconnected{false};
  sio::client::manager_options mo;
  mo.transports = GetParam().transports;
  mo.reconnection_delay = 100ms;
  mo.reconnection_delay_max = 400ms;
  sio::client::manager io("http://127.0.0.1:" + std::to_string(port), mo);
  io.on_reconnect([&](unsigned) { p.note("reconnect"); });
  auto s = io.socket("/");
  auto* sp = s.get();
  s->on_connect([&, sp] {
    if (p.count("connect") > 0) reconnected = true;
    p.note("connect", sp->id());
  });
  s->on_disconnect(
      [&](sio::client::disconnect_reason r) { p.note("disconnect", std::string(to_string(r))); });
  s->on("hi", [&] { p.note(reconnected ? "hi-after" : "hi-before"); });
  ASSERT_TRUE(p.wait("connect"));
  const std::string first_id = s->id();

  // Streaming: answered echoes, then more in flight when the server dies.
  for (int i = 0; i < 20; ++i)
    s->emit_with_ack("echo", sio::make_payload(i),
                     [&, i](boost::system::error_code ec, sio::payload a) {
                       if (!ec && a.args.size() == 1 && a.args[0] == i) p.note("echo-before");
                     });
  ASSERT_TRUE(p.wait("echo-before", 20));
  for (int i = 0; i < 10; ++i) s->emit("hi");
  srv.kill();

  ASSERT_TRUE(p.wait("disconnect"));
  const auto reason = p.last("disconnect");
  EXPECT_TRUE(reason == "transport close" || reason == "transport error") << reason;
  EXPECT_FALSE(s->connected());
  EXPECT_TRUE(s->active());  // reconnecting by itself

  constexpr int buffered = 5;
  for (int i = 0; i < buffered; ++i) {
    s->emit("hi");
    s->emit_with_ack("echo", sio::make_payload(100 + i),
                     [&, i](boost::system::error_code ec, sio::payload a) {
                       if (ec) return p.note("echo-after-error", ec.message());
                       if (a.args.size() == 1 && a.args[0] == 100 + i) p.note("echo-after");
                     });
  }
  srv.start();  // the same port

  ASSERT_TRUE(p.wait("reconnect"));
  ASSERT_TRUE(p.wait("connect", 2));
  EXPECT_TRUE(s->connected());
  EXPECT_FALSE(s->recovered());
  EXPECT_NE(s->id(), first_id);
  ASSERT_TRUE(p.wait("echo-after", buffered));
  // The server answers in order: once this echo is back, every "hi" answer has arrived.
  s->emit_with_ack("echo", sio::make_payload("last"),
                   [&](boost::system::error_code ec, sio::payload) {
                     if (!ec) p.note("last");
                   });
  ASSERT_TRUE(p.wait("last"));
  EXPECT_EQ(p.count("hi-after"), buffered);
  EXPECT_EQ(p.count("echo-after"), buffered);
  EXPECT_EQ(p.count("echo-after-error"), 0) << p.last("echo-after-error");
}

// A test process killed before its teardown (ctest's timeout, a sanitizer report that halts it)
// leaves no child running: here one holds the end of a pipe as the test's output, as ctest's, and
// the pipe ends once the test process is gone.
TEST(child_process, dies_with_the_test_process) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t test = ::fork();
  ASSERT_GE(test, 0);
  if (test == 0) {
    ::close(fds[0]);
    try {
      sio::test::spawn_child({"/bin/sleep", "60"}, nullptr, fds[1]);
    } catch (...) {
    }
    ::raise(SIGKILL);
  }
  ::close(fds[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(test, &status, 0), test);
  EXPECT_TRUE(WIFSIGNALED(status));
  pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
  ASSERT_EQ(::poll(&p, 1, 20000), 1) << "the child outlived the test process";
  char c = 0;
  EXPECT_EQ(::read(fds[0], &c, 1), 0);  // end of file: no writer left
  ::close(fds[0]);
}

INSTANTIATE_TEST_SUITE_P(faults, server_restart, ::testing::ValuesIn(restart_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
