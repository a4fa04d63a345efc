// editor::storage on each backend (SQLite in editor_server_tests, PostgreSQL when the same binary
// runs as ctest editor_pg_storage): documents, the unique (doc_id, revision) of operations,
// snapshots and pruning, and two editor::documents on one database appending concurrently (the
// cluster's serialization).
#include "accounts.hpp"
#include "server_test_util.hpp"
#include "sql.hpp"

#include <editor/documents.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

namespace editor {
namespace {

class EditorStorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  test::database db{GetParam()};
  std::unique_ptr<storage> st = db.open();
};

stored_operation op_at(id_type doc, std::uint64_t revision, std::string ops) {
  return {doc, revision, std::move(ops), 7, "client-a", 1000 + static_cast<std::int64_t>(revision)};
}

TEST_P(EditorStorageTest, CreatesListsAndLoadsDocuments) {
  auto a = st->create_document("First", 3, 1000);
  auto b = st->create_document("Second", 4, 2000);
  EXPECT_NE(a.id, b.id);
  auto list = st->list_documents(100);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].title, "Second");  // newest first
  EXPECT_EQ(st->list_documents(1).size(), 1u);
  auto loaded = st->load_document(a.id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->info.title, "First");
  EXPECT_EQ(loaded->info.created_by, 3);
  EXPECT_EQ(loaded->text, "");
  EXPECT_EQ(loaded->revision, 0u);
  EXPECT_FALSE(st->load_document(b.id + 100));
}

TEST_P(EditorStorageTest, AppendsEachRevisionOnce) {
  auto d = st->create_document("Doc", 1, 1000);
  EXPECT_TRUE(st->append_operation(op_at(d.id, 1, R"(["a"])")));
  EXPECT_FALSE(st->append_operation(op_at(d.id, 1, R"(["b"])")));
  EXPECT_TRUE(st->append_operation(op_at(d.id, 2, R"([1,"c"])")));
  auto ops = st->operations(d.id, 0);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].ops, R"(["a"])");
  EXPECT_EQ(ops[0].client_id, "client-a");
  EXPECT_EQ(ops[0].user_id, 7);
  EXPECT_EQ(ops[1].revision, 2u);
  EXPECT_EQ(st->operations(d.id, 1).size(), 1u);
  EXPECT_EQ(st->list_documents(1)[0].updated_ms, 1002);  // the last operation's time
}

TEST_P(EditorStorageTest, SnapshotKeepsNewerAndPrunesBelowKeep) {
  auto d = st->create_document("Doc", 1, 1000);
  for (std::uint64_t r = 1; r <= 10; ++r) {
    ASSERT_TRUE(st->append_operation(op_at(d.id, r, R"(["x"])")));
  }
  st->save_snapshot(d.id, "xxxxxxxxxx", 10, 3);
  auto loaded = st->load_document(d.id);
  EXPECT_EQ(loaded->text, "xxxxxxxxxx");
  EXPECT_EQ(loaded->revision, 10u);
  auto ops = st->operations(d.id, 0);
  ASSERT_EQ(ops.size(), 3u);  // revisions 8, 9, 10
  EXPECT_EQ(ops.front().revision, 8u);
  st->save_snapshot(d.id, "old", 5, 3);  // older than the stored one: ignored
  EXPECT_EQ(st->load_document(d.id)->text, "xxxxxxxxxx");
}

TEST_P(EditorStorageTest, ReopeningKeepsTheData) {
  auto d = st->create_document("Doc", 1, 1000);
  ASSERT_TRUE(st->append_operation(op_at(d.id, 1, R"(["a"])")));
  st.reset();
  st = db.open();
  EXPECT_EQ(st->operations(d.id, 0).size(), 1u);
}

// Node b has the document in memory at revision 0 when node a appends revision 1: b's append of
// revision 1 is refused by the database, b loads what it missed, rebases and appends revision 2.
TEST_P(EditorStorageTest, AppendConflictRebasesThroughTheMissedOperations) {
  auto other = db.open();
  documents a(*st), b(*other);
  const auto id = st->create_document("Doc", 1, 1000).id;
  ASSERT_TRUE(a.open(id).error.empty());
  ASSERT_TRUE(b.open(id).error.empty());
  EXPECT_EQ(a.submit(id, 0, boost::json::parse(R"(["x"])"), 1, "a", {}).revision, 1u);
  std::string published;
  auto r =
      b.submit(id, 0, boost::json::parse(R"(["y"])"), 2, "b",
               [&](const accepted_operation& op) { published = boost::json::serialize(op.ops); });
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.revision, 2u);
  EXPECT_EQ(published, R"(["y",1])");
  // A client of node a that learnt revision 2 from node b: a catches up from storage first.
  EXPECT_EQ(a.submit(id, 2, boost::json::parse(R"([2,"z"])"), 1, "a", {}).revision, 3u);
  EXPECT_EQ(b.open(id).doc.text, "yxz");
  EXPECT_EQ(a.open(id).doc.text, "yxz");
}

