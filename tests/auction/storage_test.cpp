// auction::storage on each backend (SQLite in auction_tests, PostgreSQL when the same binary runs
// as ctest auction_pg_storage): auctions and bids, the acceptance rules applied by the conditional
// UPDATE, anti-sniping, 8 threads bidding at once (each accepted bid takes the next seq, amounts
// strictly increase with seq, none twice, the final price is the highest bid) and 4 threads closing
// at once (each auction closed by exactly one of them).
#include "pg_server.hpp"
#include "temp_dir.hpp"

#include "database.hpp"

#include <auction/storage.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace auction {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;

// One database per test; open() opens it again (connections of its own, as another node would).
class test_database {
 public:
  explicit test_database(const std::string& backend) {
    if (backend == "postgresql") location_ = apps::test::shared_pg_server().create_database();
    if (location_.empty()) location_ = (dir_.path() / "apps.db").string();
  }
  std::unique_ptr<storage> open() const { return open_storage(apps::open_database(location_)); }

 private:
  apps::test::temp_dir dir_;
  std::string location_;
};

std::vector<std::string> backends() {
  return apps::test::storage_backends();
}

new_auction lot(std::int64_t ends_at = now + 3'600'000, std::int64_t start = 1000,
                std::int64_t step = 100) {
  return {"Lot", start, step, ends_at};
}

class AuctionStorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  test_database db{GetParam()};
  std::unique_ptr<storage> st = db.open();
};

TEST_P(AuctionStorageTest, CreatesAndLoadsAnAuction) {
  const auto id = st->create_auction(lot(), 7, now);
  auto a = st->load_auction(id);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->title, "Lot");
  EXPECT_EQ(a->seller, 7);
  EXPECT_EQ(a->starting_price, 1000);
  EXPECT_EQ(a->current_price, 1000);
  EXPECT_EQ(a->min_increment, 100);
  EXPECT_EQ(a->highest_bidder, 0);
  EXPECT_TRUE(a->open);
  EXPECT_EQ(a->seq, 0u);
  EXPECT_EQ(a->created_ms, now);
  EXPECT_FALSE(st->load_auction(id + 100));
}

