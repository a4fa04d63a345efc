#include <auction/events.hpp>

#include "validation.hpp"

#include <boost/json/array.hpp>

namespace auction {
namespace json = boost::json;

namespace {

json::value bidder(id_type id, const std::string& name) {
  if (id == 0) return nullptr;
  return json::object{{"userId", id}, {"username", name}};
}

}  // namespace

json::object auction_json(const auction_row& a) {
  return {{"id", a.id},
          {"title", a.title},
          {"startingPrice", a.starting_price},
          {"currentPrice", a.current_price},
          {"minIncrement", a.min_increment},
          {"highestBidder", bidder(a.highest_bidder, a.highest_bidder_name)},
          {"endsAt", a.ends_at},
          {"status", a.open ? "open" : "closed"},
          {"bidCount", a.bids()},
          {"sellerId", a.seller},
          {"seq", a.seq}};
}

json::object bid_json(const bid_row& b) {
  return {{"id", b.id}, {"amount", b.amount}, {"userId", b.user}, {"username", b.username},
          {"at", b.at}, {"seq", b.seq}};
}

json::object auction_with_bids(const auction_row& a, const std::vector<bid_row>& bids,
                               std::int64_t extension_ms) {
  auto out = auction_json(a);
  json::array list;
  for (const auto& b : bids) list.push_back(bid_json(b));
  out["bids"] = std::move(list);
  out["extensionMs"] = extension_ms;
  return out;
}

auction_event bid_placed(const bid_row& b) {
  return {b.auction, b.seq, bid_placed_event,
          json::object{{"auctionId", b.auction},
                       {"bid", bid_json(b)},
                       {"currentPrice", b.amount},
                       {"endsAt", b.ends_at},
                       {"highestBidder", bidder(b.user, b.username)}}};
}

auction_event auction_closed(const auction_row& a) {
  const bool sold = a.bids() > 0;
  return {a.id, a.seq, auction_closed_event,
          json::object{{"auctionId", a.id},
                       {"winner", sold ? bidder(a.highest_bidder, a.highest_bidder_name)
                                       : json::value(nullptr)},
                       {"finalPrice", sold ? json::value(a.current_price) : json::value(nullptr)},
                       {"seq", a.seq}}};
}

json::value to_wire(const auction_event& e) {
  return json::object{{"auctionId", e.auction}, {"seq", e.seq}, {"name", e.name}, {"data", e.data}};
}

std::optional<auction_event> from_wire(const json::value& v) {
  auto id = apps::parse_id(apps::field(v, "auctionId"));
  auto seq = parse_integer(apps::field(v, "seq"));
  auto* name = apps::field(v, "name");
  auto* data = apps::field(v, "data");
  if (!id || !seq || *seq <= 0 || !name || !name->is_string() || !data || !data->is_object()) {
    return std::nullopt;
  }
  if (name->get_string() != bid_placed_event && name->get_string() != auction_closed_event) {
    return std::nullopt;
  }
  return auction_event{*id, static_cast<std::uint64_t>(*seq), std::string(name->get_string()),
                       data->get_object()};
}

}  // namespace auction
