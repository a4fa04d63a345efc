#include <auction/outbid.hpp>

#include "validation.hpp"

#include <string>

namespace auction {
namespace {

constexpr std::size_t max_notice_title = 100;  // UTF-16 units, as the notifications take them

// "Outbid on <title>", the auction's title shortened (with an ellipsis) to fit.
std::string outbid_title(std::string_view title) {
  constexpr std::string_view prefix = "Outbid on ";
  const std::size_t room = max_notice_title - prefix.size();
  if (apps::utf16_length(title) <= room) return std::string(prefix) + std::string(title);
  return std::string(prefix) + std::string(apps::utf16_prefix(title, room - 1)) + "\u2026";
}

}  // namespace

std::optional<apps::notice> outbid_notice(storage& db, const bid_row& accepted) {
  if (accepted.seq < 2) return std::nullopt;
  const auto before = db.bids_between(accepted.auction, accepted.seq - 1, accepted.seq - 1);
  if (before.empty() || before.front().user == accepted.user) return std::nullopt;
  const auto a = db.load_auction(accepted.auction);
  if (!a) return std::nullopt;
  return apps::notice{.to_user = before.front().user,
                      .from_user = accepted.user,
                      .title = outbid_title(a->title),
                      .body = accepted.username + " bid " + format_money(accepted.amount),
                      .url = "/auction/" + std::to_string(accepted.auction)};
}

}  // namespace auction
