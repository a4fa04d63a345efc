#include <auction/rules.hpp>

#include "validation.hpp"

#include <boost/json/object.hpp>

#include <cmath>
#include <limits>

namespace auction {

namespace {

// 10'000 -> "10 s", 2'500 -> "2.5 s": a window as the refusals name it.
std::string seconds_text(std::int64_t ms) {
  std::string text = std::to_string(ms / 1000);
  if (const auto rest = ms % 1000; rest != 0) {
    std::string frac = std::to_string(1000 + rest).substr(1);  // 3 digits
    while (frac.back() == '0') frac.pop_back();
    text += '.' + frac;
  }
  return text + " s";
}

}  // namespace

std::string_view message(bid_error e) noexcept {
  switch (e) {
    case bid_error::none:
      return "";
    case bid_error::invalid_amount:
      return "Invalid amount";
    case bid_error::not_found:
      return "Not found";
    case bid_error::closed:
      return "Auction closed";
    case bid_error::too_low:
      return "Bid too low";
    case bid_error::own_auction:
      return "Own auction";
    case bid_error::too_many:
      return "Too many requests";
  }
  return "";
}

std::string format_money(std::int64_t cents) {
  // Negated as unsigned: INT64_MIN has no positive int64 counterpart.
  const bool negative = cents < 0;
  const auto abs =
      negative ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  const std::string digits = std::to_string(abs / 100);
  std::string out = negative ? "-$" : "$";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  const auto rest = abs % 100;
  out += rest < 10 ? ".0" : ".";
  out += std::to_string(rest);
  return out;
}

std::int64_t lowest_acceptable(const terms& t) noexcept {
  if (t.bids == 0) return t.starting_price;
  // Both are at most 1e12: no overflow.
  return t.current_price + t.min_increment;
}

bid_error check_bid(const terms& t, id_type bidder, std::int64_t amount,
                    std::int64_t now_ms) noexcept {
  if (amount <= 0 || amount > max_amount) return bid_error::invalid_amount;
  if (!t.open || t.ends_at <= now_ms) return bid_error::closed;
  if (bidder == t.seller) return bid_error::own_auction;
  if (amount < lowest_acceptable(t)) return bid_error::too_low;
  return bid_error::none;
}

std::int64_t ends_after_bid(std::int64_t ends_at, std::int64_t now_ms,
                            std::int64_t extension_ms) noexcept {
  return ends_at - now_ms < extension_ms ? now_ms + extension_ms : ends_at;
}

std::optional<std::int64_t> parse_integer(const boost::json::value* v) noexcept {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    const auto u = v->get_uint64();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (v->is_double()) {
    const double d = v->get_double();
    // Integral and exact in a double (JavaScript's safe integers).
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740991.0) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_amount(const boost::json::value* v) noexcept {
  auto n = parse_integer(v);
  if (!n || *n <= 0 || *n > max_amount) return std::nullopt;
  return n;
}

std::variant<new_auction, std::string> validate_new_auction(const boost::json::value& body,
                                                            std::int64_t now_ms,
                                                            std::int64_t min_duration_ms) {
  if (!body.is_object()) return std::string("body must be a JSON object");
  new_auction a;
  auto* title = apps::field(body, "title");
  if (!title || !title->is_string()) return std::string("title is required");
  a.title = std::string(apps::trim_space(title->get_string()));
  const auto len = apps::utf16_length(a.title);
  if (len == 0 || len > max_title_length) return std::string("title must be 1-100 characters");
  auto start = parse_integer(apps::field(body, "startingPrice"));
  if (!start || *start < 0 || *start > max_amount) {
    return std::string("startingPrice must be an integer 0-1000000000000");
  }
  a.starting_price = *start;
  auto step = parse_integer(apps::field(body, "minIncrement"));
  if (!step || *step < 1 || *step > max_amount) {
    return std::string("minIncrement must be an integer 1-1000000000000");
  }
  a.min_increment = *step;
  auto ends = parse_integer(apps::field(body, "endsAt"));
  if (!ends || *ends < now_ms + min_duration_ms || *ends > now_ms + max_duration_ms) {
    return "endsAt must be epoch milliseconds from now + " + seconds_text(min_duration_ms) +
           " to now + 30 days";
  }
  a.ends_at = *ends;
  return a;
}

}  // namespace auction
