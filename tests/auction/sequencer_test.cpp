// auction::sequencer: events put back in seq order, copies and late events dropped, gaps named
// after gap_ms (or at once with a full buffer) and filled, a last event only storage has becoming
// a gap, readers holding delivery until their baseline, the close ending an auction's delivery,
// and the bounds.
#include <auction/sequencer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace auction {
namespace {

auction_event ev(std::uint64_t seq, id_type auction = 1) {
  return {auction, seq, bid_placed_event, {{"seq", seq}}};
}

auction_event close_ev(std::uint64_t seq, id_type auction = 1) {
  return {auction, seq, auction_closed_event, {{"seq", seq}}};
}

std::vector<std::uint64_t> seqs(const std::vector<auction_event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

using list = std::vector<std::uint64_t>;

TEST(AuctionSequencer, DeliversInOrderWhateverTheArrival) {
  sequencer s;
  EXPECT_EQ(seqs(s.offer(ev(1), 0)), list{1});
  EXPECT_EQ(seqs(s.offer(ev(3), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(4), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(2), 0)), (list{2, 3, 4}));
  EXPECT_EQ(s.next_seq(1), 5u);
}

TEST(AuctionSequencer, DropsCopiesAndLateEvents) {
  sequencer s;
  EXPECT_EQ(seqs(s.offer(ev(1), 0)), list{1});
  EXPECT_EQ(seqs(s.offer(ev(1), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(3), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(3), 0)), list{});  // a copy of a buffered one
  EXPECT_EQ(seqs(s.offer(ev(2), 0)), (list{2, 3}));
  EXPECT_EQ(seqs(s.offer(ev(2), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(0), 0)), list{});  // no such seq
}

TEST(AuctionSequencer, ShuffledCopiesFromSeveralSourcesComeOutOnce) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    sequencer s;
    std::vector<auction_event> input;
    for (std::uint64_t q = 1; q <= 100; ++q) {
      input.push_back(ev(q));
      if (q % 3 == 0) input.push_back(ev(q));
    }
    std::shuffle(input.begin() + 1, input.end(), rng);  // the first starts the tracking
    input.insert(input.begin(), ev(1));
    list out;
    for (auto& e : input) {
      for (auto q : seqs(s.offer(e, 0))) out.push_back(q);
    }
    list expected(100);
    std::iota(expected.begin(), expected.end(), 1);
    ASSERT_EQ(out, expected);
  }
}

TEST(AuctionSequencer, NamesAGapAfterGapMsAndFillsIt) {
  sequencer s({.max_buffered = 8, .gap_ms = 500});
  s.offer(ev(1), 0);
  s.offer(ev(4), 100);
  EXPECT_TRUE(s.due(599).empty());
  auto gaps = s.due(600);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].auction, 1);
  EXPECT_EQ(gaps[0].first, 2u);
  EXPECT_EQ(gaps[0].last, 4u);
  // The caller reads 2..4 from storage and offers them.
  EXPECT_EQ(seqs(s.offer(ev(2), 600)), list{2});
  EXPECT_EQ(seqs(s.offer(ev(3), 600)), (list{3, 4}));
  EXPECT_EQ(seqs(s.offer(ev(4), 600)), list{});
  EXPECT_TRUE(s.due(5000).empty());
}

TEST(AuctionSequencer, ProgressRestartsTheGapClock) {
  sequencer s({.max_buffered = 8, .gap_ms = 500});
  s.offer(ev(1), 0);
  s.offer(ev(3), 0);
  s.offer(ev(5), 0);
  s.offer(ev(2), 400);  // 2, 3 delivered; 4 still missing
  EXPECT_TRUE(s.due(600).empty());
  ASSERT_EQ(s.due(900).size(), 1u);
  EXPECT_EQ(s.due(900)[0].first, 4u);
}

TEST(AuctionSequencer, BufferIsBoundedAndAFullOneIsDueAtOnce) {
  sequencer s({.max_buffered = 4, .gap_ms = 500});
  s.offer(ev(1), 0);
  for (std::uint64_t q = 3; q <= 20; ++q) EXPECT_TRUE(s.offer(ev(q), 0).empty());
  auto gaps = s.due(0);  // full: no need to wait
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first, 2u);
  EXPECT_EQ(gaps[0].last, 5u);  // at most a buffer's worth at a time
  // Storage gives 2..5; the events beyond the buffer (7..20) were dropped and come from storage.
  list out;
  for (std::uint64_t q = 2; q <= 5; ++q) {
    for (auto d : seqs(s.offer(ev(q), 0))) out.push_back(d);
  }
  EXPECT_EQ(out, (list{2, 3, 4, 5, 6}));
  gaps = s.due(600);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first, 7u);
  EXPECT_EQ(gaps[0].last, 10u);
}

