// The tic-tac-toe storage on each backend of apps::database; open_storage() picks one.
#pragma once

#include "pg_db.hpp"
#include "sqlite_db.hpp"

#include <tictactoe/storage.hpp>

#include <memory>

namespace tictactoe {

std::shared_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db);
std::shared_ptr<storage> open_pg_storage(std::shared_ptr<apps::pg_pool> db);

// The columns both backends store a game in, as text and integers.
struct game_row {
  std::string board, turn, status, winner, line, rematch;
};
game_row to_row(const game& g);
// `g` with the text columns of `r` read back; false when one is malformed.
bool from_row(const game_row& r, game& g);

}  // namespace tictactoe
