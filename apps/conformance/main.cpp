// sio-conformance-server: the server the official protocol test suites run against.
//   /engine.io/  Engine.IO v4, configured as docs/engine.io-protocol's test-suite section says
//                (pingInterval 300, pingTimeout 200, maxPayload 1e6, CORS "*"), echoing every
//                message (text and binary) back.
// Each endpoint is one attach(...) call in main(); add more beside the existing one.
//
// Usage: sio-conformance-server [--port N] [--workers N]
#include <sio/engineio/server.hpp>

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

// Echoes every Engine.IO message back on the same session.
class echo_handler final : public sio::engineio::handler {
 public:
  void on_open(const sio::engineio::connection_ptr&) override {}
  void on_message(sio::engineio::connection& c, std::string_view text) override {
    c.send(sio::engineio::make_text(std::string(text)));
  }
  void on_binary(sio::engineio::connection& c, std::string_view bytes) override {
    c.send(sio::engineio::make_binary(std::string(bytes)));
  }
  void on_close(sio::engineio::connection&, sio::engineio::close_reason) override {}
};

sio::engineio::endpoint_options engine_io_test_options() {
  sio::engineio::endpoint_options o;
  o.path = "/engine.io/";
  o.ping_interval = std::chrono::milliseconds(300);
  o.ping_timeout = std::chrono::milliseconds(200);
  o.max_payload = 1'000'000;
  o.cors.enabled = true;
  o.cors.origins = {"*"};
  return o;
}

struct args {
  std::uint16_t port = 3000;
  std::size_t workers = 0;
};

args parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << arg << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--port") {
      a.port = static_cast<std::uint16_t>(std::stoul(value()));
    } else if (arg == "--workers") {
      a.workers = std::stoul(value());
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: sio-conformance-server [--port N] [--workers N]\n";
      std::exit(0);
    } else {
      std::cerr << "unknown argument " << arg << "\n";
      std::exit(2);
    }
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const auto a = parse_args(argc, argv);
  sio::engineio::server srv{{.address = "0.0.0.0", .port = a.port, .workers = a.workers}};

  srv.attach(engine_io_test_options(), std::make_shared<echo_handler>());
  // More endpoints (e.g. Socket.IO at /socket.io/) are attached here.

  srv.start();
  std::cout << "sio-conformance-server listening on port " << srv.port() << std::endl;

  // Block until SIGINT/SIGTERM, then stop gracefully.
  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { srv.stop(); });
  signals_ctx.run();
  return 0;
}
