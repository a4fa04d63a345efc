// The generator's latency histogram: exact small values, bounded relative error, quantiles by
// rank, merging.
#include "histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using sio::bench::histogram;

TEST(BenchHistogram, EmptyIsZero) {
  histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(BenchHistogram, SmallValuesAreExact) {
  histogram h;
  for (std::int64_t v = 0; v < 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.quantile(0.5), 49u);
  EXPECT_EQ(h.quantile(1.0), 99u);
  EXPECT_EQ(h.max(), 99u);
}

TEST(BenchHistogram, RelativeErrorStaysSmall) {
  for (std::uint64_t v : {200ull, 1'000ull, 123'456ull, 9'876'543ull, 2'000'000'000ull}) {
    histogram h;
    h.record(static_cast<std::int64_t>(v));
    h.record(static_cast<std::int64_t>(v) * 4);  // keeps max() from capping the median
    auto q = static_cast<double>(h.quantile(0.5));
    EXPECT_NEAR(q, static_cast<double>(v), static_cast<double>(v) * 0.02) << v;
  }
}

TEST(BenchHistogram, QuantilesFollowRanks) {
  histogram h;
  for (int i = 0; i < 990; ++i) h.record(1'000'000);  // 1 ms
  for (int i = 0; i < 10; ++i) h.record(50'000'000);  // 50 ms
  EXPECT_NEAR(static_cast<double>(h.quantile(0.5)), 1e6, 2e4);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.99)), 1e6, 2e4);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.999)), 5e7, 1e6);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(BenchHistogram, NegativeIsZeroAndHugeIsCapped) {
  histogram h;
  h.record(-5);
  h.record(INT64_MAX);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.quantile(0.0), 0u);
  EXPECT_LE(h.quantile(1.0), h.max());
}

TEST(BenchHistogram, MergeAddsCounts) {
  histogram a, b;
  for (int i = 0; i < 10; ++i) a.record(100);
  for (int i = 0; i < 30; ++i) b.record(10'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 40u);
  EXPECT_EQ(a.max(), 10'000u);
  EXPECT_NEAR(static_cast<double>(a.quantile(0.5)), 1e4, 2e2);
  EXPECT_EQ(a.quantile(0.2), 100u);
}

}  // namespace
