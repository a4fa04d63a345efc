#include <editor/ot/text_operation.hpp>
#include <editor/ot/utf16.hpp>

#include <boost/json/array.hpp>

#include <cmath>
#include <cstdint>

namespace editor::ot {
namespace {

// JavaScript's Number.MAX_SAFE_INTEGER: past it a length is no longer exact on the client.
constexpr std::int64_t max_safe_integer = (std::int64_t{1} << 53) - 1;

// A JSON number as a signed length: integers, and doubles with no fraction (1e3 is 1000 in
// JavaScript too), within the safe range.
result<std::int64_t> signed_length(const boost::json::value& v) {
  std::int64_t n = 0;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64()) {
    return error::not_an_integer;  // beyond int64, so beyond the safe range
  } else {
    const double d = v.get_double();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > double(max_safe_integer)) {
      return error::not_an_integer;
    }
    n = static_cast<std::int64_t>(d);
  }
  if (n > max_safe_integer || n < -max_safe_integer) return error::not_an_integer;
  if (n == 0) return error::zero_length;
  return n;
}

class parser {
 public:
  explicit parser(const limits& lim) : lim_(lim) {}

  boost::system::error_code add(const boost::json::value& v) {
    if (v.is_string()) return add_text(v.get_string());
    if (!v.is_number()) return error::invalid_component;
    const auto n = signed_length(v);
    if (!n) return n.error();
    if (*n > 0) {
      op_.retain(static_cast<std::size_t>(*n));
    } else {
      op_.remove(static_cast<std::size_t>(-*n));
    }
    return check_lengths();
  }

  text_operation take() { return std::move(op_); }

 private:
  boost::system::error_code add_text(std::string_view text) {
    inserted_ += text.size();
    if (inserted_ > lim_.max_insert_bytes) return error::insert_too_long;
    if (!utf16_length(text)) return error::invalid_text;
    op_.insert(text);
    return check_lengths();
  }

  boost::system::error_code check_lengths() const {
    if (op_.base_length() > lim_.max_length || op_.target_length() > lim_.max_length) {
      return error::operation_too_long;
    }
    return {};
  }

  const limits& lim_;
  text_operation op_;
  std::size_t inserted_ = 0;
};

}  // namespace

result<text_operation> parse(const boost::json::value& json, const limits& lim) {
  const auto* array = json.if_array();
  if (!array) return error::not_an_array;
  if (array->size() > lim.max_components) return error::too_many_components;
  parser p(lim);
  for (const auto& v : *array) {
    if (auto ec = p.add(v)) return ec;
  }
  return p.take();
}

boost::json::value to_json(const text_operation& op) {
  boost::json::array out;
  out.reserve(op.components().size());
  for (const component& c : op.components()) {
    const auto n = static_cast<std::int64_t>(c.length);
    switch (c.type) {
      case kind::retain:
        out.emplace_back(n);
        break;
      case kind::insert:
        out.emplace_back(c.text);
        break;
      case kind::remove:
        out.emplace_back(-n);
        break;
    }
  }
  return out;
}

}  // namespace editor::ot
