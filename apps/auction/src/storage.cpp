#include "backends.hpp"
#include "database.hpp"

namespace auction {

std::unique_ptr<storage> open_storage(const apps::database& db) {
  if (db.pg) return open_pg_storage(db.pg);
  return open_sqlite_storage(db.sqlite);
}

std::string last_seqs_query(const std::vector<id_type>& auctions) {
  std::string sql = "SELECT id, bid_count FROM auction_auctions WHERE id IN (";
  for (std::size_t i = 0; i < auctions.size(); ++i) {
    if (i > 0) sql += ',';
    sql += std::to_string(auctions[i]);
  }
  return sql + ")";
}

bid_outcome storage::place_bid(id_type auction, id_type user, std::string_view username,
                               std::int64_t amount, std::int64_t now_ms,
                               std::int64_t extension_ms) {
  // A refusal is explained from the row read afterwards; when that row would accept the bid
  // (another bid or the close changed it in between), the bid is tried again.
  constexpr int attempts = 3;
  std::optional<auction_row> row;
  for (int i = 0; i < attempts; ++i) {
    if (auto bid = try_bid(auction, user, username, amount, now_ms, extension_ms))
      return {bid_error::none, bid};
    row = load_auction(auction);
    if (!row) return {bid_error::not_found, std::nullopt, std::nullopt};
    if (auto e = check_bid(row->as_terms(), user, amount, now_ms); e != bid_error::none) {
      return {e, std::nullopt, row};
    }
  }
  return {bid_error::too_low, std::nullopt, row};
}

}  // namespace auction
