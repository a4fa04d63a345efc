// What the demo apps answer to an event's acknowledgement, as the client examples read it:
// {"success": true, ...} or {"error": "..."}.
#pragma once

#include <sio/common/payload.hpp>

#include <boost/json/serialize.hpp>

#include <string>

namespace examples {

// The answer's first argument is an object with "success": true.
inline bool succeeded(const sio::payload& answer) {
  if (answer.empty() || !answer.args[0].is_object()) return false;
  const auto* s = answer.args[0].as_object().if_contains("success");
  return s && s->is_bool() && s->as_bool();
}

// The server's "error" message, or the whole answer when it has none.
inline std::string error_of(const sio::payload& answer) {
  if (!answer.empty() && answer.args[0].is_object()) {
    if (const auto* e = answer.args[0].as_object().if_contains("error"); e && e->is_string())
      return std::string(e->as_string());
  }
  return "unexpected answer " + boost::json::serialize(answer.args);
}

}  // namespace examples
