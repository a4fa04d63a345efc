// editor::documents on SQLite: submit, rebasing through concurrent operations, authors and the
// missed operations of a reconnecting client, every refusal (changing nothing), the limits, and a
// restart that reloads snapshot + operations.
#include "server_test_util.hpp"

#include <editor/documents.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace editor {
namespace {

namespace json = boost::json;

// An operation inserting "a" at the start of a document of `length` units.
std::string insert_a_before(std::uint64_t length) {
  return length == 0 ? R"(["a"])" : R"(["a",)" + std::to_string(length) + "]";
}

class DocumentsTest : public ::testing::Test {
 protected:
  test::database db{"sqlite"};
  std::unique_ptr<storage> st = db.open();
  id_type id = st->create_document("Doc", 1, 1000).id;

  // Submits ops (JSON text) and returns the result; `published` gets the accepted operation.
  submit_result submit(documents& docs, std::uint64_t revision, std::string_view ops,
                       id_type user = 1, std::string_view client = "c1") {
    return docs.submit(id, revision, json::parse(ops), user, client,
                       [this](const accepted_operation& a) { published.push_back(a); });
  }
  std::vector<accepted_operation> published;
};

TEST_F(DocumentsTest, OpenOfAMissingDocumentFails) {
  documents docs(*st);
  auto r = docs.open(id + 1);
  EXPECT_EQ(r.error, "Document not found");
  EXPECT_EQ(docs.loaded(), 0u);
}

TEST_F(DocumentsTest, SubmitAppliesPersistsAndPublishes) {
  documents docs(*st);
  ASSERT_TRUE(docs.open(id).error.empty());
  auto r = submit(docs, 0, R"(["hello"])");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.revision, 1u);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0].revision, 1u);
  EXPECT_EQ(json::serialize(published[0].ops), R"(["hello"])");
  EXPECT_EQ(docs.open(id).doc.text, "hello");
  EXPECT_EQ(st->operations(id, 0).size(), 1u);
}

TEST_F(DocumentsTest, RebasesThroughConcurrentOperations) {
  documents docs(*st);
  docs.open(id);
  ASSERT_EQ(submit(docs, 0, R"(["hello"])", 1, "a").revision, 1u);
  // Made on revision 0 too: the incoming insert goes first at the tie.
  auto r = submit(docs, 0, R"(["abc"])", 2, "b");
  EXPECT_EQ(r.revision, 2u);
  EXPECT_EQ(json::serialize(published.back().ops), R"(["abc",5])");
  EXPECT_EQ(published.back().user_id, 2);
  ASSERT_EQ(submit(docs, 1, R"([5,"!"])", 1, "a").revision, 3u);
  EXPECT_EQ(json::serialize(published.back().ops), R"([8,"!"])");
  EXPECT_EQ(docs.open(id).doc.text, "abchello!");
}

TEST_F(DocumentsTest, MissedOperationsCarryTheirAuthorsAndOwnFlags) {
  documents docs(*st);
  docs.open(id);
  submit(docs, 0, R"(["a"])", 1, "mine");
  submit(docs, 1, R"([1,"b"])", 2, "theirs");
  submit(docs, 2, R"([2,"c"])", 1, "mine");
  auto r = docs.open(id, 1, "mine");
  ASSERT_TRUE(r.missed);
  ASSERT_EQ(r.missed->size(), 2u);
  EXPECT_EQ((*r.missed)[0].revision, 2u);
  EXPECT_EQ((*r.missed)[0].user_id, 2);
  EXPECT_FALSE((*r.missed)[0].own);
  EXPECT_EQ(json::serialize((*r.missed)[1].ops), R"([2,"c"])");
  EXPECT_TRUE((*r.missed)[1].own);
  EXPECT_TRUE(docs.open(id, 3, "mine").missed->empty());
  EXPECT_FALSE(docs.open(id, 4, "mine").missed);  // in the future: reload
}

