// auction::delivery on SQLite, two instances wired to each other as two nodes are through the
// adapter: events arrive in seq order whatever order they are handed over in, a gap no node
// publishes is read from storage (also when it is the auction's last event), and an auction
// reaching its end is closed by one of them and announced once on each.
#include "database.hpp"
#include "temp_dir.hpp"
#include "validation.hpp"

#include <auction/delivery.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace auction {
namespace {

using namespace std::chrono_literals;

// What one node emitted to its sockets, in order.
class sink {
 public:
  void add(const auction_event& e) {
    {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    }
    cv_.notify_all();
  }
  // The emitted events once there are at least `n` (or after a generous deadline).
  std::vector<auction_event> wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 20s, [&] { return events_.size() >= n; });
    return events_;
  }
  std::vector<auction_event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<auction_event> events_;
};

std::vector<std::uint64_t> seqs(const std::vector<auction_event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

class AuctionDeliveryTest : public ::testing::Test {
 protected:
  apps::test::temp_dir dir;
  std::string location = (dir.path() / "apps.db").string();
  std::unique_ptr<storage> db_a = open_storage(apps::open_database(location));
  std::unique_ptr<storage> db_b = open_storage(apps::open_database(location));
  sink on_a, on_b;
  std::unique_ptr<delivery> a, b;

  void SetUp() override {
    const delivery_options opts{.tail_check_ms = 200};
    a = std::make_unique<delivery>(
        *db_a, [this](const auction_event& e) { on_a.add(e); },
        [this](const auction_event& e) { b->received(e); }, opts);
    b = std::make_unique<delivery>(
        *db_b, [this](const auction_event& e) { on_b.add(e); },
        [this](const auction_event& e) { a->received(e); }, opts);
    a->start();
    b->start();
  }
  void TearDown() override {
    a->stop();
    b->stop();
  }
  id_type auction_ending_in(std::int64_t ms) {
    return db_a->create_auction({"Lot", 100, 10, apps::now_ms() + ms}, 99, apps::now_ms());
  }
  auction_event bid(id_type id, std::int64_t amount) {
    auto r = db_a->place_bid(id, 1, "u1", amount, apps::now_ms(), default_extension_ms);
    EXPECT_EQ(r.error, bid_error::none);
    return bid_placed(*r.bid);
  }
};

TEST_F(AuctionDeliveryTest, EachNodeEmitsInSeqOrder) {
  const auto id = auction_ending_in(3'600'000);
  const auto e1 = bid(id, 100), e2 = bid(id, 110), e3 = bid(id, 120);
  a->accepted(e1);
  b->accepted(e3);  // reaches a before e2 does
  a->accepted(e2);
  EXPECT_EQ(seqs(on_a.wait_for(3)), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(seqs(on_b.wait_for(3)), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(on_a.events()[1].data, e2.data);
}

TEST_F(AuctionDeliveryTest, AGapNobodyPublishesIsReadFromStorage) {
  const auto id = auction_ending_in(3'600'000);
  a->accepted(bid(id, 100));
  const auto lost = bid(id, 110);  // its node stopped before publishing it
  a->accepted(bid(id, 120));
  auto got = on_b.wait_for(3);
  EXPECT_EQ(seqs(got), (std::vector<std::uint64_t>{1, 2, 3}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].name, lost.name);
  EXPECT_EQ(got[1].data, lost.data);  // rebuilt from storage as it was sent
}

TEST_F(AuctionDeliveryTest, ALastEventNobodyPublishesIsReadFromStorage) {
  const auto id = auction_ending_in(3'600'000);
  a->accepted(bid(id, 100));
  ASSERT_EQ(on_b.wait_for(1).size(), 1u);
  const auto lost = bid(id, 110);  // no later event shows the gap
  auto got = on_b.wait_for(2);
  EXPECT_EQ(seqs(got), (std::vector<std::uint64_t>{1, 2}));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].data, lost.data);
}

TEST_F(AuctionDeliveryTest, ClosesOnceAndEveryNodeAnnouncesIt) {
  const auto id = auction_ending_in(300);
  a->accepted(bid(id, 100));  // moves the end 30 s on
  // Another auction, without bids, closes for real.
  const auto quiet = auction_ending_in(300);
  auto closed = [&](sink& s) {
    std::vector<auction_event> out;
    for (const auto& e : s.wait_for(2)) {
      if (e.auction == quiet) out.push_back(e);
    }
    return out;
  };
  auto on_a_closed = closed(on_a);
  auto on_b_closed = closed(on_b);
  ASSERT_EQ(on_a_closed.size(), 1u);
  ASSERT_EQ(on_b_closed.size(), 1u);
  EXPECT_EQ(on_a_closed[0].name, auction_closed_event);
  EXPECT_EQ(on_a_closed[0].seq, 1u);
  EXPECT_EQ(on_a_closed[0].data, on_b_closed[0].data);
  EXPECT_TRUE(db_a->load_auction(id)->open);
  EXPECT_FALSE(db_a->load_auction(quiet)->open);
}

}  // namespace
}  // namespace auction
