// tictactoe rules: one game as the server keeps it (board, turn, players, status, round, the
// players who went away, rematch requests) and every change a player can make to it, checked.
// Pure: no clock (times are passed in), no I/O, no Socket.IO; the storage saves what these
// functions produce, the realtime side decides when to call them.
//
// Thread-safety: plain values and free functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tictactoe {

using id_type = std::int64_t;

// A cell's mark, and a role ("X" moves first in every round).
enum class mark : char { none = '.', x = 'X', o = 'O' };
enum class status { waiting, playing, won, draw, abandoned };

using board_t = std::array<mark, 9>;
using line_t = std::array<int, 3>;

inline constexpr board_t empty_board = {mark::none, mark::none, mark::none, mark::none, mark::none,
                                        mark::none, mark::none, mark::none, mark::none};

// The 8 lines of three: rows, columns, diagonals.
inline constexpr std::array<line_t, 8> lines = {
    {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {0, 3, 6}, {1, 4, 7}, {2, 5, 8}, {0, 4, 8}, {2, 4, 6}}};

// Milliseconds a player whose every connection dropped has to come back before forfeiting.
inline constexpr std::int64_t away_grace_ms = 30'000;

struct player {
  id_type user_id = 0;  // 0: the seat is empty
  std::string username;
  bool empty() const noexcept { return user_id == 0; }
};

struct game {
  id_type id = 0;
  board_t board = empty_board;
  mark turn = mark::x;
  player x, o;
  status state = status::waiting;
  mark winner = mark::none;
  std::optional<line_t> line;
  std::uint64_t version = 1;  // +1 with every change
  std::uint64_t round = 1;    // +1 with every rematch
  bool quick = false;         // made by the quick-match queue (not listed as open)
  std::int64_t away_x = 0;    // when X forfeits (epoch ms), 0: X is there
  std::int64_t away_o = 0;
  bool rematch_x = false;  // X asked for a rematch of this finished round
  bool rematch_o = false;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

// "X" / "O" (none: "").
std::string_view to_string(mark m) noexcept;
std::string_view to_string(status s) noexcept;
std::optional<status> parse_status(std::string_view s) noexcept;
mark other(mark m) noexcept;
bool finished(status s) noexcept;  // won, draw or abandoned

// The board as 9 characters of 'X', 'O' and '.', and back (nullopt when malformed).
std::string encode_board(const board_t& b);
std::optional<board_t> decode_board(std::string_view s) noexcept;

// The role of `user` in `g` (mark::none: not a player).
mark role_of(const game& g, id_type user) noexcept;
const player& seat(const game& g, mark role) noexcept;
std::int64_t& away_of(game& g, mark role) noexcept;

// Who won the board and on which line; none and nullopt while nobody has three in a line.
struct verdict {
  mark winner = mark::none;
  std::optional<line_t> line;
};
verdict judge(const board_t& b) noexcept;
bool full(const board_t& b) noexcept;

// Refusals, as the contract words them.
namespace errors {
inline constexpr std::string_view invalid_cell = "Invalid cell";
inline constexpr std::string_view not_found = "Not found";
inline constexpr std::string_view not_a_player = "Not a player";
inline constexpr std::string_view game_over = "Game over";
inline constexpr std::string_view not_your_turn = "Not your turn";
inline constexpr std::string_view cell_taken = "Cell taken";
inline constexpr std::string_view not_finished = "Game not finished";
}  // namespace errors

// `user` marks `cell`: the first refusal in the contract's order ("Invalid cell" for a cell
// outside 0-8, then "Not a player", "Game over", "Not your turn", "Cell taken"; "Not found" is the
// caller's, between the first two), else "" and `g` has the move (turn passed, or the round won
// or drawn).
std::string_view apply_move(game& g, id_type user, int cell);

// What joining does: the player's role back (their `away` cleared), the seat O of a waiting
// game (it starts, X to move), or a spectator. `changed`: `g` must be saved.
struct join_result {
  mark role = mark::none;  // none: spectator
  bool changed = false;
};
join_result apply_join(game& g, const player& who);

// `user` asks for a rematch of a finished round: "Not a player", "Game not finished", or "" with
// the request recorded; once both asked, the next round starts with the roles swapped.
std::string_view apply_rematch(game& g, id_type user);

// `role` did not come back in time: the round ends "abandoned", the other player winning.
void apply_forfeit(game& g, mark role);

// Sets or clears `role`'s forfeit time (0: present). True when that changed `g`.
bool set_away(game& g, mark role, std::int64_t forfeit_at_ms);

}  // namespace tictactoe
