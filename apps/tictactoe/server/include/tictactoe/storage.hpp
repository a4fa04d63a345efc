// tictactoe::storage: the games, their finished rounds and the quick-match queue, in tables
// prefixed `tictactoe_` of the demo server's one database (apps::database, SQLite or PostgreSQL).
//
// The database is where a game's state lives, so that every node of a cluster serves the same
// games. Every change is a compare-and-set on the game's version: update() writes only when the
// stored version is the one the change was computed from, so of two changes computed from the
// same state (two moves racing on two nodes) exactly one is applied; the other caller reloads and
// decides again. A change that finishes a round also records the round (once per game and round),
// and the statistics are computed from those records.
//
// Thread-safety: every member may be called from any thread concurrently.
#pragma once

#include <tictactoe/rules.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace apps {
struct database;
}

namespace tictactoe {

// A finished round, as recorded.
struct round_result {
  id_type game_id = 0;
  std::uint64_t round = 0;
  player x, o;
  status state = status::won;  // won, draw or abandoned
  mark winner = mark::none;
  std::int64_t ended_ms = 0;
};

struct user_stats {
  id_type user_id = 0;
  std::string username;
  std::int64_t wins = 0, losses = 0, draws = 0;
};

// What a quick-match request did: paired with the oldest other user waiting (`game`, theirs the X
// seat, and the ticket they were queued with), or queued. `replaced`: the ticket of this user's
// earlier request, taken out of the queue.
struct match_result {
  std::optional<game> paired;
  std::string partner_ticket;
  std::string replaced;
};

class storage {
 public:
  virtual ~storage() = default;

  // A new waiting game, `creator` as X (its id, version 1, round 1).
  virtual game create_game(const player& creator, bool quick, std::int64_t now_ms) = 0;
  virtual std::optional<game> load(id_type id) = 0;
  // Writes `g` when the stored version is `g.version - 1` (false: someone changed the game first,
  // nothing is written). A finished round is recorded as a round_result the first time.
  virtual bool update(const game& g) = 0;
  // Deletes the game when its stored version is `version`.
  virtual bool remove(id_type id, std::uint64_t version) = 0;
  // Waiting games not made by the quick match (newest first), then games being played (newest
  // first), at most `limit` in all.
  virtual std::vector<game> list_open(std::size_t limit) = 0;
  // Waiting or playing games with a forfeit time at or before `now_ms`.
  virtual std::vector<id_type> away_due(std::int64_t now_ms) = 0;

  virtual user_stats stats_of(id_type user) = 0;               // zeros (no username) without rounds
  virtual std::vector<user_stats> top(std::size_t limit) = 0;  // most wins first
  // The last `limit` rounds `user` played, newest first.
  virtual std::vector<round_result> recent(id_type user, std::size_t limit) = 0;

  // Pairs `me` with the oldest user of the queue other than them (a new quick game, that user X,
  // `me` O), else queues `me` under `ticket`. One entry per user: an earlier one of `me` is taken
  // out either way. Serialized across nodes: two requests never both queue, nor claim one entry.
  virtual match_result quick_match(const player& me, std::string_view ticket,
                                   std::int64_t now_ms) = 0;
  // Takes `ticket` out of the queue: false when it is not there (paired or replaced already).
  virtual bool leave_queue(std::string_view ticket) = 0;
};

// The tables in `db`, created or migrated first (component "tictactoe"). Keeps a reference to
// `db`'s connection (SQLite) or pool (PostgreSQL). Throws std::runtime_error on failure.
std::shared_ptr<storage> open_storage(const apps::database& db);

}  // namespace tictactoe
