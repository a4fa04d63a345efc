// An Engine.IO echo server at /engine.io/ on an ephemeral loopback port, for tests that need the
// engine in a process of its own (engineio_accept_test runs it with a low descriptor limit). It
// prints its port on a line of its own, then serves until it is killed.
#include <sio/engineio/server.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

namespace {

namespace eng = sio::engineio;

class echo final : public eng::handler {
 public:
  void on_open(const eng::connection_ptr&) override {}
  void on_message(eng::connection& c, std::string_view text) override {
    c.send(eng::make_text(std::string(text)));
  }
  void on_binary(eng::connection&, std::string_view) override {}
  void on_close(eng::connection&, eng::close_reason) override {}
};

}  // namespace

int main() {
  // Connections that never send a request are held for a minute: a test can keep them open.
  eng::server srv(
      {.address = "127.0.0.1", .workers = 1, .header_timeout = std::chrono::seconds(60)});
  srv.attach({.path = "/engine.io/"}, std::make_shared<echo>());
  srv.start();
  std::printf("%u\n", static_cast<unsigned>(srv.port()));
  std::fflush(stdout);
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}
