#include "backends.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace auction {
namespace {

using apps::statement;

// migrations[i] brings the auction's tables from version i to i + 1 (component "auction").
// Append, never edit a shipped one.
constexpr std::array<const char*, 1> migrations = {
    R"sql(
CREATE TABLE auction_auctions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  seller_id INTEGER NOT NULL,
  starting_price INTEGER NOT NULL,
  current_price INTEGER NOT NULL,
  min_increment INTEGER NOT NULL,
  highest_bidder_id INTEGER NOT NULL DEFAULT 0,
  highest_bidder_name TEXT NOT NULL DEFAULT '',
  ends_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  bid_count INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL);
CREATE INDEX auction_auctions_by_end ON auction_auctions (status, ends_at);
CREATE TABLE auction_bids (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  auction_id INTEGER NOT NULL REFERENCES auction_auctions(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  username TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  UNIQUE (auction_id, seq),
  UNIQUE (auction_id, amount));
)sql",
};

auction_row read_auction(statement& s) {
  return {s.int64(0),
          s.text(1),
          s.int64(2),
          s.int64(3),
          s.int64(4),
          s.int64(5),
          s.int64(6),
          s.text(7),
          s.int64(8),
          s.text(9) == "open",
          static_cast<std::uint64_t>(s.int64(10)),
          s.int64(11)};
}

bid_row read_bid(statement& s) {
  return {s.int64(0), s.int64(1), static_cast<std::uint64_t>(s.int64(2)),
          s.int64(3), s.int64(4), s.text(5),
          s.int64(6), s.int64(7)};
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(std::shared_ptr<apps::sqlite_db> db) : db_(std::move(db)) {
    apps::migrate(*db_, {"auction", migrations, {}});
  }

  id_type create_auction(const new_auction& a, id_type seller, std::int64_t now_ms) override {
    auto lock = db_->lock();
    statement s(*db_,
                "INSERT INTO auction_auctions (title, seller_id, starting_price, current_price, "
                "min_increment, ends_at, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, a.title).bind(2, seller).bind(3, a.starting_price).bind(4, a.starting_price);
    s.bind(5, a.min_increment).bind(6, a.ends_at).bind(7, now_ms).step();
    return db_->last_insert_rowid();
  }

  std::vector<auction_row> list_auctions(std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_, sql("SELECT ", auction_columns,
                          std::string(" FROM auction_auctions ") + list_order + " LIMIT ?"));
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<auction_row> out;
    while (s.step()) out.push_back(read_auction(s));
    return out;
  }

  std::optional<auction_row> load_auction(id_type id) override {
    auto lock = db_->lock();
    statement s(*db_, sql("SELECT ", auction_columns, " FROM auction_auctions WHERE id = ?"));
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_auction(s);
  }

  std::vector<bid_row> recent_bids(id_type auction, std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_, sql("SELECT ", bid_columns,
                          " FROM auction_bids WHERE auction_id = ? ORDER BY seq DESC LIMIT ?"));
    s.bind(1, auction).bind(2, static_cast<std::int64_t>(limit));
    return read_bids(s);
  }

  std::vector<bid_row> bids_between(id_type auction, std::uint64_t first,
                                    std::uint64_t last) override {
    auto lock = db_->lock();
    statement s(*db_, sql("SELECT ", bid_columns,
                          " FROM auction_bids WHERE auction_id = ? AND seq BETWEEN ? AND ? "
                          "ORDER BY seq"));
    s.bind(1, auction).bind(2, i64(first)).bind(3, i64(last));
    return read_bids(s);
  }

  std::vector<auction_row> close_due(std::int64_t now_ms) override {
    auto lock = db_->lock();
    std::vector<auction_row> out;
    db_->transaction([&] {
      statement s(*db_, sql("UPDATE auction_auctions SET status = 'closed', "
                            "bid_count = bid_count + 1 WHERE status = 'open' AND ends_at <= ? "
                            "RETURNING ",
                            auction_columns, ""));
      s.bind(1, now_ms);
      while (s.step()) out.push_back(read_auction(s));
      return true;
    });
    return out;
  }

  std::vector<std::pair<id_type, std::uint64_t>> last_seqs(
      const std::vector<id_type>& auctions) override {
    std::vector<std::pair<id_type, std::uint64_t>> out;
    if (auctions.empty()) return out;
    auto lock = db_->lock();
    statement s(*db_, last_seqs_query(auctions));
    while (s.step()) out.emplace_back(s.int64(0), static_cast<std::uint64_t>(s.int64(1)));
    return out;
  }

  std::optional<std::int64_t> next_end() override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT ends_at FROM auction_auctions WHERE status = 'open' "
                "ORDER BY ends_at LIMIT 1");
    if (!s.step()) return std::nullopt;
    return s.int64(0);
  }

 protected:
  std::optional<bid_row> try_bid(id_type auction, id_type user, std::string_view username,
                                 std::int64_t amount, std::int64_t now_ms,
                                 std::int64_t extension_ms) override {
    auto lock = db_->lock();
    std::optional<bid_row> out;
    db_->transaction([&] {
      std::optional<std::pair<std::int64_t, std::int64_t>> taken;  // seq, endsAt
      {
        statement u(*db_,
                    "UPDATE auction_auctions SET current_price = ?3, bid_count = bid_count + 1, "
                    "highest_bidder_id = ?2, highest_bidder_name = ?4, "
                    "ends_at = CASE WHEN ends_at - ?5 < ?6 THEN ?5 + ?6 ELSE ends_at END "
                    "WHERE id = ?1 AND status = 'open' AND ends_at > ?5 AND seller_id <> ?2 AND "
                    "?3 >= CASE WHEN bid_count = 0 THEN starting_price "
                    "ELSE current_price + min_increment END "
                    "RETURNING bid_count, ends_at");
        u.bind(1, auction).bind(2, user).bind(3, amount).bind(4, username).bind(5, now_ms);
        u.bind(6, extension_ms);
        if (u.step()) taken.emplace(u.int64(0), u.int64(1));
        while (u.step()) {
        }
      }
      if (!taken) return false;
      statement b(*db_,
                  "INSERT INTO auction_bids (auction_id, seq, amount, user_id, username, at_ms, "
                  "ends_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
      b.bind(1, auction).bind(2, taken->first).bind(3, amount).bind(4, user).bind(5, username);
      b.bind(6, now_ms).bind(7, taken->second).step();
      out = bid_row{db_->last_insert_rowid(),
                    auction,
                    static_cast<std::uint64_t>(taken->first),
                    amount,
                    user,
                    std::string(username),
                    now_ms,
                    taken->second};
      return true;
    });
    return out;
  }

 private:
  static std::vector<bid_row> read_bids(statement& s) {
    std::vector<bid_row> out;
    while (s.step()) out.push_back(read_bid(s));
    return out;
  }

  std::shared_ptr<apps::sqlite_db> db_;
};

}  // namespace

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db) {
  return std::make_unique<sqlite_storage>(std::move(db));
}

}  // namespace auction
