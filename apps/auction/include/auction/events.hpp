// The auction's JSON: the Auction and Bid objects of apps/auction/API.md, and the numbered events
// sent to the room `auction:<id>` (bidPlaced, auctionClosed), built from what storage returned, so
// an event rebuilt from storage is the one that was published. Pure functions.
#pragma once

#include <auction/storage.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace auction {

// One event of an auction, numbered by its seq (see storage.hpp).
struct auction_event {
  id_type auction = 0;
  std::uint64_t seq = 0;
  std::string name;          // "bidPlaced" or "auctionClosed"
  boost::json::object data;  // the event's argument
};

inline constexpr const char* bid_placed_event = "bidPlaced";
inline constexpr const char* auction_closed_event = "auctionClosed";

// {id, title, startingPrice, currentPrice, minIncrement, highestBidder, endsAt, status, bidCount,
//  sellerId, seq}: `seq` is the number of the auction's last event.
boost::json::object auction_json(const auction_row& a);
// {id, amount, userId, username, at, seq}
boost::json::object bid_json(const bid_row& b);

// The auction with `bids` (its last bids, newest first) and `extensionMs` (the anti-sniping
// window its bids get, so that the page can show when a bid extends): joinAuction's and GET
// /api/auctions/<id>'s answer.
boost::json::object auction_with_bids(const auction_row& a, const std::vector<bid_row>& bids,
                                      std::int64_t extension_ms);
// How many bids that answer carries.
inline constexpr std::size_t recent_bid_count = 20;

// bidPlaced {auctionId, bid, currentPrice, endsAt, highestBidder}
auction_event bid_placed(const bid_row& b);
// auctionClosed {auctionId, winner, finalPrice, seq} of an auction storage closed.
auction_event auction_closed(const auction_row& a);

// The form an event travels in between the nodes: {auctionId, seq, name, data}.
boost::json::value to_wire(const auction_event& e);
std::optional<auction_event> from_wire(const boost::json::value& v);

}  // namespace auction
