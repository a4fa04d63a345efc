// Errors of the editor's OT core (parsing, applying, composing, transforming, rebasing), as a
// boost::system category. Every failing call changes nothing.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace editor::ot {

enum class error {
  not_an_array = 1,       // the operation is not a JSON array
  invalid_component,      // an element is neither a number nor a string
  zero_length,            // a retain/delete of 0 (ot.js: neither a retain nor a delete)
  not_an_integer,         // a number with a fraction, or beyond 2^53
  invalid_text,           // text that is not valid UTF-8
  too_many_components,    // more array elements than limits::max_components
  insert_too_long,        // more inserted text than limits::max_insert_bytes
  operation_too_long,     // base or target length beyond limits::max_length
  length_mismatch,        // the operation does not cover the whole document / other operation
  splits_surrogate_pair,  // a boundary falls between the two UTF-16 halves of one character
  revision_too_old,       // older than the kept history
  revision_in_future,     // newer than the document
};

const boost::system::error_category& ot_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), ot_category()};
}

}  // namespace editor::ot

template <>
struct boost::system::is_error_code_enum<editor::ot::error> : std::true_type {};
