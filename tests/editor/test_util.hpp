// Helpers shared by the OT core's tests: operations from JSON text, error names as the case table
// spells them.
#pragma once

#include <editor/ot/text_operation.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace editor::ot::test {

inline text_operation op_of(const boost::json::value& json) {
  auto r = parse(json);
  if (!r) throw std::runtime_error("bad operation " + serialize(json) + ": " + r.error().message());
  return std::move(*r);
}

inline text_operation op(std::string_view json) {
  return op_of(boost::json::parse(json));
}

inline std::string name(boost::system::error_code ec) {
  if (ec.category() != ot_category()) return ec.message();
  switch (static_cast<error>(ec.value())) {
    case error::not_an_array:
      return "not_an_array";
    case error::invalid_component:
      return "invalid_component";
    case error::zero_length:
      return "zero_length";
    case error::not_an_integer:
      return "not_an_integer";
    case error::invalid_text:
      return "invalid_text";
    case error::too_many_components:
      return "too_many_components";
    case error::insert_too_long:
      return "insert_too_long";
    case error::operation_too_long:
      return "operation_too_long";
    case error::length_mismatch:
      return "length_mismatch";
    case error::splits_surrogate_pair:
      return "splits_surrogate_pair";
    case error::revision_too_old:
      return "revision_too_old";
    case error::revision_in_future:
      return "revision_in_future";
  }
  return "unknown";
}

}  // namespace editor::ot::test
