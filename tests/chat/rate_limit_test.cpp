#include "flood_guard.hpp"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(ChatFloodGuard, BurstThenRate) {
  flood_guard g(3, 2);  // burst 3, then 2 per second
  EXPECT_TRUE(g.allow("s", 1000));
  EXPECT_TRUE(g.allow("s", 1000));
  EXPECT_TRUE(g.allow("s", 1000));
  EXPECT_FALSE(g.allow("s", 1000));
  EXPECT_FALSE(g.allow("s", 1400));  // 0.8 token
  EXPECT_TRUE(g.allow("s", 1500));   // 1 token
  EXPECT_FALSE(g.allow("s", 1500));
  EXPECT_TRUE(g.allow("s", 100000));  // refilled, but capped at the burst
  EXPECT_TRUE(g.allow("s", 100000));
  EXPECT_TRUE(g.allow("s", 100000));
  EXPECT_FALSE(g.allow("s", 100000));
}

TEST(ChatFloodGuard, KeysAreIndependentAndForgettable) {
  flood_guard g(1, 1);
  EXPECT_TRUE(g.allow("a", 0));
  EXPECT_FALSE(g.allow("a", 0));
  EXPECT_TRUE(g.allow("b", 0));
  g.forget("a");
  EXPECT_TRUE(g.allow("a", 0));
  EXPECT_FALSE(g.allow("a", -5));  // a clock going backwards adds nothing
}

}  // namespace
}  // namespace chat
