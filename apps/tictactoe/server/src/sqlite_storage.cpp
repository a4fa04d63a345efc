#include "backends.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace tictactoe {
namespace {

using apps::statement;

// migrations[i] brings the tables from version i to i + 1 (component "tictactoe"). Append, never
// edit a shipped one. An empty seat is user id 0; board is 9 characters of X, O and '.'; line is
// its three cells as digits ('' when none); rematch holds the roles that asked ("", "X", "XO").
constexpr std::array<const char*, 1> migrations = {
    R"sql(
CREATE TABLE IF NOT EXISTS tictactoe_games (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  board TEXT NOT NULL,
  turn TEXT NOT NULL,
  x_id INTEGER NOT NULL,
  x_name TEXT NOT NULL,
  o_id INTEGER NOT NULL,
  o_name TEXT NOT NULL,
  status TEXT NOT NULL,
  winner TEXT NOT NULL,
  line TEXT NOT NULL,
  version INTEGER NOT NULL,
  round INTEGER NOT NULL,
  quick INTEGER NOT NULL,
  away_x INTEGER NOT NULL,
  away_o INTEGER NOT NULL,
  rematch TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tictactoe_games_by_status
  ON tictactoe_games (status, created_ms DESC, id DESC);
CREATE TABLE IF NOT EXISTS tictactoe_results (
  game_id INTEGER NOT NULL,
  round INTEGER NOT NULL,
  x_id INTEGER NOT NULL,
  x_name TEXT NOT NULL,
  o_id INTEGER NOT NULL,
  o_name TEXT NOT NULL,
  status TEXT NOT NULL,
  winner TEXT NOT NULL,
  ended_ms INTEGER NOT NULL,
  PRIMARY KEY (game_id, round)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tictactoe_results_by_x ON tictactoe_results (x_id, ended_ms DESC);
CREATE INDEX IF NOT EXISTS tictactoe_results_by_o ON tictactoe_results (o_id, ended_ms DESC);
CREATE TABLE IF NOT EXISTS tictactoe_queue (
  user_id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  ticket TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL);
)sql",
};

constexpr const char* game_columns =
    "id, board, turn, x_id, x_name, o_id, o_name, status, winner, line, version, round, quick, "
    "away_x, away_o, rematch, created_ms, updated_ms";

// Every round's result once per player: (user_id, username, win, loss, draw, ended_ms).
constexpr const char* per_player =
    "SELECT x_id AS user_id, x_name AS username, CASE WHEN winner = 'X' THEN 1 ELSE 0 END AS win, "
    "CASE WHEN winner = 'O' THEN 1 ELSE 0 END AS loss, "
    "CASE WHEN status = 'draw' THEN 1 ELSE 0 END AS draw FROM tictactoe_results "
    "UNION ALL SELECT o_id, o_name, CASE WHEN winner = 'O' THEN 1 ELSE 0 END, "
    "CASE WHEN winner = 'X' THEN 1 ELSE 0 END, CASE WHEN status = 'draw' THEN 1 ELSE 0 END "
    "FROM tictactoe_results";

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

game read_game(statement& s) {
  game g;
  g.id = s.int64(0);
  g.x = {s.int64(3), s.text(4)};
  g.o = {s.int64(5), s.text(6)};
  g.version = static_cast<std::uint64_t>(s.int64(10));
  g.round = static_cast<std::uint64_t>(s.int64(11));
  g.quick = s.int64(12) != 0;
  g.away_x = s.int64(13);
  g.away_o = s.int64(14);
  g.created_ms = s.int64(16);
  g.updated_ms = s.int64(17);
  if (!from_row({s.text(1), s.text(2), s.text(7), s.text(8), s.text(9), s.text(15)}, g)) {
    throw std::runtime_error("tictactoe: malformed game " + std::to_string(g.id));
  }
  return g;
}

user_stats read_stats(statement& s) {
  return {s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4)};
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(std::shared_ptr<apps::sqlite_db> db) : db_(std::move(db)) {
    apps::migrate(*db_, {"tictactoe", migrations, {}});
  }

  game create_game(const player& creator, bool quick, std::int64_t now_ms) override {
    auto lock = db_->lock();
    return insert_game(creator, nullptr, quick, now_ms);
  }

  std::optional<game> load(id_type id) override {
    auto lock = db_->lock();
    statement s(*db_, std::string("SELECT ") + game_columns + " FROM tictactoe_games WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_game(s);
  }

  bool update(const game& g) override {
    auto lock = db_->lock();
    return db_->transaction([&] {
      const auto r = to_row(g);
      statement s(
          *db_,
          "UPDATE tictactoe_games SET board = ?, turn = ?, x_id = ?, x_name = ?, o_id = ?, "
          "o_name = ?, status = ?, winner = ?, line = ?, version = ?, round = ?, "
          "away_x = ?, away_o = ?, rematch = ?, updated_ms = ? WHERE id = ? AND version = ?");
      s.bind(1, r.board).bind(2, r.turn).bind(3, g.x.user_id).bind(4, g.x.username);
      s.bind(5, g.o.user_id).bind(6, g.o.username).bind(7, r.status).bind(8, r.winner);
      s.bind(9, r.line).bind(10, i64(g.version)).bind(11, i64(g.round)).bind(12, g.away_x);
      s.bind(13, g.away_o).bind(14, r.rematch).bind(15, g.updated_ms).bind(16, g.id);
      s.bind(17, i64(g.version - 1)).step();
      if (db_->changes() != 1) return false;
      if (finished(g.state)) record(g, r);
      return true;
    });
  }

  bool remove(id_type id, std::uint64_t version) override {
    auto lock = db_->lock();
    statement s(*db_, "DELETE FROM tictactoe_games WHERE id = ? AND version = ?");
    s.bind(1, id).bind(2, i64(version)).step();
    return db_->changes() == 1;
  }

  std::vector<game> list_open(std::size_t limit) override {
    auto lock = db_->lock();
    std::vector<game> out;
    for (const char* where : {"status = 'waiting' AND quick = 0", "status = 'playing'"}) {
      if (out.size() >= limit) break;
      statement s(*db_, std::string("SELECT ") + game_columns + " FROM tictactoe_games WHERE " +
                            where + " ORDER BY created_ms DESC, id DESC LIMIT ?");
      s.bind(1, static_cast<std::int64_t>(limit - out.size()));
      while (s.step()) out.push_back(read_game(s));
    }
    return out;
  }

  std::vector<id_type> away_due(std::int64_t now_ms) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT id FROM tictactoe_games WHERE status IN ('waiting', 'playing') AND "
                "((away_x > 0 AND away_x <= ?) OR (away_o > 0 AND away_o <= ?))");
    s.bind(1, now_ms).bind(2, now_ms);
    std::vector<id_type> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
  }

