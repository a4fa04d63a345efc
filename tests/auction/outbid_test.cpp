// The outbid notice: to the previous highest bidder when another user bids over them, nobody for
// the first bid or a bidder raising their own bid.
#include "database.hpp"
#include "temp_dir.hpp"

#include <auction/outbid.hpp>

#include <gtest/gtest.h>

#include <string>

namespace auction {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;

class AuctionOutbidTest : public ::testing::Test {
 protected:
  id_type open_lot(std::string title = "Old clock") {
    return st->create_auction({std::move(title), 1000, 100, now + 3'600'000}, 9, now);
  }
  bid_row bid(id_type auction, id_type user, std::string name, std::int64_t amount) {
    auto out = st->place_bid(auction, user, name, amount, now, default_extension_ms);
    EXPECT_EQ(out.error, bid_error::none);
    return out.bid.value_or(bid_row{});
  }

  apps::test::temp_dir dir;
  std::unique_ptr<storage> st =
      open_storage(apps::open_database((dir.path() / "apps.db").string()));
};

TEST_F(AuctionOutbidTest, TellsThePreviousHighestBidder) {
  const auto id = open_lot();
  EXPECT_FALSE(outbid_notice(*st, bid(id, 1, "ann", 1000)));  // the first bid outbids nobody
  auto n = outbid_notice(*st, bid(id, 2, "bob", 123456));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->to_user, 1);
  EXPECT_EQ(n->from_user, 2);
  EXPECT_EQ(n->title, "Outbid on Old clock");
  EXPECT_EQ(n->body, "bob bid $1,234.56");
  EXPECT_EQ(n->url, "/auction/" + std::to_string(id));
  auto back = outbid_notice(*st, bid(id, 1, "ann", 200000));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_user, 2);
  EXPECT_EQ(back->body, "ann bid $2,000.00");
}

TEST_F(AuctionOutbidTest, RaisingOnesOwnBidTellsNobody) {
  const auto id = open_lot();
  bid(id, 1, "ann", 1000);
  EXPECT_FALSE(outbid_notice(*st, bid(id, 1, "ann", 1100)));
}

}  // namespace
}  // namespace auction
