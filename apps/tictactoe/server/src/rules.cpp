#include <tictactoe/rules.hpp>

#include <algorithm>

namespace tictactoe {

std::string_view to_string(mark m) noexcept {
  switch (m) {
    case mark::x:
      return "X";
    case mark::o:
      return "O";
    case mark::none:
      break;
  }
  return "";
}

std::string_view to_string(status s) noexcept {
  switch (s) {
    case status::waiting:
      return "waiting";
    case status::playing:
      return "playing";
    case status::won:
      return "won";
    case status::draw:
      return "draw";
    case status::abandoned:
      return "abandoned";
  }
  return "";
}

std::optional<status> parse_status(std::string_view s) noexcept {
  for (auto st : {status::waiting, status::playing, status::won, status::draw, status::abandoned}) {
    if (to_string(st) == s) return st;
  }
  return std::nullopt;
}

mark other(mark m) noexcept {
  if (m == mark::x) return mark::o;
  if (m == mark::o) return mark::x;
  return mark::none;
}

bool finished(status s) noexcept {
  return s == status::won || s == status::draw || s == status::abandoned;
}

std::string encode_board(const board_t& b) {
  std::string out(b.size(), '.');
  for (std::size_t i = 0; i < b.size(); ++i) out[i] = static_cast<char>(b[i]);
  return out;
}

std::optional<board_t> decode_board(std::string_view s) noexcept {
  board_t b = empty_board;
  if (s.size() != b.size()) return std::nullopt;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (s[i] != 'X' && s[i] != 'O' && s[i] != '.') return std::nullopt;
    b[i] = static_cast<mark>(s[i]);
  }
  return b;
}

mark role_of(const game& g, id_type user) noexcept {
  if (user == 0) return mark::none;
  if (g.x.user_id == user) return mark::x;
  if (g.o.user_id == user) return mark::o;
  return mark::none;
}

const player& seat(const game& g, mark role) noexcept {
  return role == mark::o ? g.o : g.x;
}

std::int64_t& away_of(game& g, mark role) noexcept {
  return role == mark::o ? g.away_o : g.away_x;
}

verdict judge(const board_t& b) noexcept {
  for (const auto& l : lines) {
    const mark m = b[l[0]];
    if (m != mark::none && b[l[1]] == m && b[l[2]] == m) return {m, l};
  }
  return {};
}

bool full(const board_t& b) noexcept {
  return std::none_of(b.begin(), b.end(), [](mark m) { return m == mark::none; });
}

std::string_view apply_move(game& g, id_type user, int cell) {
  if (cell < 0 || cell > 8) return errors::invalid_cell;
  const mark role = role_of(g, user);
  if (role == mark::none) return errors::not_a_player;
  if (finished(g.state)) return errors::game_over;
  if (g.state != status::playing || g.turn != role) return errors::not_your_turn;
  if (g.board[cell] != mark::none) return errors::cell_taken;
  g.board[cell] = role;
  g.turn = other(role);
  if (auto v = judge(g.board); v.winner != mark::none) {
    g.state = status::won;
    g.winner = v.winner;
    g.line = v.line;
  } else if (full(g.board)) {
    g.state = status::draw;
  }
  return {};
}

join_result apply_join(game& g, const player& who) {
  if (const mark role = role_of(g, who.user_id); role != mark::none) {
    return {role, set_away(g, role, 0)};
  }
  if (g.state != status::waiting || who.user_id == 0) return {};
  g.o = who;
  g.state = status::playing;
  g.turn = mark::x;
  return {mark::o, true};
}

std::string_view apply_rematch(game& g, id_type user) {
  const mark role = role_of(g, user);
  if (role == mark::none) return errors::not_a_player;
  if (!finished(g.state)) return errors::not_finished;
  (role == mark::x ? g.rematch_x : g.rematch_o) = true;
  if (!g.rematch_x || !g.rematch_o) return {};
  std::swap(g.x, g.o);
  std::swap(g.away_x, g.away_o);
  g.board = empty_board;
  g.turn = mark::x;
  g.state = status::playing;
  g.winner = mark::none;
  g.line.reset();
  g.rematch_x = g.rematch_o = false;
  ++g.round;
  return {};
}

void apply_forfeit(game& g, mark role) {
  g.state = status::abandoned;
  g.winner = other(role);
  g.line.reset();
  g.away_x = g.away_o = 0;
}

bool set_away(game& g, mark role, std::int64_t forfeit_at_ms) {
  auto& at = away_of(g, role);
  if (at == forfeit_at_ms) return false;
  at = forfeit_at_ms;
  return true;
}

}  // namespace tictactoe