TEST_P(AuctionStorageTest, ListsOpenBySoonestEndThenClosedByLatestEnd) {
  const auto late = st->create_auction(lot(now + 300'000), 1, now);
  const auto soon = st->create_auction(lot(now + 200'000), 1, now);
  const auto closed_early = st->create_auction(lot(now + 10'000), 1, now);
  const auto closed_late = st->create_auction(lot(now + 20'000), 1, now);
  EXPECT_EQ(st->close_due(now + 100'000).size(), 2u);
  std::vector<id_type> ids;
  for (const auto& a : st->list_auctions(100)) ids.push_back(a.id);
  EXPECT_EQ(ids, (std::vector<id_type>{soon, late, closed_late, closed_early}));
  EXPECT_EQ(st->list_auctions(1).size(), 1u);
  EXPECT_EQ(st->next_end(), now + 200'000);
}

TEST_P(AuctionStorageTest, AppliesTheRules) {
  const auto id = st->create_auction(lot(), 9, now);
  EXPECT_EQ(st->place_bid(id + 100, 1, "u1", 5000, now, default_extension_ms).error,
            bid_error::not_found);
  auto low = st->place_bid(id, 1, "u1", 999, now, default_extension_ms);
  EXPECT_EQ(low.error, bid_error::too_low);
  ASSERT_TRUE(low.auction);
  EXPECT_EQ(low.auction->current_price, 1000);
  EXPECT_EQ(st->place_bid(id, 9, "seller", 5000, now, default_extension_ms).error,
            bid_error::own_auction);
  auto first =
      st->place_bid(id, 1, "u1", 1000, now, default_extension_ms);  // the starting price itself
  ASSERT_EQ(first.error, bid_error::none);
  EXPECT_EQ(first.bid->seq, 1u);
  EXPECT_EQ(first.bid->amount, 1000);
  EXPECT_EQ(first.bid->username, "u1");
  EXPECT_EQ(st->place_bid(id, 2, "u2", 1000, now, default_extension_ms).error,
            bid_error::too_low);  // equal
  EXPECT_EQ(st->place_bid(id, 2, "u2", 1099, now, default_extension_ms).error, bid_error::too_low);
  auto second = st->place_bid(id, 2, "u2", 1100, now, default_extension_ms);
  ASSERT_EQ(second.error, bid_error::none);
  EXPECT_EQ(second.bid->seq, 2u);
  auto a = st->load_auction(id);
  EXPECT_EQ(a->current_price, 1100);
  EXPECT_EQ(a->highest_bidder, 2);
  EXPECT_EQ(a->highest_bidder_name, "u2");
  EXPECT_EQ(a->seq, 2u);
  auto recent = st->recent_bids(id, 20);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].seq, 2u);  // newest first
  EXPECT_EQ(st->recent_bids(id, 1).size(), 1u);
  auto between = st->bids_between(id, 1, 2);
  ASSERT_EQ(between.size(), 2u);
  EXPECT_EQ(between[0].seq, 1u);
  EXPECT_EQ(between[0].ends_at, a->ends_at);
}

TEST_P(AuctionStorageTest, LastSeqsOfSeveralAuctions) {
  const auto a = st->create_auction(lot(), 9, now);
  const auto b = st->create_auction(lot(), 9, now);
  ASSERT_EQ(st->place_bid(a, 1, "u1", 1000, now, default_extension_ms).error, bid_error::none);
  ASSERT_EQ(st->place_bid(a, 2, "u2", 1100, now, default_extension_ms).error, bid_error::none);
  auto seqs = st->last_seqs({a, b, b + 100});
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs, (std::vector<std::pair<id_type, std::uint64_t>>{{a, 2}, {b, 0}}));
  EXPECT_TRUE(st->last_seqs({}).empty());
}

TEST_P(AuctionStorageTest, EndedAndClosedAuctionsRefuse) {
  const auto id = st->create_auction(lot(now + 10'000), 9, now);
  EXPECT_EQ(st->place_bid(id, 1, "u1", 5000, now + 10'000, default_extension_ms).error,
            bid_error::closed);
  ASSERT_EQ(st->place_bid(id, 1, "u1", 5000, now + 9'000, default_extension_ms).error,
            bid_error::none);
  // That bid moved the end to now + 9 s + 30 s.
  EXPECT_TRUE(st->close_due(now + 38'999).empty());
  auto closed = st->close_due(now + 39'000);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_FALSE(closed[0].open);
  EXPECT_EQ(closed[0].seq, 2u);  // the close takes the seq after the last bid
  EXPECT_EQ(closed[0].bids(), 1u);
  EXPECT_EQ(closed[0].current_price, 5000);
  auto late = st->place_bid(id, 2, "u2", 9000, now + 40'000, default_extension_ms);
  EXPECT_EQ(late.error, bid_error::closed);
  EXPECT_EQ(late.auction->current_price, 5000);
  EXPECT_TRUE(st->close_due(now + 100'000).empty());
  EXPECT_FALSE(st->next_end());
}

TEST_P(AuctionStorageTest, AntiSnipingAtTheEdge) {
  const auto a = st->create_auction(lot(now + 29'900), 9, now);
  const auto b = st->create_auction(lot(now + 30'100), 9, now);
  auto on_a = st->place_bid(a, 1, "u1", 1000, now, default_extension_ms);
  auto on_b = st->place_bid(b, 1, "u1", 1000, now, default_extension_ms);
  EXPECT_EQ(on_a.bid->ends_at, now + 30'000);  // 29.9 s left: moved
  EXPECT_EQ(st->load_auction(a)->ends_at, now + 30'000);
  EXPECT_EQ(on_b.bid->ends_at, now + 30'100);  // 30.1 s left: unchanged
  EXPECT_EQ(st->load_auction(b)->ends_at, now + 30'100);
  // Another window, as the demo server's --auction-extension sets it: the SQL follows it.
  const auto c = st->create_auction(lot(now + 3'900), 9, now);
  const auto d = st->create_auction(lot(now + 4'100), 9, now);
  EXPECT_EQ(st->place_bid(c, 1, "u1", 1000, now, 4'000).bid->ends_at, now + 4'000);
  EXPECT_EQ(st->place_bid(d, 1, "u1", 1000, now, 4'000).bid->ends_at, now + 4'100);
}

// Stores per thread: one per thread on PostgreSQL (several nodes), two on SQLite (two
// connections to the file beside one shared by several threads).
std::vector<std::unique_ptr<storage>> stores(const test_database& db, std::size_t threads) {
  std::vector<std::unique_ptr<storage>> out;
  const bool pg = backends().front() == "postgresql";
  for (std::size_t i = 0; i < (pg ? threads : 2); ++i) out.push_back(db.open());
  return out;
}

TEST_P(AuctionStorageTest, ConcurrentBidsTakeOneOrder) {
  constexpr std::size_t threads = 8;
  constexpr int per_thread = 60;
  const auto id = st->create_auction(lot(now + 3'600'000, 100, 10), 99, now);
  auto s = stores(db, threads);
  std::mutex mu;
  std::vector<bid_row> accepted;
  std::map<bid_error, int> refused;
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto& mine = *s[t % s.size()];
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < per_thread; ++i) {
        const auto seen = mine.load_auction(id)->current_price;
        const auto amount = seen + 10 + static_cast<std::int64_t>(rng() % 20);
        auto r =
            mine.place_bid(id, static_cast<id_type>(t + 1), "u", amount, now, default_extension_ms);
        std::lock_guard lock(mu);
        if (r.error == bid_error::none) {
          accepted.push_back(*r.bid);
        } else {
          ++refused[r.error];
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& [e, n] : refused) EXPECT_EQ(e, bid_error::too_low) << n;
  ASSERT_FALSE(accepted.empty());
  std::sort(accepted.begin(), accepted.end(),
            [](const bid_row& a, const bid_row& b) { return a.seq < b.seq; });
  auto stored = st->bids_between(id, 1, accepted.size() + 10);
  ASSERT_EQ(stored.size(), accepted.size());
  std::set<std::int64_t> amounts;
  std::int64_t highest = 0;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i].seq, i + 1);  // 1..n, no gap, no repeat
    EXPECT_EQ(stored[i].amount, accepted[i].amount);
    EXPECT_TRUE(amounts.insert(stored[i].amount).second);
    if (i > 0) {
      EXPECT_GE(stored[i].amount, stored[i - 1].amount + 10);
    }
    highest = std::max(highest, stored[i].amount);
  }
  auto a = st->load_auction(id);
  EXPECT_EQ(a->seq, accepted.size());
  EXPECT_EQ(a->current_price, highest);
  EXPECT_EQ(a->current_price, stored.back().amount);
  std::cout << "[ figures  ] " << GetParam() << ": " << threads * per_thread << " bids attempted, "
            << accepted.size() << " accepted, " << refused[bid_error::too_low]
            << " refused as too low\n";
}

TEST_P(AuctionStorageTest, ConcurrentClosersCloseEachAuctionOnce) {
  constexpr std::size_t threads = 4;
  constexpr int auctions = 40;
  std::set<id_type> ids;
  for (int i = 0; i < auctions; ++i) {
    const auto id = st->create_auction(lot(now + 10'000 + i * 10), 99, now);
    ids.insert(id);
    if (i % 2 == 0) {
      ASSERT_EQ(st->place_bid(id, 1, "u1", 1000, now + 100, default_extension_ms).error,
                bid_error::none);
    }
  }
  auto s = stores(db, threads);
  std::mutex mu;
  std::vector<auction_row> closed;
  std::vector<std::thread> pool;
  std::atomic<bool> go{false};
  for (std::size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      // Every thread scans as the time moves on, as every node's closer does.
      for (std::int64_t at = now + 30'000; at <= now + 31'000; at += 50) {
        for (auto& a : s[t % s.size()]->close_due(at)) {
          std::lock_guard lock(mu);
          closed.push_back(std::move(a));
        }
      }
    });
  }
  go = true;
  for (auto& th : pool) th.join();
  ASSERT_EQ(closed.size(), ids.size());
  std::set<id_type> seen;
  for (const auto& a : closed) {
    EXPECT_TRUE(seen.insert(a.id).second) << "closed twice: " << a.id;
    EXPECT_FALSE(a.open);
    EXPECT_EQ(a.seq, a.bids() + 1);
    EXPECT_EQ(a.seq, st->load_auction(a.id)->seq);
  }
  EXPECT_EQ(seen, ids);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuctionStorageTest, ::testing::ValuesIn(backends()));

}  // namespace
}  // namespace auction
