// The "Your turn" notice: to the player to move after a move, unless one of their sockets in the
// game's room is visible; nothing once the round is over.
#include <tictactoe/turn_notice.hpp>

#include <gtest/gtest.h>

namespace tictactoe {
namespace {

constexpr id_type ann = 11;
constexpr id_type bob = 22;

// Game 7 being played; ann (X) has just played, bob (O) is to move.
game after_xs_move() {
  game g;
  g.id = 7;
  g.x = {ann, "ann"};
  g.o = {bob, "bob"};
  g.state = status::playing;
  EXPECT_EQ(apply_move(g, ann, 4), "");
  return g;
}

TEST(TicTacToeTurnNotice, ToThePlayerToMoveWithNoVisibleSocket) {
  const auto g = after_xs_move();
  for (const auto& room : {std::vector<room_socket>{},              // no socket at all
                           std::vector<room_socket>{{ann, false}},  // only the mover's
                           std::vector<room_socket>{{bob, true}, {bob, true}, {ann, false}}}) {
    auto n = turn_notice(g, room);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->to_user, bob);
    EXPECT_EQ(n->from_user, ann);
    EXPECT_EQ(n->title, "Your turn");
    EXPECT_EQ(n->body, "ann played in game 7");
    EXPECT_EQ(n->url, "/tictactoe/7");
  }
}

TEST(TicTacToeTurnNotice, NoneWhenOneOfTheirSocketsIsVisible) {
  const auto g = after_xs_move();
  EXPECT_FALSE(turn_notice(g, {{bob, false}}));
  EXPECT_FALSE(turn_notice(g, {{bob, true}, {bob, false}}));
}

TEST(TicTacToeTurnNotice, TheOtherWayRound) {
  auto g = after_xs_move();
  ASSERT_EQ(apply_move(g, bob, 0), "");
  auto n = turn_notice(g, {{bob, false}, {ann, true}});
  ASSERT_TRUE(n);
  EXPECT_EQ(n->to_user, ann);
  EXPECT_EQ(n->body, "bob played in game 7");
}

TEST(TicTacToeTurnNotice, NoneOnceTheRoundIsOver) {
  auto g = after_xs_move();
  // ann completes the middle row: 3, 4, 5.
  ASSERT_EQ(apply_move(g, bob, 0), "");
  ASSERT_EQ(apply_move(g, ann, 3), "");
  ASSERT_EQ(apply_move(g, bob, 1), "");
  ASSERT_EQ(apply_move(g, ann, 5), "");
  ASSERT_EQ(g.state, status::won);
  EXPECT_FALSE(turn_notice(g, {}));
}

}  // namespace
}  // namespace tictactoe
