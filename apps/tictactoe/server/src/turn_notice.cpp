#include <tictactoe/turn_notice.hpp>

#include <algorithm>
#include <string>

namespace tictactoe {

std::optional<apps::notice> turn_notice(const game& g, const std::vector<room_socket>& room) {
  if (g.state != status::playing) return std::nullopt;
  const player& next = seat(g, g.turn);
  const player& mover = seat(g, other(g.turn));
  if (next.empty() || mover.empty()) return std::nullopt;
  const bool watching = std::any_of(room.begin(), room.end(), [&](const room_socket& s) {
    return s.user == next.user_id && !s.hidden;
  });
  if (watching) return std::nullopt;
  const auto id = std::to_string(g.id);
  return apps::notice{.to_user = next.user_id,
                      .from_user = mover.user_id,
                      .title = "Your turn",
                      .body = mover.username + " played in game " + id,
                      .url = "/tictactoe/" + id};
}

}  // namespace tictactoe
