// sio-bench: command line, the phases of a run (connect, join, warm-up, window, drain), CPU and
// memory sampling from /proc, and the report (a human table, then one JSON object as last line).
//
//   sio-bench --url http://HOST:PORT [--url ...]
//             --scenario connect|connect-upgrade|idle|echo|fanout|rooms|polling
//             [--clients N] [--rate MSGS_PER_S] [--duration S] [--payload BYTES]
//             [--transport websocket|polling] [--server-pid PID] [--json] [--verify] ...
#include "bench.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <thread>

namespace sio::bench {
namespace {

using namespace std::chrono_literals;

[[noreturn]] void usage(int code) {
  std::cerr <<
      R"(usage: sio-bench --url http://HOST:PORT --scenario NAME [options]
scenarios: connect  open N connections (time, connects/s, failures)
           connect-upgrade  as a browser's io(url): polling handshake, CONNECT over
                    polling, then the WebSocket probe and upgrade (connected when upgraded)
           idle     hold N connections; server RSS per connection (needs --server-pid)
           echo     N clients, fixed offered rate of acked echoes; latency from intended send
           fanout   one sender, one room of N receivers; delivered msgs/s and latency
           rooms    one sender, rooms of --room-size receivers (N in all)
A cluster: --url once per node; clients are spread over the nodes, each room's receivers
over every node, and --senders N (fanout, rooms) senders take turns over the nodes.
           polling  echo over HTTP long-polling only
options:   --clients N (100)  --rate MSGS_PER_S (echo 1000, fanout 100, rooms 1000,
           polling 200; 0 = closed loop)  --duration S (5)  --payload BYTES (32)
           --transport websocket|polling  --server-pid PID (once per node: summed)
           --redis-info HOST:PORT (that Redis's CPU per delivery too)  --senders N (1)
           --json  --verify  --deflate (offer permessage-deflate; text filler)
           --warmup S (1)  --drain S (3)  --threads N (1)  --sources N (auto)
           --room-size N (100)  --window N (4, fanout closed loop)  --concurrency N (256)
           --path /socket.io/  --connect-timeout S (60)  --ws-client lean|beast|sio (lean)
           --parser json|msgpack (json; msgpack: socket.io-msgpack-parser's packets, the lean
           WebSocket client only)
An https:// or wss:// URL speaks TLS (WebSocket scenarios, Beast's client; the server's
certificate is not verified).
)";
  std::exit(code);
}

std::optional<scenario_kind> parse_scenario(std::string_view s) {
  if (s == "connect") return scenario_kind::connect;
  if (s == "connect-upgrade") return scenario_kind::connect_upgrade;
  if (s == "idle") return scenario_kind::idle;
  if (s == "echo") return scenario_kind::echo;
  if (s == "fanout") return scenario_kind::fanout;
  if (s == "rooms") return scenario_kind::rooms;
  if (s == "polling") return scenario_kind::polling;
  return std::nullopt;
}

// "--name=value", "--flag" or "--name value" (taking the next argument): {name, value}.
std::pair<std::string, std::string> next_option(int argc, char** argv, int& i) {
  std::string a = argv[i];
  if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos)
    return {a.substr(0, eq), a.substr(eq + 1)};
  if (a == "--json" || a == "--verify" || a == "--deflate" || a == "--help" || a == "-h")
    return {a, ""};
  if (i + 1 >= argc) {
    std::cerr << "sio-bench: " << a << " needs a value\n";
    usage(2);
  }
  return {a, argv[++i]};
}

// A number >= lo, or the usage.
double number(const std::string& name, const std::string& v, double lo) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d) || d < lo) {
    std::cerr << "sio-bench: bad value for " << name << ": " << v << "\n";
    usage(2);
  }
  return d;
}

// http://HOST[:PORT][/PATH/] (or ws://; https:// or wss:// for TLS): one more server, and the
// Engine.IO path.
void parse_url(std::string_view u, config& c) {
  server_address a;
  if (u.rfind("http://", 0) == 0) u.remove_prefix(7);
  if (u.rfind("ws://", 0) == 0) u.remove_prefix(5);
  for (std::string_view scheme : {"https://", "wss://"}) {
    if (u.rfind(scheme, 0) != 0) continue;
    u.remove_prefix(scheme.size());
    c.tls = true;
  }
  if (auto slash = u.find('/'); slash != std::string_view::npos) {
    auto p = u.substr(slash);
    if (p.size() > 1) c.path = std::string(p);
    if (c.path.back() != '/') c.path += '/';
    u = u.substr(0, slash);
  }
  auto colon = u.rfind(':');
  a.host = std::string(u.substr(0, colon));
  a.port = c.tls ? 443 : 80;
  if (colon != std::string_view::npos)
    a.port = static_cast<std::uint16_t>(std::atoi(std::string(u.substr(colon + 1)).c_str()));
  if (a.host == "localhost") a.host = "127.0.0.1";
  c.servers.push_back(std::move(a));
}

