#include <sio/server/metrics.hpp>

#include "counters.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace sio {

worker_metrics& worker_metrics::operator+=(const worker_metrics& o) noexcept {
  connections_polling += o.connections_polling;
  connections_websocket += o.connections_websocket;
  connections_total += o.connections_total;
  packets_in += o.packets_in;
  bytes_in += o.bytes_in;
  packets_out += o.packets_out;
  bytes_out += o.bytes_out;
  broadcasts += o.broadcasts;
  acks_pending += o.acks_pending;
  send_queue_overflows += o.send_queue_overflows;
  for (std::size_t i = 0; i < disconnects.size(); ++i) disconnects[i] += o.disconnects[i];
  for (std::size_t i = 0; i < connection_errors.size(); ++i)
    connection_errors[i] += o.connection_errors[i];
  loop_lag_seconds = std::max(loop_lag_seconds, o.loop_lag_seconds);
  return *this;
}

worker_metrics metrics_snapshot::total() const noexcept {
  worker_metrics t = other_threads;
  for (const auto& w : workers) t += w;
  return t;
}

namespace detail {

namespace {
std::uint64_t get(const counter_block::counter& c) noexcept {
  return c.load(std::memory_order_relaxed);
}
// a - b for gauges kept as two counters, each read once: never below zero, as the two reads are
// not one instant.
std::uint64_t diff(std::uint64_t a, std::uint64_t b) noexcept {
  return a > b ? a - b : 0;
}
}  // namespace

worker_metrics counter_block::read() const noexcept {
  worker_metrics m;
  // Closed before opened: a connection counted closed is always counted opened too.
  const auto pc = get(polling_closed), wc = get(websocket_closed);
  const auto up = get(upgraded);
  const auto po = get(polling_opened), wo = get(websocket_opened);
  m.connections_polling = diff(po, up + pc);
  m.connections_websocket = diff(wo + up, wc);
  m.connections_total = po + wo;
  m.packets_in = get(packets_in);
  m.bytes_in = get(bytes_in);
  m.packets_out = get(packets_out);
  m.bytes_out = get(bytes_out);
  m.broadcasts = get(broadcasts);
  const auto settled = get(acks_settled);
  m.acks_pending = diff(get(acks_added), settled);
  m.send_queue_overflows = get(overflows);
  for (std::size_t i = 0; i < disconnects.size(); ++i) m.disconnects[i] = get(disconnects[i]);
  for (std::size_t i = 0; i < request_errors.size(); ++i)
    m.connection_errors[i] = get(request_errors[i]);
  m.loop_lag_seconds = static_cast<double>(loop_lag_ns.load(std::memory_order_relaxed)) / 1e9;
  return m;
}

}  // namespace detail

// --- Prometheus text format ----------------------------------------------------------------------

