// tictactoe::storage on each backend (SQLite in tictactoe_tests, PostgreSQL when the same binary
// runs as ctest tictactoe_pg_storage): creating, loading and listing games, the compare-and-set on
// the version (two changes from one state: exactly one applies, also from two connections racing),
// finished rounds recorded once and the statistics computed from them, the forfeit times due, and
// the quick-match queue (pairing, one entry per user, leaving).
#include "database.hpp"
#include "pg_server.hpp"
#include "temp_dir.hpp"

#include <tictactoe/storage.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tictactoe {
namespace {

const player alice{1, "alice"}, bob{2, "bob"}, carol{3, "carol"};

std::vector<std::string> backends() {
  return apps::test::storage_backends();
}

class TicTacToeStorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  TicTacToeStorageTest() {
    if (GetParam() == "postgresql") location_ = apps::test::shared_pg_server().create_database();
    if (location_.empty()) location_ = (dir_.path() / "apps.db").string();
    st = open();
  }
  // The storage on the test's database, with connections of its own (as another node's).
  std::shared_ptr<storage> open() const { return open_storage(apps::open_database(location_)); }

  // `g` changed by `f`, saved as the next version.
  bool change(game g, const std::function<void(game&)>& f, storage* on = nullptr) {
    f(g);
    ++g.version;
    return (on ? *on : *st).update(g);
  }

  apps::test::temp_dir dir_;
  std::string location_;
  std::shared_ptr<storage> st;
};

TEST_P(TicTacToeStorageTest, CreatesAndLoadsGames) {
  auto g = st->create_game(alice, false, 1000);
  EXPECT_GT(g.id, 0);
  auto loaded = st->load(g.id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->x.user_id, alice.user_id);
  EXPECT_EQ(loaded->x.username, "alice");
  EXPECT_TRUE(loaded->o.empty());
  EXPECT_EQ(loaded->state, status::waiting);
  EXPECT_EQ(loaded->version, 1u);
  EXPECT_EQ(loaded->round, 1u);
  EXPECT_EQ(encode_board(loaded->board), ".........");
  EXPECT_EQ(loaded->created_ms, 1000);
  EXPECT_FALSE(loaded->quick);
  EXPECT_FALSE(st->load(g.id + 100));
}

TEST_P(TicTacToeStorageTest, SavesEveryFieldOfAChange) {
  auto g = st->create_game(alice, false, 1000);
  apply_join(g, bob);
  apply_move(g, alice.user_id, 4);
  g.away_o = 31000;
  g.updated_ms = 2000;
  ++g.version;
  ASSERT_TRUE(st->update(g));
  auto loaded = st->load(g.id);
  EXPECT_EQ(loaded->o.username, "bob");
  EXPECT_EQ(loaded->state, status::playing);
  EXPECT_EQ(encode_board(loaded->board), "....X....");
  EXPECT_EQ(loaded->turn, mark::o);
  EXPECT_EQ(loaded->away_o, 31000);
  EXPECT_EQ(loaded->version, 2u);
  EXPECT_EQ(loaded->updated_ms, 2000);
}

TEST_P(TicTacToeStorageTest, AppliesOneOfTwoChangesFromTheSameVersion) {
  auto g = st->create_game(alice, false, 1000);
  ASSERT_TRUE(change(g, [](game& g) { apply_join(g, bob); }));
  auto base = *st->load(g.id);
  EXPECT_TRUE(change(base, [](game& g) { apply_move(g, alice.user_id, 0); }));
  EXPECT_FALSE(change(base, [](game& g) { apply_move(g, alice.user_id, 8); }));  // stale: refused
  auto now = *st->load(g.id);
  EXPECT_EQ(encode_board(now.board), "X........");
  EXPECT_EQ(now.version, 3u);
}

