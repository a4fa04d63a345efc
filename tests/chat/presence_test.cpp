#include "presence.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace apps::chat {
namespace {

TEST(ChatPresence, CountsDistinctUsers) {
  presence p;
  EXPECT_EQ(p.online(1), 0u);
  EXPECT_TRUE(p.join("s1", 10, 1).user);
  EXPECT_FALSE(p.join("s1", 10, 1));  // already there
  auto tab = p.join("s2", 10, 1);     // second tab of the same user: the count stays
  EXPECT_TRUE(tab.socket);
  EXPECT_FALSE(tab.user);
  EXPECT_EQ(p.online(1), 1u);
  EXPECT_TRUE(p.join("s3", 20, 1).user);
  EXPECT_EQ(p.online(1), 2u);
  EXPECT_EQ(p.users(1), (std::vector<id_type>{10, 20}));
  EXPECT_TRUE(p.joined("s1", 1));
  EXPECT_FALSE(p.joined("s1", 2));
  EXPECT_FALSE(p.joined("nobody", 1));
}

TEST(ChatPresence, LeaveAndLeaveAll) {
  presence p;
  p.join("s1", 10, 1);
  p.join("s1", 10, 2);
  p.join("s2", 10, 1);
  p.join("s3", 20, 2);
  auto c = p.leave("s2", 10, 1);
  EXPECT_TRUE(c.socket);
  EXPECT_FALSE(c.user);  // s1 holds user 10 there
  EXPECT_FALSE(p.leave("s2", 10, 1));
  EXPECT_EQ(p.online(1), 1u);  // s1 still holds user 10 in room 1
  auto left = p.leave_all("s1", 10);
  EXPECT_EQ(left, (std::vector<id_type>{1, 2}));
  EXPECT_EQ(p.online(1), 0u);
  EXPECT_EQ(p.online(2), 1u);
  EXPECT_TRUE(p.leave_all("s1", 10).empty());
  EXPECT_FALSE(p.joined("s1", 2));
}

TEST(ChatPresence, ConcurrentUse) {
  presence p;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&p, t] {
      std::string sid = std::to_string(t);
      sid.insert(0, 1, 's');
      for (int i = 0; i < 500; ++i) {
        p.join(sid, t, i % 5);
        p.online(i % 5);
        if (i % 2) p.leave(sid, t, i % 5);
      }
      p.leave_all(sid, t);
    });
  }
  for (auto& th : threads) th.join();
  for (int r = 0; r < 5; ++r) EXPECT_EQ(p.online(r), 0u);
}

}  // namespace
}  // namespace apps::chat
