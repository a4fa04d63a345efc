// An application that uses sio from outside its source tree, built four ways by
// tests/consumer/run.sh (find_package on an install prefix, FetchContent, the extracted .deb,
// pkg-config) and driven by check.mjs with the official socket.io-client.
//
// Namespace /consumer: a middleware that admits auth.token == "let-me-in", a typed "greet"
// handler that broadcasts "greeted" to the namespace and acks. Beside sio the program uses Asio
// and Beast itself (its own io_context, timer, signal set and an HTTP request to its own
// Engine.IO endpoint), which must build and run with no Asio/Beast defines of its own.
// Prints "ready <port>" once serving on 127.0.0.1; stops cleanly on SIGTERM or SIGINT.
#include <sio/sio.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/describe/class.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

struct greeting {
  std::string name;
};
BOOST_DESCRIBE_STRUCT(greeting, (), (name))

struct greeted {
  std::string name;
  std::string from;  // the greeting socket's id
};
BOOST_DESCRIBE_STRUCT(greeted, (), (name, from))

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

namespace {

// GET /socket.io/?EIO=4&transport=polling with Beast: the body is the Engine.IO open packet.
asio::awaitable<std::string> engineio_open(std::uint16_t port) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(5s);
  co_await stream.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, "/socket.io/?EIO=4&transport=polling", 11};
  req.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  co_await http::async_read(stream, buffer, res, asio::use_awaitable);
  if (res.result() != http::status::ok)
    throw std::runtime_error("handshake status " + std::to_string(res.result_int()));
  co_return res.body();
}

void serve(sio::server& io) {
  auto& nsp = io.of("/consumer");
  nsp.use([](sio::socket& s, sio::next next) {
    const auto* token = s.handshake().auth.if_contains("token");
    if (token && *token == "let-me-in") return next();
    next(sio::connect_error{"unauthorized"});
  });
  nsp.on_connection([&nsp](sio::socket& s) {
    s.on("greet", [&nsp](sio::socket& s, const greeting& g, sio::ack ack) {
      nsp.emit("greeted", greeted{g.name, s.id()});
      ack({{"reply", "hello " + g.name}});
    });
  });
  io.start();
}

}  // namespace

int main() {
  sio::server io{{.http = {.address = "127.0.0.1", .port = 0, .workers = 2}}};
  serve(io);

  asio::io_context app;  // the application's own Asio
  asio::signal_set signals(app, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    io.stop();
    app.stop();
  });
  int status = 0;
  asio::steady_timer timer(app, 1ms);
  timer.async_wait([&](boost::system::error_code) {
    asio::co_spawn(app, engineio_open(io.port()), [&](std::exception_ptr e, std::string open) {
      try {
        if (e) std::rethrow_exception(e);
        if (!open.starts_with("0{")) throw std::runtime_error("not an open packet: " + open);
        std::cout << "ready " << io.port() << std::endl;
      } catch (const std::exception& x) {
        std::cerr << "self-check failed: " << x.what() << std::endl;
        status = 1;
        io.stop();
        app.stop();
      }
    });
  });
  app.run();
  return status;
}
