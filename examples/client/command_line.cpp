#include "command_line.hpp"

#include <algorithm>

namespace examples {

namespace {

bool listed(std::initializer_list<std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

command_line::command_line(int argc, char** argv,
                           std::initializer_list<std::string_view> with_value,
                           std::initializer_list<std::string_view> flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
    } else if (listed(flags, arg)) {
      values_[std::string(arg)] = "";
    } else if (listed(with_value, arg)) {
      if (i + 1 == argc) throw usage_error(std::string(arg) + " needs a value");
      values_[std::string(arg)] = argv[++i];
    } else {
      throw usage_error("unknown option " + std::string(arg));
    }
  }
}

bool command_line::flag(std::string_view name) const {
  return values_.contains(name);
}

std::optional<std::string> command_line::get(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  return std::nullopt;
}

std::string command_line::get_or(std::string_view name, std::string fallback) const {
  return get(name).value_or(std::move(fallback));
}

std::string command_line::required(std::string_view name) const {
  if (auto v = get(name)) return *v;
  throw usage_error(std::string(name) + " is required");
}

}  // namespace examples
