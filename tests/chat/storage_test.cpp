#include "sqlite_storage.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>
#include <vector>

namespace chat {
namespace {

class ChatStorageTest : public ::testing::Test {
 protected:
  test::temp_dir dir;
  std::filesystem::path db_path = dir.path() / "nested" / "deeper" / "chat.db";
  std::unique_ptr<storage> db = open_sqlite_storage(db_path);
};

TEST_F(ChatStorageTest, CreatesFileAndParentFolders) {
  EXPECT_TRUE(std::filesystem::is_regular_file(db_path));
  EXPECT_EQ(db->room_count(), 0u);
}

TEST_F(ChatStorageTest, UsersAreUniqueCaseInsensitively) {
  auto a = db->create_user("alice", "hash-a", 1000);
  ASSERT_TRUE(a);
  EXPECT_GT(a->id, 0);
  EXPECT_EQ(a->username, "alice");
  EXPECT_FALSE(db->create_user("alice", "other", 1001));
  EXPECT_FALSE(db->create_user("ALICE", "other", 1001));
  auto b = db->create_user("bob", "hash-b", 1002);
  ASSERT_TRUE(b);
  EXPECT_NE(a->id, b->id);

  auto by_name = db->find_user("Alice");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->id, a->id);
  EXPECT_EQ(by_name->password_hash, "hash-a");
  auto by_id = db->find_user(b->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->username, "bob");
  EXPECT_FALSE(db->find_user("carol"));
  EXPECT_FALSE(db->find_user(id_type{999}));
}

TEST_F(ChatStorageTest, RoomsVisibilityAndMembership) {
  auto a = *db->create_user("alice", "h", 1);
  auto b = *db->create_user("bob", "h", 1);
  auto c = *db->create_user("carol", "h", 1);
  room pub = db->create_room("general", false, 0, {}, 10);
  std::vector<id_type> members{b.id, b.id};  // duplicates are harmless
  room priv = db->create_room("secret", true, a.id, members, 11);
  EXPECT_TRUE(priv.is_private);
  EXPECT_EQ(priv.created_by, a.id);
  EXPECT_EQ(db->room_count(), 2u);

  EXPECT_TRUE(db->is_member(priv.id, a.id));
  EXPECT_TRUE(db->is_member(priv.id, b.id));
  EXPECT_FALSE(db->is_member(priv.id, c.id));
  EXPECT_EQ(db->room_members(priv.id), (std::vector<id_type>{a.id, b.id}));
  EXPECT_TRUE(db->room_members(pub.id).empty());

  auto for_c = db->visible_rooms(c.id);
  ASSERT_EQ(for_c.size(), 1u);
  EXPECT_EQ(for_c[0].name, "general");
  auto for_b = db->visible_rooms(b.id);
  ASSERT_EQ(for_b.size(), 2u);
  EXPECT_EQ(for_b[1].name, "secret");

  auto found = db->find_room(priv.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "secret");
  EXPECT_EQ(found->created_ms, 11);
  EXPECT_FALSE(db->find_room(12345));
}

TEST_F(ChatStorageTest, MessagesPagedOldestFirst) {
  auto a = *db->create_user("alice", "h", 1);
  room r = db->create_room("general", false, 0, {}, 1);
  room other = db->create_room("other", false, 0, {}, 1);
  std::vector<id_type> ids;
  for (int i = 0; i < 10; ++i) {
    auto m = db->add_message(r.id, a.id, "m" + std::to_string(i), 100 + i);
    EXPECT_EQ(m.username, "alice");
    EXPECT_EQ(m.room_id, r.id);
    ids.push_back(m.id);
  }
  db->add_message(other.id, a.id, "elsewhere", 200);

  auto last3 = db->messages(r.id, 3, std::nullopt);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].text, "m7");
  EXPECT_EQ(last3[2].text, "m9");
  EXPECT_EQ(last3[2].created_ms, 109);
  EXPECT_EQ(last3[2].username, "alice");

  auto page = db->messages(r.id, 4, ids[7]);  // the 4 before m7
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page[0].text, "m3");
  EXPECT_EQ(page[3].text, "m6");

  EXPECT_EQ(db->messages(r.id, 50, std::nullopt).size(), 10u);
  EXPECT_TRUE(db->messages(r.id, 50, ids[0]).empty());
}

TEST_F(ChatStorageTest, TextIsStoredVerbatim) {
  auto a = *db->create_user("alice", "h", 1);
  room r = db->create_room("général ☕", false, 0, {}, 1);
  std::string text = "emoji 😀, quotes ' \" and a NUL-free\nnewline; DROP TABLE users; --";
  db->add_message(r.id, a.id, text, 5);
  auto ms = db->messages(r.id, 1, std::nullopt);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].text, text);
  EXPECT_EQ(db->find_room(r.id)->name, "général ☕");
}

TEST_F(ChatStorageTest, SettingsKeepTheFirstValue) {
  EXPECT_FALSE(db->setting("jwt_secret"));
  EXPECT_EQ(db->setting_or_insert("jwt_secret", "first"), "first");
  EXPECT_EQ(db->setting_or_insert("jwt_secret", "second"), "first");
  EXPECT_EQ(db->setting("jwt_secret"), "first");
}

TEST_F(ChatStorageTest, DataSurvivesReopen) {
  auto a = *db->create_user("alice", "h", 1);
  room r = db->create_room("general", false, 0, {}, 1);
  db->add_message(r.id, a.id, "persisted", 2);
  db->setting_or_insert("k", "v");
  db.reset();
  auto again = open_sqlite_storage(db_path);
  EXPECT_TRUE(again->find_user("alice"));
  EXPECT_EQ(again->room_count(), 1u);
  auto ms = again->messages(r.id, 10, std::nullopt);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].text, "persisted");
  EXPECT_EQ(again->setting("k"), "v");
}

TEST_F(ChatStorageTest, ConcurrentWritersFromManyThreads) {
  auto a = *db->create_user("alice", "h", 1);
  room r = db->create_room("general", false, 0, {}, 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) db->add_message(r.id, a.id, std::to_string(t), 1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(db->messages(r.id, 1000, std::nullopt).size(), 200u);
}

TEST(ChatStorageOpen, InMemoryDatabase) {
  auto db = open_sqlite_storage(":memory:");
  EXPECT_TRUE(db->create_user("alice", "h", 1));
}

TEST(ChatStorageOpen, UnwritableLocationThrows) {
  test::temp_dir dir;
  auto file = dir.path() / "a-file";
  { std::ofstream(file) << "x"; }
  // A regular file where a parent folder should be.
  EXPECT_THROW(open_sqlite_storage(file / "chat.db"), std::runtime_error);
}

}  // namespace
}  // namespace chat
