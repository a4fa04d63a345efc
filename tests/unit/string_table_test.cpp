// sio::engineio::string_table: the compact header/query table of a handshake request.
#include <sio/engineio/string_table.hpp>

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using sio::engineio::string_table;
using namespace std::string_view_literals;

std::vector<std::pair<std::string, std::string>> entries_of(const string_table& t) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : t) out.emplace_back(k, v);
  return out;
}

using pairs = std::vector<std::pair<std::string, std::string>>;

TEST(StringTable, EmptyTable) {
  const string_table t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.begin(), t.end());
  EXPECT_EQ(t.find("host"), t.end());
  EXPECT_EQ(t.find(""), t.end());
  EXPECT_FALSE(t.contains("host"));
  EXPECT_EQ(t.count("host"), 0u);
  EXPECT_THROW((void)t.at("host"), std::out_of_range);
  EXPECT_EQ(t.heap_bytes(), 0u);  // allocates nothing
  // Built from nothing: still empty, still no allocation.
  const auto b = string_table::builder{}.build(string_table::duplicates::join);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.heap_bytes(), 0u);
  EXPECT_EQ(b, t);
}

TEST(StringTable, LookupHitAndMiss) {
  const string_table t{{"host", "localhost"}, {"accept", "*/*"}, {"user-agent", "node"}};
  ASSERT_EQ(t.size(), 3u);
  EXPECT_FALSE(t.empty());
  for (auto [name, value] : {std::pair{"host"sv, "localhost"sv}, std::pair{"accept"sv, "*/*"sv},
                             std::pair{"user-agent"sv, "node"sv}}) {
    auto it = t.find(name);
    ASSERT_NE(it, t.end()) << name;
    EXPECT_EQ(it->first, name);
    EXPECT_EQ(it->second, value);
    EXPECT_EQ((*it).second, value);
    EXPECT_TRUE(t.contains(name));
    EXPECT_EQ(t.count(name), 1u);
    EXPECT_EQ(t.at(name), value);
  }
  // Misses before, between and after the names, prefixes, extensions and case differences.
  for (auto name : {""sv, "a"sv, "accep"sv, "acceptx"sv, "b"sv, "Host"sv, "hos"sv, "hostt"sv,
                    "user-agen"sv, "zzz"sv}) {
    EXPECT_EQ(t.find(name), t.end()) << name;
    EXPECT_FALSE(t.contains(name)) << name;
    EXPECT_EQ(t.count(name), 0u) << name;
    EXPECT_THROW((void)t.at(name), std::out_of_range) << name;
  }
}

TEST(StringTable, HeterogeneousLookup) {
  const string_table t{{"cookie", "a=1"}, {"origin", "http://x"}};
  const std::string s = "origin";
  const char* c = "cookie";
  EXPECT_EQ(t.at(s), "http://x");
  EXPECT_EQ(t.at(std::string_view(s)), "http://x");
  EXPECT_EQ(t.at(c), "a=1");
  EXPECT_TRUE(t.contains(std::string_view("origin-not").substr(0, 6)));
}

TEST(StringTable, IteratesInNameOrderLikeAMap) {
  const std::map<std::string, std::string, std::less<>> m{
      {"x-b", "2"}, {"X-A", "upper"}, {"host", "h"}, {"accept", ""}, {"~", "tilde"}, {"", "e"}};
  const auto t = string_table::from(m);
  EXPECT_EQ(entries_of(t), pairs(m.begin(), m.end()));
  // Bytes above 0x7f sort after ASCII, as in std::string.
  const string_table u{{"\xc3\xa9", "e-acute"}, {"z", "z"}};
  EXPECT_EQ(entries_of(u), (pairs{{"z", "z"}, {"\xc3\xa9", "e-acute"}}));
  // Random access works and agrees with the iteration.
  ASSERT_EQ(t.end() - t.begin(), 6);
  EXPECT_EQ(t.begin()[2].first, "accept");
  EXPECT_EQ((t.end() - 1)->first, "~");
  EXPECT_EQ(t.at(""), "e");
  EXPECT_EQ(t.at("accept"), "");
}

