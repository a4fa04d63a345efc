// The storage test cases of the accounts and the chat in one database, run against each backend:
// chat_unit_tests runs them on SQLite, and (ctest chat_pg_storage: SIO_TEST_BACKEND=postgresql,
// with the ChatPgStorage cases) on a throwaway PostgreSQL server (pg_server.hpp), one fresh
// database per test.
#include "pg_server.hpp"
#include "pg_storage.hpp"
#include "sqlite_storage.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

namespace apps::chat {
namespace {

// The accounts and the chat's storage of one database, opened as the demo server opens them.
struct opened {
  std::unique_ptr<accounts> users;
  std::unique_ptr<storage> chat;
  storage* operator->() const { return chat.get(); }
  explicit operator bool() const { return chat != nullptr; }
  void reset() {
    chat.reset();
    users.reset();
  }
};

opened open_at(const std::string& location, std::size_t pg_pool_size = 4) {
  auto db = open_database(location, pg_pool_size);
  auto users = open_accounts(db);
  return {std::move(users), open_storage(db)};
}

// Parameter: the backend name ("sqlite" or "postgresql").
class ChatStorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") location = test::shared_pg_server().create_database();
    db = open();
  }
  // Opens the test's database (again).
  opened open() {
    if (GetParam() == "sqlite") return open_at(db_path);
    return open_at(location);
  }

  // Runs SQL on the test's database, outside the storage.
  void exec(const std::string& sql) {
    if (GetParam() == "sqlite") {
      sqlite3* raw = nullptr;
      ASSERT_EQ(sqlite3_open(db_path.c_str(), &raw), SQLITE_OK);
      char* err = nullptr;
      const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
      sqlite3_close(raw);
      ASSERT_EQ(rc, SQLITE_OK) << (err ? err : "") << "\n" << sql;
      return;
    }
    pqxx::connection c(location);
    pqxx::nontransaction t(c);
    t.exec(sql);
  }
  // Turns the accounts and the chat back into their schema version 1 (no token versions, room
  // names not unique).
  void downgrade_to_v1() {
    if (GetParam() == "sqlite") {
      exec(
          "DROP INDEX rooms_name_nocase; ALTER TABLE users DROP COLUMN token_version; "
          "UPDATE schema_versions SET version = 1;");
    } else {
      exec(
          "DROP INDEX rooms_name_nocase; ALTER TABLE users DROP COLUMN token_version; "
          "UPDATE schema_versions SET version = 1;");
    }
  }

  test::temp_dir dir;
  std::filesystem::path db_path = dir.path() / "nested" / "deeper" / "chat.db";
  std::string location;  // PostgreSQL URL
  opened db;
};

std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

INSTANTIATE_TEST_SUITE_P(Backends, ChatStorageTest, ::testing::ValuesIn(test::storage_backends()),
                         backend_name);

TEST_P(ChatStorageTest, NewDatabaseIsEmpty) {
  if (GetParam() == "sqlite") {
    EXPECT_TRUE(std::filesystem::is_regular_file(db_path));
  }
  EXPECT_EQ(db->room_count(), 0u);
  EXPECT_FALSE(db.users->find_user("alice"));
}

TEST_P(ChatStorageTest, SeedRoomOnlyIntoAnEmptyDatabase) {
  EXPECT_TRUE(db->seed_room("general", 5));
  EXPECT_FALSE(db->seed_room("general", 6));
  EXPECT_EQ(db->room_count(), 1u);
  auto rooms = db->visible_rooms(1, 0, 1000);
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].name, "general");
  EXPECT_FALSE(rooms[0].is_private);
  EXPECT_EQ(rooms[0].created_by, 0);
  EXPECT_EQ(rooms[0].created_ms, 5);
}

TEST_P(ChatStorageTest, UsersAreUniqueCaseInsensitively) {
  auto a = db.users->create_user("alice", "hash-a", 1000);
  ASSERT_TRUE(a);
  EXPECT_GT(a->id, 0);
  EXPECT_EQ(a->username, "alice");
  EXPECT_FALSE(db.users->create_user("alice", "other", 1001));
  EXPECT_FALSE(db.users->create_user("ALICE", "other", 1001));
  auto b = db.users->create_user("bob", "hash-b", 1002);
  ASSERT_TRUE(b);
  EXPECT_NE(a->id, b->id);

  auto by_name = db.users->find_user("Alice");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->id, a->id);
  EXPECT_EQ(by_name->password_hash, "hash-a");
  auto by_id = db.users->find_user(b->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->username, "bob");
  EXPECT_FALSE(db.users->find_user("carol"));
  EXPECT_FALSE(db.users->find_user(id_type{999}));
}