namespace {

// Label values escape backslash, double quote and line feed (text format 0.0.4).
void append_label_value(std::string& out, std::string_view v) {
  for (const char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

void append_number(std::string& out, double v) {
  char buf[32];
  // Whole numbers (seconds since the epoch, CPU seconds) without an exponent.
  const bool whole = std::abs(v) < 1e15 && v == std::floor(v);
  const auto r = whole ? std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v))
                       : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

class writer {
 public:
  explicit writer(std::string& out) : out_(out) {}
  void family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  template <class V>
  void sample(V v, std::string_view label = {}, std::string_view value = {}) {
    out_.append(name_);
    if (!label.empty()) {
      out_.append("{").append(label).append("=\"");
      append_label_value(out_, value);
      out_.append("\"}");
    }
    out_ += ' ';
    append_number(out_, v);
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::string name_;
};

void render_connections(writer& w, const worker_metrics& t) {
  w.family("sio_connections", "gauge", "Open Engine.IO connections by transport.");
  w.sample(t.connections_polling, "transport", "polling");
  w.sample(t.connections_websocket, "transport", "websocket");
  w.family("sio_connections_total", "counter", "Engine.IO connections opened.");
  w.sample(t.connections_total);
}

void render_traffic(writer& w, const worker_metrics& t) {
  w.family("sio_packets_received_total", "counter", "Engine.IO messages received.");
  w.sample(t.packets_in);
  w.family("sio_bytes_received_total", "counter", "Payload bytes of the messages received.");
  w.sample(t.bytes_in);
  w.family("sio_packets_sent_total", "counter", "Engine.IO messages queued to connections.");
  w.sample(t.packets_out);
  w.family("sio_bytes_sent_total", "counter", "Payload bytes of the messages queued.");
  w.sample(t.bytes_out);
  w.family("sio_broadcasts_total", "counter", "Broadcasts started, one per namespace reached.");
  w.sample(t.broadcasts);
  w.family("sio_acks_pending", "gauge", "Acknowledgements the server waits for.");
  w.sample(t.acks_pending);
  w.family("sio_send_queue_overflows_total", "counter",
           "Connections closed because their send queue was full.");
  w.sample(t.send_queue_overflows);
}

void render_disconnects(writer& w, const worker_metrics& t) {
  w.family("sio_disconnects_total", "counter", "Sockets disconnected, by reason.");
  for (std::size_t i = 0; i < t.disconnects.size(); ++i)
    w.sample(t.disconnects[i], "reason", to_string(static_cast<disconnect_reason>(i)));
  w.family("sio_connection_errors_total", "counter",
           "Engine.IO requests refused (handshakes, unknown sids), by error code.");
  for (std::size_t i = 0; i < t.connection_errors.size(); ++i)
    w.sample(t.connection_errors[i], "code", std::to_string(i));
}

void render_namespaces(writer& w, const metrics_snapshot& m) {
  w.family("sio_sockets", "gauge", "Connected sockets by namespace.");
  for (const auto& n : m.namespaces) w.sample(n.sockets, "namespace", n.name);
  w.family("sio_rooms", "gauge", "Rooms by namespace (the sockets' own id rooms excluded).");
  for (const auto& n : m.namespaces) w.sample(n.rooms, "namespace", n.name);
}

void render_lag(writer& w, const metrics_snapshot& m) {
  w.family("sio_event_loop_lag_seconds", "gauge", "How late the worker's last periodic check ran.");
  for (std::size_t i = 0; i < m.workers.size(); ++i)
    w.sample(m.workers[i].loop_lag_seconds, "worker", std::to_string(i));
}

void render_process(writer& w, const process_metrics& p) {
  w.family("process_cpu_seconds_total", "counter", "Total user and system CPU time in seconds.");
  w.sample(p.cpu_seconds);
  w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  w.sample(p.resident_bytes);
  w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  w.sample(p.virtual_bytes);
  w.family("process_open_fds", "gauge", "Number of open file descriptors.");
  w.sample(p.open_fds);
  w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
  w.sample(p.max_fds);
  w.family("process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds.");
  w.sample(p.start_time_seconds);
}

}  // namespace

std::string render_prometheus(const metrics_snapshot& m, const process_metrics& p) {
  std::string out;
  out.reserve(4096);
  writer w(out);
  const auto t = m.total();
  render_connections(w, t);
  render_namespaces(w, m);
  render_traffic(w, t);
  render_disconnects(w, t);
  render_lag(w, m);
  render_process(w, p);
  return out;
}

// --- /proc ---------------------------------------------------------------------------------------

namespace {

// The fields of /proc/self/stat after the command name, split at spaces (field 3 is [0]).
std::vector<std::string> stat_fields() {
  std::ifstream f("/proc/self/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(s.substr(close + 1));
  return {std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
}

double boot_time_seconds() {
  std::ifstream f("/proc/stat");
  for (std::string key; f >> key;) {
    if (key == "btime") {
      double v = 0;
      f >> v;
      return v;
    }
    f.ignore(1 << 16, '\n');
  }
  return 0;
}

std::uint64_t to_u64(const std::string& s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::uint64_t count_fds() {
  std::error_code ec;
  std::uint64_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n > 0 ? n - 1 : 0;  // the iterator's own descriptor
}

}  // namespace

process_metrics read_process_metrics() {
  process_metrics p;
  const auto f = stat_fields();
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  // utime 14, stime 15, starttime 22, vsize 23, rss 24 (proc(5)); [0] is field 3.
  if (f.size() > 21 && ticks > 0) {
    p.cpu_seconds = static_cast<double>(to_u64(f[11]) + to_u64(f[12])) / ticks;
    p.start_time_seconds = boot_time_seconds() + static_cast<double>(to_u64(f[19])) / ticks;
    p.virtual_bytes = to_u64(f[20]);
    p.resident_bytes = to_u64(f[21]) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  }
  p.open_fds = count_fds();
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) p.max_fds = rl.rlim_cur;
  return p;
}

}  // namespace sio
