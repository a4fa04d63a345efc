// notifications::storage on each backend (SQLite in notifications_tests, PostgreSQL when the same
// binary runs as ctest notifications_pg_storage): insert with the sender's username, unread newest
// first and its count, paging, markRead (one's own only), the bound of 200 per user, and the UNIQUE
// key: of 8 threads (each with its own connections, as nodes would) inserting the same keys,
// exactly one stores each.
#include "pg_server.hpp"
#include "temp_dir.hpp"

#include "accounts.hpp"
#include "database.hpp"

#include <notifications/storage.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace notifications {
namespace {

constexpr std::int64_t now = 1'800'000'000'000;

// One database per test (with the accounts' tables); open() opens it again (connections of its
// own, as another node would).
class test_database {
 public:
  explicit test_database(const std::string& backend) {
    if (backend == "postgresql") location_ = apps::test::shared_pg_server().create_database();
    if (location_.empty()) location_ = (dir_.path() / "apps.db").string();
    db_ = apps::open_database(location_);
    users_ = apps::open_accounts(db_);
  }
  std::unique_ptr<storage> open() const { return open_storage(apps::open_database(location_)); }
  apps::id_type add_user(const std::string& name) {
    return users_->create_user(name, "hash", now)->id;
  }

 private:
  apps::test::temp_dir dir_;
  std::string location_;
  apps::database db_;
  std::unique_ptr<apps::accounts> users_;
};

std::vector<std::string> backends() {
  return apps::test::storage_backends();
}

new_notification to(id_type user, std::string title, id_type sender = 0,
                    std::optional<std::string> key = std::nullopt) {
  return {user, sender, {std::move(title), "body", "/chat"}, std::move(key)};
}

std::vector<id_type> ids_of(const std::vector<notification_row>& rows) {
  std::vector<id_type> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

class NotificationsStorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  test_database db{GetParam()};
  std::unique_ptr<storage> st = db.open();
};

TEST_P(NotificationsStorageTest, InsertsWithTheSendersName) {
  const auto alice = db.add_user("alice");
  const auto bob = db.add_user("bob");
  auto n = st->insert(to(bob, "Hello", alice), now);
  ASSERT_TRUE(n);
  EXPECT_GT(n->id, 0);
  EXPECT_EQ(n->user, bob);
  EXPECT_EQ(n->sender, alice);
  EXPECT_EQ(n->sender_name, "alice");
  EXPECT_EQ(n->title, "Hello");
  EXPECT_EQ(n->body, "body");
  EXPECT_EQ(n->url, "/chat");
  EXPECT_EQ(n->created_ms, now);
  EXPECT_FALSE(n->read);
  auto server = st->insert(to(bob, "From the server"), now);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->sender, 0);
  EXPECT_EQ(server->sender_name, "");
  EXPECT_GT(server->id, n->id);
}

TEST_P(NotificationsStorageTest, UnreadNewestFirstWithTheCount) {
  const auto bob = db.add_user("bob");
  const auto carol = db.add_user("carol");
  std::vector<id_type> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(st->insert(to(bob, std::string("n").append(std::to_string(i))), now)->id);
  st->insert(to(carol, "not bob's"), now);
  EXPECT_EQ(ids_of(st->unread(bob, 3)), (std::vector<id_type>{ids[4], ids[3], ids[2]}));
  EXPECT_EQ(st->unread_count(bob), 5);
  EXPECT_EQ(st->unread_count(carol), 1);
  EXPECT_EQ(st->unread_count(db.add_user("dave")), 0);
}

