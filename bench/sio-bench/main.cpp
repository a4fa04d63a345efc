// sio-bench: command line, the phases of a run (connect, join, warm-up, window, drain), CPU and
// memory sampling from /proc, and the report (a human table, then one JSON object as last line).
//
//   sio-bench --url http://HOST:PORT --scenario connect|idle|echo|fanout|rooms|polling
//             [--clients N] [--rate MSGS_PER_S] [--duration S] [--payload BYTES]
//             [--transport websocket|polling] [--server-pid PID] [--json] [--verify] ...
#include "bench.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
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
           idle     hold N connections; server RSS per connection (needs --server-pid)
           echo     N clients, fixed offered rate of acked echoes; latency from intended send
           fanout   one sender, one room of N receivers; delivered msgs/s and latency
           rooms    one sender, rooms of --room-size receivers (N in all)
           polling  echo over HTTP long-polling only
options:   --clients N (100)  --rate MSGS_PER_S (echo 1000, fanout 100, rooms 1000,
           polling 200; 0 = closed loop)  --duration S (5)  --payload BYTES (32)
           --transport websocket|polling  --server-pid PID  --json  --verify
           --warmup S (1)  --drain S (3)  --threads N (1)  --sources N (auto)
           --room-size N (100)  --window N (4, fanout closed loop)  --concurrency N (256)
           --path /socket.io/  --connect-timeout S (60)  --ws-client lean|beast (lean)
)";
  std::exit(code);
}

std::optional<scenario_kind> parse_scenario(std::string_view s) {
  if (s == "connect") return scenario_kind::connect;
  if (s == "idle") return scenario_kind::idle;
  if (s == "echo") return scenario_kind::echo;
  if (s == "fanout") return scenario_kind::fanout;
  if (s == "rooms") return scenario_kind::rooms;
  if (s == "polling") return scenario_kind::polling;
  return std::nullopt;
}

