// The shared case table (ot_cases.json): the same expectations the web client's tests check, so
// the C++ server and the TypeScript client agree on every result.
#include "test_util.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace json = boost::json;
using namespace editor::ot;
using editor::ot::test::name;
using editor::ot::test::op_of;

namespace {

const json::object& cases() {
  static const json::value v = [] {
    std::ifstream in(EDITOR_OT_CASES);
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
  }();
  return v.as_object();
}

const json::array& section(const char* key) {
  return cases().at(key).as_array();
}

limits limits_of(const json::object& c) {
  limits lim;
  if (const auto* l = c.if_contains("limits")) {
    const auto& o = l->as_object();
    if (o.contains("max_components"))
      lim.max_components = o.at("max_components").to_number<std::size_t>();
    if (o.contains("max_insert_bytes"))
      lim.max_insert_bytes = o.at("max_insert_bytes").to_number<std::size_t>();
    if (o.contains("max_length")) lim.max_length = o.at("max_length").to_number<std::size_t>();
  }
  return lim;
}

// Checks a result against the case's "result" (through `expected`) or its "error".
template <class T, class F>
void expect(const json::object& c, const result<T>& r, F&& expected) {
  SCOPED_TRACE(json::serialize(c));
  if (const auto* e = c.if_contains("error")) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(name(r.error()), e->as_string());
  } else {
    ASSERT_TRUE(r.has_value()) << r.error().message();
    expected(*r);
  }
}

}  // namespace

TEST(OtCases, TableIsNotEmpty) {
  for (const char* key : {"parse", "apply", "compose", "transform", "transform_index"}) {
    EXPECT_GE(section(key).size(), 10u) << key;
  }
}

TEST(OtCases, Parse) {
  for (const auto& v : section("parse")) {
    const auto& c = v.as_object();
    const auto r = parse(c.at("json"), limits_of(c));
    expect(c, r, [&](const text_operation& o) { EXPECT_EQ(to_json(o), c.at("result")); });
  }
}

TEST(OtCases, Apply) {
  for (const auto& v : section("apply")) {
    const auto& c = v.as_object();
    const auto r = op_of(c.at("op")).apply(c.at("doc").as_string());
    expect(c, r, [&](const std::string& s) { EXPECT_EQ(s, c.at("result").as_string()); });
  }
}

TEST(OtCases, Compose) {
  for (const auto& v : section("compose")) {
    const auto& c = v.as_object();
    const auto r = compose(op_of(c.at("a")), op_of(c.at("b")));
    expect(c, r, [&](const text_operation& o) { EXPECT_EQ(to_json(o), c.at("result")); });
  }
}

TEST(OtCases, Transform) {
  for (const auto& v : section("transform")) {
    const auto& c = v.as_object();
    const auto r = transform(op_of(c.at("a")), op_of(c.at("b")));
    expect(c, r, [&](const std::pair<text_operation, text_operation>& p) {
      EXPECT_EQ(to_json(p.first), c.at("a_prime"));
      EXPECT_EQ(to_json(p.second), c.at("b_prime"));
    });
  }
}

TEST(OtCases, TransformIndex) {
  for (const auto& v : section("transform_index")) {
    const auto& c = v.as_object();
    SCOPED_TRACE(json::serialize(c));
    const auto index = c.at("index").to_number<std::size_t>();
    EXPECT_EQ(transform_index(index, op_of(c.at("op"))), c.at("result").to_number<std::size_t>());
  }
}