// The options that take a string value; false when `name` is not one of them.
bool apply_text_option(config& c, const std::string& name, const std::string& v) {
  if (name == "--scenario") {
    auto s = parse_scenario(v);
    if (!s) {
      std::cerr << "sio-bench: unknown scenario " << v << "\n";
      usage(2);
    }
    c.scenario = *s;
    c.scenario_name = v;
  } else if (name == "--transport") {
    if (v != "websocket" && v != "polling") usage(2);
    c.transport = v == "polling" ? transport_kind::polling : transport_kind::websocket;
  } else if (name == "--ws-client") {
    if (v != "lean" && v != "beast" && v != "sio") usage(2);
    c.beast_ws = v == "beast";
    c.sio_client = v == "sio";
  } else if (name == "--parser") {
    if (v != "json" && v != "msgpack") usage(2);
    c.msgpack = v == "msgpack";
#ifndef SIO_BENCH_HAVE_MSGPACK
    if (c.msgpack) {
      std::cerr << "sio-bench: --parser msgpack not built (needs sio_msgpack)\n";
      usage(2);
    }
#endif
  } else if (name == "--path") {
    c.path = v;
  } else if (name == "--redis-info") {
    const auto colon = v.rfind(':');
    if (colon == std::string::npos) usage(2);
    c.redis = server_address{v.substr(0, colon),
                             static_cast<std::uint16_t>(std::atoi(v.c_str() + colon + 1))};
  } else {
    return false;
  }
  return true;
}

// The options that take a number: name, smallest value, where it goes.
struct number_option {
  std::string_view name;
  double lo;
  void (*set)(config&, double);
};
std::size_t as_size(double d) {
  return static_cast<std::size_t>(d);
}
constexpr number_option number_options[] = {
    {"--clients", 1, [](config& c, double d) { c.clients = as_size(d); }},
    {"--rate", 0, [](config& c, double d) { c.rate = d; }},
    {"--duration", 0, [](config& c, double d) { c.duration = d; }},
    {"--payload", 0, [](config& c, double d) { c.payload = as_size(d); }},
    {"--server-pid", 1, [](config& c, double d) { c.server_pids.push_back(static_cast<int>(d)); }},
    {"--senders", 1, [](config& c, double d) { c.senders = as_size(d); }},
    {"--warmup", 0, [](config& c, double d) { c.warmup = d; }},
    {"--drain", 0, [](config& c, double d) { c.drain = d; }},
    {"--threads", 1, [](config& c, double d) { c.threads = as_size(d); }},
    {"--sources", 1, [](config& c, double d) { c.sources = as_size(d); }},
    {"--room-size", 1, [](config& c, double d) { c.room_size = as_size(d); }},
    {"--window", 1, [](config& c, double d) { c.window = as_size(d); }},
    {"--concurrency", 1, [](config& c, double d) { c.concurrency = as_size(d); }},
    {"--connect-timeout", 1, [](config& c, double d) { c.connect_timeout = d; }},
};

// False when `name` is not a numeric option.
bool apply_number_option(config& c, const std::string& name, const std::string& v) {
  for (const auto& o : number_options) {
    if (name != o.name) continue;
    o.set(c, number(name, v, o.lo));
    return true;
  }
  return false;
}

// Offered rate when --rate is not given.
double default_rate(scenario_kind s) {
  switch (s) {
    case scenario_kind::fanout:
      return 100;
    case scenario_kind::polling:
      return 200;
    default:
      return 1000;
  }
}

config parse_args(int argc, char** argv) {
  config c;
  bool rate_set = false;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    const auto [name, v] = next_option(argc, argv, i);
    if (name == "--help" || name == "-h") usage(0);
    if (name == "--json") {
      c.json = true;
    } else if (name == "--verify") {
      c.verify = true;
    } else if (name == "--deflate") {
      c.deflate = true;
    } else if (name == "--url") {
      parse_url(v, c);
      have_url = true;
    } else if (!apply_text_option(c, name, v) && !apply_number_option(c, name, v)) {
      std::cerr << "sio-bench: unknown option " << name << "\n";
      usage(2);
    }
    rate_set = rate_set || name == "--rate";
  }
  if (!have_url) usage(2);
  if (c.scenario == scenario_kind::polling) c.transport = transport_kind::polling;
  if (c.scenario == scenario_kind::connect_upgrade &&
      (c.tls || c.beast_ws || c.sio_client || c.transport == transport_kind::polling)) {
    std::cerr << "sio-bench: connect-upgrade runs on the lean client over plain TCP\n";
    usage(2);
  }
  if (c.msgpack && (c.tls || c.beast_ws || c.sio_client || c.transport == transport_kind::polling ||
                    c.scenario == scenario_kind::connect_upgrade)) {
    std::cerr << "sio-bench: --parser msgpack runs on the lean WebSocket client over plain TCP\n";
    usage(2);
  }
  if (c.tls && c.transport == transport_kind::polling) {
    std::cerr << "sio-bench: TLS is for WebSocket scenarios only\n";
    usage(2);
  }
  if (!rate_set) c.rate = default_rate(c.scenario);
  if (c.verify) c.drain = std::max(c.drain, 10.0);
  c.threads = std::min<std::size_t>(c.threads, 64);
  c.senders = std::min<std::size_t>(c.senders, 64);
  // Every sender's window in flight must fit the completion slots.
  if (c.senders * c.window >= shared_state::slot_count) {
    std::cerr << "sio-bench: --senders times --window must stay below " << shared_state::slot_count
              << "\n";
    usage(2);
  }
  return c;
}

void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  // As root the hard limit can go up to fs.nr_open; else the soft limit goes up to the hard one.
  rlim_t want = 1'048'576;
  if (std::ifstream f("/proc/sys/fs/nr_open"); f) f >> want;
  rlimit up{want, want};
  if (::setrlimit(RLIMIT_NOFILE, &up) == 0) return;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
}

std::uint64_t fd_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

