#include "rate_limit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace apps {
namespace {

TEST(TokenBucket, BurstThenRate) {
  const rate r{3, 2};  // burst 3, then 2 per second
  token_bucket b(r, 1000);
  EXPECT_TRUE(b.take(r, 1000));
  EXPECT_TRUE(b.take(r, 1000));
  EXPECT_TRUE(b.take(r, 1000));
  EXPECT_FALSE(b.take(r, 1000));
  EXPECT_EQ(b.wait_ms(r, 1000), 500);
  EXPECT_FALSE(b.take(r, 1400));  // 0.8 token
  EXPECT_EQ(b.wait_ms(r, 1400), 100);
  EXPECT_TRUE(b.take(r, 1500));  // 1 token
  EXPECT_FALSE(b.take(r, 1500));
  EXPECT_FALSE(b.full(r, 2000));
  EXPECT_TRUE(b.full(r, 100000));  // refilled, but capped at the burst
  EXPECT_TRUE(b.take(r, 100000));
  EXPECT_TRUE(b.take(r, 100000));
  EXPECT_TRUE(b.take(r, 100000));
  EXPECT_FALSE(b.take(r, 100000));
  EXPECT_FALSE(b.take(r, 99000));  // a clock going backwards adds nothing
}

TEST(TokenBuckets, KeysAreIndependentAndForgettable) {
  token_buckets g({1, 1}, 100);
  EXPECT_TRUE(g.take("a", 0));
  EXPECT_FALSE(g.take("a", 0));
  EXPECT_FALSE(g.full("a", 0));
  EXPECT_EQ(g.wait_ms("a", 0), 1000);
  EXPECT_TRUE(g.take("b", 0));
  EXPECT_TRUE(g.full("never-seen", 0));
  EXPECT_EQ(g.wait_ms("never-seen", 0), 0);
  g.forget("a");
  EXPECT_TRUE(g.take("a", 0));
}

TEST(TokenBuckets, TableIsBounded) {
  token_buckets g({2, 1}, 3);
  for (std::string k : {"a", "b", "c"}) EXPECT_TRUE(g.take(k, 0));
  EXPECT_TRUE(g.take("c", 5));
  EXPECT_TRUE(g.take("a", 10));  // a is now the busiest (empty) and the most recent
  // Full table, nothing refilled: the least recently used (b) makes room.
  EXPECT_TRUE(g.take("d", 20));
  EXPECT_EQ(g.size(), 3u);
  EXPECT_TRUE(g.full("b", 20));
  EXPECT_FALSE(g.take("a", 20));  // kept, still empty
  // Later every bucket has refilled: they make room, nothing is lost.
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(g.take(std::to_string(i), 5000 + i));
  EXPECT_LE(g.size(), 3u);
}

TEST(TokenBuckets, FullTableDropsTheLeastRecentlyUsedEighth) {
  token_buckets g({2, 0.001}, 16);
  for (int i = 0; i < 16; ++i) EXPECT_TRUE(g.take(std::to_string(i), i));
  EXPECT_TRUE(g.take("new", 100));
  EXPECT_EQ(g.size(), 15u);
  EXPECT_TRUE(g.full("0", 100));  // dropped
  EXPECT_TRUE(g.full("1", 100));
  EXPECT_FALSE(g.full("2", 100));  // kept
  EXPECT_FALSE(g.full("15", 100));
}

TEST(UserLimits, SharedBySocketsAndDroppedWithTheLast) {
  user_limits l({{2, 1}, {1, 1}});  // kinds 0 and 1
  l.attach(7, 0);
  l.attach(7, 0);  // a second tab shares the budget
  EXPECT_TRUE(l.take(7, 0, 0));
  EXPECT_TRUE(l.take(7, 0, 0));
  EXPECT_FALSE(l.take(7, 0, 0));
  EXPECT_TRUE(l.take(7, 1, 0));  // kinds are independent
  EXPECT_FALSE(l.take(7, 1, 0));
  EXPECT_TRUE(l.take(7, 0, 1000));
  l.detach(7);
  EXPECT_EQ(l.users(), 1u);
  EXPECT_FALSE(l.take(7, 0, 1000));
  l.detach(7);
  EXPECT_EQ(l.users(), 0u);
}

TEST(UserLimits, OneBudgetAcrossThreads) {
  user_limits l({{1000, 0.001}});
  l.attach(1, 0);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (l.take(1, 0, 0)) ++allowed;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace apps
