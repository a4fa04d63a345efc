// The notice to a bidder whom another user's bid has just outbid (apps::notifier): who held the
// auction's highest bid before the bid numbered `seq` is the bidder of bid `seq - 1` (the bids of
// an auction are numbered in acceptance order, and the close only comes after the last one).
//
// Thread-safety: as the storage (any thread).
#pragma once

#include "notifier.hpp"

#include <auction/storage.hpp>

#include <optional>

namespace auction {

// "Outbid on <title>", "<bidder> bid <amount>", "/auction/<id>" to the previous highest bidder
// of `accepted`'s auction; nullopt for the first bid or a bidder raising their own bid.
std::optional<apps::notice> outbid_notice(storage& db, const bid_row& accepted);

}  // namespace auction
