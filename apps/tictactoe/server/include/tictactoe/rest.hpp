// tictactoe::rest: the game's REST routes (GET /api/games, GET /api/games/stats; see
// apps/tictactoe/API.md), independent of any HTTP library: the host authenticates the request,
// then hands over the method, the target and the user, and gets an apps::reply (JSON) back.
//
// Thread-safety: handle() may be called from any thread concurrently.
#pragma once

#include "reply.hpp"

#include <tictactoe/storage.hpp>

#include <cstddef>
#include <string_view>

namespace tictactoe {

struct rest_options {
  std::size_t max_games = 50;   // GET /api/games: open games, then games being played
  std::size_t max_top = 10;     // GET /api/games/stats: the most winning players
  std::size_t max_recent = 20;  // ... and the caller's last finished rounds
};

class rest {
 public:
  // `db` must outlive this object.
  explicit rest(storage& db, rest_options opts = {});

  // True for the targets handle() answers (/api/games and below).
  static bool handles(std::string_view target) noexcept;

  // One authenticated request of `me`: `target` in origin form.
  apps::reply handle(std::string_view method, std::string_view target, const player& me);

 private:
  apps::reply games();
  apps::reply stats(const player& me);

  storage& db_;
  const rest_options opts_;
};

}  // namespace tictactoe
