// The auction's rules, as pure functions: which bid is accepted (and why not), anti-sniping, the
// input rules of amounts and of a new auction, and the refusals' texts (apps/auction/API.md).
// Storage applies the same acceptance rule in SQL, atomically; check_bid() tells which rule a
// refused bid broke.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace auction {

using id_type = std::int64_t;

inline constexpr std::int64_t max_amount = 1'000'000'000'000;  // 1e12 cents
// The time windows' defaults (the demo server's --auction-extension and --auction-min-duration).
inline constexpr std::int64_t default_extension_ms = 30'000;     // the least time left after a bid
inline constexpr std::int64_t default_min_duration_ms = 10'000;  // endsAt at least now + this
inline constexpr std::int64_t max_duration_ms = 30LL * 24 * 3600 * 1000;  // at most now + 30 days
inline constexpr std::size_t max_title_length = 100;                      // UTF-16 units

enum class bid_error { none, invalid_amount, not_found, closed, too_low, own_auction, too_many };

// The refusal's text: "Invalid amount", "Not found", "Auction closed", "Bid too low",
// "Own auction", "Too many requests" ("" for none).
std::string_view message(bid_error e) noexcept;

// What decides whether a bid is accepted.
struct terms {
  id_type seller = 0;
  std::int64_t starting_price = 0;
  std::int64_t current_price = 0;
  std::int64_t min_increment = 1;
  std::int64_t ends_at = 0;  // epoch ms
  bool open = true;
  std::uint64_t bids = 0;  // accepted bids so far
};

// The lowest amount accepted now: the starting price before the first bid, then the current
// price plus the minimum increment.
std::int64_t lowest_acceptable(const terms& t) noexcept;
// Why a bid of `amount` by `bidder` at `now_ms` is refused, or bid_error::none. Checked in this
// order: invalid amount, closed (status or endsAt reached), own auction, too low.
bid_error check_bid(const terms& t, id_type bidder, std::int64_t amount,
                    std::int64_t now_ms) noexcept;
// endsAt after a bid accepted at `now_ms`: at least now + `extension_ms` (anti-sniping).
std::int64_t ends_after_bid(std::int64_t ends_at, std::int64_t now_ms,
                            std::int64_t extension_ms) noexcept;

// An integer given as a JSON number (integral doubles too), or nullopt.
std::optional<std::int64_t> parse_integer(const boost::json::value* v) noexcept;
// A bid's amount: an integer 1..1e12, or nullopt ("Invalid amount").
std::optional<std::int64_t> parse_amount(const boost::json::value* v) noexcept;

// An amount in cents as people read it: 1250 -> "$12.50", 123456789 -> "$1,234,567.89" (as the
// page shows it).
std::string format_money(std::int64_t cents);

// A new auction as POST /api/auctions gives it, validated.
struct new_auction {
  std::string title;  // trimmed
  std::int64_t starting_price = 0;
  std::int64_t min_increment = 1;
  std::int64_t ends_at = 0;
};
// The new auction of a request body, or the text of its 400 refusal: endsAt must be from
// now + `min_duration_ms` to now + 30 days.
std::variant<new_auction, std::string> validate_new_auction(const boost::json::value& body,
                                                            std::int64_t now_ms,
                                                            std::int64_t min_duration_ms);

}  // namespace auction
