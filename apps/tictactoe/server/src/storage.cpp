#include "backends.hpp"
#include "database.hpp"

namespace tictactoe {

std::shared_ptr<storage> open_storage(const apps::database& db) {
  if (db.pg) return open_pg_storage(db.pg);
  return open_sqlite_storage(db.sqlite);
}

game_row to_row(const game& g) {
  game_row r{encode_board(g.board),
             std::string(to_string(g.turn)),
             std::string(to_string(g.state)),
             std::string(to_string(g.winner)),
             "",
             ""};
  if (g.line) {
    r.line =
        std::to_string((*g.line)[0]) + std::to_string((*g.line)[1]) + std::to_string((*g.line)[2]);
  }
  if (g.rematch_x) r.rematch += 'X';
  if (g.rematch_o) r.rematch += 'O';
  return r;
}

namespace {

std::optional<mark> parse_mark(std::string_view s) {
  if (s.empty()) return mark::none;
  if (s == "X") return mark::x;
  if (s == "O") return mark::o;
  return std::nullopt;
}

}  // namespace

bool from_row(const game_row& r, game& g) {
  auto board = decode_board(r.board);
  auto turn = parse_mark(r.turn);
  auto st = parse_status(r.status);
  auto winner = parse_mark(r.winner);
  if (!board || !turn || !st || !winner) return false;
  g.board = *board;
  g.turn = *turn;
  g.state = *st;
  g.winner = *winner;
  g.line.reset();
  if (r.line.size() == 3) {
    line_t l{};
    for (std::size_t i = 0; i < 3; ++i) {
      if (r.line[i] < '0' || r.line[i] > '8') return false;
      l[i] = r.line[i] - '0';
    }
    g.line = l;
  }
  g.rematch_x = r.rematch.find('X') != std::string::npos;
  g.rematch_o = r.rematch.find('O') != std::string::npos;
  return true;
}

}  // namespace tictactoe