TEST_P(ChatStorageTest, RoomsVisibilityAndMembership) {
  auto a = *db.users->create_user("alice", "h", 1);
  auto b = *db.users->create_user("bob", "h", 1);
  auto c = *db.users->create_user("carol", "h", 1);
  room pub = *db->create_room("general", false, 0, {}, 10);
  std::vector<id_type> members{b.id, b.id};  // duplicates are harmless
  room priv = *db->create_room("secret", true, a.id, members, 11);
  EXPECT_TRUE(priv.is_private);
  EXPECT_EQ(priv.created_by, a.id);
  EXPECT_EQ(db->room_count(), 2u);

  EXPECT_TRUE(db->is_member(priv.id, a.id));
  EXPECT_TRUE(db->is_member(priv.id, b.id));
  EXPECT_FALSE(db->is_member(priv.id, c.id));
  EXPECT_EQ(db->room_members(priv.id), (std::vector<id_type>{a.id, b.id}));
  EXPECT_TRUE(db->room_members(pub.id).empty());

  auto for_c = db->visible_rooms(c.id, 0, 1000);
  ASSERT_EQ(for_c.size(), 1u);
  EXPECT_EQ(for_c[0].name, "general");
  auto for_b = db->visible_rooms(b.id, 0, 1000);
  ASSERT_EQ(for_b.size(), 2u);
  EXPECT_EQ(for_b[1].name, "secret");

  auto found = db->find_room(priv.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "secret");
  EXPECT_EQ(found->created_ms, 11);
  EXPECT_FALSE(db->find_room(12345));
}

TEST_P(ChatStorageTest, MessagesPagedOldestFirst) {
  auto a = *db.users->create_user("alice", "h", 1);
  room r = *db->create_room("general", false, 0, {}, 1);
  room other = *db->create_room("other", false, 0, {}, 1);
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

TEST_P(ChatStorageTest, TextIsStoredVerbatim) {
  auto a = *db.users->create_user("alice", "h", 1);
  room r = *db->create_room("général ☕", false, 0, {}, 1);
  std::string text = "emoji 😀, quotes ' \" and a NUL-free\nnewline; DROP TABLE users; --";
  db->add_message(r.id, a.id, text, 5);
  auto ms = db->messages(r.id, 1, std::nullopt);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].text, text);
  EXPECT_EQ(db->find_room(r.id)->name, "général ☕");
}

TEST_P(ChatStorageTest, SettingsKeepTheFirstValue) {
  EXPECT_FALSE(db.users->setting("jwt_secret"));
  EXPECT_EQ(db.users->setting_or_insert("jwt_secret", "first"), "first");
  EXPECT_EQ(db.users->setting_or_insert("jwt_secret", "second"), "first");
  EXPECT_EQ(db.users->setting("jwt_secret"), "first");
}

TEST_P(ChatStorageTest, DataSurvivesReopen) {
  auto a = *db.users->create_user("alice", "h", 1);
  room r = *db->create_room("general", false, 0, {}, 1);
  db->add_message(r.id, a.id, "persisted", 2);
  db.users->setting_or_insert("k", "v");
  db.reset();
  auto again = open();
  EXPECT_TRUE(again.users->find_user("alice"));
  EXPECT_EQ(again->room_count(), 1u);
  auto ms = again->messages(r.id, 10, std::nullopt);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].text, "persisted");
  EXPECT_EQ(again.users->setting("k"), "v");
}

