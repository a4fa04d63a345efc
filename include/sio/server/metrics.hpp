// Server metrics: what server::metrics() returns, and the Prometheus text exposition of it.
//
// Each worker keeps its own block of counters, written only by that worker with relaxed atomic
// stores (no lock, no contended read-modify-write on the hot path); a snapshot sums the blocks and
// may be taken from any thread. Gauges that the server keeps anyway (sockets per namespace) are
// read from where they live. Counting is on by default (metrics_options::enabled): it costs a few
// relaxed stores per message into a cache line of the worker's own; `make bench` measures echo and
// fan-out with it on and off in the same run (BENCHMARKS.md, "Metrics cost").
//
// The Prometheus endpoint (metrics_options::prometheus) is off by default. render_prometheus is a
// pure function of its arguments; read_process_metrics reads /proc (Linux; zeros elsewhere).
#pragma once

#include <sio/server/types.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio {

// Where the Prometheus text format (version 0.0.4) is served.
struct prometheus_options {
  std::string path = "/metrics";  // exact request path (the query string is ignored)
  // Port 0 (the default): on the server's own port, beside the Engine.IO endpoint. Otherwise on a
  // listener of its own at address:port (e.g. "127.0.0.1", 9464), out of the public port's reach.
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
};

struct metrics_options {
  // Count (server::metrics() then returns figures). Default: on.
  bool enabled = true;
  // Serve the Prometheus text format over HTTP. Default: not served.
  std::optional<prometheus_options> prometheus;
};

constexpr std::size_t disconnect_reason_count = 9;  // the values of sio::disconnect_reason
// The Engine.IO request error codes 0..5 (protocol::engineio::request_error).
constexpr std::size_t request_error_count = 6;

// One worker's share of the figures.
struct worker_metrics {
  std::uint64_t connections_polling = 0;    // open Engine.IO connections on polling now
  std::uint64_t connections_websocket = 0;  // open Engine.IO connections on WebSocket now
  std::uint64_t connections_total = 0;      // Engine.IO connections opened since the start
  std::uint64_t packets_in = 0;             // Engine.IO messages received (text and binary)
  std::uint64_t bytes_in = 0;               // their payload bytes
  std::uint64_t packets_out = 0;            // Engine.IO messages queued to connections
  std::uint64_t bytes_out = 0;              // their payload bytes (a broadcast counts per receiver)
  std::uint64_t broadcasts = 0;             // broadcasts started (one per namespace reached)
  std::uint64_t acks_pending = 0;           // emit_with_ack calls waiting for their answer now
  std::uint64_t send_queue_overflows = 0;   // connections closed on a full send queue
  std::array<std::uint64_t, disconnect_reason_count> disconnects{};  // by disconnect_reason
  // Requests refused with an Engine.IO error, by its code (Node's "connection_error"): failed
  // handshakes (bad transport, method or version; allow_request and the limits: 4, forbidden)
  // and requests naming an unknown sid.
  std::array<std::uint64_t, request_error_count> connection_errors{};
  // How late the worker's periodic check last ran (event-loop lag); 0 without an engine.
  double loop_lag_seconds = 0;

  worker_metrics& operator+=(const worker_metrics& o) noexcept;
};

struct namespace_metrics {
  std::string name;
  std::uint64_t sockets = 0;  // connected sockets on this node
  // Rooms of this node (adapter::local_room_count), the sockets' own id rooms excluded.
  std::uint64_t rooms = 0;
};

struct metrics_snapshot {
  std::vector<worker_metrics> workers;  // index = worker
  // Counted outside the workers (broadcasts and their packets started from other threads).
  worker_metrics other_threads;
  std::vector<namespace_metrics> namespaces;  // sorted by name

  worker_metrics total() const noexcept;  // every worker and other_threads summed
};

// The process, as Prometheus' client libraries report it (process_* metrics).
struct process_metrics {
  double cpu_seconds = 0;  // user + system
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;      // the soft limit
  double start_time_seconds = 0;  // since the Unix epoch
};

// This process's figures from /proc/self (zeros where unavailable).
process_metrics read_process_metrics();

// The Prometheus text format, version 0.0.4: sio_* metrics (labels transport, namespace, reason,
// code, worker) then process_*. Content type: prometheus_content_type.
std::string render_prometheus(const metrics_snapshot& m, const process_metrics& p);
inline constexpr std::string_view prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace sio
