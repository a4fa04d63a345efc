// sio-redis-node: one sio node of a Redis cluster, with the test events the cluster interop tests
// drive (tests/interop/redis_*.test.mjs).
//
// Usage: sio-redis-node [--port N] [--redis redis://127.0.0.1:6379[,URL...]] [--name NODE]
//                       [--workers N] [--key socket.io]
//                       [--adapter redis|redis-streams|redis-sharded] [--recovery]
//                       [--subscription-mode static|dynamic|dynamic-private]
//   --adapter   redis (default): sio::redis_adapter (@socket.io/redis-adapter's protocol);
//               redis-streams: sio::redis_streams_adapter (@socket.io/redis-streams-adapter's),
//               --key is then its channel prefix;
//               redis-sharded: sio::redis_sharded_adapter (createShardedAdapter of
//               @socket.io/redis-adapter), --redis then lists the seed nodes of a Redis Cluster
//               separated by commas (or names one Redis 7), --key is its channel prefix and
//               --subscription-mode Node's subscriptionMode (default dynamic)
//   --recovery  connection state recovery on (Node's connectionStateRecovery defaults)
// Prints "sio-redis-node <name> ready on port <port>" once listening and subscribed.
//
// Events of namespace "/" (`ack` is the client's acknowledgement callback):
//   "whoami" (ack)                       ack({node, id})
//   "join" (room, ack)                   socket.join(room); ack(node)
//   "set-data" (object, ack)             socket.data = object; ack()
//   "broadcast" ({to?, except?}, value, ack)
//                                        io.to(to).except(except).emit("broadcast", value, node);
//                                        ack()  (value may be binary)
//   "fetch" ({in?}, ack)                 io.in(in).fetch_sockets();
//                                        ack([{id, rooms, data, auth}] sorted by id)
//   "sockets-join" ({in?}, room, ack)    io.in(in).sockets_join(room); ack()
//   "sockets-leave" ({in?}, room, ack)   io.in(in).sockets_leave(room); ack()
//   "disconnect-sockets" ({in?}, ack)    io.in(in).disconnect_sockets(); ack()
//   "server-side-emit" (value, ack)      io.server_side_emit_with_ack("hello", value, node);
//                                        ack({error: bool, responses})
//   "broadcast-with-ack" ({to?, timeout}, value, ack)
//                                        io.to(to).timeout(t).emit("question", value) collecting
//                                        answers; ack({error: bool, responses})
//   "server-count" (ack)                 ack(io.server_count())
// Server-side events from other nodes: "hello" (value, from) is answered with
// {node, got: value} and announced to this node's clients as "server-side" (event, args...).
#include <sio/redis/redis_adapter.hpp>
#include <sio/redis/redis_sharded_adapter.hpp>
#include <sio/redis/redis_streams_adapter.hpp>
#include <sio/server/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <string>

namespace json = boost::json;

namespace {

struct args {
  std::uint16_t port = 3000;
  std::string redis = "redis://127.0.0.1:6379";
  std::string name = "sio";
  std::string key = "socket.io";
  std::size_t workers = 2;
  std::string adapter = "redis";
  bool recovery = false;
  std::string subscription_mode = "dynamic";
};

void usage() {
  std::cerr << "usage: sio-redis-node [--port N] [--redis URL[,URL...]] [--name NODE] "
               "[--workers N] [--key PREFIX] [--adapter redis|redis-streams|redis-sharded] "
               "[--recovery] [--subscription-mode static|dynamic|dynamic-private]\n";
  std::exit(2);
}

args parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << arg << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--port")
      a.port = static_cast<std::uint16_t>(std::stoul(value()));
    else if (arg == "--redis")
      a.redis = value();
    else if (arg == "--name")
      a.name = value();
    else if (arg == "--key")
      a.key = value();
    else if (arg == "--workers")
      a.workers = std::stoul(value());
    else if (arg == "--adapter")
      a.adapter = value();
    else if (arg == "--recovery")
      a.recovery = true;
    else if (arg == "--subscription-mode")
      a.subscription_mode = value();
    else
      usage();
  }
  return a;
}