TEST(AuctionSequencer, CloseEndsDeliveryAndLaterCopiesAreDropped) {
  sequencer s;
  s.offer(ev(1), 0);
  EXPECT_EQ(seqs(s.offer(close_ev(3), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(2), 0)), (list{2, 3}));
  EXPECT_EQ(seqs(s.offer(close_ev(3), 0)), list{});  // the other nodes' copy
  EXPECT_EQ(seqs(s.offer(ev(4), 0)), list{});
  EXPECT_TRUE(s.due(10'000).empty());
}

TEST(AuctionSequencer, ReadersHoldDeliveryUntilTheirBaseline) {
  sequencer s;
  s.expect(1, 0);
  s.expect(1, 0);  // two sockets join at once
  EXPECT_EQ(seqs(s.offer(ev(6), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(5), 0)), list{});
  EXPECT_EQ(seqs(s.baseline(1, 5, 0)), list{});  // one read saw 1..5; the other has not answered
  EXPECT_EQ(seqs(s.baseline(1, 3, 0)), list{});  // the other saw 1..3: 4 is awaited
  EXPECT_EQ(s.next_seq(1), 4u);
  EXPECT_EQ(seqs(s.offer(ev(4), 0)), (list{4, 5, 6}));
}

TEST(AuctionSequencer, ABaselineOfATrackedAuctionChangesNothing) {
  sequencer s;
  s.offer(ev(1), 0);
  s.expect(1, 0);
  EXPECT_EQ(seqs(s.baseline(1, 7, 0)), list{});
  EXPECT_EQ(s.next_seq(1), 2u);
  EXPECT_EQ(seqs(s.offer(ev(2), 0)), list{2});
}

TEST(AuctionSequencer, AReaderThatFoundNothingLeavesNoTrace) {
  sequencer s;
  s.expect(5, 0);
  EXPECT_TRUE(s.baseline(5, std::nullopt, 0).empty());
  EXPECT_EQ(s.tracked(), 0u);
  EXPECT_FALSE(s.next_seq(5));
}

TEST(AuctionSequencer, ALastEventStorageHasBecomesAGap) {
  sequencer s({.max_buffered = 8, .gap_ms = 500});
  s.offer(ev(1), 0);
  s.stored(1, 1, 100);  // nothing new
  EXPECT_TRUE(s.due(10'000).empty());
  s.stored(1, 3, 1000);  // 2 and 3 were accepted; nobody published them
  EXPECT_TRUE(s.due(1499).empty());
  auto gaps = s.due(1500);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].first, 2u);
  EXPECT_EQ(gaps[0].last, 3u);
  s.stored(7, 3, 1000);  // an auction not tracked here: nothing to do
  EXPECT_EQ(s.tracked(), 1u);
}

TEST(AuctionSequencer, ActiveAuctionsAreTheRecentOpenOnes) {
  sequencer s;
  s.offer(ev(1, 1), 0);
  s.offer(ev(1, 2), 5'000);
  s.offer(ev(1, 3), 9'000);
  s.offer(close_ev(2, 3), 9'000);  // closed: nothing more to expect
  s.expect(4, 9'000);              // waiting for its reader
  EXPECT_EQ(s.active(10'000, 6'000, 10), (std::vector<id_type>{2}));
  EXPECT_EQ(s.active(10'000, 60'000, 10), (std::vector<id_type>{2, 1}));
  EXPECT_EQ(s.active(10'000, 60'000, 1), (std::vector<id_type>{2}));
}

TEST(AuctionSequencer, AuctionsAreIndependent) {
  sequencer s;
  s.offer(ev(1, 1), 0);
  s.offer(ev(1, 2), 0);
  EXPECT_EQ(seqs(s.offer(ev(3, 1), 0)), list{});
  EXPECT_EQ(seqs(s.offer(ev(2, 2), 0)), list{2});
}

TEST(AuctionSequencer, TrackedAuctionsAreBounded) {
  sequencer s({.max_buffered = 4, .gap_ms = 500, .max_auctions = 16});
  for (id_type a = 1; a <= 100; ++a) s.offer(ev(1, a), a);
  EXPECT_LE(s.tracked(), 16u);
  EXPECT_TRUE(s.next_seq(100));  // the most recent stay
}

}  // namespace
}  // namespace auction
