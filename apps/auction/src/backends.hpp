// The auction's storage on each backend of apps::database; open_storage() picks one.
#pragma once

#include "pg_db.hpp"
#include "sqlite_db.hpp"

#include <auction/storage.hpp>

#include <memory>
#include <string>
#include <vector>

namespace auction {

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db);
std::unique_ptr<storage> open_pg_storage(std::shared_ptr<apps::pg_pool> db);

// The columns every auction query selects, in auction_row's order.
inline constexpr const char* auction_columns =
    "id, title, seller_id, starting_price, current_price, min_increment, highest_bidder_id, "
    "highest_bidder_name, ends_at, status, bid_count, created_ms";
// The columns every bid query selects, in bid_row's order.
inline constexpr const char* bid_columns =
    "id, auction_id, seq, amount, user_id, username, at_ms, ends_at";
// ORDER BY of list_auctions: open first by soonest end, then closed by latest end.
inline constexpr const char* list_order =
    "ORDER BY (status <> 'open'), CASE WHEN status = 'open' THEN ends_at ELSE -ends_at END, id";

// "SELECT id, bid_count FROM auction_auctions WHERE id IN (<ids>)" (ids are integers).
std::string last_seqs_query(const std::vector<id_type>& auctions);

}  // namespace auction
