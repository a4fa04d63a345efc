// The "Your turn" notice (apps::notifier): after a move, the player to move is told when none of
// their sockets in the game's room is visible (every one in a hidden tab, or none at all), so a
// player looking at the board is not disturbed.
//
// Pure: the caller gathers the room's sockets (fetch_sockets, across the cluster) and pushes.
#pragma once

#include "notifier.hpp"

#include <tictactoe/rules.hpp>

#include <optional>
#include <vector>

namespace tictactoe {

// A socket in a game's room, as its data tells: its user, and whether its page said it is hidden
// (event `visibility`; a socket that said nothing counts as visible).
struct room_socket {
  id_type user = 0;
  bool hidden = false;
};

// "Your turn", "<opponent> played in game <id>", "/tictactoe/<id>" to the player to move in `g`
// (a game being played, just after a move), unless one of their sockets in `room` is visible.
std::optional<apps::notice> turn_notice(const game& g, const std::vector<room_socket>& room);

}  // namespace tictactoe