TEST_P(ChatStorageTest, ConcurrentWritersFromManyThreads) {
  auto a = *db.users->create_user("alice", "h", 1);
  room r = *db->create_room("general", false, 0, {}, 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) db->add_message(r.id, a.id, std::to_string(t), 1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(db->messages(r.id, 1000, std::nullopt).size(), 200u);
}

TEST_P(ChatStorageTest, RevokingTokensBumpsTheUsersVersion) {
  auto a = *db.users->create_user("alice", "h", 1);
  auto b = *db.users->create_user("bob", "h", 1);
  EXPECT_EQ(a.token_version, 0);
  EXPECT_EQ(db.users->find_user(a.id)->token_version, 0);
  EXPECT_EQ(db.users->revoke_tokens(a.id), 1);
  EXPECT_EQ(db.users->revoke_tokens(a.id), 2);
  EXPECT_EQ(db.users->find_user(a.id)->token_version, 2);
  EXPECT_EQ(db.users->find_user("ALICE")->token_version, 2);
  EXPECT_EQ(db.users->find_user(b.id)->token_version, 0);  // only hers
  EXPECT_EQ(db.users->revoke_tokens(424242), std::nullopt);
  db.reset();
  EXPECT_EQ(open().users->find_user(a.id)->token_version, 2);
}

TEST_P(ChatStorageTest, RoomNamesAreUniqueCaseInsensitively) {
  auto a = *db.users->create_user("alice", "h", 1);
  auto first = db->create_room("Lobby", false, a.id, {}, 1);
  ASSERT_TRUE(first);
  EXPECT_FALSE(db->create_room("lobby", true, a.id, {}, 2));
  EXPECT_FALSE(db->create_room("LOBBY", false, 0, {}, 3));
  EXPECT_EQ(db->room_count(), 1u);
  EXPECT_EQ(db->room_members(first->id), (std::vector<id_type>{a.id}));  // nothing half-made
  EXPECT_TRUE(db->create_room("Lobby 2", false, a.id, {}, 4));
}

TEST_P(ChatStorageTest, VisibleRoomsArePagedById) {
  auto a = *db.users->create_user("alice", "h", 1);
  auto b = *db.users->create_user("bob", "h", 1);
  std::vector<id_type> ids;
  for (int i = 0; i < 7; ++i) {
    // Every third room is private to bob.
    const bool priv = i % 3 == 2;
    ids.push_back(db->create_room("r" + std::to_string(i), priv, priv ? b.id : 0, {}, 1)->id);
  }
  auto page1 = db->visible_rooms(a.id, 0, 2);
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].id, ids[0]);
  EXPECT_EQ(page1[1].id, ids[1]);
  auto page2 = db->visible_rooms(a.id, page1.back().id, 2);
  ASSERT_EQ(page2.size(), 2u);
  EXPECT_EQ(page2[0].id, ids[3]);  // ids[2] is bob's
  EXPECT_EQ(page2[1].id, ids[4]);
  auto page3 = db->visible_rooms(a.id, page2.back().id, 2);
  ASSERT_EQ(page3.size(), 1u);
  EXPECT_EQ(page3[0].id, ids[6]);
  EXPECT_TRUE(db->visible_rooms(a.id, page3.back().id, 2).empty());
  EXPECT_EQ(db->visible_rooms(b.id, 0, 100).size(), 7u);
}

TEST_P(ChatStorageTest, AMemberCanLeaveAPrivateRoom) {
  auto a = *db.users->create_user("alice", "h", 1);
  auto b = *db.users->create_user("bob", "h", 1);
  std::vector<id_type> members{b.id};
  room priv = *db->create_room("secret", true, a.id, members, 1);
  EXPECT_TRUE(db->leave_room(priv.id, b.id));
  EXPECT_FALSE(db->leave_room(priv.id, b.id));  // not a member any more
  EXPECT_FALSE(db->is_member(priv.id, b.id));
  EXPECT_TRUE(db->visible_rooms(b.id, 0, 100).empty());
  EXPECT_EQ(db->visible_rooms(a.id, 0, 100).size(), 1u);
  EXPECT_FALSE(db->leave_room(424242, a.id));
}

TEST_P(ChatStorageTest, MigrationRenamesDuplicateRoomNamesAndAddsTokenVersions) {
  auto a = *db.users->create_user("alice", "h", 1);
  room lobby = *db->create_room("Lobby", false, 0, {}, 1);
  db.reset();
  downgrade_to_v1();
  // Rooms named alike, as older versions allowed.
  // The last one is named like what the third becomes ("LOBBY (<its id>)").
  const auto third = std::to_string(lobby.id + 2);
  for (const std::string& name :
       std::vector<std::string>{"lobby", "LOBBY", "other", "lobby (" + third + ")"}) {
    exec("INSERT INTO rooms (name, is_private, created_by, created_ms) VALUES ('" + name + "', " +
         (GetParam() == "sqlite" ? "0" : "false") + ", 0, 2)");
  }
  db = open();
  auto rooms = db->visible_rooms(a.id, 0, 100);
  ASSERT_EQ(rooms.size(), 5u);
  EXPECT_EQ(rooms[0].name, "Lobby");  // the first keeps its name
  EXPECT_EQ(rooms[0].id, lobby.id);
  EXPECT_EQ(rooms[1].name, "lobby (" + std::to_string(rooms[1].id) + ")");
  ASSERT_EQ(std::to_string(rooms[2].id), third);
  EXPECT_EQ(rooms[2].name, "LOBBY (" + third + ")");
  EXPECT_EQ(rooms[3].name, "other");
  EXPECT_EQ(rooms[4].name, "lobby (" + third + ") (" + std::to_string(rooms[4].id) + ")");
  EXPECT_FALSE(db->create_room("OTHER", false, 0, {}, 3));
  EXPECT_EQ(db.users->find_user(a.id)->token_version, 0);
  EXPECT_EQ(db.users->revoke_tokens(a.id), 1);
  db.reset();
  EXPECT_EQ(open()->visible_rooms(a.id, 0, 100).size(), 5u);  // migrated once
}

