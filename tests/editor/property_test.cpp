// Randomized properties of the OT core (seeded, so a failure reproduces): transform converges,
// compose agrees with applying in sequence, cursors stay in the document, JSON round-trips, and
// rebasing through the history converges like transforming by hand.
#include "random_ops.hpp"

#include <editor/ot/history.hpp>

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

using namespace editor::ot;
using editor::ot::test::random_ops;

namespace {

constexpr int iterations = 3000;

std::string applied(const std::string& doc, const text_operation& op) {
  auto r = op.apply(doc);
  if (!r) throw std::runtime_error("apply failed: " + r.error().message());
  return std::move(*r);
}

}  // namespace

TEST(OtProperties, TransformConverges) {
  random_ops gen(0x5EED0001);
  for (int i = 0; i < iterations; ++i) {
    const auto doc = gen.document();
    const std::string d = random_ops::text(doc);
    const auto a = gen.operation(doc);
    const auto b = gen.operation(doc);
    const auto p = transform(a, b);
    ASSERT_TRUE(p) << p.error().message();
    const std::string via_a = applied(applied(d, a), p->second);
    const std::string via_b = applied(applied(d, b), p->first);
    ASSERT_EQ(via_a, via_b) << d << " a=" << boost::json::serialize(to_json(a))
                            << " b=" << boost::json::serialize(to_json(b));
  }
}

TEST(OtProperties, ComposeAgreesWithSequentialApply) {
  random_ops gen(0x5EED0002);
  for (int i = 0; i < iterations; ++i) {
    const auto doc = gen.document();
    const std::string d = random_ops::text(doc);
    const auto a = gen.operation(doc);
    const std::string after_a = applied(d, a);
    const auto b = gen.operation(random_ops::split(after_a));
    const auto ab = compose(a, b);
    ASSERT_TRUE(ab) << ab.error().message();
    EXPECT_EQ(ab->base_length(), a.base_length());
    EXPECT_EQ(ab->target_length(), b.target_length());
    ASSERT_EQ(applied(d, *ab), applied(after_a, b));
  }
}

TEST(OtProperties, TransformIndexStaysInTheDocument) {
  random_ops gen(0x5EED0003);
  for (int i = 0; i < iterations; ++i) {
    const auto doc = gen.document();
    const auto op = gen.operation(doc);
    std::size_t previous = 0;
    for (std::size_t index = 0; index <= op.base_length(); ++index) {
      const std::size_t moved = transform_index(index, op);
      ASSERT_LE(moved, op.target_length());
      ASSERT_GE(moved, previous);  // cursors keep their order
      previous = moved;
    }
  }
}

TEST(OtProperties, JsonRoundTrips) {
  random_ops gen(0x5EED0004);
  for (int i = 0; i < iterations; ++i) {
    const auto op = gen.operation(gen.document());
    const auto back = parse(to_json(op));
    ASSERT_TRUE(back) << back.error().message();
    ASSERT_EQ(*back, op);
  }
}

// A server with a history and clients that send operations on stale revisions: the sender, which
// applied its own op first and then the server's ops it had not seen (transformed past its op, as
// the client state machine does), ends on the server's document.
TEST(OtProperties, RebaseConvergesWithTheSender) {
  random_ops gen(0x5EED0005);
  for (int i = 0; i < iterations / 10; ++i) {
    history h(8);
    std::vector<std::string> docs{random_ops::text(gen.document())};  // docs[r]: revision r
    std::vector<text_operation> accepted;  // accepted[r] took revision r to r + 1
    for (int step = 0; step < 20; ++step) {
      const std::uint64_t base = h.oldest() + gen.below(h.revision() - h.oldest() + 1);
      const auto op = gen.operation(random_ops::split(docs[base]));
      const auto rebased = h.rebase(op, base);
      ASSERT_TRUE(rebased) << rebased.error().message();
      std::string client = applied(docs[base], op);
      text_operation mine = op;
      for (std::uint64_t r = base; r < h.revision(); ++r) {
        auto p = transform(mine, accepted[r]);
        ASSERT_TRUE(p);
        client = applied(client, p->second);
        mine = std::move(p->first);
      }
      EXPECT_EQ(mine, *rebased);
      docs.push_back(applied(docs.back(), *rebased));
      ASSERT_EQ(client, docs.back());
      accepted.push_back(*rebased);
      h.push(*rebased);
    }
  }
}

// Long runs of ASCII are walked a word at a time: a retain ending at each offset of such a run,
// next to a character beyond U+FFFF and at the end of the text, covers exactly what it says.
TEST(OtProperties, RetainsOverLongAsciiRunsEndWhereTheySay) {
  for (std::size_t before = 0; before < 20; ++before) {
    const std::string text = std::string(before, 'a') + "\xF0\x9F\x98\x80" + std::string(17, 'b');
    const std::size_t units = before + 2 + 17;
    for (std::size_t keep = 0; keep <= units + 1; ++keep) {
      text_operation op;
      if (keep > 0) op.retain(keep);
      op.insert("|");
      if (units > keep) op.retain(units - keep);
      auto out = op.apply(text);
      if (keep > units) {
        EXPECT_EQ(out.error(), error::length_mismatch) << before << ' ' << keep;
      } else if (keep == before + 1) {
        EXPECT_EQ(out.error(), error::splits_surrogate_pair) << before << ' ' << keep;
      } else {
        ASSERT_TRUE(out) << before << ' ' << keep;
        const std::size_t bytes = keep <= before ? keep : keep + 2;  // the pair is 4 bytes, 2 units
        EXPECT_EQ(*out, text.substr(0, bytes) + "|" + text.substr(bytes)) << before << ' ' << keep;
      }
    }
  }
}
