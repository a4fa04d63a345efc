// The tic-tac-toe storage on each backend of apps::database; open_storage() picks one.
#pragma once

#include "pg_db.hpp"
#include "sqlite_db.hpp"

#include <tictactoe/storage.hpp>

#include <cstdint>
#include <memory>

namespace tictactoe {

std::shared_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db);
std::shared_ptr<storage> open_pg_storage(std::shared_ptr<apps::pg_pool> db);

// The columns every game query selects, in the order both backends read them.
inline constexpr const char* game_columns =
    "id, board, turn, x_id, x_name, o_id, o_name, status, winner, line, version, round, quick, "
    "away_x, away_o, rematch, created_ms, updated_ms";

// Every round's result once per player: (user_id, username, win, loss, draw).
inline constexpr const char* per_player =
    "SELECT x_id AS user_id, x_name AS username, CASE WHEN winner = 'X' THEN 1 ELSE 0 END AS win, "
    "CASE WHEN winner = 'O' THEN 1 ELSE 0 END AS loss, "
    "CASE WHEN status = 'draw' THEN 1 ELSE 0 END AS draw FROM tictactoe_results "
    "UNION ALL SELECT o_id, o_name, CASE WHEN winner = 'O' THEN 1 ELSE 0 END, "
    "CASE WHEN winner = 'X' THEN 1 ELSE 0 END, CASE WHEN status = 'draw' THEN 1 ELSE 0 END "
    "FROM tictactoe_results";

// A version or round as the databases' signed 64-bit integers.
inline std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

// The columns both backends store a game in, as text and integers.
struct game_row {
  std::string board, turn, status, winner, line, rematch;
};
game_row to_row(const game& g);
// `g` with the text columns of `r` read back; false when one is malformed.
bool from_row(const game_row& r, game& g);

}  // namespace tictactoe
