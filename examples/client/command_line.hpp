// Command-line options of the client examples: "--name value" pairs and "--flag" switches.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace examples {

// A command line the program cannot use; main() prints it with the usage text (exit status 2).
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class command_line {
 public:
  // Reads argv against the options that take a value and the flags that do not; throws
  // usage_error for anything else or a missing value.
  command_line(int argc, char** argv, std::initializer_list<std::string_view> with_value,
               std::initializer_list<std::string_view> flags);

  bool help() const noexcept { return help_; }
  bool flag(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string fallback) const;
  // The value of an option that must be given (usage_error otherwise).
  std::string required(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  bool help_ = false;
};

}  // namespace examples