// utime + stime of a process, seconds; nullopt when it cannot be read.
std::optional<double> cpu_seconds(const std::string& pid) {
  std::ifstream f("/proc/" + pid + "/stat");
  std::string s;
  if (!f || !std::getline(f, s)) return std::nullopt;
  auto p = s.rfind(')');
  if (p == std::string::npos) return std::nullopt;
  std::istringstream in(s.substr(p + 2));
  std::string tok;
  double ut = 0, st = 0;
  for (int field = 3; in >> tok; ++field) {
    if (field == 14) ut = std::strtod(tok.c_str(), nullptr);
    if (field == 15) {
      st = std::strtod(tok.c_str(), nullptr);
      return (ut + st) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
  }
  return std::nullopt;
}

// VmRSS in bytes.
std::optional<std::uint64_t> rss_bytes(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return std::nullopt;
}

struct totals {
  std::uint64_t connected = 0, connect_failed = 0, disconnected = 0, joined = 0;
  std::uint64_t sent_window = 0, expected_window = 0, delivered_window = 0, received_in_window = 0;
  std::uint64_t sent_total = 0, received_total = 0;
  std::uint64_t overruns = 0, out_of_order = 0, duplicates = 0, payload_errors = 0,
                protocol_errors = 0;
  std::uint64_t bytes_in = 0;
  std::int64_t last_connect_ns = 0;
};

totals sum(const std::vector<std::unique_ptr<worker>>& ws) {
  totals t;
  for (auto& w : ws) {
    auto& c = w->c;
    t.connected += c.connected.get();
    t.connect_failed += c.connect_failed.get();
    t.disconnected += c.disconnected.get();
    t.joined += c.joined.get();
    t.sent_window += c.sent_window.get();
    t.expected_window += c.expected_window.get();
    t.delivered_window += c.delivered_window.get();
    t.received_in_window += c.received_in_window.get();
    t.sent_total += c.sent_total.get();
    t.received_total += c.received_total.get();
    t.overruns += c.overruns.get();
    t.out_of_order += c.out_of_order.get();
    t.duplicates += c.duplicates.get();
    t.payload_errors += c.payload_errors.get();
    t.protocol_errors += c.protocol_errors.get();
    t.bytes_in += c.bytes_in.get();
    t.last_connect_ns = std::max(t.last_connect_ns, c.last_connect_ns.load());
  }
  return t;
}

double ms(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}
// JSON numbers: integral values as integers (Boost.JSON writes every double with an exponent).
boost::json::value jnum(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    return static_cast<std::int64_t>(v);
  return v;
}
boost::json::value round3(double v) {
  return jnum(std::round(v * 1000.0) / 1000.0);
}
boost::json::value round1(double v) {
  return jnum(std::round(v * 10.0) / 10.0);
}

// JSON as a person reads it: Boost.JSON writes every double with an exponent ("2E3").
void write_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::value(kv.key()));
        out += ':';
        write_json(kv.value(), out);
      }
      out += '}';
      break;
    }
    case boost::json::kind::double_: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
      out.append(buf, r.ptr);
      break;
    }
    default:
      out += boost::json::serialize(v);
  }
}

// --- the run ------------------------------------------------------------------------------------

// What a scenario needs: its kind of traffic and its connections.
struct plan {
  bool fan = false;           // fanout, rooms: senders, receivers in rooms
  bool echo = false;          // echo, polling: every client sends and awaits acks
  bool connect_only = false;  // connect: the connect phase is the measurement window
  bool upgrade = false;       // connect-upgrade: polling first, then the WebSocket
  std::size_t conns = 0;      // the clients, plus the fanout senders
  std::size_t sockets = 0;    // descriptors wanted (polling: two per client; upgrade: three)
};

plan make_plan(const config& cfg) {
  plan p;
  p.fan = cfg.scenario == scenario_kind::fanout || cfg.scenario == scenario_kind::rooms;
  p.echo = cfg.scenario == scenario_kind::echo || cfg.scenario == scenario_kind::polling;
  p.upgrade = cfg.scenario == scenario_kind::connect_upgrade;
  p.connect_only = cfg.scenario == scenario_kind::connect || p.upgrade;
  p.conns = cfg.clients + (p.fan ? cfg.senders : 0);
  p.sockets = p.conns * (p.upgrade ? 3 : cfg.transport == transport_kind::polling ? 2 : 1);
  return p;
}

// The rooms of fanout (one of every receiver) and rooms (--room-size each); one room otherwise.
void make_rooms(shared_state& sh, const config& cfg, const plan& p) {
  const std::size_t room_size =
      cfg.scenario == scenario_kind::fanout ? cfg.clients : (cfg.room_size ? cfg.room_size : 100);
  sh.rooms = p.fan ? (cfg.clients + room_size - 1) / room_size : 1;
  sh.room_members = std::make_unique<std::atomic<std::uint32_t>[]>(sh.rooms);
  for (std::size_t i = 0; i < sh.rooms; ++i) sh.room_members[i].store(0);
}

void warn_fd_limit(std::size_t sockets) {
  if (sockets + 64 > fd_limit())
    std::cerr << "sio-bench: warning: " << sockets << " sockets wanted but the descriptor limit is "
              << fd_limit() << "\n";
}

// Source addresses: loopback only, enough that no (source, destination) pair runs out of ports.
std::vector<net::ip::address_v4> source_addresses(const net::ip::address& server, const config& cfg,
                                                  std::size_t sockets) {
  if (!server.is_v4() || (server.to_v4().to_uint() >> 24) != 127) return {net::ip::address_v4()};
  std::size_t n = cfg.sources ? cfg.sources : 1 + sockets / 10000;
  n = std::min<std::size_t>(n, 250);
  std::vector<net::ip::address_v4> sources;
  for (std::size_t i = 0; i < n; ++i)
    sources.push_back(net::ip::address_v4((127u << 24) + 1 + static_cast<unsigned>(i)));
  return sources;
}

