#include <auction/outbid.hpp>

#include <string>

namespace auction {

std::optional<apps::notice> outbid_notice(storage& db, const bid_row& accepted) {
  if (accepted.seq < 2) return std::nullopt;
  const auto before = db.bids_between(accepted.auction, accepted.seq - 1, accepted.seq - 1);
  if (before.empty() || before.front().user == accepted.user) return std::nullopt;
  const auto a = db.load_auction(accepted.auction);
  if (!a) return std::nullopt;
  return apps::notice{.to_user = before.front().user,
                      .from_user = accepted.user,
                      .title = "Outbid on " + a->title,
                      .body = accepted.username + " bid " + format_money(accepted.amount),
                      .url = "/auction/" + std::to_string(accepted.auction)};
}

}  // namespace auction