// Two documents objects (two nodes) on one database, each appending from its own thread: every
// revision is stored once, in order, and both converge on the same text.
TEST_P(EditorStorageTest, TwoNodesAppendingConcurrentlyConverge) {
  auto other = db.open();
  documents_options opts;
  opts.max_append_attempts = 1000;
  documents a(*st, opts), b(*other, opts);
  const auto id = st->create_document("Doc", 1, 1000).id;
  constexpr int per_node = 100;
  std::atomic<int> accepted{0};
  auto edit = [&](documents& node, int seed, std::string_view letter) {
    std::mt19937 rng(seed);
    for (int i = 0; i < per_node; ++i) {
      auto view = node.open(id);
      ASSERT_TRUE(view.error.empty());
      const auto len = view.doc.text.size();  // ASCII: bytes are UTF-16 units
      const auto at = std::uniform_int_distribution<std::size_t>(0, len)(rng);
      boost::json::array ops;
      if (at > 0) ops.push_back(static_cast<std::int64_t>(at));
      ops.push_back(boost::json::string(letter));
      if (len > at) ops.push_back(static_cast<std::int64_t>(len - at));
      auto res = node.submit(id, view.doc.revision, ops, 1, "c", {});
      EXPECT_TRUE(res.error.empty()) << res.error;
      if (res.error.empty()) ++accepted;
      node.close(id);
    }
  };
  std::thread ta([&] { edit(a, 1, "a"); });
  std::thread tb([&] { edit(b, 2, "b"); });
  ta.join();
  tb.join();
  EXPECT_EQ(accepted.load(), 2 * per_node);
  auto ops = st->operations(id, 0);
  ASSERT_EQ(ops.size(), 2u * per_node);
  for (std::size_t i = 0; i < ops.size(); ++i) EXPECT_EQ(ops[i].revision, i + 1);
  auto ta_view = a.open(id);
  auto tb_view = b.open(id);
  EXPECT_EQ(ta_view.doc.revision, 2u * per_node);
  EXPECT_EQ(ta_view.doc.text, tb_view.doc.text);
  EXPECT_EQ(ta_view.doc.text.size(), 2u * per_node);
  // Replaying the stored operations gives the same text.
  std::string text;
  for (auto& o : ops) text = *ot::parse(boost::json::parse(o.ops))->apply(text);
  EXPECT_EQ(text, ta_view.doc.text);
  a.close(id);
  b.close(id);
}

// The editor keeps its version as component "editor" of schema_versions, beside the other
// components' rows; on SQLite the PRAGMA user_version the chat once used is left alone.
TEST_P(EditorStorageTest, RecordsItsVersionAsComponentEditor) {
  EXPECT_EQ(apps::test::schema_version_of(db.location(), "editor"), 1);
  if (GetParam() == "sqlite") {
    EXPECT_EQ(apps::test::query_int(db.location(), "PRAGMA user_version"), 0);
  }
}

// A database written when the editor kept its version in a table of its own (editor_schema,
// version 1: the same tables) is adopted: its documents stay, the old table goes.
TEST_P(EditorStorageTest, AdoptsTheTablesOfItsFormerVersionTable) {
  const auto id = st->create_document("Kept", 1, 1000).id;
  ASSERT_TRUE(st->append_operation(op_at(id, 1, R"(["a"])")));
  st.reset();
  apps::test::exec_sql(db.location(),
                       "DELETE FROM schema_versions WHERE component = 'editor'; "
                       "CREATE TABLE editor_schema (version INTEGER NOT NULL); "
                       "INSERT INTO editor_schema (version) VALUES (1);");
  st = db.open();
  ASSERT_TRUE(st->load_document(id));
  EXPECT_EQ(st->load_document(id)->info.title, "Kept");
  EXPECT_EQ(st->operations(id, 0).size(), 1u);
  EXPECT_EQ(apps::test::schema_version_of(db.location(), "editor"), 1);
  const std::string old_table =
      GetParam() == "sqlite" ? "SELECT COUNT(*) FROM sqlite_master WHERE name = 'editor_schema'"
                             : "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'editor_schema'";
  EXPECT_EQ(apps::test::query_int(db.location(), old_table), 0);
}

// The accounts and the editor in one database, each at its own version.
TEST_P(EditorStorageTest, SharesTheDatabaseWithTheAccounts) {
  auto shared = apps::open_database(db.location());
  auto users = apps::open_accounts(shared);
  auto editor = open_storage(shared);
  EXPECT_EQ(editor->list_documents(10).size(), 0u);
  EXPECT_GE(apps::test::schema_version_of(db.location(), "accounts"), 1);
  EXPECT_EQ(apps::test::schema_version_of(db.location(), "editor"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, EditorStorageTest, ::testing::ValuesIn(test::backends()));

}  // namespace
}  // namespace editor
