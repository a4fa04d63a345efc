// The engine's per-address tables (src/engineio/address_limits.hpp, private to sio_engineio):
// connection counts that free their entries, token buckets on an injected clock, and the bound on
// the addresses tracked.
#include "../../src/engineio/address_limits.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using sio::engineio::detail::address_slot;
using sio::engineio::detail::connection_counter;
using sio::engineio::detail::handshake_limiter;
using namespace std::chrono_literals;

TEST(ConnectionCounter, RefusesOverTheMaximumAndForgetsAnAddressAtZero) {
  connection_counter c(2);
  std::vector<address_slot> held;
  for (int i = 0; i < 2; ++i) {
    auto s = c.acquire("192.0.2.1");
    ASSERT_TRUE(s);
    held.push_back(std::move(*s));
  }
  EXPECT_FALSE(c.acquire("192.0.2.1"));
  EXPECT_TRUE(c.acquire("192.0.2.2"));  // its slot is released at once
  EXPECT_EQ(c.tracked(), 1u);
  held.pop_back();  // a moved slot counts once
  EXPECT_TRUE(c.acquire("192.0.2.1"));
  held.clear();
  EXPECT_EQ(c.tracked(), 0u);
}

TEST(ConnectionCounter, ZeroMeansNoLimit) {
  connection_counter c(0);
  std::vector<address_slot> held;
  for (int i = 0; i < 100; ++i) held.push_back(*c.acquire("192.0.2.1"));
  EXPECT_EQ(c.tracked(), 0u);
}

TEST(HandshakeLimiter, ABurstThenTheRateWithRetryAfter) {
  handshake_limiter l(1, 3, 100);
  const auto t0 = handshake_limiter::clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(l.take("a", t0));
  EXPECT_EQ(l.take("a", t0), 1s);
  EXPECT_FALSE(l.take("b", t0));  // another address has its own bucket
  EXPECT_EQ(l.take("a", t0 + 500ms), 1s);
  EXPECT_FALSE(l.take("a", t0 + 1s));
  EXPECT_EQ(l.take("a", t0 + 1s), 1s);
  handshake_limiter slow(0.25, 1, 100);
  EXPECT_FALSE(slow.take("a", t0));
  EXPECT_EQ(slow.take("a", t0), 4s);
}

TEST(HandshakeLimiter, ZeroRateMeansNoLimit) {
  handshake_limiter l(0, 1, 1);
  const auto t0 = handshake_limiter::clock::time_point{};
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(l.take("a", t0));
  EXPECT_EQ(l.tracked(), 0u);
}

TEST(HandshakeLimiter, TheTableIsBoundedAndDropsRefilledAddresses) {
  handshake_limiter l(1, 2, 4);
  const auto t0 = handshake_limiter::clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) l.take("10.0.0." + std::to_string(i), t0);
  EXPECT_EQ(l.tracked(), 4u);
  // Every bucket has refilled a few seconds later: each call drops up to two idle addresses.
  l.take("x", t0 + 10s);
  l.take("x", t0 + 10s);
  EXPECT_EQ(l.tracked(), 1u);
}

}  // namespace
