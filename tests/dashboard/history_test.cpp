// dashboard::history: every node's samples, oldest first; bounded per node and in nodes; nodes
// silent for keep_ms dropped by the arrival clock; malformed samples refused.
#include <dashboard/history.hpp>

#include <gtest/gtest.h>

#include <string>

namespace dashboard {
namespace {
namespace json = boost::json;

json::object sample(std::string node, std::int64_t at) {
  return {{"node", node}, {"at", at}, {"connections", 1}};
}

std::vector<std::string> nodes_of(const json::array& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.emplace_back(n.at("node").as_string());
  return out;
}

TEST(History, EveryNodesSamplesOldestFirst) {
  history h;
  EXPECT_TRUE(h.add(sample("b", 1000), 1000));
  EXPECT_TRUE(h.add(sample("a", 1500), 1500));
  EXPECT_TRUE(h.add(sample("b", 2000), 2000));
  const auto v = h.read(2100);
  EXPECT_EQ(nodes_of(v.nodes), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(v.nodes[1].at("lastAt").as_int64(), 2000);
  ASSERT_EQ(v.samples.size(), 3u);
  EXPECT_EQ(v.samples[0].at("at").as_int64(), 1000);
  EXPECT_EQ(v.samples[1].at("node").as_string(), "a");
  EXPECT_EQ(v.samples[2].at("at").as_int64(), 2000);
}

TEST(History, KeepsTheLastSamplesOfANode) {
  history h({.samples_per_node = 300});
  for (std::int64_t i = 0; i < 1000; ++i) h.add(sample("n", i * 100), i * 100);
  const auto v = h.read(100000);
  ASSERT_EQ(v.samples.size(), 300u);
  EXPECT_EQ(v.samples.front().at("at").as_int64(), 70000);
  EXPECT_EQ(v.samples.back().at("at").as_int64(), 99900);
}

TEST(History, RefusesNodesBeyondTheLimitUntilOneExpires) {
  history h({.nodes = 64, .keep_ms = 300000});
  for (int i = 0; i < 64; ++i) {
    std::string name = "n";  // (not "n" + ...: GCC 12's -Wrestrict false positive)
    ASSERT_TRUE(h.add(sample(name += std::to_string(i), 0), 0));
  }
  EXPECT_FALSE(h.add(sample("late", 1000), 1000));
  EXPECT_TRUE(h.add(sample("n0", 1000), 1000));  // a known node is still heard
  EXPECT_EQ(h.read(1000).nodes.size(), 64u);
  // n1..n63 fall silent for the keep time; n0 spoke at 1000, so it stays.
  EXPECT_TRUE(h.add(sample("late", 300001), 300001));
  EXPECT_EQ(nodes_of(h.read(300001).nodes), (std::vector<std::string>{"late", "n0"}));
}

TEST(History, ForgetsANodeSilentForTheKeepTimeByArrival) {
  history h({.keep_ms = 300000});
  h.add(sample("up", 10), 1000);
  h.add(sample("skewed", 999999999), 1000);  // its clock is far ahead: arrival decides
  h.add(sample("down", 500), 1000);
  for (std::int64_t t = 2000; t <= 300500; t += 1000) {
    h.add(sample("up", t), t);
    h.add(sample("skewed", 999999999 + t), t);
  }
  auto v = h.read(300500);
  EXPECT_EQ(nodes_of(v.nodes), (std::vector<std::string>{"down", "skewed", "up"}));
  EXPECT_EQ(v.nodes[0].at("lastAt").as_int64(), 500);  // down keeps its last sample's time
  v = h.read(301001);
  EXPECT_EQ(nodes_of(v.nodes), (std::vector<std::string>{"skewed", "up"}));
  for (const auto& s : v.samples) EXPECT_NE(s.at("node").as_string(), "down");
}

TEST(History, RefusesMalformedSamples) {
  history h;
  EXPECT_FALSE(h.add({{"at", 1}}, 1));
  EXPECT_FALSE(h.add({{"node", ""}, {"at", 1}}, 1));
  EXPECT_FALSE(h.add({{"node", 7}, {"at", 1}}, 1));
  EXPECT_FALSE(h.add({{"node", "n"}}, 1));
  EXPECT_FALSE(h.add({{"node", "n"}, {"at", "soon"}}, 1));
  EXPECT_FALSE(h.add({{"node", std::string(129, 'n')}, {"at", 1}}, 1));
  EXPECT_TRUE(h.add({{"node", "n"}, {"at", 1.5e12}}, 1));
  EXPECT_EQ(h.read(1).samples.size(), 1u);
}

}  // namespace
}  // namespace dashboard
