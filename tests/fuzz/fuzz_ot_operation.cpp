// libFuzzer: the editor's text operations as a peer sends them. The input is JSON; when it is an
// array [a, b] of two operations that parse, on a document of a's base length: a applies and
// leaves its target length, the JSON form round-trips, and when b fits the same document,
// transform converges (b'(a(d)) == a'(b(d))) and compose agrees with applying in sequence.
#include <editor/ot/text_operation.hpp>
#include <editor/ot/utf16.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ot = editor::ot;
namespace json = boost::json;

namespace {

// Stays within the fuzzer's memory budget: documents of at most this many units.
constexpr std::size_t max_units = 1 << 16;

void require(bool ok) {
  if (!ok) std::abort();
}

std::string applied(const ot::text_operation& op, const std::string& doc) {
  auto out = op.apply(doc);
  require(out.has_value());
  require(ot::utf16_length(*out) == op.target_length());
  return std::move(*out);
}

void check_one(const ot::text_operation& a) {
  auto again = ot::parse(ot::to_json(a));
  require(again.has_value());
  require(json::serialize(ot::to_json(*again)) == json::serialize(ot::to_json(a)));
}

void check_pair(const ot::text_operation& a, const ot::text_operation& b) {
  if (a.base_length() > max_units) return;
  const std::string doc(a.base_length(), 'x');  // ASCII: every split is a character boundary
  const std::string after_a = applied(a, doc);
  if (b.base_length() != a.base_length()) return;
  const std::string after_b = applied(b, doc);
  auto t = ot::transform(a, b);
  require(t.has_value());
  require(applied(t->second, after_a) == applied(t->first, after_b));
  auto c = ot::compose(a, t->second);
  require(c.has_value());
  require(applied(*c, doc) == applied(t->second, after_a));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 8;
  const auto v =
      json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, po);
  if (ec) return 0;
  auto whole = ot::parse(v);  // anything at all: an error or an operation, never a crash
  if (whole) check_one(*whole);
  if (!v.is_array() || v.get_array().size() != 2) return 0;
  auto a = ot::parse(v.get_array()[0]);
  auto b = ot::parse(v.get_array()[1]);
  if (!a || !b) return 0;
  check_one(*a);
  check_one(*b);
  check_pair(*a, *b);
  return 0;
}
