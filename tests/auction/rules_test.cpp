// auction's rules: acceptance of a bid (first bid, increments, equal amounts, closed, own
// auction), anti-sniping at the 30 s edge, amounts and new auctions as the client sends them.
#include <auction/rules.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <variant>

namespace auction {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;

terms open_auction(std::uint64_t bids = 0, std::int64_t current = 1000) {
  return {.seller = 9,
          .starting_price = 1000,
          .current_price = current,
          .min_increment = 100,
          .ends_at = now + 60'000,
          .open = true,
          .bids = bids};
}

TEST(AuctionRules, FirstBidNeedsTheStartingPrice) {
  const auto t = open_auction();
  EXPECT_EQ(lowest_acceptable(t), 1000);
  EXPECT_EQ(check_bid(t, 1, 999, now), bid_error::too_low);
  EXPECT_EQ(check_bid(t, 1, 1000, now), bid_error::none);  // equal to the starting price
  EXPECT_EQ(check_bid(t, 1, 5000, now), bid_error::none);
}

TEST(AuctionRules, LaterBidsNeedTheIncrement) {
  const auto t = open_auction(3, 1500);
  EXPECT_EQ(lowest_acceptable(t), 1600);
  EXPECT_EQ(check_bid(t, 1, 1500, now), bid_error::too_low);  // equal to the current price
  EXPECT_EQ(check_bid(t, 1, 1599, now), bid_error::too_low);
  EXPECT_EQ(check_bid(t, 1, 1600, now), bid_error::none);
}

TEST(AuctionRules, ClosedOrEndedAuctionsRefuse) {
  auto t = open_auction();
  t.open = false;
  EXPECT_EQ(check_bid(t, 1, 2000, now), bid_error::closed);
  t = open_auction();
  t.ends_at = now;  // endsAt must be after now
  EXPECT_EQ(check_bid(t, 1, 2000, now), bid_error::closed);
  t.ends_at = now + 1;
  EXPECT_EQ(check_bid(t, 1, 2000, now), bid_error::none);
}

TEST(AuctionRules, SellerMayNotBid) {
  EXPECT_EQ(check_bid(open_auction(), 9, 2000, now), bid_error::own_auction);
  EXPECT_EQ(check_bid(open_auction(), 9, 1, now), bid_error::own_auction);  // before too low
}

TEST(AuctionRules, AntiSnipingAtTheEdge) {
  constexpr auto ext = default_extension_ms;
  EXPECT_EQ(ends_after_bid(now + 29'900, now, ext), now + 30'000);  // 29.9 s left: extended
  EXPECT_EQ(ends_after_bid(now + 30'100, now, ext), now + 30'100);  // 30.1 s left: unchanged
  EXPECT_EQ(ends_after_bid(now + 30'000, now, ext), now + 30'000);
  EXPECT_EQ(ends_after_bid(now + 1, now, ext), now + 30'000);
  // Another window moves the edge with it.
  EXPECT_EQ(ends_after_bid(now + 3'900, now, 4'000), now + 4'000);
  EXPECT_EQ(ends_after_bid(now + 4'100, now, 4'000), now + 4'100);
  EXPECT_EQ(ends_after_bid(now + 29'900, now, 4'000), now + 29'900);
}

TEST(AuctionRules, Amounts) {
  auto amount = [](const char* json) {
    auto v = boost::json::parse(json);
    return parse_amount(&v);
  };
  EXPECT_EQ(amount("1"), 1);
  EXPECT_EQ(amount("1000000000000"), max_amount);
  EXPECT_EQ(amount("250.0"), 250);  // an integral number, as JavaScript may send it
  for (const char* bad : {"0", "-1", "1000000000001", "1.5", "\"100\"", "null", "true", "[1]", "{}",
                          "1e300", "18446744073709551615"}) {
    EXPECT_FALSE(amount(bad)) << bad;
  }
  EXPECT_FALSE(parse_amount(nullptr));
  EXPECT_EQ(check_bid(open_auction(), 1, 0, now), bid_error::invalid_amount);
  EXPECT_EQ(check_bid(open_auction(), 1, max_amount + 1, now), bid_error::invalid_amount);
}

TEST(AuctionRules, Messages) {
  EXPECT_EQ(message(bid_error::invalid_amount), "Invalid amount");
  EXPECT_EQ(message(bid_error::not_found), "Not found");
  EXPECT_EQ(message(bid_error::closed), "Auction closed");
  EXPECT_EQ(message(bid_error::too_low), "Bid too low");
  EXPECT_EQ(message(bid_error::own_auction), "Own auction");
  EXPECT_EQ(message(bid_error::too_many), "Too many requests");
}

TEST(AuctionRules, NewAuctions) {
  auto check = [](const std::string& json) {
    return validate_new_auction(boost::json::parse(json), now, default_min_duration_ms);
  };
  const std::string ends = std::to_string(now + 60'000);
  auto ok =
      check(R"({"title":"  Lamp ","startingPrice":0,"minIncrement":1,"endsAt":)" + ends + "}");
  ASSERT_TRUE(std::holds_alternative<new_auction>(ok));
  const auto& a = std::get<new_auction>(ok);
  EXPECT_EQ(a.title, "Lamp");
  EXPECT_EQ(a.starting_price, 0);
  EXPECT_EQ(a.min_increment, 1);
  EXPECT_EQ(a.ends_at, now + 60'000);
  const std::string tail = R"(,"endsAt":)" + ends + "}";
  for (const std::string& bad : {
           R"({"startingPrice":0,"minIncrement":1)" + tail,
           R"({"title":"   ","startingPrice":0,"minIncrement":1)" + tail,
           R"({"title":")" + std::string(101, 'x') + R"(","startingPrice":0,"minIncrement":1)" +
               tail,
           R"({"title":"a","startingPrice":-1,"minIncrement":1)" + tail,
           R"({"title":"a","startingPrice":1000000000001,"minIncrement":1)" + tail,
           R"({"title":"a","startingPrice":1.5,"minIncrement":1)" + tail,
           R"({"title":"a","startingPrice":0,"minIncrement":0)" + tail,
           R"({"title":"a","startingPrice":0,"minIncrement":"1")" + tail,
           R"({"title":"a","startingPrice":0,"minIncrement":1,"endsAt":)" +
               std::to_string(now + 9'999) + "}",
           R"({"title":"a","startingPrice":0,"minIncrement":1,"endsAt":)" +
               std::to_string(now + max_duration_ms + 1) + "}",
           std::string("[1]"),
       }) {
    EXPECT_TRUE(std::holds_alternative<std::string>(check(bad))) << bad;
  }
  // The edges are accepted.
  EXPECT_TRUE(std::holds_alternative<new_auction>(
      check(R"({"title":")" + std::string(100, 'x') +
            R"(","startingPrice":1000000000000,"minIncrement":1000000000000,"endsAt":)" +
            std::to_string(now + default_min_duration_ms) + "}")));
}

TEST(AuctionRules, NewAuctionsWithAnotherMinimumDuration) {
  auto check = [](std::int64_t ends_at, std::int64_t min_ms) {
    return validate_new_auction(
        boost::json::parse(R"({"title":"a","startingPrice":0,"minIncrement":1,"endsAt":)" +
                           std::to_string(ends_at) + "}"),
        now, min_ms);
  };
  EXPECT_TRUE(std::holds_alternative<new_auction>(check(now + 2'000, 2'000)));
  auto early = check(now + 1'999, 2'000);
  ASSERT_TRUE(std::holds_alternative<std::string>(early));
  // The refusal names the window in force.
  EXPECT_EQ(std::get<std::string>(early),
            "endsAt must be epoch milliseconds from now + 2 s to now + 30 days");
  EXPECT_EQ(std::get<std::string>(check(now, default_min_duration_ms)),
            "endsAt must be epoch milliseconds from now + 10 s to now + 30 days");
  EXPECT_EQ(std::get<std::string>(check(now, 2'500)),
            "endsAt must be epoch milliseconds from now + 2.5 s to now + 30 days");
}

TEST(AuctionRules, MoneyAsPeopleReadIt) {
  EXPECT_EQ(format_money(0), "$0.00");
  EXPECT_EQ(format_money(5), "$0.05");
  EXPECT_EQ(format_money(1250), "$12.50");
  EXPECT_EQ(format_money(100000), "$1,000.00");
  EXPECT_EQ(format_money(123456789), "$1,234,567.89");
  EXPECT_EQ(format_money(max_amount), "$10,000,000,000.00");
  EXPECT_EQ(format_money(-1250), "-$12.50");
}

}  // namespace
}  // namespace auction
