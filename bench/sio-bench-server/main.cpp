// sio-bench-server: sio's side of the benchmarks, the same contract as bench/node/server.mjs:
//   echo            -> ack with the same arguments
//   join {room}     -> join the room (acknowledged when the client asks)
//   fanout {room, payload} -> emit "fanout" with payload to every member of that room
//   stats           -> ack {heap: bytes of heap in use (glibc), clients: Engine.IO sessions}
//
//   sio-bench-server --port N [--workers W] [--recovery MS] [--tls-cert FILE --tls-key FILE]
//
// --recovery turns on connection state recovery with a window of MS milliseconds; --tls-cert and
// --tls-key serve https and wss instead of plain TCP.
//
// Listens on 127.0.0.1 only; stops cleanly on SIGINT/SIGTERM.
#include <sio/sio.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
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

// Heap bytes in use: the allocator's own count (freed memory it keeps for reuse is not counted).
std::uint64_t heap_in_use() {
  const struct mallinfo2 m = ::mallinfo2();
  return m.uordblks + m.hblkhd;
}

struct args {
  std::uint16_t port = 3000;
  std::size_t workers = 1;
  std::optional<std::chrono::milliseconds> recovery;
  std::optional<sio::engineio::tls_options> tls;
  bool metrics = true;  // --metrics 0: counting off (server_options::metrics.enabled)
};

std::optional<args> parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    const char* value = argv[++i];
    if (name == "--tls-cert" || name == "--tls-key") {
      if (!a.tls) a.tls.emplace();
      (name == "--tls-cert" ? a.tls->cert_file : a.tls->key_file) = value;
      continue;
    }
    const long v = std::strtol(value, nullptr, 10);
    if (name == "--port")
      a.port = static_cast<std::uint16_t>(v);
    else if (name == "--workers")
      a.workers = static_cast<std::size_t>(v > 0 ? v : 1);
    else if (name == "--recovery")
      a.recovery = std::chrono::milliseconds(v);
    else if (name == "--metrics")
      a.metrics = v != 0;
    else
      return std::nullopt;
  }
  return a;
}

void install_handlers(sio::server& io) {
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
    s.on("stats", [&io](sio::socket&, const boost::json::array&, sio::ack a) {
      a(boost::json::object{{"heap", heap_in_use()}, {"clients", io.engine()->session_count()}});
    });
  });
}

}  // namespace

int main(int argc, char** argv) {
  const auto a = parse_args(argc, argv);
  if (!a) {
    std::cerr << "usage: sio-bench-server --port N [--workers W] [--recovery MS] "
                 "[--tls-cert FILE --tls-key FILE] [--metrics 0|1]\n";
    return 2;
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
    opts.http.port = a->port;
    opts.http.workers = a->workers;
    opts.http.tls = a->tls;
    // Every load comes from one address, thousands of connections a second: no per-address limits.
    opts.http.max_connections_per_address = 0;
    opts.http.handshakes_per_second = 0;
    opts.metrics.enabled = a->metrics;
    if (a->recovery)
      opts.connection_state_recovery =
          sio::recovery_options{.max_disconnection_duration = *a->recovery};
    sio::server io{std::move(opts)};
    install_handlers(io);
    io.start();
    std::printf("sio-bench-server listening on 127.0.0.1:%u (%zu workers)\n", io.port(),
                a->workers);
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
