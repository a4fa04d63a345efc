// sio-bench-server: sio's side of the benchmarks, the same contract as bench/node/server.mjs:
//   echo            -> ack with the same arguments
//   join {room}     -> join the room (acknowledged when the client asks)
//   fanout {room, payload} -> emit "fanout" with payload to every member of that room
//
//   sio-bench-server --port N [--workers W] [--tls-cert FILE --tls-key FILE]
//
// Listens on 127.0.0.1 only; stops cleanly on SIGINT/SIGTERM.
#include <sio/sio.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

void raise_fd_limit() {
  rlimit r{1'048'576, 1'048'576};
  if (::setrlimit(RLIMIT_NOFILE, &r) == 0) return;
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

const boost::json::string* room_of(const boost::json::array& args) {
  if (args.empty() || !args[0].is_object()) return nullptr;
  auto* r = args[0].as_object().if_contains("room");
  return r && r->is_string() ? &r->as_string() : nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 3000;
  std::size_t workers = 1;
  std::optional<sio::engineio::tls_options> tls;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if ((a == "--tls-cert" || a == "--tls-key") && i + 1 < argc) {
      if (!tls) tls.emplace();
      (a == "--tls-cert" ? tls->cert_file : tls->key_file) = argv[++i];
    } else if ((a == "--port" || a == "--workers") && i + 1 < argc) {
      long v = std::strtol(argv[++i], nullptr, 10);
      if (a == "--port")
        port = static_cast<std::uint16_t>(v);
      else
        workers = static_cast<std::size_t>(v > 0 ? v : 1);
    } else {
      std::cerr << "usage: sio-bench-server --port N [--workers W] [--tls-cert F --tls-key F]\n";
      return 2;
    }
  }
  raise_fd_limit();

  // Block the stop signals before any worker thread exists; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    sio::server_options opts;
    opts.http.address = "127.0.0.1";
    opts.http.port = port;
    opts.http.workers = workers;
    opts.http.tls = tls;
    sio::server io{std::move(opts)};
    io.on_connection([&io](sio::socket& s) {
      s.on("echo", [](sio::socket&, sio::payload& p, sio::ack a) { a.send(std::move(p)); });
      s.on("join", [](sio::socket& s, const boost::json::array& args, sio::ack a) {
        if (auto* r = room_of(args)) s.join(std::string_view(*r));
        if (a.requested()) a.send({});
      });
      s.on("fanout", [&io](sio::socket&, const boost::json::array& args) {
        auto* r = room_of(args);
        if (!r) return;
        auto* p = args[0].as_object().if_contains("payload");
        io.to(std::string_view(*r)).emit("fanout", p ? *p : boost::json::value());
      });
    });
    io.start();
    std::printf("sio-bench-server listening on 127.0.0.1:%u (%zu workers)\n", io.port(), workers);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    io.stop();
  } catch (const std::exception& e) {
    std::cerr << "sio-bench-server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
