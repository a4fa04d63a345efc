// Several components (the accounts, apps) keep their tables in one database, each with its own
// schema version: they migrate independently, a version newer than the build is refused, and a
// database of the chat from before per-component versions keeps working. common_unit_tests runs
// the cases on SQLite, and (ctest common_pg_migrations: SIO_TEST_BACKEND=postgresql) on a
// throwaway PostgreSQL server.
#include "accounts.hpp"
#include "database.hpp"
#include "pg_server.hpp"
#include "sql.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>

namespace apps {
namespace {

constexpr std::array<const char*, 1> alpha_v1 = {"CREATE TABLE alpha (id INTEGER PRIMARY KEY);"};
constexpr std::array<const char*, 2> alpha_v2 = {"CREATE TABLE alpha (id INTEGER PRIMARY KEY);",
                                                 "ALTER TABLE alpha ADD COLUMN note TEXT;"};
constexpr std::array<const char*, 1> beta_v1 = {"CREATE TABLE beta (id INTEGER PRIMARY KEY);"};

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    location = test::testing_postgresql() ? test::shared_pg_server().create_database()
                                          : (dir.path() / "apps.db").string();
  }

  // Migrates `component` of a freshly opened database with `migrations`.
  void migrate_to(std::string_view component, std::span<const char* const> migrations) {
    auto db = open_database(location);
    if (db.pg) {
      migrate(*db.pg, {component, migrations, {}});
    } else {
      migrate(*db.sqlite, {component, migrations, {}});
    }
  }

  std::int64_t query(const std::string& sql) { return test::query_int(location, sql); }
  void exec(const std::string& sql) { test::exec_sql(location, sql); }
  std::int64_t version_of(const std::string& component) {
    return test::schema_version_of(location, component);
  }

  test::temp_dir dir;
  std::string location;
};

TEST_F(MigrationsTest, TwoComponentsMigrateIndependently) {
  migrate_to("alpha", alpha_v1);
  migrate_to("beta", beta_v1);
  EXPECT_EQ(version_of("alpha"), 1);
  EXPECT_EQ(version_of("beta"), 1);
  exec("INSERT INTO alpha (id) VALUES (7)");
  // A new build of alpha: only its own next migration runs, beta is left as it is.
  migrate_to("alpha", alpha_v2);
  migrate_to("beta", beta_v1);
  EXPECT_EQ(version_of("alpha"), 2);
  EXPECT_EQ(version_of("beta"), 1);
  EXPECT_EQ(query("SELECT COUNT(*) FROM alpha WHERE note IS NULL AND id = 7"), 1);
  EXPECT_EQ(query("SELECT COUNT(*) FROM schema_versions"), 2);
}

TEST_F(MigrationsTest, ANewerVersionOfOneComponentIsRefused) {
  migrate_to("alpha", alpha_v2);
  migrate_to("beta", beta_v1);
  EXPECT_THROW(migrate_to("alpha", alpha_v1), std::runtime_error);  // an older build of alpha
  EXPECT_NO_THROW(migrate_to("beta", beta_v1));
  EXPECT_EQ(version_of("alpha"), 2);
}

TEST_F(MigrationsTest, AccountsBesideAnAppsTables) {
  migrate_to("beta", beta_v1);
  auto db = open_database(location);
  auto users = open_accounts(db);
  ASSERT_TRUE(users->create_user("alice", "h", 1));
  EXPECT_EQ(version_of("accounts"), accounts_schema_version);
  EXPECT_EQ(version_of("beta"), 1);
  EXPECT_FALSE(open_accounts(db)->create_user("ALICE", "h", 2));  // reopened: same users
}

// A database of the chat from before schema_versions: the accounts' tables at the chat's schema
// version 3 (one version for everything). Opening the accounts migrates nothing again.
TEST_F(MigrationsTest, AChatDatabaseFromBeforeComponentVersionsKeepsItsAccounts) {
  const std::string users_table =
      "CREATE TABLE users (id BIGINT PRIMARY KEY, username TEXT NOT NULL, "
      "password_hash TEXT NOT NULL, created_ms BIGINT NOT NULL, "
      "token_version BIGINT NOT NULL DEFAULT 0); "
      "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); "
      "INSERT INTO users VALUES (1, 'alice', 'h', 1, 4); ";
  if (test::testing_postgresql()) {
    exec(users_table +
         "CREATE TABLE schema_version (version INTEGER NOT NULL); "
         "INSERT INTO schema_version VALUES (3);");
  } else {
    exec(users_table + "PRAGMA user_version = 3;");
  }
  auto db = open_database(location);
  auto users = open_accounts(db);
  EXPECT_EQ(version_of("accounts"), accounts_schema_version);
  auto alice = users->find_user("alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->token_version, 4);
}

TEST_F(MigrationsTest, ANewDatabaseHasNoLegacyVersion) {
  auto db = open_database(location);
  auto users = open_accounts(db);
  EXPECT_EQ(version_of("accounts"), accounts_schema_version);
  EXPECT_TRUE(users->create_user("bob", "h", 1));
  EXPECT_EQ(users->find_user("bob")->token_version, 0);
}

}  // namespace
}  // namespace apps
