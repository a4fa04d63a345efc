// sio::metrics: the per-worker counter blocks summed by a snapshot, and the Prometheus text
// rendering (a pure function of a snapshot and the process figures).
#include <sio/server/metrics.hpp>

#include "counters.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sio {
namespace {

using detail::counter_block;

TEST(Metrics, BlocksOfEveryWorkerAndOtherThreadsSumInTotal) {
  detail::counters c(3);
  c.add(0, &counter_block::packets_in, 2);
  c.add(1, &counter_block::packets_in, 3);
  c.add(2, &counter_block::packets_in);
  c.add(3, &counter_block::broadcasts, 4);  // 3 == workers(): the other threads' block
  c.add(1, &counter_block::bytes_out, 100);
  c.disconnected(2, disconnect_reason::ping_timeout);
  c.disconnected(0, disconnect_reason::ping_timeout);

  metrics_snapshot m;
  for (std::size_t w = 0; w < c.workers(); ++w) m.workers.push_back(c.block(w).read());
  m.other_threads = c.block(c.workers()).read();
  EXPECT_EQ(m.workers[1].packets_in, 3u);
  const auto t = m.total();
  EXPECT_EQ(t.packets_in, 6u);
  EXPECT_EQ(t.broadcasts, 4u);
  EXPECT_EQ(t.bytes_out, 100u);
  EXPECT_EQ(t.disconnects[static_cast<std::size_t>(disconnect_reason::ping_timeout)], 2u);
}

TEST(Metrics, ConnectionGaugesFollowOpensUpgradesAndCloses) {
  detail::counters c(1);
  c.add(0, &counter_block::polling_opened, 3);
  c.add(0, &counter_block::websocket_opened, 1);
  c.add(0, &counter_block::upgraded, 2);  // two polling connections moved to WebSocket
  c.add(0, &counter_block::websocket_closed);
  c.add(0, &counter_block::acks_added, 5);
  c.add(0, &counter_block::acks_settled, 3);
  const auto m = c.block(0).read();
  EXPECT_EQ(m.connections_polling, 1u);
  EXPECT_EQ(m.connections_websocket, 2u);
  EXPECT_EQ(m.connections_total, 4u);
  EXPECT_EQ(m.acks_pending, 2u);
}

metrics_snapshot sample_snapshot() {
  metrics_snapshot m;
  m.workers.resize(2);
  m.workers[0].connections_polling = 1;
  m.workers[1].connections_websocket = 2;
  m.workers[0].packets_in = 10;
  m.workers[1].packets_in = 5;
  m.workers[1].loop_lag_seconds = 0.25;
  m.workers[0].disconnects[static_cast<std::size_t>(disconnect_reason::transport_close)] = 7;
  m.namespaces = {{"/", 3, 2}, {"/a\"b\\c\nd", 1}};
  m.workers[1].connection_errors[1] = 4;
  return m;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Metrics, RendersTheTextFormatWithLabelsAndEscapes) {
  const process_metrics p{.cpu_seconds = 1.5,
                          .resident_bytes = 4096,
                          .virtual_bytes = 8192,
                          .open_fds = 12,
                          .max_fds = 1024,
                          .start_time_seconds = 1700000000};
  const auto text = render_prometheus(sample_snapshot(), p);
  EXPECT_TRUE(has_line(text, "# TYPE sio_connections gauge"));
  EXPECT_TRUE(has_line(text, "sio_connections{transport=\"polling\"} 1"));
  EXPECT_TRUE(has_line(text, "sio_connections{transport=\"websocket\"} 2"));
  EXPECT_TRUE(has_line(text, "# TYPE sio_packets_received_total counter"));
  EXPECT_TRUE(has_line(text, "sio_packets_received_total 15"));
  EXPECT_TRUE(has_line(text, "sio_sockets{namespace=\"/\"} 3"));
  EXPECT_TRUE(has_line(text, "sio_sockets{namespace=\"/a\\\"b\\\\c\\nd\"} 1"));
  EXPECT_TRUE(has_line(text, "# TYPE sio_rooms gauge"));
  EXPECT_TRUE(has_line(text, "sio_rooms{namespace=\"/\"} 2"));
  EXPECT_TRUE(has_line(text, "sio_rooms{namespace=\"/a\\\"b\\\\c\\nd\"} 0"));
  EXPECT_TRUE(has_line(text, "sio_disconnects_total{reason=\"transport close\"} 7"));
  EXPECT_TRUE(has_line(text, "sio_disconnects_total{reason=\"ping timeout\"} 0"));
  EXPECT_TRUE(has_line(text, "sio_event_loop_lag_seconds{worker=\"1\"} 0.25"));
  EXPECT_TRUE(has_line(text, "sio_connection_errors_total{code=\"1\"} 4"));
  EXPECT_TRUE(has_line(text, "sio_connection_errors_total{code=\"5\"} 0"));
  EXPECT_TRUE(has_line(text, "process_cpu_seconds_total 1.5"));
  EXPECT_TRUE(has_line(text, "process_resident_memory_bytes 4096"));
  EXPECT_TRUE(has_line(text, "process_max_fds 1024"));
  EXPECT_TRUE(has_line(text, "process_start_time_seconds 1700000000"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(Metrics, EveryFamilyHasOneHelpAndOneTypeLine) {
  const auto text = render_prometheus(sample_snapshot(), {});
  std::size_t help = 0, type = 0;
  for (std::size_t at = 0; (at = text.find("# HELP ", at)) != std::string::npos; ++at) ++help;
  for (std::size_t at = 0; (at = text.find("# TYPE ", at)) != std::string::npos; ++at) ++type;
  EXPECT_EQ(help, type);
  EXPECT_GE(help, 15u);
}

TEST(Metrics, ProcessFiguresOfThisProcessAreRead) {
  const auto p = read_process_metrics();
  EXPECT_GT(p.resident_bytes, 0u);
  EXPECT_GT(p.open_fds, 0u);
  EXPECT_GE(p.max_fds, p.open_fds);
  EXPECT_GT(p.start_time_seconds, 1e9);
}

}  // namespace
}  // namespace sio