// "a,b" -> {"a", "b"}
std::vector<std::string> split_urls(std::string_view list) {
  std::vector<std::string> out;
  for (;;) {
    auto comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

// The cluster adapter --adapter names, and how to wait until it is connected and subscribed.
struct cluster_choice {
  sio::adapter_factory factory;
  std::function<void(sio::namespace_&, std::function<void()>)> when_ready;
};

cluster_choice select_adapter(const args& a) {
  if (a.adapter == "redis") {
    sio::redis_adapter_options o;
    o.url = a.redis;
    o.key = a.key;
    return {sio::redis_adapter::factory(o), [](sio::namespace_& nsp, std::function<void()> f) {
              sio::redis_adapter::of(nsp)->when_ready(std::move(f));
            }};
  }
  if (a.adapter == "redis-streams") {
    sio::redis_streams_adapter_options o;
    o.url = a.redis;
    o.channel_prefix = a.key;
    return {sio::redis_streams_adapter::factory(o),
            [](sio::namespace_& nsp, std::function<void()> f) {
              sio::redis_streams_adapter::when_ready(nsp, std::move(f));
            }};
  }
  auto mode = sio::parse_subscription_mode(a.subscription_mode);
  if (a.adapter == "redis-sharded" && mode) {
    sio::redis_sharded_adapter_options o;
    o.seeds = split_urls(a.redis);
    o.channel_prefix = a.key;
    o.subscription_mode = *mode;
    return {sio::redis_sharded_adapter::factory(o),
            [](sio::namespace_& nsp, std::function<void()> f) {
              sio::redis_sharded_adapter::of(nsp)->when_ready(std::move(f));
            }};
  }
  usage();
  return {};
}

const json::object* opt_object(const sio::payload& p, std::size_t i) {
  return i < p.args.size() ? p.args[i].if_object() : nullptr;
}

std::string opt_string(const json::object* o, std::string_view key) {
  if (!o) return {};
  auto* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The argument at i (with its binary attachment, if any) as a payload of one argument.
sio::payload arg_payload(const sio::payload& p, std::size_t i) {
  sio::payload out;
  if (i < p.args.size()) out.args.push_back(p.args[i]);
  out.attachments = p.attachments;
  return out;
}

json::array responses_json(const std::vector<sio::payload>& rs) {
  json::array a;
  for (const auto& r : rs) a.push_back(r.args.empty() ? json::value() : r.args[0]);
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const auto a = parse_args(argc, argv);
  auto cluster = select_adapter(a);
  sio::server_options so;
  so.http.address = "127.0.0.1";
  so.http.port = a.port;
  so.http.workers = a.workers;
  // A test node: its clients all come from loopback, as fast as the tests go.
  so.http.max_connections_per_address = 0;
  so.http.handshakes_per_second = 0;
  so.engine.cors.origins = {"*"};
  so.adapter = std::move(cluster.factory);
  if (a.recovery) so.connection_state_recovery = sio::recovery_options{};
  sio::server io{std::move(so)};
  auto& root = io.of("/");
  const std::string node = a.name;

  io.on_server_side_emit("hello", [&io, node](const sio::payload& args, sio::ack ack) {
    json::value got = args.args.empty() ? json::value() : args.args[0];
    ack(json::object{{"node", node}, {"got", got}});
    io.local().emit("server-side", "hello", args);
  });

  io.on_connection([&io, node](sio::socket& s) {
    s.on("whoami", [node](sio::socket& s, const sio::payload&, sio::ack ack) {
      ack(json::object{{"node", node}, {"id", s.id()}});
    });
    s.on("join", [node](sio::socket& s, const sio::payload& p, sio::ack ack) {
      if (!p.args.empty() && p.args[0].is_string()) s.join(std::string(p.args[0].get_string()));
      ack(json::value(node));
    });
    s.on("set-data", [](sio::socket& s, const sio::payload& p, sio::ack ack) {
      if (auto* o = opt_object(p, 0)) s.data = *o;
      ack();
    });
    s.on("broadcast", [&io, node](sio::socket&, const sio::payload& p, sio::ack ack) {
      const auto* o = opt_object(p, 0);
      auto op = io.sockets().all();
      if (auto to = opt_string(o, "to"); !to.empty()) op = op.to(to);
      if (auto ex = opt_string(o, "except"); !ex.empty()) op = op.except(ex);
      op.emit("broadcast", arg_payload(p, 1), node);
      ack();
    });
    s.on("fetch", [&io](sio::socket&, const sio::payload& p, sio::ack ack) {
      auto op = io.sockets().all();
      if (auto in = opt_string(opt_object(p, 0), "in"); !in.empty()) op = op.in(in);
      op.fetch_sockets([ack](std::vector<sio::remote_socket> sockets) {
        std::sort(sockets.begin(), sockets.end(),
                  [](const auto& x, const auto& y) { return x.id() < y.id(); });
        json::array out;
        for (const auto& r : sockets) {
          json::array rooms;
          auto sorted = r.rooms();
          std::sort(sorted.begin(), sorted.end());
          for (const auto& room : sorted) rooms.emplace_back(room);
          out.push_back(json::object{{"id", r.id()},
                                     {"rooms", std::move(rooms)},
                                     {"data", r.data()},
                                     {"auth", r.handshake().auth}});
        }
        ack(json::value(std::move(out)));
      });
    });
    s.on("sockets-join", [&io](sio::socket&, const sio::payload& p, sio::ack ack) {
      auto op = io.sockets().all();
      if (auto in = opt_string(opt_object(p, 0), "in"); !in.empty()) op = op.in(in);
      if (p.args.size() > 1 && p.args[1].is_string()) op.sockets_join(p.args[1].get_string());
      ack();
    });
    s.on("sockets-leave", [&io](sio::socket&, const sio::payload& p, sio::ack ack) {
      auto op = io.sockets().all();
      if (auto in = opt_string(opt_object(p, 0), "in"); !in.empty()) op = op.in(in);
      if (p.args.size() > 1 && p.args[1].is_string()) op.sockets_leave(p.args[1].get_string());
      ack();
    });
    s.on("disconnect-sockets", [&io](sio::socket&, const sio::payload& p, sio::ack ack) {
      auto op = io.sockets().all();
      if (auto in = opt_string(opt_object(p, 0), "in"); !in.empty()) op = op.in(in);
      ack();
      op.disconnect_sockets();
    });
    s.on("server-side-emit", [&io, node](sio::socket&, const sio::payload& p, sio::ack ack) {
      io.server_side_emit_with_ack(
          "hello", sio::make_payload(arg_payload(p, 0), node),
          [ack](boost::system::error_code ec, std::vector<sio::payload> rs) {
            ack(json::object{{"error", static_cast<bool>(ec)}, {"responses", responses_json(rs)}});
          });
    });
    s.on("broadcast-with-ack", [&io](sio::socket&, const sio::payload& p, sio::ack ack) {
      const auto* o = opt_object(p, 0);
      auto op = io.sockets().all();
      if (auto to = opt_string(o, "to"); !to.empty()) op = op.to(to);
      std::int64_t t = 2000;
      if (o)
        if (auto* v = o->if_contains("timeout"); v && v->is_int64()) t = v->get_int64();
      op.timeout(std::chrono::milliseconds(t))
          .emit_with_ack("question", arg_payload(p, 1),
                         [ack](boost::system::error_code ec, std::vector<sio::payload> rs) {
                           ack(json::object{{"error", static_cast<bool>(ec)},
                                            {"responses", responses_json(rs)}});
                         });
    });
    s.on("server-count",
         [&io](sio::socket&, sio::ack ack) { io.server_count([ack](std::size_t n) { ack(n); }); });
  });

  io.start();
  cluster.when_ready(root, [&io, node] {
    std::cout << "sio-redis-node " << node << " ready on port " << io.port() << std::endl;
  });

  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  signals_ctx.run();
  return 0;
}
