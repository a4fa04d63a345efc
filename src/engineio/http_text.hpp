// Text helpers for HTTP header values, shared by the engine's header readers. Private to
// sio_engineio.
#pragma once

#include <string_view>

namespace sio::engineio::detail {

// `s` without the optional white space (spaces and tabs) around it, as RFC 9110 allows around
// list elements and parameters.
inline std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace sio::engineio::detail