// Client i: with fan, the senders first (client k is sender k), then receivers spread over the
// rooms; else an echo client (echo) or an idle one.
std::shared_ptr<client> make_client(worker& w, const plan& p, std::size_t i,
                                    net::ip::address_v4 src) {
  client::role r = p.echo ? client::role::echo : client::role::idle;
  std::uint32_t room = 0;
  if (p.fan) {
    const std::size_t senders = w.sh.cfg.senders;
    r = i < senders ? client::role::sender : client::role::receiver;
    if (i >= senders) room = static_cast<std::uint32_t>((i - senders) % w.sh.rooms);
  }
  const auto index = static_cast<std::uint32_t>(i);
  return w.sh.cfg.transport == transport_kind::polling ? make_polling_client(w, index, r, room, src)
                                                       : make_ws_client(w, index, r, room, src);
}

std::chrono::steady_clock::time_point seconds_from_now(double s) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(s));
}

// The worker threads of one run, as the control thread drives and watches them.
class runner {
 public:
  runner(shared_state& sh, const config& cfg)
      : sh_(sh), show_progress_(!cfg.json || cfg.duration >= 5) {
    for (std::size_t i = 0; i < cfg.threads; ++i)
      workers_.push_back(std::make_unique<worker>(sh, i));
  }

  void add_clients(const plan& p, const std::vector<net::ip::address_v4>& sources) {
    for (std::size_t i = 0; i < p.conns; ++i) {
      auto& w = *workers_[i % workers_.size()];
      auto cl = make_client(w, p, i, sources[i % sources.size()]);
      if (cl->kind() == client::role::sender) sh_.senders.push_back({cl.get(), &w, {}, 0});
      w.clients.push_back(std::move(cl));
    }
  }

  void start() {
    for (auto& w : workers_) {
      guards_.push_back(net::make_work_guard(w->ioc));
      threads_.emplace_back([w = w.get()] { w->ioc.run(); });
    }
  }

  // Runs f(worker&) on every worker's thread.
  template <class F>
  void on_all(F f) {
    for (auto& w : workers_) net::post(w->ioc, [w = w.get(), f] { f(*w); });
  }

  totals sum() const { return bench::sum(workers_); }

  // Polls `done` every `step` until it holds (true) or `deadline` passes (false), showing the
  // counters as `phase` about once a second.
  template <class Done>
  bool wait(std::string_view phase, std::chrono::steady_clock::time_point deadline,
            std::chrono::milliseconds step, Done done) {
    for (;;) {
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      progress(phase);
      std::this_thread::sleep_for(step);
    }
  }
  bool wait(std::string_view phase, std::chrono::steady_clock::time_point deadline,
            std::chrono::milliseconds step) {
    return wait(phase, deadline, step, [] { return false; });
  }

  // Closes every connection, lets the loops finish (bounded), joins the threads.
  void stop() {
    on_all([](worker& w) { w.close_all(); });
    guards_.clear();
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    for (auto& w : workers_) {
      while (!w->ioc.stopped() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
      w->ioc.stop();
    }
    for (auto& t : threads_) t.join();
  }

  // Message latency (echo, fanout) or connect latency, over every worker; after stop().
  histogram latency(bool messages) const {
    histogram h;
    for (auto& w : workers_) h.merge(messages ? w->latency : w->connect_latency);
    return h;
  }
  // connect-upgrade: connect start -> Socket.IO CONNECT answered over polling; after stop().
  histogram sio_connect_latency() const {
    histogram h;
    for (auto& w : workers_) h.merge(w->sio_connect_latency);
    return h;
  }

 private:
  void progress(std::string_view phase) {
    const auto now = std::chrono::steady_clock::now();
    if (!show_progress_ || now - last_progress_ < 1s) return;
    last_progress_ = now;
    const auto t = sum();
    std::fprintf(stderr,
                 "[sio-bench] %-8s connected=%llu failed=%llu sent=%llu received=%llu "
                 "errors=%llu\n",
                 std::string(phase).c_str(), static_cast<unsigned long long>(t.connected),
                 static_cast<unsigned long long>(t.connect_failed),
                 static_cast<unsigned long long>(t.sent_total),
                 static_cast<unsigned long long>(t.received_total),
                 static_cast<unsigned long long>(t.disconnected + t.protocol_errors + t.overruns));
  }

  shared_state& sh_;
  bool show_progress_;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::thread> threads_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
};

// used_cpu_sys + used_cpu_user of a Redis server's INFO cpu (microsecond resolution, where
// /proc counts clock ticks), seconds; nullopt when it cannot be asked.
std::optional<double> redis_cpu_seconds(const server_address& a) {
  try {
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address(a.host), a.port));
    net::write(s, net::buffer(std::string_view("INFO cpu\r\n")));
    std::string reply;  // a bulk string: $<n>\r\n<n bytes>\r\n
    char buf[4096];
    for (;;) {
      reply.append(buf, s.read_some(net::buffer(buf)));
      const auto eol = reply.find("\r\n");
      if (eol != std::string::npos && reply.size() >= eol + 2 + std::stoul(reply.substr(1)) + 2)
        break;
    }
    double total = 0;
    for (std::string_view key : {"used_cpu_sys:", "used_cpu_user:"}) {
      const auto at = reply.find(key);
      if (at == std::string::npos) return std::nullopt;
      total += std::strtod(reply.c_str() + at + key.size(), nullptr);
    }
    return total;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// CPU seconds of the servers (--server-pid, summed), of Redis (--redis-info) and of the generator
// over one window.
class cpu_window {
 public:
  explicit cpu_window(const config& cfg)
      : redis_(cfg.redis), self_pid_(std::to_string(::getpid())) {
    for (int pid : cfg.server_pids) server_pids_.push_back(std::to_string(pid));
  }