config parse_args(int argc, char** argv) {
  config c;
  bool rate_set = false;
  bool have_url = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string v;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (a != "--json" && a != "--verify" && a != "--help" && a != "-h") {
      if (i + 1 >= argc) {
        std::cerr << "sio-bench: " << a << " needs a value\n";
        usage(2);
      }
      v = argv[++i];
    }
    auto num = [&](double lo) {
      char* end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(d) || d < lo) {
        std::cerr << "sio-bench: bad value for " << a << ": " << v << "\n";
        usage(2);
      }
      return d;
    };
    if (a == "--help" || a == "-h") usage(0);
    if (a == "--json") {
      c.json = true;
    } else if (a == "--verify") {
      c.verify = true;
    } else if (a == "--url") {
      std::string_view u = v;
      if (u.rfind("http://", 0) == 0) u.remove_prefix(7);
      if (u.rfind("ws://", 0) == 0) u.remove_prefix(5);
      auto slash = u.find('/');
      if (slash != std::string_view::npos) {
        auto p = u.substr(slash);
        if (p.size() > 1) c.path = std::string(p);
        if (c.path.back() != '/') c.path += '/';
        u = u.substr(0, slash);
      }
      auto colon = u.rfind(':');
      c.host = std::string(u.substr(0, colon));
      c.port = 80;
      if (colon != std::string_view::npos)
        c.port = static_cast<std::uint16_t>(std::atoi(std::string(u.substr(colon + 1)).c_str()));
      if (c.host == "localhost") c.host = "127.0.0.1";
      have_url = true;
    } else if (a == "--scenario") {
      auto s = parse_scenario(v);
      if (!s) {
        std::cerr << "sio-bench: unknown scenario " << v << "\n";
        usage(2);
      }
      c.scenario = *s;
      c.scenario_name = v;
    } else if (a == "--transport") {
      if (v == "websocket")
        c.transport = transport_kind::websocket;
      else if (v == "polling")
        c.transport = transport_kind::polling;
      else
        usage(2);
    } else if (a == "--clients") {
      c.clients = static_cast<std::size_t>(num(1));
    } else if (a == "--rate") {
      c.rate = num(0);
      rate_set = true;
    } else if (a == "--duration") {
      c.duration = num(0);
    } else if (a == "--payload") {
      c.payload = static_cast<std::size_t>(num(0));
    } else if (a == "--server-pid") {
      c.server_pid = static_cast<int>(num(0));
    } else if (a == "--warmup") {
      c.warmup = num(0);
    } else if (a == "--drain") {
      c.drain = num(0);
    } else if (a == "--threads") {
      c.threads = static_cast<std::size_t>(num(1));
    } else if (a == "--sources") {
      c.sources = static_cast<std::size_t>(num(1));
    } else if (a == "--room-size") {
      c.room_size = static_cast<std::size_t>(num(1));
    } else if (a == "--window") {
      c.window = static_cast<std::size_t>(num(1));
    } else if (a == "--concurrency") {
      c.concurrency = static_cast<std::size_t>(num(1));
    } else if (a == "--ws-client") {
      if (v != "lean" && v != "beast") usage(2);
      c.beast_ws = v == "beast";
    } else if (a == "--path") {
      c.path = v;
    } else if (a == "--connect-timeout") {
      c.connect_timeout = num(1);
    } else {
      std::cerr << "sio-bench: unknown option " << a << "\n";
      usage(2);
    }
  }
  if (!have_url) usage(2);
  if (c.scenario == scenario_kind::polling) c.transport = transport_kind::polling;
  if (!rate_set) {
    switch (c.scenario) {
      case scenario_kind::fanout:
        c.rate = 100;
        break;
      case scenario_kind::rooms:
        c.rate = 1000;
        break;
      case scenario_kind::polling:
        c.rate = 200;
        break;
      default:
        c.rate = 1000;
    }
  }
  if (c.verify) c.drain = std::max(c.drain, 10.0);
  c.threads = std::min<std::size_t>(c.threads, 64);
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