  user_stats stats_of(id_type user) override {
    auto lock = db_->lock();
    statement s(*db_, std::string("SELECT user_id, MAX(username), SUM(win), SUM(loss), SUM(draw) "
                                  "FROM (") +
                          per_player + ") WHERE user_id = ? GROUP BY user_id");
    s.bind(1, user);
    if (!s.step()) return {user, "", 0, 0, 0};
    return read_stats(s);
  }

  std::vector<user_stats> top(std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_, std::string("SELECT user_id, MAX(username), SUM(win) AS wins, SUM(loss), "
                                  "SUM(draw) FROM (") +
                          per_player + ") GROUP BY user_id ORDER BY wins DESC, user_id LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit));
    std::vector<user_stats> out;
    while (s.step()) out.push_back(read_stats(s));
    return out;
  }

  std::vector<round_result> recent(id_type user, std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT game_id, round, x_id, x_name, o_id, o_name, status, winner, ended_ms "
                "FROM tictactoe_results WHERE x_id = ? OR o_id = ? "
                "ORDER BY ended_ms DESC, game_id DESC, round DESC LIMIT ?");
    s.bind(1, user).bind(2, user).bind(3, static_cast<std::int64_t>(limit));
    std::vector<round_result> out;
    while (s.step()) {
      round_result r{s.int64(0),
                     static_cast<std::uint64_t>(s.int64(1)),
                     {s.int64(2), s.text(3)},
                     {s.int64(4), s.text(5)}};
      auto st = parse_status(s.text(6));
      const auto w = s.text(7);
      r.state = st.value_or(status::won);
      r.winner = w == "X" ? mark::x : w == "O" ? mark::o : mark::none;
      r.ended_ms = s.int64(8);
      out.push_back(std::move(r));
    }
    return out;
  }

  match_result quick_match(const player& me, std::string_view ticket,
                           std::int64_t now_ms) override {
    auto lock = db_->lock();
    match_result out;
    db_->transaction([&] {
      out.replaced = take_entry(me.user_id);
      statement q(*db_,
                  "SELECT user_id, username, ticket FROM tictactoe_queue WHERE user_id <> ? "
                  "ORDER BY created_ms, user_id LIMIT 1");
      q.bind(1, me.user_id);
      if (q.step()) {
        const player partner{q.int64(0), q.text(1)};
        out.partner_ticket = q.text(2);
        take_entry(partner.user_id);
        out.paired = insert_game(partner, &me, true, now_ms);
        return true;
      }
      statement i(*db_,
                  "INSERT INTO tictactoe_queue (user_id, username, ticket, created_ms) "
                  "VALUES (?, ?, ?, ?)");
      i.bind(1, me.user_id).bind(2, me.username).bind(3, ticket).bind(4, now_ms).step();
      return true;
    });
    return out;
  }

  bool leave_queue(std::string_view ticket) override {
    auto lock = db_->lock();
    statement s(*db_, "DELETE FROM tictactoe_queue WHERE ticket = ?");
    s.bind(1, ticket).step();
    return db_->changes() == 1;
  }

 private:
  // With the database locked.
  game insert_game(const player& x, const player* o, bool quick, std::int64_t now_ms) {
    game g;
    g.x = x;
    if (o) {
      g.o = *o;
      g.state = status::playing;
    }
    g.quick = quick;
    g.created_ms = g.updated_ms = now_ms;
    const auto r = to_row(g);
    statement s(*db_,
                "INSERT INTO tictactoe_games (board, turn, x_id, x_name, o_id, o_name, status, "
                "winner, line, version, round, quick, away_x, away_o, rematch, created_ms, "
                "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, '', '', 1, 1, ?, 0, 0, '', ?, ?)");
    s.bind(1, r.board).bind(2, r.turn).bind(3, g.x.user_id).bind(4, g.x.username);
    s.bind(5, g.o.user_id).bind(6, g.o.username).bind(7, r.status).bind(8, quick ? 1 : 0);
    s.bind(9, now_ms).bind(10, now_ms).step();
    g.id = db_->last_insert_rowid();
    return g;
  }

  // With the database locked: deletes the queue entry of `user` and returns its ticket ("").
  std::string take_entry(id_type user) {
    statement s(*db_, "DELETE FROM tictactoe_queue WHERE user_id = ? RETURNING ticket");
    s.bind(1, user);
    std::string ticket;
    while (s.step()) ticket = s.text(0);
    return ticket;
  }

  // With the database locked, in the transaction of the update that finished the round.
  void record(const game& g, const game_row& r) {
    statement s(*db_,
                "INSERT OR IGNORE INTO tictactoe_results (game_id, round, x_id, x_name, o_id, "
                "o_name, status, winner, ended_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, g.id).bind(2, i64(g.round)).bind(3, g.x.user_id).bind(4, g.x.username);
    s.bind(5, g.o.user_id).bind(6, g.o.username).bind(7, r.status).bind(8, r.winner);
    s.bind(9, g.updated_ms).step();
  }

  std::shared_ptr<apps::sqlite_db> db_;
};

}  // namespace

std::shared_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db) {
  return std::make_shared<sqlite_storage>(std::move(db));
}

}  // namespace tictactoe
