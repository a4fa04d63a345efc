// The connect path's socket-free pieces: splitting a polling payload, and the order of the
// upgrade (no "5" before the probe is answered and the held poll has come back).
#include "upgrade.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using sio::bench::for_each_polling_packet;
using sio::bench::upgrade_sequence;
using next = upgrade_sequence::next;

std::vector<std::string> packets(std::string_view body) {
  std::vector<std::string> out;
  for_each_polling_packet(body, [&](std::string_view p) {
    out.emplace_back(p);
    return true;
  });
  return out;
}

TEST(BenchPollingPayload, SplitsOnTheRecordSeparator) {
  EXPECT_EQ(packets("40{\"sid\":\"a\"}\x1e"
                    "6"),
            (std::vector<std::string>{"40{\"sid\":\"a\"}", "6"}));
  EXPECT_EQ(packets("6"), (std::vector<std::string>{"6"}));
  EXPECT_TRUE(packets("").empty());
}

TEST(BenchPollingPayload, SkipsBinaryAndEmptyRecords) {
  EXPECT_EQ(packets("bAQID\x1e\x1e"
                    "2"),
            (std::vector<std::string>{"2"}));
}

TEST(BenchPollingPayload, StopsWhenAsked) {
  int seen = 0;
  for_each_polling_packet(
      "1\x1e"
      "2\x1e"
      "3",
      [&](std::string_view) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
}

TEST(BenchUpgradeSequence, WaitsForTheHeldPollAfterTheProbe) {
  upgrade_sequence u;
  u.poll_sent();
  EXPECT_EQ(u.probe_answered(), next::nothing);  // the GET is still held
  EXPECT_FALSE(u.upgraded());
  EXPECT_EQ(u.poll_returned(), next::upgrade);  // released by the server's noop
  EXPECT_TRUE(u.upgraded());
}

TEST(BenchUpgradeSequence, PollsAgainUntilTheProbeIsAnswered) {
  upgrade_sequence u;
  u.poll_sent();
  EXPECT_EQ(u.poll_returned(), next::poll);
  u.poll_sent();
  EXPECT_EQ(u.poll_returned(), next::poll);
}

TEST(BenchUpgradeSequence, UpgradesAtOnceWhenNoPollIsHeld) {
  upgrade_sequence u;
  u.poll_sent();
  EXPECT_EQ(u.poll_returned(), next::poll);
  EXPECT_EQ(u.probe_answered(), next::upgrade);
}

TEST(BenchUpgradeSequence, UpgradesOnce) {
  upgrade_sequence u;
  EXPECT_EQ(u.probe_answered(), next::upgrade);
  EXPECT_EQ(u.probe_answered(), next::nothing);
  EXPECT_EQ(u.poll_returned(), next::nothing);
}

}  // namespace