TEST_P(ChatStorageTest, AddMessageToUnknownRoomThrows) {
  auto a = *db.users->create_user("alice", "h", 1);
  EXPECT_ANY_THROW(db->add_message(424242, a.id, "nowhere", 1));
  EXPECT_TRUE(db.users->create_user("bob", "h", 1));  // still usable
}

// --- SQLite only ---------------------------------------------------------------------------

TEST(ChatStorageOpen, InMemoryDatabase) {
  auto db = open_at(":memory:");
  EXPECT_TRUE(db.users->create_user("alice", "h", 1));
}

// A database written by sio-chat before per-component versions: one PRAGMA user_version (1: the
// first schema) for the accounts and the chat. Both migrate from there.
TEST(ChatStorageOpen, ADatabaseFromBeforeComponentVersionsIsMigrated) {
  test::temp_dir dir;
  auto path = dir.path() / "chat.db";
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const char* v1 = R"sql(
CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE, password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE rooms (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
  is_private INTEGER NOT NULL, created_by INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);
CREATE TABLE room_members (room_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)) WITHOUT ROWID;
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL, body TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO users (username, password_hash, created_ms) VALUES ('alice', 'h', 1);
INSERT INTO rooms (name, is_private, created_ms) VALUES ('general', 0, 1), ('General', 0, 2);
INSERT INTO messages (room_id, user_id, body, created_ms) VALUES (1, 1, 'kept', 3);
PRAGMA user_version = 1;
)sql";
    ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = open_at(path);
  auto alice = db.users->find_user("ALICE");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->token_version, 0);                // the accounts' second migration ran
  EXPECT_EQ(db->find_room(2)->name, "General (2)");  // and the chat's
  ASSERT_EQ(db->messages(1, 10, std::nullopt).size(), 1u);
  EXPECT_EQ(db->messages(1, 10, std::nullopt)[0].username, "alice");
  db.reset();
  EXPECT_EQ(open_at(path)->room_count(), 2u);  // migrated once
}

