// The server's history: rebasing onto the current revision, and its bounds.
#include "test_util.hpp"

#include <editor/ot/history.hpp>

#include <gtest/gtest.h>

using namespace editor::ot;
using editor::ot::test::name;
using editor::ot::test::op;

TEST(OtHistory, RebaseAtTheCurrentRevisionIsTheOperation) {
  history h(4);
  EXPECT_EQ(h.revision(), 0u);
  const auto r = h.rebase(op(R"(["abc"])"), 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, op(R"(["abc"])"));
}

TEST(OtHistory, RebaseTransformsAgainstEveryLaterOperation) {
  history h(4);
  h.push(op(R"(["hello"])"));      // revision 1: "hello"
  h.push(op(R"([5, " world"])"));  // revision 2: "hello world"
  h.push(op(R"([-6, 5])"));        // revision 3: "world"
  // Based on revision 2 ("hello world"): "!" at the end.
  const auto end = h.rebase(op(R"([11, "!"])"), 2);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->apply("world").value(), "world!");
  // Based on revision 1 ("hello"): "!" at the end, which " world" was inserted at too: the
  // incoming insert goes first ("hello! world"), then "hello " is deleted.
  const auto tie = h.rebase(op(R"([5, "!"])"), 1);
  ASSERT_TRUE(tie);
  EXPECT_EQ(tie->apply("world").value(), "!world");
  EXPECT_EQ(h.revision(), 3u);
}

TEST(OtHistory, TiesGoToTheIncomingOperation) {
  history h(4);
  h.push(op(R"(["b"])"));
  const auto r = h.rebase(op(R"(["a"])"), 0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->apply("b").value(), "ab");
}

TEST(OtHistory, KeepsOnlyItsCapacity) {
  history h(2, 10);
  EXPECT_EQ(h.oldest(), 10u);
  for (int i = 0; i < 5; ++i) h.push(op("[]"));
  EXPECT_EQ(h.revision(), 15u);
  EXPECT_EQ(h.oldest(), 13u);
  EXPECT_EQ(name(h.rebase(op("[]"), 12).error()), "revision_too_old");
  EXPECT_TRUE(h.rebase(op("[]"), 13));
  EXPECT_TRUE(h.rebase(op("[]"), 15));
  EXPECT_EQ(name(h.rebase(op("[]"), 16).error()), "revision_in_future");
}

TEST(OtHistory, BaseLengthMismatchFails) {
  history h(4);
  h.push(op(R"(["abc"])"));
  EXPECT_EQ(name(h.rebase(op("[2]"), 0).error()), "length_mismatch");
  EXPECT_EQ(name(h.rebase(op("[2]"), 1).error()), "length_mismatch");
  EXPECT_TRUE(h.rebase(op("[3]"), 1));
}
