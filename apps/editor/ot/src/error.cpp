#include <editor/ot/error.hpp>

#include <string>

namespace editor::ot {
namespace {

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "editor.ot"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::not_an_array:
        return "operation is not an array";
      case error::invalid_component:
        return "component is neither a number nor a string";
      case error::zero_length:
        return "retain or delete of zero";
      case error::not_an_integer:
        return "component is not a safe integer";
      case error::invalid_text:
        return "text is not valid UTF-8";
      case error::too_many_components:
        return "too many components";
      case error::insert_too_long:
        return "inserted text too long";
      case error::operation_too_long:
        return "operation covers too long a document";
      case error::length_mismatch:
        return "operation length does not match";
      case error::splits_surrogate_pair:
        return "operation splits a surrogate pair";
      case error::revision_too_old:
        return "revision older than the kept history";
      case error::revision_in_future:
        return "revision newer than the document";
    }
    return "unknown editor.ot error";
  }
};

}  // namespace

const boost::system::error_category& ot_category() noexcept {
  static const category c;
  return c;
}

}  // namespace editor::ot