TEST_P(TicTacToeStorageTest, RacingChangesFromTwoNodesApplyOnce) {
  auto other = open();
  auto g = st->create_game(alice, false, 1000);
  ASSERT_TRUE(change(g, [](game& g) { apply_join(g, bob); }));
  // Many rounds: both nodes load the same version and try to change it at once.
  for (int i = 0; i < 20; ++i) {
    auto base = *st->load(g.id);
    std::atomic<int> applied{0};
    std::vector<std::thread> threads;
    for (storage* s : {st.get(), other.get()}) {
      threads.emplace_back([&, s] {
        if (change(
                base, [&](game& g) { g.away_x = 1 + s->load(g.id)->version; }, s))
          ++applied;
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(applied.load(), 1) << "round " << i;
    EXPECT_EQ(st->load(g.id)->version, base.version + 1);
  }
}

TEST_P(TicTacToeStorageTest, RecordsEachFinishedRoundOnceAndCountsIt) {
  auto g = st->create_game(alice, false, 1000);
  ASSERT_TRUE(change(g, [](game& g) { apply_join(g, bob); }));
  g = *st->load(g.id);
  for (int c : {0, 3, 1, 4, 2}) {  // alice (X) wins round 1
    ASSERT_EQ(apply_move(g, g.turn == mark::x ? alice.user_id : bob.user_id, c), "");
    g.updated_ms = 5000;
    ++g.version;
    ASSERT_TRUE(st->update(g));
  }
  // A later change of the finished round (a rematch request) records nothing more.
  apply_rematch(g, bob.user_id);
  ++g.version;
  ASSERT_TRUE(st->update(g));
  apply_rematch(g, alice.user_id);  // round 2: bob is X
  ++g.version;
  ASSERT_TRUE(st->update(g));
  for (int c : {0, 1, 2, 4, 3, 5, 7, 6, 8}) {  // a draw
    ASSERT_EQ(apply_move(g, g.turn == mark::x ? bob.user_id : alice.user_id, c), "");
    g.updated_ms = 6000;
    ++g.version;
    ASSERT_TRUE(st->update(g));
  }
  auto g2 = st->create_game(carol, false, 7000);  // carol beats bob by forfeit
  ASSERT_TRUE(change(g2, [](game& g) {
    apply_join(g, bob);
    apply_forfeit(g, mark::o);
    g.updated_ms = 8000;
  }));

  auto a = st->stats_of(alice.user_id);
  EXPECT_EQ(a.username, "alice");
  EXPECT_EQ(a.wins, 1);
  EXPECT_EQ(a.losses, 0);
  EXPECT_EQ(a.draws, 1);
  auto b = st->stats_of(bob.user_id);
  EXPECT_EQ(b.wins, 0);
  EXPECT_EQ(b.losses, 2);
  EXPECT_EQ(b.draws, 1);
  auto none = st->stats_of(99);
  EXPECT_EQ(none.wins + none.losses + none.draws, 0);

  auto top = st->top(10);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].wins, 1);
  EXPECT_EQ(top[2].user_id, bob.user_id);
  EXPECT_EQ(st->top(1).size(), 1u);

  auto recent = st->recent(bob.user_id, 20);
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0].game_id, g2.id);  // newest first
  EXPECT_EQ(recent[0].state, status::abandoned);
  EXPECT_EQ(recent[0].winner, mark::x);
  EXPECT_EQ(recent[1].round, 2u);
  EXPECT_EQ(recent[1].state, status::draw);
  EXPECT_EQ(recent[1].x.user_id, bob.user_id);
  EXPECT_EQ(recent[2].round, 1u);
  EXPECT_EQ(recent[2].winner, mark::x);
  EXPECT_EQ(recent[2].ended_ms, 5000);
  EXPECT_EQ(st->recent(bob.user_id, 1).size(), 1u);
  EXPECT_EQ(st->recent(alice.user_id, 20).size(), 2u);
}