  void open() { sample(srv0_, redis0_, gen0_); }
  void close() { sample(srv1_, redis1_, gen1_); }
  std::optional<double> server_s() const { return diff(srv0_, srv1_); }
  std::optional<double> redis_s() const { return diff(redis0_, redis1_); }
  std::optional<double> generator_s() const { return diff(gen0_, gen1_); }

 private:
  void sample(std::optional<double>& srv, std::optional<double>& redis,
              std::optional<double>& gen) const {
    srv.reset();
    for (const auto& pid : server_pids_) {
      const auto s = cpu_seconds(pid);
      if (!s) {
        srv.reset();
        break;
      }
      srv = srv.value_or(0) + *s;
    }
    if (redis_) redis = redis_cpu_seconds(*redis_);
    gen = cpu_seconds(self_pid_);
  }
  static std::optional<double> diff(std::optional<double> a, std::optional<double> b) {
    if (!a || !b) return std::nullopt;
    return *b - *a;
  }

  std::vector<std::string> server_pids_;
  std::optional<server_address> redis_;
  std::string self_pid_;
  std::optional<double> srv0_, srv1_, redis0_, redis1_, gen0_, gen1_;
};

// VmRSS of the servers, summed; nullopt when one cannot be read or none was given.
std::optional<std::uint64_t> servers_rss(const config& cfg) {
  std::optional<std::uint64_t> sum;
  for (int pid : cfg.server_pids) {
    const auto rss = rss_bytes(pid);
    if (!rss) return std::nullopt;
    sum = sum.value_or(0) + *rss;
  }
  return sum;
}

struct connect_result {
  totals after;          // the counters when the phase ended
  double time_s = 0;     // to the last successful connect
  double elapsed_s = 0;  // the whole phase
};

// 1. connect: every client opens its session and gets its Socket.IO CONNECT answered.
connect_result connect_phase(runner& r, const config& cfg, const plan& p, cpu_window& cpu) {
  if (p.connect_only) cpu.open();
  const auto start = now_ns();
  r.on_all([](worker& w) { w.start_connecting(); });
  const bool all = r.wait("connect", seconds_from_now(cfg.connect_timeout), 2ms, [&] {
    const auto t = r.sum();
    return t.connected + t.connect_failed >= p.conns;
  });
  if (!all) std::cerr << "sio-bench: connect phase timed out\n";
  if (p.connect_only) cpu.close();
  connect_result c{r.sum()};
  if (c.after.connected) c.time_s = static_cast<double>(c.after.last_connect_ns - start) / 1e9;
  c.elapsed_s = static_cast<double>(now_ns() - start) / 1e9;
  return c;
}

// 2. joins (fanout, rooms): every receiver's join is acknowledged before the first send.
void join_phase(runner& r, const totals& after_connect, std::size_t senders) {
  const std::uint64_t receivers =
      after_connect.connected - std::min<std::uint64_t>(after_connect.connected, senders);
  r.on_all([](worker& w) { w.start_joins(); });
  const bool all = r.wait("join", std::chrono::steady_clock::now() + 30s, 2ms, [&] {
    const auto t = r.sum();
    return t.joined + t.disconnected >= receivers;
  });
  if (!all) std::cerr << "sio-bench: join phase timed out\n";
}

// Every worker sends from the same origin: warm-up first, then the measured window.
void start_sending(runner& r, shared_state& sh, const config& cfg) {
  const auto t = r.sum();
  sh.active_total.store(t.connected - std::min(t.connected, t.disconnected));
  const auto start = now_ns() + 1'000'000;
  sh.window_start = start + static_cast<std::int64_t>(cfg.warmup * 1e9);
  sh.window_end = sh.window_start + static_cast<std::int64_t>(cfg.duration * 1e9);
  sh.sending.store(true);
  r.on_all([start](worker& w) { w.start_sending(start); });
}

// 4. drain: answers to messages of the window still on their way.
void drain_phase(runner& r, const config& cfg, const plan& p) {
  r.wait("drain", seconds_from_now(cfg.drain), 2ms, [&] {
    const auto t = r.sum();
    return t.delivered_window >= (p.echo ? t.sent_window : t.expected_window);
  });
}

// 3. warm-up and window (echo, fanout, rooms, polling), then the drain; the window's length in s.
double message_phase(runner& r, shared_state& sh, const config& cfg, const plan& p,
                     cpu_window& cpu) {
  start_sending(r, sh, cfg);
  r.wait("warmup", to_time_point(sh.window_start), 1ms);
  cpu.open();
  r.wait("run", to_time_point(sh.window_end), 1ms);
  cpu.close();
  sh.sending.store(false);
  r.on_all([](worker& w) { w.stop_sending(); });
  drain_phase(r, cfg, p);
  return static_cast<double>(sh.window_end - sh.window_start) / 1e9;
}

// 2. --verify of the connect scenarios: one acked echo from every connected client, all answered.
void verify_echo_phase(runner& r, shared_state& sh, const config& cfg) {
  sh.window_start = 0;
  sh.window_end = std::numeric_limits<std::int64_t>::max();
  r.on_all([](worker& w) { w.send_verify_echoes(); });
  r.wait("verify", seconds_from_now(cfg.drain), 2ms, [&] {
    const auto t = r.sum();
    return t.sent_window > 0 && t.delivered_window >= t.sent_window;
  });
}

// 3. the idle hold: connections stay open (answering pings) for --duration; its length in s.
double idle_phase(runner& r, const config& cfg, cpu_window& cpu) {
  const auto start = now_ns();
  cpu.open();
  r.wait("idle", seconds_from_now(cfg.duration), 5ms);
  cpu.close();
  return static_cast<double>(now_ns() - start) / 1e9;
}

// Everything one run measured.
struct measurements {
  totals end;            // the counters after the run
  totals after_connect;  // the counters when the connect phase ended
  double connect_time_s = 0;
  double window_s = 0;
  std::optional<double> server_cpu_s, redis_cpu_s, generator_cpu_s;
  std::optional<std::uint64_t> rss_before, rss_after;
  // The generator's own RSS before its clients were made and once they were connected.
  std::optional<std::uint64_t> generator_rss_before, generator_rss_connected;
  histogram latency;
  histogram sio_connect_latency;  // connect-upgrade
};

measurements measure(runner& r, shared_state& sh, const config& cfg, const plan& p,
                     std::optional<std::uint64_t> generator_rss_before) {
  measurements m;
  m.generator_rss_before = generator_rss_before;
  m.rss_before = servers_rss(cfg);
  cpu_window cpu(cfg);
  r.start();
  const auto c = connect_phase(r, cfg, p, cpu);
  m.generator_rss_connected = rss_bytes(::getpid());
  m.after_connect = c.after;
  m.connect_time_s = c.time_s;
  if (p.connect_only) m.window_s = c.elapsed_s;
  if (p.connect_only && cfg.verify) verify_echo_phase(r, sh, cfg);
  if (p.fan) join_phase(r, c.after, cfg.senders);
  if (p.echo || p.fan) {
    m.window_s = message_phase(r, sh, cfg, p, cpu);
  } else if (cfg.scenario == scenario_kind::idle) {
    m.window_s = idle_phase(r, cfg, cpu);
  }
  m.rss_after = servers_rss(cfg);
  r.stop();
  m.end = r.sum();
  m.latency = r.latency(p.echo || p.fan);
  m.sio_connect_latency = r.sio_connect_latency();
  m.server_cpu_s = cpu.server_s();
  m.redis_cpu_s = cpu.redis_s();
  m.generator_cpu_s = cpu.generator_s();
  return m;
}

// --- the report ---------------------------------------------------------------------------------

// The figures a run is judged by, derived from its measurements.
struct figures {
  std::uint64_t sent = 0, expected = 0, delivered = 0, lost = 0, errors = 0;
  double delivered_per_s = 0, connects_per_s = 0;
  double server_pct = 0, generator_pct = 0;
  bool generator_bound = false;
  // Strict: nothing lost, duplicated, reordered or damaged, and no connection failed on the way.
  bool verify_ok = false;
  std::optional<double> rss_per_conn;
  std::optional<double> generator_rss_per_conn;    // bytes per connected client, in the generator
  std::optional<double> generator_us_per_message;  // generator CPU per message received
};

double per_s(double n, double s) {
  return s > 0 ? n / s : 0;
}

figures derive(const config& cfg, const plan& p, const measurements& m) {
  const auto& t = m.end;
  const bool messages = p.echo || p.fan;
  figures f;
  // The connect scenarios' --verify: every client connected and its one echo answered.
  const bool verify_echo = p.connect_only && cfg.verify;
  f.expected = p.echo || verify_echo ? t.sent_window : (p.fan ? t.expected_window : 0);
  f.lost = f.expected > t.delivered_window ? f.expected - t.delivered_window : 0;
  if (verify_echo) {
    const std::uint64_t ended = t.connected + t.connect_failed;  // the rest never finished
    f.lost += (p.conns > ended ? p.conns - ended : 0) +
              (t.connected > f.expected ? t.connected - f.expected : 0);
  }
  const std::uint64_t verify_errors = t.out_of_order + t.duplicates + t.payload_errors + f.lost;
  f.errors = t.connect_failed + t.disconnected + t.overruns + t.protocol_errors + verify_errors;
  f.verify_ok = f.errors == 0;
  f.sent = messages ? t.sent_window : p.conns;
  f.delivered = messages ? t.delivered_window : t.connected;
  f.delivered_per_s = messages ? per_s(static_cast<double>(t.received_in_window), m.window_s)
                               : per_s(static_cast<double>(t.connected), m.connect_time_s);
  f.connects_per_s = per_s(static_cast<double>(m.after_connect.connected), m.connect_time_s);
  if (m.server_cpu_s) f.server_pct = 100.0 * per_s(*m.server_cpu_s, m.window_s);
  if (m.generator_cpu_s) f.generator_pct = 100.0 * per_s(*m.generator_cpu_s, m.window_s);
  // Saturated: the generator's threads used (almost) all the CPU they could.
  f.generator_bound = f.generator_pct >= 95.0 * static_cast<double>(cfg.threads);
  if (m.rss_before && m.rss_after && m.after_connect.connected > 0) {
    const auto diff = static_cast<double>(*m.rss_after) - static_cast<double>(*m.rss_before);
    f.rss_per_conn = std::round(diff / static_cast<double>(m.after_connect.connected));
  }
  if (m.generator_rss_before && m.generator_rss_connected && m.after_connect.connected > 0) {
    const auto diff = static_cast<double>(*m.generator_rss_connected) -
                      static_cast<double>(*m.generator_rss_before);
    f.generator_rss_per_conn = std::round(diff / static_cast<double>(m.after_connect.connected));
  }
  if (messages && m.generator_cpu_s && t.received_in_window > 0)
    f.generator_us_per_message =
        *m.generator_cpu_s * 1e6 / static_cast<double>(t.received_in_window);
  return f;
}

boost::json::object latency_json(const histogram& lat) {
  boost::json::object j;
  j["p50"] = round3(ms(lat.quantile(0.50)));
  j["p90"] = round3(ms(lat.quantile(0.90)));
  j["p99"] = round3(ms(lat.quantile(0.99)));
  j["p999"] = round3(ms(lat.quantile(0.999)));
  j["max"] = round3(ms(lat.max()));
  j["mean"] = round3(lat.mean() / 1e6);
  j["count"] = lat.count();
  return j;
}

boost::json::object error_json(const totals& t, std::uint64_t lost) {
  boost::json::object j;
  j["connect_failures"] = t.connect_failed;
  j["disconnects"] = t.disconnected;
  j["overruns"] = t.overruns;
  j["protocol"] = t.protocol_errors;
  j["lost"] = lost;
  j["out_of_order"] = t.out_of_order;
  j["duplicates"] = t.duplicates;
  j["payload"] = t.payload_errors;
  return j;
}

// CPU and memory figures (present only when they were sampled).
void add_resource_json(boost::json::object& j, const plan& p, const measurements& m,
                       const figures& f) {
  if (m.server_cpu_s) {
    j["server_cpu_s"] = round3(*m.server_cpu_s);
    j["server_cpu_pct"] = round1(f.server_pct);
    // connect: connections per server-CPU-second.
    const auto n = p.connect_only ? m.after_connect.connected : m.end.received_in_window;
    j["msgs_per_server_cpu_s"] =
        jnum(*m.server_cpu_s > 0 ? std::round(static_cast<double>(n) / *m.server_cpu_s) : 0.0);
  }
  if (m.redis_cpu_s) {
    // Redis's INFO cpu (used_cpu_user + used_cpu_sys) over the window, per message delivered.
    j["redis_cpu_s"] = round3(*m.redis_cpu_s);
    j["redis_cpu_pct"] = round1(100.0 * per_s(*m.redis_cpu_s, m.window_s));
    const auto n = static_cast<double>(m.end.received_in_window);
    j["redis_cpu_us_per_delivery"] = round3(n > 0 ? *m.redis_cpu_s * 1e6 / n : 0.0);
  }
  if (m.generator_cpu_s) {
    j["generator_cpu_s"] = round3(*m.generator_cpu_s);
    j["generator_cpu_pct"] = round1(f.generator_pct);
  }
  j["generator_bound"] = f.generator_bound;
  if (m.rss_before) j["server_rss_before_bytes"] = *m.rss_before;
  if (m.rss_after) j["server_rss_after_bytes"] = *m.rss_after;
  if (f.rss_per_conn) j["rss_per_conn_bytes"] = jnum(*f.rss_per_conn);
  if (f.generator_rss_per_conn) j["generator_rss_per_conn_bytes"] = jnum(*f.generator_rss_per_conn);
  if (f.generator_us_per_message)
    j["generator_cpu_us_per_msg"] = round3(*f.generator_us_per_message);
  // Bytes the server wrote per message received (lean WebSocket client: handshakes, heartbeats
  // and acks included), e.g. with and without --deflate.
  if (m.end.bytes_in > 0 && m.end.received_total > 0)
    j["wire_bytes_per_msg"] =
        round1(static_cast<double>(m.end.bytes_in) / static_cast<double>(m.end.received_total));
}

// The --json line (its fields are listed in bench/README.md).
boost::json::object result_json(const config& cfg, const plan& p, std::size_t rooms,
                                const measurements& m, const figures& f) {
  boost::json::object j;
  j["scenario"] = cfg.scenario_name;
  j["transport"] = cfg.transport == transport_kind::polling ? "polling" : "websocket";
  j["ws_client"] = cfg.sio_client ? "sio" : (cfg.beast_ws || cfg.tls ? "beast" : "lean");
  j["clients"] = cfg.clients;
  j["servers"] = cfg.servers.size();
  j["senders"] = cfg.senders;
  j["connections"] = p.conns;
  j["rooms"] = rooms;
  j["rate"] = jnum(cfg.rate);
  j["payload"] = cfg.payload;
  j["threads"] = cfg.threads;
  j["duration_s"] = round3(m.window_s);
  j["connected"] = m.after_connect.connected;
  j["connect_failures"] = m.end.connect_failed;
  j["connect_time_s"] = round3(m.connect_time_s);
  j["connects_per_s"] = jnum(std::round(f.connects_per_s));
  j["sent"] = f.sent;
  j["expected"] = f.expected;
  j["delivered"] = f.delivered;
  j["delivered_per_s"] = round1(f.delivered_per_s);
  j["errors"] = f.errors;
  j["latency_ms"] = latency_json(m.latency);
  j["error_detail"] = error_json(m.end, f.lost);
  if (p.upgrade) j["sio_connect_ms"] = latency_json(m.sio_connect_latency);
  if (cfg.verify) j["verify_ok"] = f.verify_ok;
  add_resource_json(j, p, m, f);
  return j;
}

// The human table: what ran, then connects, messages, latency and errors.
void print_summary(const config& cfg, const plan& p, const measurements& m, const figures& f) {
  const bool messages = p.echo || p.fan;
  const std::string rate = !messages      ? "n/a"
                           : cfg.rate > 0 ? std::to_string(static_cast<long long>(cfg.rate)) + "/s"
                                          : "closed loop";
  std::printf("sio-bench %s over %s: %zu clients, %zu connections, rate %s, payload %zu B\n",
              cfg.scenario_name.c_str(),
              cfg.transport == transport_kind::polling ? "polling" : "websocket", cfg.clients,
              p.conns, rate.c_str(), cfg.payload);
  std::printf("  %-18s %llu ok, %llu failed, %.3f s (%.0f connects/s)\n", "connect",
              static_cast<unsigned long long>(m.after_connect.connected),
              static_cast<unsigned long long>(m.end.connect_failed), m.connect_time_s,
              f.connects_per_s);
  if (messages) {
    std::printf("  %-18s sent %llu, expected %llu, delivered %llu (%.0f/s over %.2f s)\n",
                "messages", static_cast<unsigned long long>(f.sent),
                static_cast<unsigned long long>(f.expected),
                static_cast<unsigned long long>(f.delivered), f.delivered_per_s, m.window_s);
  }
  const auto& lat = m.latency;
  std::printf("  %-18s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f (%s)\n", "latency ms",
              ms(lat.quantile(0.5)), ms(lat.quantile(0.9)), ms(lat.quantile(0.99)),
              ms(lat.quantile(0.999)), ms(lat.max()),
              messages    ? "from intended send"
              : p.upgrade ? "connect to upgrade done"
                          : "connect to CONNECT answer");
  if (p.upgrade) {
    const auto& c = m.sio_connect_latency;
    std::printf("  %-18s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f (%s)\n", "CONNECT ms",
                ms(c.quantile(0.5)), ms(c.quantile(0.9)), ms(c.quantile(0.99)),
                ms(c.quantile(0.999)), ms(c.max()), "connect to CONNECT answer over polling");
  }
  const auto& t = m.end;
  std::printf(
      "  %-18s %llu (disconnects %llu, overruns %llu, protocol %llu, lost %llu, "
      "out of order %llu, duplicates %llu, bad payload %llu)\n",
      "errors", static_cast<unsigned long long>(f.errors),
      static_cast<unsigned long long>(t.disconnected), static_cast<unsigned long long>(t.overruns),
      static_cast<unsigned long long>(t.protocol_errors), static_cast<unsigned long long>(f.lost),
      static_cast<unsigned long long>(t.out_of_order),
      static_cast<unsigned long long>(t.duplicates),
      static_cast<unsigned long long>(t.payload_errors));
}

// CPU, memory and the --verify verdict, when sampled or asked for.
void print_resources(const config& cfg, const measurements& m, const figures& f) {
  if (m.server_cpu_s) std::printf("  %-18s %.1f %%\n", "server cpu", f.server_pct);
  if (m.redis_cpu_s)
    std::printf("  %-18s %.1f %%\n", "redis cpu", 100.0 * per_s(*m.redis_cpu_s, m.window_s));
  if (m.generator_cpu_s)
    std::printf("  %-18s %.1f %%%s\n", "generator cpu", f.generator_pct,
                f.generator_bound ? "  GENERATOR-BOUND" : "");
  if (f.rss_per_conn)
    std::printf("  %-18s %.0f B per connection (%llu -> %llu)\n", "server rss", *f.rss_per_conn,
                static_cast<unsigned long long>(*m.rss_before),
                static_cast<unsigned long long>(*m.rss_after));
  if (f.generator_rss_per_conn)
    std::printf("  %-18s %.0f B per connected client\n", "generator rss",
                *f.generator_rss_per_conn);
  if (f.generator_us_per_message)
    std::printf("  %-18s %.3f us per message received\n", "generator cpu",
                *f.generator_us_per_message);
  if (m.end.bytes_in > 0 && m.end.received_total > 0)
    std::printf("  %-18s %.1f bytes per message received\n", "wire in",
                static_cast<double>(m.end.bytes_in) / static_cast<double>(m.end.received_total));
  if (cfg.verify) std::printf("  %-18s %s\n", "verify", f.verify_ok ? "OK" : "FAILED");
}

// Prints the table (and the JSON line with --json); the exit status: 1 when --verify failed.
int report(const config& cfg, const plan& p, std::size_t rooms, const measurements& m) {
  const figures f = derive(cfg, p, m);
  print_summary(cfg, p, m, f);
  print_resources(cfg, m, f);
  if (cfg.json) {
    std::string line;
    write_json(result_json(cfg, p, rooms, m, f), line);
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
  return cfg.verify && !f.verify_ok ? 1 : 0;
}

int run(const config& cfg) {
  raise_fd_limit();
  const plan p = make_plan(cfg);
  shared_state sh(cfg);
  make_rooms(sh, cfg, p);
  warn_fd_limit(p.sockets);
  const auto generator_rss_before = rss_bytes(::getpid());
  runner r(sh, cfg);
  r.add_clients(p, source_addresses(sh.targets.front().endpoint.address(), cfg, p.sockets));
  const measurements m = measure(r, sh, cfg, p, generator_rss_before);
  return report(cfg, p, sh.rooms, m);
}

}  // namespace
}  // namespace sio::bench

int main(int argc, char** argv) {
  try {
    return sio::bench::run(sio::bench::parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "sio-bench: " << e.what() << "\n";
    return 1;
  }
}
