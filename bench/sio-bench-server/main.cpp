// sio-bench-server: sio's side of the benchmarks, the same contract as bench/node/server.mjs:
//   echo            -> ack with the same arguments
//   join {room}     -> join the room (acknowledged when the client asks)
//   fanout {room, payload} -> emit "fanout" with payload to every member of that room
//   stats           -> ack {heap: bytes of heap in use (glibc), clients: Engine.IO sessions}
//
//   sio-bench-server --port N [--workers W] [--recovery MS] [--tls-cert FILE --tls-key FILE]
//                    [--redis URL[,URL...] [--adapter redis|redis-streams|redis-sharded]
//                     [--sharded-mode dynamic|static]] [--parser json|msgpack]
//                     [--per-message-deflate on|nct] [--write-delay US]
//
// --parser msgpack speaks socket.io-msgpack-parser (sio::msgpack_parser) instead of JSON.
// --per-message-deflate accepts WebSocket permessage-deflate with Node's defaults (on), or asking
// every client for server_no_context_takeover too (nct). --write-delay sets the engine's
// server_options::write_delay in microseconds (default 0). --recovery turns on connection state
// recovery with a window of MS milliseconds; --tls-cert and
// --tls-key serve https and wss instead of plain TCP. --redis makes it one node of a cluster with
// the named adapter (default redis, the pub/sub one; redis-sharded takes the seeds of a Redis
// Cluster, or one Redis 7, and --sharded-mode, Node's subscriptionMode); it then prints its
// "listening" line once the adapter is subscribed.
//
// Listens on 127.0.0.1 only; stops cleanly on SIGINT/SIGTERM.
#include <sio/sio.hpp>
#ifdef SIO_BENCH_HAVE_MSGPACK
#include <sio/server/msgpack_parser.hpp>
#endif
#ifdef SIO_BENCH_HAVE_REDIS
#include <sio/redis/redis_adapter.hpp>
#if __has_include(<sio/redis/redis_streams_adapter.hpp>)
#include <sio/redis/redis_streams_adapter.hpp>
#define SIO_BENCH_HAVE_STREAMS 1
#endif
#if __has_include(<sio/redis/redis_sharded_adapter.hpp>)
#include <sio/redis/redis_sharded_adapter.hpp>
#define SIO_BENCH_HAVE_SHARDED 1
#endif
#endif

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  std::chrono::microseconds write_delay{0};  // --write-delay US
  bool metrics = true;             // --metrics 0: counting off (server_options::metrics.enabled)
  std::vector<std::string> redis;  // --redis, split at commas: a cluster node
  std::string adapter = "redis";
  bool sharded_static = false;                                        // --sharded-mode static
  bool msgpack = false;                                               // --parser msgpack
  std::optional<sio::engineio::per_message_deflate_options> deflate;  // --per-message-deflate
};

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> out;
  for (;;) {
    const auto comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

std::optional<args> parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    const char* value = argv[++i];
    if (name == "--redis") {
      a.redis = split_commas(value);
      continue;
    }
    if (name == "--adapter") {
      a.adapter = value;
      if (a.adapter != "redis" && a.adapter != "redis-streams" && a.adapter != "redis-sharded")
        return std::nullopt;
      continue;
    }
    if (name == "--sharded-mode") {
      if (std::string_view(value) != "static" && std::string_view(value) != "dynamic")
        return std::nullopt;
      a.sharded_static = std::string_view(value) == "static";
      continue;
    }
    if (name == "--parser") {
      if (std::string_view(value) != "json" && std::string_view(value) != "msgpack")
        return std::nullopt;
      a.msgpack = std::string_view(value) == "msgpack";
      continue;
    }
    if (name == "--per-message-deflate") {
      if (std::string_view(value) != "on" && std::string_view(value) != "nct") return std::nullopt;
      a.deflate.emplace();
      a.deflate->server_no_context_takeover = std::string_view(value) == "nct";
      continue;
    }
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
    else if (name == "--write-delay")
      a.write_delay = std::chrono::microseconds(v > 0 ? v : 0);
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

#ifdef SIO_BENCH_HAVE_REDIS
// The adapter of --adapter on --redis; throws when this build lacks it.
sio::adapter_factory cluster_adapter(const args& a) {
  if (a.adapter == "redis") return sio::redis_adapter::factory({.url = a.redis.at(0)});
#ifdef SIO_BENCH_HAVE_STREAMS
  if (a.adapter == "redis-streams")
    return sio::redis_streams_adapter::factory({.url = a.redis.at(0)});
#endif
#ifdef SIO_BENCH_HAVE_SHARDED
  if (a.adapter == "redis-sharded") {
    sio::redis_sharded_adapter_options o;
    o.seeds = a.redis;
    if (a.sharded_static) o.subscription_mode = sio::sharded_subscription_mode::static_;
    return sio::redis_sharded_adapter::factory(std::move(o));
  }
#endif
  throw std::runtime_error("--adapter " + a.adapter + ": not in this build");
}

// Runs `f` once the adapter of "/" is subscribed (at once for a single node).
void when_adapter_ready(sio::server& io, const args& a, std::function<void()> f) {
  auto& root = io.of("/");
  if (a.redis.empty()) return f();
  if (auto* pubsub = sio::redis_adapter::of(root)) return pubsub->when_ready(std::move(f));
#ifdef SIO_BENCH_HAVE_STREAMS
  if (a.adapter == "redis-streams") return sio::redis_streams_adapter::when_ready(root, f);
#endif
#ifdef SIO_BENCH_HAVE_SHARDED
  if (auto* sharded = sio::redis_sharded_adapter::of(root))
    return sharded->when_ready(std::move(f));
#endif
  f();
}
#else
sio::adapter_factory cluster_adapter(const args&) {
  throw std::runtime_error("--redis: this build has no Redis adapter (sio_redis)");
}
void when_adapter_ready(sio::server&, const args&, std::function<void()> f) {
  f();
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const auto a = parse_args(argc, argv);
  if (!a) {
    std::cerr << "usage: sio-bench-server --port N [--workers W] [--recovery MS] "
                 "[--tls-cert FILE --tls-key FILE] [--metrics 0|1]\n"
                 "  [--redis URL[,URL...] [--adapter redis|redis-streams|redis-sharded] "
                 "[--sharded-mode dynamic|static]] [--parser json|msgpack]\n"
                 "  [--per-message-deflate on|nct] [--write-delay US]\n";
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
    opts.http.write_delay = a->write_delay;
    // Every load comes from one address, thousands of connections a second: no per-address limits.
    opts.http.max_connections_per_address = 0;
    opts.http.handshakes_per_second = 0;
    opts.metrics.enabled = a->metrics;
    opts.engine.per_message_deflate = a->deflate;
    if (a->recovery)
      opts.connection_state_recovery =
          sio::recovery_options{.max_disconnection_duration = *a->recovery};
    if (!a->redis.empty()) opts.adapter = cluster_adapter(*a);
    if (a->msgpack) {
#ifdef SIO_BENCH_HAVE_MSGPACK
      opts.parser = std::make_shared<sio::msgpack_parser>();
#else
      throw std::runtime_error("--parser msgpack: this build has no sio_msgpack");
#endif
    }
    sio::server io{std::move(opts)};
    install_handlers(io);
    io.start();
    std::promise<void> ready;
    std::once_flag once;  // an adapter may say it again after reconnecting
    when_adapter_ready(io, *a, [&] { std::call_once(once, [&] { ready.set_value(); }); });
    ready.get_future().wait();
    std::printf("sio-bench-server listening on 127.0.0.1:%u (%zu workers%s%s)\n", io.port(),
                a->workers, a->redis.empty() ? "" : ", adapter ",
                a->redis.empty() ? "" : a->adapter.c_str());
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
