// dashboard::build_sample: the sample's fields from two readings (rates per second of the
// counters' increase, CPU percent of one core, sockets and rooms per namespace, lag per worker).
#include <dashboard/sample.hpp>

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace dashboard {
namespace {
namespace json = boost::json;

reading at(std::int64_t ms, double clock_s, std::uint64_t packets_in, double cpu_s) {
  reading r;
  r.at_ms = ms;
  r.clock_s = clock_s;
  r.metrics.workers.resize(2);
  r.metrics.workers[0].connections_websocket = 3;
  r.metrics.workers[1].connections_polling = 1;
  r.metrics.workers[0].packets_in = packets_in;
  r.metrics.workers[1].packets_out = 2 * packets_in;
  r.metrics.other_threads.bytes_out = 10 * packets_in;
  r.metrics.workers[0].bytes_in = 5 * packets_in;
  r.metrics.workers[0].loop_lag_seconds = 0.002;
  r.metrics.workers[1].loop_lag_seconds = 0.0005;
  r.metrics.namespaces = {{"/", 4, 2}, {"/dashboard", 1, 1}};
  r.process.cpu_seconds = cpu_s;
  r.process.resident_bytes = 1 << 20;
  return r;
}

TEST(Sample, FirstReadingHasEveryFieldAndZeroRates) {
  const auto s = build_sample("node1", at(1700000000123, 10, 50, 1.0), nullptr);
  EXPECT_EQ(
      json::serialize(s),
      R"({"at":1700000000123,"node":"node1","connections":4,"sockets":{"/":4,"/dashboard":1},)"
      R"("rooms":3,"packetsInPerS":0E0,"packetsOutPerS":0E0,"bytesInPerS":0E0,)"
      R"("bytesOutPerS":0E0,"loopLagMs":[2E0,5E-1],"rssBytes":1048576,"cpuPct":0E0})");
}

TEST(Sample, RatesAreTheIncreasePerSecond) {
  const auto before = at(1000, 10, 50, 1.0);
  const auto now = at(3000, 12, 250, 1.5);  // two seconds later
  const auto s = build_sample("n", now, &before);
  EXPECT_DOUBLE_EQ(s.at("packetsInPerS").as_double(), 100);
  EXPECT_DOUBLE_EQ(s.at("packetsOutPerS").as_double(), 200);
  EXPECT_DOUBLE_EQ(s.at("bytesInPerS").as_double(), 500);
  EXPECT_DOUBLE_EQ(s.at("bytesOutPerS").as_double(), 1000);  // other threads count too
  EXPECT_DOUBLE_EQ(s.at("cpuPct").as_double(), 25);          // 0.5 s of CPU in 2 s
  EXPECT_EQ(s.at("at").as_int64(), 3000);
}

TEST(Sample, NoTimeOrFallingCountersGiveZeroRates) {
  const auto before = at(1000, 10, 50, 1.0);
  EXPECT_DOUBLE_EQ(build_sample("n", at(1000, 10, 80, 2), &before).at("packetsInPerS").as_double(),
                   0);
  const auto reset = build_sample("n", at(2000, 11, 10, 0.5), &before);
  EXPECT_DOUBLE_EQ(reset.at("packetsInPerS").as_double(), 0);
  EXPECT_DOUBLE_EQ(reset.at("cpuPct").as_double(), 0);
}

TEST(Sample, EmptySnapshotHasEmptyMapsAndZeros) {
  const auto s = build_sample("n", reading{.at_ms = 5}, nullptr);
  EXPECT_TRUE(s.at("sockets").as_object().empty());
  EXPECT_TRUE(s.at("loopLagMs").as_array().empty());
  EXPECT_EQ(s.at("connections").as_uint64(), 0u);
  EXPECT_EQ(s.at("rooms").as_uint64(), 0u);
}

}  // namespace
}  // namespace dashboard
