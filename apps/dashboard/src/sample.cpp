#include <dashboard/sample.hpp>

#include <boost/json/array.hpp>

namespace dashboard {
namespace json = boost::json;

namespace {

// The increase per second of a counter (0 when it went down: a counter never does, a reset may).
double per_second(double now, double before, double seconds) {
  return seconds > 0 && now > before ? (now - before) / seconds : 0;
}

}  // namespace

json::object build_sample(std::string_view node, const reading& now, const reading* prev) {
  const auto t = now.metrics.total();
  const auto p = prev ? prev->metrics.total() : t;
  const double seconds = prev ? now.clock_s - prev->clock_s : 0;
  auto rate = [&](std::uint64_t sio::worker_metrics::*c) {
    return per_second(static_cast<double>(t.*c), static_cast<double>(p.*c), seconds);
  };
  json::object sockets;
  std::uint64_t rooms = 0;
  for (const auto& n : now.metrics.namespaces) {
    sockets[n.name] = n.sockets;
    rooms += n.rooms;
  }
  json::array lag;
  for (const auto& w : now.metrics.workers) lag.push_back(w.loop_lag_seconds * 1000);
  const double cpu =
      prev ? per_second(now.process.cpu_seconds, prev->process.cpu_seconds, seconds) * 100 : 0;
  return {{"at", now.at_ms},
          {"node", node},
          {"connections", t.connections_polling + t.connections_websocket},
          {"sockets", std::move(sockets)},
          {"rooms", rooms},
          {"packetsInPerS", rate(&sio::worker_metrics::packets_in)},
          {"packetsOutPerS", rate(&sio::worker_metrics::packets_out)},
          {"bytesInPerS", rate(&sio::worker_metrics::bytes_in)},
          {"bytesOutPerS", rate(&sio::worker_metrics::bytes_out)},
          {"loopLagMs", std::move(lag)},
          {"rssBytes", now.process.resident_bytes},
          {"cpuPct", cpu}};
}

}  // namespace dashboard
