// The rules of tic-tac-toe (tictactoe/rules.hpp): a win on each of the 8 lines for X and for O,
// a draw, every refused move with its error in the contract's order, joining, rematches with the
// roles swapped, forfeits, and the board's stored form.
#include <tictactoe/rules.hpp>

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace tictactoe {
namespace {

constexpr id_type alice = 1, bob = 2, carol = 3;

game started() {
  game g;
  g.id = 7;
  g.x = {alice, "alice"};
  g.o = {bob, "bob"};
  g.state = status::playing;
  return g;
}

// Plays `cells` from `g`'s turn on, each move accepted.
void play(game& g, const std::vector<int>& cells) {
  for (int c : cells) {
    const id_type who = g.turn == mark::x ? g.x.user_id : g.o.user_id;
    ASSERT_EQ(apply_move(g, who, c), "") << "cell " << c;
  }
}

// Cells for `loser` that touch no line of `line`'s cells and make no line of their own.
std::vector<int> filler(const line_t& line, std::size_t n) {
  std::set<int> taken(line.begin(), line.end());
  for (int a = 0; a < 9; ++a) {
    for (int b = a + 1; b < 9; ++b) {
      for (int c = b + 1; c < 9; ++c) {
        std::vector<int> pick{a, b, c};
        pick.resize(n);
        bool ok = true;
        for (int p : pick) ok = ok && !taken.contains(p);
        if (!ok) continue;
        board_t bd = empty_board;
        for (int p : pick) bd[p] = mark::o;
        if (judge(bd).winner == mark::none) return pick;
      }
    }
  }
  return {};
}

class RulesLineTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(RulesLineTest, XWinsOnTheLine) {
  const auto& line = lines[GetParam()];
  auto other = filler(line, 2);
  ASSERT_EQ(other.size(), 2u);
  game g = started();
  play(g, {line[0], other[0], line[1], other[1], line[2]});
  EXPECT_EQ(g.state, status::won);
  EXPECT_EQ(g.winner, mark::x);
  ASSERT_TRUE(g.line);
  EXPECT_EQ(*g.line, line);
}

TEST_P(RulesLineTest, OWinsOnTheLine) {
  const auto& line = lines[GetParam()];
  auto other = filler(line, 3);
  ASSERT_EQ(other.size(), 3u);
  game g = started();
  play(g, {other[0], line[0], other[1], line[1], other[2], line[2]});
  EXPECT_EQ(g.state, status::won);
  EXPECT_EQ(g.winner, mark::o);
  ASSERT_TRUE(g.line);
  EXPECT_EQ(*g.line, line);
}

INSTANTIATE_TEST_SUITE_P(EveryLine, RulesLineTest, ::testing::Range<std::size_t>(0, 8));

TEST(Rules, AFullBoardWithoutALineIsADraw) {
  game g = started();
  play(g, {0, 1, 2, 4, 3, 5, 7, 6});  // X O X / X O O / O X _
  EXPECT_EQ(g.state, status::playing);
  play(g, {8});
  EXPECT_EQ(g.state, status::draw);
  EXPECT_EQ(g.winner, mark::none);
  EXPECT_FALSE(g.line);
}

TEST(Rules, AWinOnTheLastCellIsAWinNotADraw) {
  game g = started();
  play(g, {0, 1, 2, 4, 3, 5, 7, 8, 6});  // X's ninth mark completes 0 3 6
  EXPECT_EQ(g.state, status::won);
  EXPECT_EQ(g.winner, mark::x);
  EXPECT_EQ(*g.line, (line_t{0, 3, 6}));
}

TEST(Rules, RefusesMovesInTheContractsOrder) {
  game g = started();
  EXPECT_EQ(apply_move(g, carol, 9), errors::invalid_cell);  // before "Not a player"
  EXPECT_EQ(apply_move(g, alice, -1), errors::invalid_cell);
  EXPECT_EQ(apply_move(g, carol, 0), errors::not_a_player);
  EXPECT_EQ(apply_move(g, 0, 0), errors::not_a_player);
  EXPECT_EQ(apply_move(g, bob, 0), errors::not_your_turn);
  play(g, {0});
  EXPECT_EQ(apply_move(g, alice, 1), errors::not_your_turn);
  EXPECT_EQ(apply_move(g, alice, 0), errors::not_your_turn);  // before "Cell taken"
  EXPECT_EQ(apply_move(g, bob, 0), errors::cell_taken);
  play(g, {3, 1, 4, 2});
  ASSERT_EQ(g.state, status::won);
  const auto before = g;
  EXPECT_EQ(apply_move(g, bob, 8), errors::game_over);
  EXPECT_EQ(apply_move(g, bob, 0), errors::game_over);       // before "Cell taken"
  EXPECT_EQ(apply_move(g, carol, 8), errors::not_a_player);  // before "Game over"
  EXPECT_EQ(encode_board(g.board), encode_board(before.board));

  game waiting;
  waiting.x = {alice, "alice"};
  EXPECT_EQ(apply_move(waiting, alice, 0), errors::not_your_turn);
  game draw = started();
  play(draw, {0, 1, 2, 4, 3, 5, 7, 6, 8});
  EXPECT_EQ(apply_move(draw, alice, 0), errors::game_over);
  game gone = started();
  apply_forfeit(gone, mark::o);
  EXPECT_EQ(apply_move(gone, alice, 0), errors::game_over);
}

TEST(Rules, JoiningGivesTheSeatOfAWaitingGameThenSpectators) {
  game g;
  g.x = {alice, "alice"};
  auto j = apply_join(g, {alice, "alice"});
  EXPECT_EQ(j.role, mark::x);
  EXPECT_FALSE(j.changed);
  EXPECT_EQ(g.state, status::waiting);
  j = apply_join(g, {bob, "bob"});
  EXPECT_EQ(j.role, mark::o);
  EXPECT_TRUE(j.changed);
  EXPECT_EQ(g.state, status::playing);
  EXPECT_EQ(g.turn, mark::x);
  EXPECT_EQ(g.o.username, "bob");
  j = apply_join(g, {carol, "carol"});
  EXPECT_EQ(j.role, mark::none);
  EXPECT_FALSE(j.changed);
  EXPECT_EQ(apply_join(g, {bob, "bob"}).role, mark::o);
}

TEST(Rules, JoiningAgainClearsThePlayersAway) {
  game g = started();
  EXPECT_TRUE(set_away(g, mark::o, 5000));
  EXPECT_FALSE(set_away(g, mark::o, 5000));
  auto j = apply_join(g, {bob, "bob"});
  EXPECT_EQ(j.role, mark::o);
  EXPECT_TRUE(j.changed);
  EXPECT_EQ(g.away_o, 0);
}

TEST(Rules, RematchStartsTheNextRoundWithTheRolesSwapped) {
  game g = started();
  EXPECT_EQ(apply_rematch(g, alice), errors::not_finished);
  play(g, {0, 3, 1, 4, 2});
  EXPECT_EQ(apply_rematch(g, carol), errors::not_a_player);
  EXPECT_EQ(apply_rematch(g, bob), "");
  EXPECT_TRUE(g.rematch_o);
  EXPECT_EQ(g.state, status::won);
  EXPECT_EQ(apply_rematch(g, bob), "");  // asking twice is asking once
  EXPECT_EQ(g.round, 1u);
  EXPECT_EQ(apply_rematch(g, alice), "");
  EXPECT_EQ(g.round, 2u);
  EXPECT_EQ(g.state, status::playing);
  EXPECT_EQ(g.x.user_id, bob);
  EXPECT_EQ(g.o.user_id, alice);
  EXPECT_EQ(g.turn, mark::x);
  EXPECT_EQ(encode_board(g.board), ".........");
  EXPECT_EQ(g.winner, mark::none);
  EXPECT_FALSE(g.line);
  EXPECT_FALSE(g.rematch_x || g.rematch_o);
  EXPECT_EQ(apply_move(g, alice, 0), errors::not_your_turn);
  EXPECT_EQ(apply_move(g, bob, 0), "");
}

TEST(Rules, AForfeitEndsTheRoundForTheOtherPlayer) {
  game g = started();
  set_away(g, mark::x, 1000);
  apply_forfeit(g, mark::x);
  EXPECT_EQ(g.state, status::abandoned);
  EXPECT_EQ(g.winner, mark::o);
  EXPECT_EQ(g.away_x, 0);
  EXPECT_TRUE(finished(g.state));
}

TEST(Rules, BoardsAndStatusesRoundTrip) {
  game g = started();
  play(g, {4, 0});
  EXPECT_EQ(encode_board(g.board), "O...X....");
  EXPECT_EQ(encode_board(*decode_board("O...X....")), "O...X....");
  for (auto bad : {"", "O...X...", "O...X.....", "O...x...."}) EXPECT_FALSE(decode_board(bad));
  for (auto s : {status::waiting, status::playing, status::won, status::draw, status::abandoned}) {
    EXPECT_EQ(parse_status(to_string(s)), s);
  }
  EXPECT_FALSE(parse_status("over"));
}

}  // namespace
}  // namespace tictactoe
