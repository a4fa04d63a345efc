#include "flood_guard.hpp"

#include <algorithm>

namespace chat {

bool flood_guard::allow(std::string_view key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(std::string(key), bucket{burst_, now_ms});
  auto& b = it->second;
  if (!fresh && now_ms > b.last_ms) {
    b.tokens =
        std::min(burst_, b.tokens + static_cast<double>(now_ms - b.last_ms) * rate_ / 1000.0);
    b.last_ms = now_ms;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void flood_guard::forget(std::string_view key) {
  std::lock_guard lock(mu_);
  buckets_.erase(std::string(key));
}

}  // namespace chat