TEST(ChatStorageOpen, ANewDatabaseFileIsPrivate) {
  test::temp_dir dir;
  auto path = dir.path() / "chat.db";
  open_at(path).users->create_user("alice", "h", 1);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto wal = path.string() + "-wal";
  if (::stat(wal.c_str(), &st) == 0) {
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
}

TEST(ChatStorageOpen, ANewerSchemaIsRefused) {
  test::temp_dir dir;
  auto path = dir.path() / "chat.db";
  open_at(path).reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_exec(raw, "UPDATE schema_versions SET version = 999 WHERE component = 'chat'", nullptr,
               nullptr, nullptr);
  sqlite3_close(raw);
  EXPECT_THROW(open_at(path), std::runtime_error);
}

TEST(ChatStorageOpen, UnwritableLocationThrows) {
  test::temp_dir dir;
  auto file = dir.path() / "a-file";
  { std::ofstream(file) << "x"; }
  // A regular file where a parent folder should be.
  EXPECT_THROW(open_at(file / "chat.db"), std::runtime_error);
}

TEST(ChatStorageUrl, PostgresUrlsSelectPostgres) {
  EXPECT_TRUE(is_postgres_url("postgresql://u@127.0.0.1:5432/chat"));
  EXPECT_TRUE(is_postgres_url("postgres://127.0.0.1/chat"));
  EXPECT_FALSE(is_postgres_url("data/chat.db"));
  EXPECT_FALSE(is_postgres_url("postgresql:/x"));
  EXPECT_FALSE(is_postgres_url(":memory:"));
}

TEST(ChatStorageUrl, PasswordsAreRedacted) {
  EXPECT_EQ(redact_url("postgresql://chat:s3cret@db:5432/chat"),
            "postgresql://chat:***@db:5432/chat");
  EXPECT_EQ(redact_url("postgresql://chat@db/chat"), "postgresql://chat@db/chat");
  EXPECT_EQ(redact_url("postgresql://db/a@b"), "postgresql://db/a@b");
  EXPECT_EQ(redact_url("not a url"), "not a url");
}

// --- PostgreSQL only (ctest chat_pg_storage; left out of chat_unit_tests' discovery) --------

std::int64_t query_int(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction t(c);
  return t.exec(sql)[0][0].as<std::int64_t>();
}

TEST(ChatPgStorage, MigrationsRecordTheSchemaVersionOnce) {
  auto url = test::shared_pg_server().create_database();
  auto db = open_at(url);
  const std::string chat_version = "SELECT version FROM schema_versions WHERE component = 'chat'";
  EXPECT_EQ(query_int(url, chat_version), pg_schema_version);
  EXPECT_EQ(query_int(url, "SELECT COUNT(*) FROM schema_versions"), 2);  // accounts, chat
  auto a = *db.users->create_user("alice", "h", 1);
  db.reset();
  auto again = open_at(url);  // no migration runs twice
  EXPECT_EQ(query_int(url, "SELECT COUNT(*) FROM schema_versions"), 2);
  EXPECT_EQ(again.users->find_user(a.id)->username, "alice");
}

TEST(ChatPgStorage, ANewerSchemaIsRefused) {
  auto url = test::shared_pg_server().create_database();
  open_at(url).reset();
  {
    pqxx::connection c(url);
    pqxx::nontransaction t(c);
    t.exec("UPDATE schema_versions SET version = 999 WHERE component = 'chat'");
  }
  EXPECT_THROW(open_at(url), std::runtime_error);
}

TEST(ChatPgStorage, ServersStartingTogetherMigrateAndSeedOnce) {
  auto url = test::shared_pg_server().create_database();
  constexpr int n = 4;
  std::vector<opened> dbs(n);
  std::atomic<int> seeded{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      try {
        dbs[i] = open_at(url);
        if (dbs[i]->seed_room("general", 1)) ++seeded;
      } catch (...) {
        ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(seeded.load(), 1);
  EXPECT_EQ(dbs[0]->room_count(), 1u);
  EXPECT_EQ(query_int(url, "SELECT version FROM schema_versions WHERE component = 'chat'"),
            pg_schema_version);
}

TEST(ChatPgStorage, WritesOnOneServerAreReadOnAnother) {
  auto url = test::shared_pg_server().create_database();
  auto a = open_at(url);
  auto b = open_at(url);
  auto u = *a.users->create_user("alice", "h", 1);
  EXPECT_FALSE(b.users->create_user("ALICE", "h", 2));
  room r = *b->create_room("general", false, 0, {}, 1);
  a->add_message(r.id, u.id, "from a", 3);
  auto ms = b->messages(r.id, 10, std::nullopt);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].text, "from a");
  EXPECT_EQ(ms[0].username, "alice");
  EXPECT_EQ(a.users->setting_or_insert("jwt_secret", "A"), "A");
  EXPECT_EQ(b.users->setting_or_insert("jwt_secret", "B"), "A");
}

TEST(ChatPgStorage, ReadsRecoverFromDroppedConnections) {
  auto url = test::shared_pg_server().create_database();
  auto db = open_at(url, 1);
  auto u = *db.users->create_user("alice", "h", 1);
  // What a PostgreSQL restart does to the pooled connection: the server ends it.
  EXPECT_GE(query_int(url,
                      "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                      "datname = current_database() AND pid <> pg_backend_pid()"),
            1);
  auto found = db.users->find_user(u.id);  // retried once on a fresh connection
  ASSERT_TRUE(found);
  EXPECT_EQ(found->username, "alice");
  EXPECT_TRUE(db.users->create_user("bob", "h", 2));
}

TEST(ChatPgStorage, AfterARestartTheWholePoolIsRenewed) {
  auto url = test::shared_pg_server().create_database();
  auto db = open_at(url, 4);
  auto u = *db.users->create_user("alice", "h", 1);
  room r = *db->create_room("general", false, 0, {}, 1);
  {  // several connections in the pool
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 20; ++i) db->add_message(r.id, u.id, "x", 1);
      });
    }
    for (auto& t : threads) t.join();
  }
  query_int(url,
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
            "datname = current_database() AND pid <> pg_backend_pid()");
  EXPECT_EQ(db->messages(r.id, 100, std::nullopt).size(), 80u);  // a read notices, retries
  // Every write now gets a live connection: no dead one was left in the pool.
  for (int i = 0; i < 8; ++i) EXPECT_NO_THROW(db->add_message(r.id, u.id, "after", 2));
}

TEST(ChatPgStorage, UnreachableServerThrowsWithoutThePassword) {
  try {
    open_at("postgresql://chat:hunter2@127.0.0.1:1/chat?connect_timeout=2");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace apps::chat