TEST_F(DocumentsTest, MissedIsAbsentBeyondTheHistory) {
  documents docs(*st, {.history_capacity = 2});
  docs.open(id);
  for (std::uint64_t r = 0; r < 3; ++r) ASSERT_EQ(submit(docs, r, insert_a_before(r)).error, "");
  EXPECT_FALSE(docs.open(id, 0, "c1").missed);
  EXPECT_EQ(docs.open(id, 1, "c1").missed->size(), 2u);
  EXPECT_EQ(submit(docs, 0, R"(["y"])").error, "Revision too old");
}

TEST_F(DocumentsTest, RefusalsChangeNothing) {
  documents docs(*st, {.max_document_bytes = 8});
  EXPECT_EQ(submit(docs, 0, R"(["x"])").error, "Open the document first");
  docs.open(id);
  submit(docs, 0, R"(["hello"])");
  const struct {
    std::uint64_t revision;
    const char* ops;
    const char* error;
  } cases[] = {
      {1, R"([4])", "Operation does not match the document"},
      {1, R"(["x",4])", "Operation does not match the document"},
      {2, R"([5])", "Revision in the future"},
      {1, R"({"a":1})", "Invalid operation"},
      {1, R"([5,0])", "Invalid operation"},
      {1, R"([5,1.5])", "Invalid operation"},
      {1, R"([5,true])", "Invalid operation"},
      {1, R"(null)", "Invalid operation"},
      {1, R"([5,"long!"])", "Document too large"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(submit(docs, c.revision, c.ops).error, c.error) << c.ops;
  }
  auto view = docs.open(id);
  EXPECT_EQ(view.doc.text, "hello");
  EXPECT_EQ(view.doc.revision, 1u);
  EXPECT_EQ(published.size(), 1u);
  EXPECT_EQ(st->operations(id, 0).size(), 1u);
}

TEST_F(DocumentsTest, TextCountsInUtf16) {
  documents docs(*st);
  docs.open(id);
  ASSERT_EQ(submit(docs, 0, R"(["é😀"])").error, "");
  EXPECT_EQ(submit(docs, 1, R"([3,"!"])").error, "");
  EXPECT_EQ(submit(docs, 2, R"([2,"x",2])").error, "Operation splits a character");
  EXPECT_EQ(docs.open(id).doc.text, "é😀!");
}

TEST_F(DocumentsTest, UnloadsWhenTheLastEditorCloses) {
  documents docs(*st);
  docs.open(id);
  docs.open(id);
  submit(docs, 0, R"(["abc"])");
  docs.close(id);
  EXPECT_EQ(docs.loaded(), 1u);
  docs.close(id);
  EXPECT_EQ(docs.loaded(), 0u);
  EXPECT_EQ(st->load_document(id)->text, "abc");  // the last close snapshots
  EXPECT_EQ(st->load_document(id)->revision, 1u);
}

TEST_F(DocumentsTest, RestartReloadsSnapshotAndLaterOperations) {
  {
    documents docs(*st, {.history_capacity = 4, .snapshot_every = 5});
    docs.open(id);
    for (std::uint64_t r = 0; r < 12; ++r) {
      ASSERT_EQ(submit(docs, r, insert_a_before(r), 1, "mine").error, "");
    }
    // Snapshot at 10 (every 5), operations from 7 kept; the process ends without a close.
  }
  st.reset();
  st = db.open();
  EXPECT_GE(st->operations(id, 0).size(), 4u);
  documents docs(*st, {.history_capacity = 4, .snapshot_every = 5});
  auto r = docs.open(id, 9, "mine");
  EXPECT_EQ(r.doc.text, std::string(12, 'a'));
  EXPECT_EQ(r.doc.revision, 12u);
  ASSERT_TRUE(r.missed);
  ASSERT_EQ(r.missed->size(), 3u);
  EXPECT_TRUE((*r.missed)[0].own);
  EXPECT_EQ(submit(docs, 12, R"([12,"b"])").revision, 13u);
}

}  // namespace
}  // namespace editor