TEST_P(TicTacToeStorageTest, ListsOpenGamesThenGamesBeingPlayed) {
  auto a = st->create_game(alice, false, 1000);
  auto b = st->create_game(bob, false, 2000);
  auto playing = st->create_game(carol, false, 3000);
  ASSERT_TRUE(change(playing, [](game& g) { apply_join(g, alice); }));
  auto done = st->create_game(carol, false, 4000);
  ASSERT_TRUE(change(done, [](game& g) {
    apply_join(g, bob);
    apply_forfeit(g, mark::x);
  }));
  auto pair = st->quick_match(alice, "t1", 5000);
  pair = st->quick_match(bob, "t2", 5000);  // a quick game, playing
  ASSERT_TRUE(pair.paired);
  auto list = st->list_open(50);
  std::vector<id_type> ids;
  for (auto& g : list) ids.push_back(g.id);
  EXPECT_EQ(ids, (std::vector<id_type>{b.id, a.id, pair.paired->id, playing.id}));
  EXPECT_EQ(st->list_open(1).size(), 1u);
  EXPECT_EQ(st->list_open(3).size(), 3u);
}

TEST_P(TicTacToeStorageTest, FindsTheForfeitsDue) {
  auto a = st->create_game(alice, false, 1000);
  auto b = st->create_game(bob, false, 1000);
  ASSERT_TRUE(change(a, [](game& g) { g.away_x = 5000; }));
  ASSERT_TRUE(change(b, [](game& g) {
    apply_join(g, carol);
    g.away_o = 9000;
  }));
  EXPECT_TRUE(st->away_due(4999).empty());
  EXPECT_EQ(st->away_due(5000), (std::vector<id_type>{a.id}));
  EXPECT_EQ(st->away_due(9000).size(), 2u);
  EXPECT_FALSE(st->remove(a.id, 1));  // not that version any more
  EXPECT_TRUE(st->remove(a.id, 2));
  EXPECT_FALSE(st->load(a.id));
  EXPECT_EQ(st->away_due(9000), (std::vector<id_type>{b.id}));
}

TEST_P(TicTacToeStorageTest, QuickMatchPairsTheOldestOtherWaitingUser) {
  auto r = st->quick_match(alice, "a1", 1000);
  EXPECT_FALSE(r.paired);
  EXPECT_EQ(r.replaced, "");
  r = st->quick_match(alice, "a2", 1001);  // one entry per user: the newer request stays
  EXPECT_FALSE(r.paired);
  EXPECT_EQ(r.replaced, "a1");
  EXPECT_FALSE(st->leave_queue("a1"));
  r = st->quick_match(bob, "b1", 1002);
  ASSERT_TRUE(r.paired);
  EXPECT_EQ(r.partner_ticket, "a2");
  EXPECT_EQ(r.paired->x.user_id, alice.user_id);
  EXPECT_EQ(r.paired->o.user_id, bob.user_id);
  EXPECT_EQ(r.paired->state, status::playing);
  EXPECT_TRUE(r.paired->quick);
  auto loaded = st->load(r.paired->id);
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->quick);
  EXPECT_EQ(loaded->o.username, "bob");
  EXPECT_FALSE(st->leave_queue("a2"));  // paired: out of the queue

  EXPECT_FALSE(st->quick_match(carol, "c1", 2000).paired);
  EXPECT_TRUE(st->leave_queue("c1"));
  EXPECT_FALSE(st->quick_match(alice, "a3", 2001).paired);  // carol left
}

TEST_P(TicTacToeStorageTest, QuickMatchFromTwoNodesPairsEveryoneOnce) {
  auto other = open();
  constexpr int users = 40;
  std::atomic<int> games{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < users; ++i) {
    threads.emplace_back([&, i] {
      storage& s = i % 2 ? *other : *st;
      const auto n = std::to_string(i);
      const player p{100 + i, n};
      if (s.quick_match(p, n, 1000 + i).paired) ++games;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(games.load(), users / 2);  // nobody left waiting, nobody paired twice
}

INSTANTIATE_TEST_SUITE_P(Backends, TicTacToeStorageTest, ::testing::ValuesIn(backends()));

}  // namespace
}  // namespace tictactoe