TEST_P(NotificationsStorageTest, MarksOnlyTheUsersOwnUnreadOnes) {
  const auto bob = db.add_user("bob");
  const auto carol = db.add_user("carol");
  const auto a = st->insert(to(bob, "a"), now)->id;
  const auto b = st->insert(to(bob, "b"), now)->id;
  const auto c = st->insert(to(carol, "c"), now)->id;
  EXPECT_EQ(st->mark_read(bob, {b, c, a + 1000}, false), (std::vector<id_type>{b}));
  EXPECT_EQ(st->mark_read(bob, {b}, false), std::vector<id_type>{});  // already read
  EXPECT_EQ(st->unread_count(bob), 1);
  EXPECT_EQ(st->unread_count(carol), 1);
  EXPECT_EQ(ids_of(st->unread(bob, 50)), std::vector<id_type>{a});
  const auto d = st->insert(to(bob, "d"), now)->id;
  EXPECT_EQ(st->mark_read(bob, {}, true), (std::vector<id_type>{a, d}));
  EXPECT_EQ(st->unread_count(bob), 0);
  EXPECT_EQ(st->unread_count(carol), 1);
  auto page = st->page(bob, std::nullopt, 10);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_TRUE(page[0].read && page[1].read && page[2].read);
}

TEST_P(NotificationsStorageTest, PagesNewestFirst) {
  const auto bob = db.add_user("bob");
  std::vector<id_type> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(st->insert(to(bob, "n"), now + i)->id);
  st->mark_read(bob, {ids[6]}, false);
  auto first = st->page(bob, std::nullopt, 3);
  EXPECT_EQ(ids_of(first), (std::vector<id_type>{ids[6], ids[5], ids[4]}));
  EXPECT_TRUE(first[0].read);  // read and unread alike
  EXPECT_EQ(ids_of(st->page(bob, ids[4], 3)), (std::vector<id_type>{ids[3], ids[2], ids[1]}));
  EXPECT_EQ(ids_of(st->page(bob, ids[1], 3)), std::vector<id_type>{ids[0]});
  EXPECT_TRUE(st->page(bob, ids[0], 3).empty());
}

TEST_P(NotificationsStorageTest, KeepsTheNewest200PerUser) {
  const auto bob = db.add_user("bob");
  const auto carol = db.add_user("carol");
  const auto carols = st->insert(to(carol, "kept"), now)->id;
  std::vector<id_type> ids;
  for (std::size_t i = 0; i < max_per_user + 5; ++i)
    ids.push_back(st->insert(to(bob, "n"), now)->id);
  EXPECT_EQ(st->unread_count(bob), static_cast<std::int64_t>(max_per_user));
  auto all = st->page(bob, std::nullopt, 1000);
  ASSERT_EQ(all.size(), max_per_user);
  EXPECT_EQ(all.front().id, ids.back());
  EXPECT_EQ(all.back().id, ids[5]);  // the 5 oldest are gone
  EXPECT_EQ(ids_of(st->page(carol, std::nullopt, 10)), std::vector<id_type>{carols});
}

TEST_P(NotificationsStorageTest, AKeyIsStoredOnce) {
  const auto bob = db.add_user("bob");
  ASSERT_TRUE(st->insert(to(bob, "job", 0, "k-1"), now));
  EXPECT_FALSE(st->insert(to(bob, "job again", 0, "k-1"), now));
  EXPECT_TRUE(st->insert(to(bob, "another", 0, "k-2"), now));
  EXPECT_TRUE(st->insert(to(bob, "no key"), now));
  EXPECT_TRUE(st->insert(to(bob, "no key either"), now));
  EXPECT_EQ(st->unread_count(bob), 4);
}

TEST_P(NotificationsStorageTest, ConcurrentInsertsOfOneKeyStoreItOnce) {
  const auto bob = db.add_user("bob");
  constexpr int threads = 8, keys = 20;
  std::atomic<int> stored{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto mine = db.open();  // its own connections, as another node
      for (int k = 0; k < keys; ++k) {
        if (mine->insert(to(bob, "job", 0, std::string("key-").append(std::to_string(k))), now))
          ++stored;
      }
    });
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(stored.load(), keys);
  EXPECT_EQ(st->unread_count(bob), keys);
}

INSTANTIATE_TEST_SUITE_P(Backends, NotificationsStorageTest, ::testing::ValuesIn(backends()));

}  // namespace
}  // namespace notifications