int run(const config& cfg) {
  raise_fd_limit();
  shared_state sh(cfg);
  boost::system::error_code ec;
  auto addr = net::ip::make_address(cfg.host, ec);
  if (ec) {
    std::cerr << "sio-bench: --url needs a numeric host or localhost, got " << cfg.host << "\n";
    return 2;
  }
  sh.server = tcp::endpoint(addr, cfg.port);

  const bool fan = cfg.scenario == scenario_kind::fanout || cfg.scenario == scenario_kind::rooms;
  const bool echo = cfg.scenario == scenario_kind::echo || cfg.scenario == scenario_kind::polling;
  const std::size_t room_size =
      cfg.scenario == scenario_kind::fanout ? cfg.clients : (cfg.room_size ? cfg.room_size : 100);
  sh.rooms = fan ? (cfg.clients + room_size - 1) / room_size : 1;
  sh.room_members = std::make_unique<std::atomic<std::uint32_t>[]>(sh.rooms);
  for (std::size_t i = 0; i < sh.rooms; ++i) sh.room_members[i].store(0);

  const std::size_t conns = cfg.clients + (fan ? 1 : 0);
  const std::size_t fds_per_conn = cfg.transport == transport_kind::polling ? 2 : 1;
  if (conns * fds_per_conn + 64 > fd_limit())
    std::cerr << "sio-bench: warning: " << conns * fds_per_conn
              << " sockets wanted but the descriptor limit is " << fd_limit() << "\n";

  // Source addresses: loopback only, enough that no (source, destination) pair runs out of ports.
  std::vector<net::ip::address_v4> sources;
  if (addr.is_v4() && (addr.to_v4().to_uint() >> 24) == 127) {
    std::size_t n = cfg.sources ? cfg.sources : 1 + conns * fds_per_conn / 10000;
    n = std::min<std::size_t>(n, 250);
    for (std::size_t i = 0; i < n; ++i)
      sources.push_back(net::ip::address_v4((127u << 24) + 1 + static_cast<unsigned>(i)));
  } else {
    sources.push_back(net::ip::address_v4());
  }

  std::vector<std::unique_ptr<worker>> workers;
  for (std::size_t i = 0; i < cfg.threads; ++i) workers.push_back(std::make_unique<worker>(sh, i));
  for (std::size_t i = 0; i < conns; ++i) {
    auto& w = *workers[i % workers.size()];
    client::role r = client::role::idle;
    std::uint32_t room = 0;
    if (echo) r = client::role::echo;
    if (fan) {
      if (i == 0) {
        r = client::role::sender;
      } else {
        r = client::role::receiver;
        room = static_cast<std::uint32_t>((i - 1) % sh.rooms);
      }
    }
    auto src = sources[i % sources.size()];
    auto cl = cfg.transport == transport_kind::polling
                  ? make_polling_client(w, static_cast<std::uint32_t>(i), r, room, src)
                  : make_ws_client(w, static_cast<std::uint32_t>(i), r, room, src);
    if (r == client::role::sender) {
      sh.sender = cl.get();
      sh.sender_worker = &w;
    }
    w.clients.push_back(std::move(cl));
  }

  std::optional<std::uint64_t> rss_before;
  if (cfg.server_pid) rss_before = rss_bytes(cfg.server_pid);
  const std::string server_pid = std::to_string(cfg.server_pid);
  const std::string self_pid = std::to_string(::getpid());

  std::vector<std::thread> threads;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& w : workers) {
    guards.push_back(net::make_work_guard(w->ioc));
    threads.emplace_back([&w] { w->ioc.run(); });
  }
  auto on_all = [&](auto f) {
    for (auto& w : workers) net::post(w->ioc, [&w, f] { f(*w); });
  };
  const bool progress = !cfg.json || cfg.duration >= 5;
  auto last_progress = std::chrono::steady_clock::now();
  auto report_progress = [&](std::string_view phase) {
    auto now = std::chrono::steady_clock::now();
    if (!progress || now - last_progress < 1s) return;
    last_progress = now;
    auto t = sum(workers);
    std::fprintf(stderr,
                 "[sio-bench] %-8s connected=%llu failed=%llu sent=%llu received=%llu "
                 "errors=%llu\n",
                 std::string(phase).c_str(), static_cast<unsigned long long>(t.connected),
                 static_cast<unsigned long long>(t.connect_failed),
                 static_cast<unsigned long long>(t.sent_total),
                 static_cast<unsigned long long>(t.received_total),
                 static_cast<unsigned long long>(t.disconnected + t.protocol_errors + t.overruns));
  };

  // 1. connect
  std::optional<double> srv_cpu0, srv_cpu1, gen_cpu0, gen_cpu1;
  const bool connect_only = cfg.scenario == scenario_kind::connect;
  if (connect_only) {  // the connect phase is this scenario's window
    if (cfg.server_pid) srv_cpu0 = cpu_seconds(server_pid);
    gen_cpu0 = cpu_seconds(self_pid);
  }
  const auto connect_start = now_ns();
  on_all([](worker& w) { w.start_connecting(); });
  const auto connect_deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(cfg.connect_timeout);
  for (;;) {
    auto t = sum(workers);
    if (t.connected + t.connect_failed >= conns) break;
    if (std::chrono::steady_clock::now() > connect_deadline) {
      std::cerr << "sio-bench: connect phase timed out\n";
      break;
    }
    report_progress("connect");
    std::this_thread::sleep_for(2ms);
  }
  if (connect_only) {
    if (cfg.server_pid) srv_cpu1 = cpu_seconds(server_pid);
    gen_cpu1 = cpu_seconds(self_pid);
  }
  auto after_connect = sum(workers);
  const double connect_time_s =
      after_connect.connected
          ? static_cast<double>(after_connect.last_connect_ns - connect_start) / 1e9
          : 0.0;

  // 2. joins (fanout, rooms): every receiver's join is acknowledged before the first send.
  if (fan) {
    on_all([](worker& w) { w.start_joins(); });
    auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      auto t = sum(workers);
      const std::uint64_t receivers = after_connect.connected ? after_connect.connected - 1 : 0;
      if (t.joined + t.disconnected >= receivers) break;
      if (std::chrono::steady_clock::now() > deadline) {
        std::cerr << "sio-bench: join phase timed out\n";
        break;
      }
      report_progress("join");
      std::this_thread::sleep_for(2ms);
    }
  }

  // 3. warm-up and window (or the idle hold)
  std::optional<std::uint64_t> rss_after;
  double window_s = connect_only ? static_cast<double>(now_ns() - connect_start) / 1e9 : 0;
  if (echo || fan) {
    auto now_t = sum(workers);
    sh.active_total.store(now_t.connected - std::min(now_t.connected, now_t.disconnected));
    const auto start = now_ns() + 1'000'000;  // every worker schedules from the same origin
    sh.window_start = start + static_cast<std::int64_t>(cfg.warmup * 1e9);
    sh.window_end = sh.window_start + static_cast<std::int64_t>(cfg.duration * 1e9);
    sh.sending.store(true);
    on_all([start](worker& w) { w.start_sending(start); });
    while (now_ns() < sh.window_start) {
      report_progress("warmup");
      std::this_thread::sleep_for(1ms);
    }
    if (cfg.server_pid) srv_cpu0 = cpu_seconds(server_pid);
    gen_cpu0 = cpu_seconds(self_pid);
    while (now_ns() < sh.window_end) {
      report_progress("run");
      std::this_thread::sleep_for(1ms);
    }
    if (cfg.server_pid) srv_cpu1 = cpu_seconds(server_pid);
    gen_cpu1 = cpu_seconds(self_pid);
    window_s = static_cast<double>(sh.window_end - sh.window_start) / 1e9;
    sh.sending.store(false);
    on_all([](worker& w) { w.stop_sending(); });
    // 4. drain: answers to messages of the window still on their way
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(cfg.drain);
    for (;;) {
      auto t = sum(workers);
      auto expected = echo ? t.sent_window : t.expected_window;
      if (t.delivered_window >= expected) break;
      if (std::chrono::steady_clock::now() > deadline) break;
      report_progress("drain");
      std::this_thread::sleep_for(2ms);
    }
  } else if (cfg.scenario == scenario_kind::idle) {
    const auto start = now_ns();
    if (cfg.server_pid) srv_cpu0 = cpu_seconds(server_pid);
    gen_cpu0 = cpu_seconds(self_pid);
    while (now_ns() - start < static_cast<std::int64_t>(cfg.duration * 1e9)) {
      report_progress("idle");
      std::this_thread::sleep_for(5ms);
    }
    if (cfg.server_pid) {
      srv_cpu1 = cpu_seconds(server_pid);
      rss_after = rss_bytes(cfg.server_pid);
    }
    gen_cpu1 = cpu_seconds(self_pid);
    window_s = static_cast<double>(now_ns() - start) / 1e9;
  }
  if (cfg.server_pid && !rss_after) rss_after = rss_bytes(cfg.server_pid);

  // 5. close everything and stop the loops
  on_all([](worker& w) { w.close_all(); });
  for (auto& g : guards) g.reset();
  auto stop_deadline = std::chrono::steady_clock::now() + 2s;
  for (auto& w : workers) {
    while (!w->ioc.stopped() && std::chrono::steady_clock::now() < stop_deadline)
      std::this_thread::sleep_for(1ms);
    w->ioc.stop();
  }
  for (auto& t : threads) t.join();

  // 6. report
  auto t = sum(workers);
  histogram lat;
  for (auto& w : workers) lat.merge(echo || fan ? w->latency : w->connect_latency);
  const std::uint64_t expected = echo ? t.sent_window : (fan ? t.expected_window : 0);
  const std::uint64_t lost = expected > t.delivered_window ? expected - t.delivered_window : 0;
  const std::uint64_t verify_errors = t.out_of_order + t.duplicates + t.payload_errors + lost;
  const std::uint64_t errors =
      t.connect_failed + t.disconnected + t.overruns + t.protocol_errors + verify_errors;
  std::uint64_t sent = 0, delivered = 0;
  double delivered_per_s = 0;
  if (echo || fan) {
    sent = t.sent_window;
    delivered = t.delivered_window;
    delivered_per_s = window_s > 0 ? static_cast<double>(t.received_in_window) / window_s : 0;
  } else {
    sent = conns;
    delivered = t.connected;
    delivered_per_s = connect_time_s > 0 ? static_cast<double>(t.connected) / connect_time_s : 0;
  }
  const double connects_per_s =
      connect_time_s > 0 ? static_cast<double>(after_connect.connected) / connect_time_s : 0;
  std::optional<double> srv_cpu, gen_cpu;
  if (srv_cpu0 && srv_cpu1) srv_cpu = *srv_cpu1 - *srv_cpu0;
  if (gen_cpu0 && gen_cpu1) gen_cpu = *gen_cpu1 - *gen_cpu0;
  const double gen_pct = gen_cpu && window_s > 0 ? 100.0 * *gen_cpu / window_s : 0;
  const double srv_pct = srv_cpu && window_s > 0 ? 100.0 * *srv_cpu / window_s : 0;
  // Saturated: the generator's threads used (almost) all the CPU they could.
  const bool generator_bound = gen_pct >= 95.0 * static_cast<double>(cfg.threads);

  boost::json::object j;
  j["scenario"] = cfg.scenario_name;
  j["transport"] = cfg.transport == transport_kind::polling ? "polling" : "websocket";
  j["clients"] = cfg.clients;
  j["connections"] = conns;
  j["rooms"] = sh.rooms;
  j["rate"] = jnum(cfg.rate);
  j["payload"] = cfg.payload;
  j["threads"] = cfg.threads;
  j["duration_s"] = round3(window_s);
  j["connected"] = after_connect.connected;
  j["connect_failures"] = t.connect_failed;
  j["connect_time_s"] = round3(connect_time_s);
  j["connects_per_s"] = jnum(std::round(connects_per_s));
  j["sent"] = sent;
  j["expected"] = expected;
  j["delivered"] = delivered;
  j["delivered_per_s"] = round1(delivered_per_s);
  j["errors"] = errors;
  boost::json::object lj;
  lj["p50"] = round3(ms(lat.quantile(0.50)));
  lj["p90"] = round3(ms(lat.quantile(0.90)));
  lj["p99"] = round3(ms(lat.quantile(0.99)));
  lj["p999"] = round3(ms(lat.quantile(0.999)));
  lj["max"] = round3(ms(lat.max()));
  lj["mean"] = round3(lat.mean() / 1e6);
  lj["count"] = lat.count();
  j["latency_ms"] = lj;
  boost::json::object ej;
  ej["connect_failures"] = t.connect_failed;
  ej["disconnects"] = t.disconnected;
  ej["overruns"] = t.overruns;
  ej["protocol"] = t.protocol_errors;
  ej["lost"] = lost;
  ej["out_of_order"] = t.out_of_order;
  ej["duplicates"] = t.duplicates;
  ej["payload"] = t.payload_errors;
  j["error_detail"] = ej;
  // Strict: nothing lost, duplicated, reordered or damaged, and no connection failed on the way.
  if (cfg.verify) j["verify_ok"] = errors == 0;
  if (srv_cpu) {
    j["server_cpu_s"] = round3(*srv_cpu);
    j["server_cpu_pct"] = round1(srv_pct);
    // connect: connections per server-CPU-second.
    const auto n = connect_only ? after_connect.connected : t.received_in_window;
    j["msgs_per_server_cpu_s"] =
        jnum(*srv_cpu > 0 ? std::round(static_cast<double>(n) / *srv_cpu) : 0.0);
  }
  if (gen_cpu) {
    j["generator_cpu_s"] = round3(*gen_cpu);
    j["generator_cpu_pct"] = round1(gen_pct);
  }
  j["generator_bound"] = generator_bound;
  if (rss_before) j["server_rss_before_bytes"] = *rss_before;
  if (rss_after) j["server_rss_after_bytes"] = *rss_after;
  if (rss_before && rss_after && after_connect.connected > 0) {
    auto diff = static_cast<double>(*rss_after) - static_cast<double>(*rss_before);
    j["rss_per_conn_bytes"] = jnum(std::round(diff / static_cast<double>(after_connect.connected)));
  }

  std::printf("sio-bench %s over %s: %zu clients, %zu connections, rate %s, payload %zu B\n",
              cfg.scenario_name.c_str(),
              cfg.transport == transport_kind::polling ? "polling" : "websocket", cfg.clients,
              conns,
              !(echo || fan) ? "n/a"
              : cfg.rate > 0 ? (std::to_string(static_cast<long long>(cfg.rate)) + "/s").c_str()
                             : "closed loop",
              cfg.payload);
  std::printf("  %-18s %llu ok, %llu failed, %.3f s (%.0f connects/s)\n", "connect",
              static_cast<unsigned long long>(after_connect.connected),
              static_cast<unsigned long long>(t.connect_failed), connect_time_s, connects_per_s);
  if (echo || fan) {
    std::printf("  %-18s sent %llu, expected %llu, delivered %llu (%.0f/s over %.2f s)\n",
                "messages", static_cast<unsigned long long>(sent),
                static_cast<unsigned long long>(expected),
                static_cast<unsigned long long>(delivered), delivered_per_s, window_s);
  }
  std::printf("  %-18s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f (%s)\n", "latency ms",
              ms(lat.quantile(0.5)), ms(lat.quantile(0.9)), ms(lat.quantile(0.99)),
              ms(lat.quantile(0.999)), ms(lat.max()),
              echo || fan ? "from intended send" : "connect to CONNECT answer");
  std::printf(
      "  %-18s %llu (disconnects %llu, overruns %llu, protocol %llu, lost %llu, "
      "out of order %llu, duplicates %llu, bad payload %llu)\n",
      "errors", static_cast<unsigned long long>(errors),
      static_cast<unsigned long long>(t.disconnected), static_cast<unsigned long long>(t.overruns),
      static_cast<unsigned long long>(t.protocol_errors), static_cast<unsigned long long>(lost),
      static_cast<unsigned long long>(t.out_of_order),
      static_cast<unsigned long long>(t.duplicates),
      static_cast<unsigned long long>(t.payload_errors));
  if (srv_cpu) std::printf("  %-18s %.1f %%\n", "server cpu", srv_pct);
  if (gen_cpu)
    std::printf("  %-18s %.1f %%%s\n", "generator cpu", gen_pct,
                generator_bound ? "  GENERATOR-BOUND" : "");
  if (j.contains("rss_per_conn_bytes"))
    std::printf("  %-18s %.0f B per connection (%llu -> %llu)\n", "server rss",
                j["rss_per_conn_bytes"].to_number<double>(),
                static_cast<unsigned long long>(*rss_before),
                static_cast<unsigned long long>(*rss_after));
  if (cfg.verify) std::printf("  %-18s %s\n", "verify", j["verify_ok"].as_bool() ? "OK" : "FAILED");
  if (cfg.json) {
    std::string line;
    write_json(j, line);
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
  if (cfg.verify && !j["verify_ok"].as_bool()) return 1;
  return 0;
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
