// sio-client-fixture: the server that the official socket.io-client and engine.io-client test
// suites (Node.js mode) run against, in place of their own Node.js fixtures.
//
// Usage: sio-client-fixture --suite socket.io-client|engine.io-client [--port N] [--workers N]
//                           [--parser json|msgpack]
//   socket.io-client  Socket.IO at /socket.io/ (the suite expects port 3210); --parser msgpack
//                     speaks socket.io-msgpack-parser (client_fixture_msgpack.test.mjs)
//   engine.io-client  Engine.IO at /engine.io/ (the suite expects port 3000)
#include "fixtures.hpp"

#ifdef SIO_CLIENT_FIXTURE_HAVE_MSGPACK
#include <sio/server/msgpack_parser.hpp>
#endif

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

namespace {

struct args {
  std::string suite;
  std::uint16_t port = 0;
  std::size_t workers = 0;
  std::string parser = "json";
};

[[noreturn]] void usage(int code) {
  (code == 0 ? std::cout : std::cerr)
      << "usage: sio-client-fixture --suite socket.io-client|engine.io-client [--port N] "
         "[--workers N] [--parser json|msgpack]\n";
  std::exit(code);
}

args parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    if (arg == "--suite") {
      a.suite = value();
    } else if (arg == "--port") {
      a.port = static_cast<std::uint16_t>(std::stoul(value()));
    } else if (arg == "--workers") {
      a.workers = std::stoul(value());
    } else if (arg == "--parser") {
      a.parser = value();
    } else if (arg == "--help" || arg == "-h") {
      usage(0);
    } else {
      usage(2);
    }
  }
  if (a.suite != "socket.io-client" && a.suite != "engine.io-client") usage(2);
  if (a.parser != "json" && a.parser != "msgpack") usage(2);
  if (a.port == 0) a.port = a.suite == "socket.io-client" ? 3210 : 3000;
  return a;
}

std::shared_ptr<const sio::parser> parser_of(const args& a) {
  if (a.parser == "json") return nullptr;  // the default
#ifdef SIO_CLIENT_FIXTURE_HAVE_MSGPACK
  return std::make_shared<sio::msgpack_parser>();
#else
  std::cerr << "--parser msgpack: not built (needs sio_msgpack)\n";
  std::exit(2);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const auto a = parse_args(argc, argv);
  // The client suites open hundreds of connections and sessions a second from one address: no
  // per-address limits.
  sio::engineio::server engine{{.address = "0.0.0.0",
                                .port = a.port,
                                .workers = a.workers,
                                .max_connections_per_address = 0,
                                .handshakes_per_second = 0}};
  std::unique_ptr<sio::server> io;
  if (a.suite == "socket.io-client") {
    io = client_fixture::mount_socket_io_client(engine, parser_of(a));
  } else {
    client_fixture::mount_engine_io_client(engine);
  }
  engine.start();
  std::cout << "sio-client-fixture (" << a.suite << ") listening on port " << engine.port()
            << std::endl;

  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { engine.stop(); });
  signals_ctx.run();
  return 0;
}