TEST(StringTable, RepeatedNamesJoinedInOrderAdded) {
  string_table::builder b;
  b.add("set-cookie", "a=1").add("host", "h").add("set-cookie", "b=2").add("set-cookie", "");
  b.add("accept", "x");
  const auto t = b.build(string_table::duplicates::join);
  EXPECT_EQ(entries_of(t), (pairs{{"accept", "x"}, {"host", "h"}, {"set-cookie", "a=1, b=2, "}}));
  EXPECT_EQ(t.count("set-cookie"), 1u);
}

TEST(StringTable, RepeatedNamesLastWins) {
  string_table::builder b;
  b.add("x", "first").add("y", "1").add("x", "second").add("x", "last");
  const auto t = b.build(string_table::duplicates::last_wins);
  EXPECT_EQ(entries_of(t), (pairs{{"x", "last"}, {"y", "1"}}));
  // The initializer list keeps the last value too.
  const string_table i{{"k", "a"}, {"k", "b"}};
  EXPECT_EQ(i.size(), 1u);
  EXPECT_EQ(i.at("k"), "b");
  // A builder can be built more than once and is not consumed.
  EXPECT_EQ(b.build(string_table::duplicates::join).at("x"), "first, second, last");
}

TEST(StringTable, EmptyNamesAndValuesAndEmbeddedNul) {
  string_table::builder b;
  const std::string nul("a\0b", 3);
  b.add("", "").add("n", nul).add(nul, "v");
  const auto t = b.build(string_table::duplicates::join);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.at(""), "");
  EXPECT_EQ(t.at("n"), nul);
  EXPECT_EQ(t.at(nul), "v");
  EXPECT_FALSE(t.contains("a"));
}

TEST(StringTable, CopyAndMove) {
  const string_table a{{"host", "localhost"}, {"origin", "http://example.com"}};
  string_table b = a;  // deep copy: equal, independent storage
  EXPECT_EQ(a, b);
  EXPECT_EQ(entries_of(b), entries_of(a));
  EXPECT_NE(a.begin()->second.data(), b.begin()->second.data());
  EXPECT_EQ(b.heap_bytes(), a.heap_bytes());

  string_table c;
  c = b;
  EXPECT_EQ(c, a);
  const string_table& self = c;
  c = self;  // self-assignment keeps it
  EXPECT_EQ(c, a);
  c = string_table{};
  EXPECT_TRUE(c.empty());
  EXPECT_NE(c, a);

  const char* where = b.at("host").data();
  string_table d = std::move(b);  // a move keeps the block (views stay valid)
  EXPECT_EQ(d.at("host").data(), where);
  EXPECT_EQ(d, a);

  const string_table other{{"host", "localhost"}, {"origin", "http://example.org"}};
  EXPECT_NE(other, a);
}

TEST(StringTable, OneCompactBlock) {
  // 2 entries: count + 5 offsets (4 bytes each) + the characters, in one allocation.
  const string_table t{{"host", "localhost"}, {"eio", "4"}};
  EXPECT_EQ(t.heap_bytes(), 4u * 6 + (4 + 9 + 3 + 1));
  EXPECT_EQ(sizeof(string_table), sizeof(void*));
}

TEST(StringTable, ManyEntries) {
  string_table::builder b;
  std::map<std::string, std::string, std::less<>> m;
  for (int i = 0; i < 500; ++i) {
    std::string k = "k";  // (not "k" + ...: g++ 12's false -Wrestrict)
    k += std::to_string((i * 7919) % 500);
    const std::string v(static_cast<std::size_t>(i % 37), static_cast<char>('a' + i % 26));
    b.add(k, v);
    m[k] = v;
  }
  const auto t = b.build(string_table::duplicates::last_wins);
  EXPECT_EQ(entries_of(t), pairs(m.begin(), m.end()));
  for (const auto& [k, v] : m) EXPECT_EQ(t.at(k), v);
  EXPECT_FALSE(t.contains("k500"));
}

}  // namespace
