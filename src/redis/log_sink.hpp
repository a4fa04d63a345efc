// Internal: where the Redis layer's components log (their `log` option, else stderr).
#pragma once

#include <functional>
#include <iostream>
#include <string_view>

namespace sio::redis {

inline void log_to(const std::function<void(std::string_view)>& sink, std::string_view line) {
  if (sink)
    sink(line);
  else
    std::cerr << line << std::endl;
}

}  // namespace sio::redis
