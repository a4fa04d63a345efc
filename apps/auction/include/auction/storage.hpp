// auction::storage: the auctions and their bids, in tables prefixed `auction_` of the demo
// server's one database (apps::database, SQLite or PostgreSQL), beside the accounts and the other
// apps' tables.
//
// Every auction numbers its events 1, 2, 3, ...: each accepted bid takes the next number (its
// seq), and so does the close. `seq` of an auction is its last number. Placing a bid is one
// transaction: a conditional UPDATE of the auction's row (open, endsAt not reached, not the
// seller, the amount rule) that takes the next seq, then the INSERT of the bid under that seq.
// Closing is a conditional UPDATE too (open and endsAt reached): exactly one caller, on any
// node, closes an auction. See apps/auction/README.md for why this orders bids on every backend.
//
// Thread-safety: every member may be called from any thread concurrently.
#pragma once

#include <auction/rules.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace apps {
struct database;
}

namespace auction {

struct auction_row {
  id_type id = 0;
  std::string title;
  id_type seller = 0;
  std::int64_t starting_price = 0;
  std::int64_t current_price = 0;
  std::int64_t min_increment = 1;
  id_type highest_bidder = 0;  // 0: no bid yet
  std::string highest_bidder_name;
  std::int64_t ends_at = 0;
  bool open = true;
  std::uint64_t seq = 0;  // the last event's number: the bids, plus 1 once closed
  std::int64_t created_ms = 0;

  std::uint64_t bids() const noexcept { return open ? seq : seq - 1; }
  terms as_terms() const noexcept {
    return {seller, starting_price, current_price, min_increment, ends_at, open, bids()};
  }
};

struct bid_row {
  id_type id = 0;
  id_type auction = 0;
  std::uint64_t seq = 0;
  std::int64_t amount = 0;
  id_type user = 0;
  std::string username;
  std::int64_t at = 0;       // epoch ms
  std::int64_t ends_at = 0;  // the auction's endsAt after this bid
};

struct bid_outcome {
  bid_error error = bid_error::none;
  std::optional<bid_row> bid;          // accepted
  std::optional<auction_row> auction;  // refused: the auction as it was then (none: not found)
};

class storage {
 public:
  virtual ~storage() = default;

  virtual id_type create_auction(const new_auction& a, id_type seller, std::int64_t now_ms) = 0;
  // Open auctions (soonest endsAt first), then closed ones (latest endsAt first); at most `limit`.
  virtual std::vector<auction_row> list_auctions(std::size_t limit) = 0;
  virtual std::optional<auction_row> load_auction(id_type id) = 0;
  // The last `limit` bids of an auction, newest first.
  virtual std::vector<bid_row> recent_bids(id_type auction, std::size_t limit) = 0;
  // The bids numbered first..last, in seq order.
  virtual std::vector<bid_row> bids_between(id_type auction, std::uint64_t first,
                                            std::uint64_t last) = 0;
  // Closes every open auction whose endsAt is at or before `now_ms`; returns those this call
  // closed (each auction is returned by exactly one call, whoever else is closing).
  virtual std::vector<auction_row> close_due(std::int64_t now_ms) = 0;
  // The last seq of each of these auctions that exists (at most 1000 ids).
  virtual std::vector<std::pair<id_type, std::uint64_t>> last_seqs(
      const std::vector<id_type>& auctions) = 0;
  // The soonest endsAt of the open auctions.
  virtual std::optional<std::int64_t> next_end() = 0;

  // Places a bid (see check_bid for the rules; the amount must be valid already): accepted with
  // its seq, or refused with the rule it broke and the auction as read after the refusal. An
  // accepted bid moves endsAt as ends_after_bid() with `extension_ms`.
  bid_outcome place_bid(id_type auction, id_type user, std::string_view username,
                        std::int64_t amount, std::int64_t now_ms, std::int64_t extension_ms);

 protected:
  // The conditional UPDATE and the INSERT, in one transaction: the bid, or nullopt when the
  // auction's row did not match (nothing written).
  virtual std::optional<bid_row> try_bid(id_type auction, id_type user, std::string_view username,
                                         std::int64_t amount, std::int64_t now_ms,
                                         std::int64_t extension_ms) = 0;
};

// The auction's tables in `db`, created or migrated first (component "auction" of the table
// schema_versions). Keeps a reference to `db`'s connection (SQLite) or pool (PostgreSQL). Throws
// std::runtime_error on failure.
std::unique_ptr<storage> open_storage(const apps::database& db);

}  // namespace auction
