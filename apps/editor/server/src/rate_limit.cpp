#include <editor/rate_limit.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace editor {

double user_rate::tokens_at(const bucket& b, std::int64_t now_ms) const noexcept {
  const double elapsed = static_cast<double>(std::max<std::int64_t>(now_ms - b.last_ms, 0));
  return std::min(rate_.burst, b.tokens + elapsed * rate_.per_second / 1000.0);
}

user_rate::bucket& user_rate::find(std::int64_t user, std::int64_t now_ms) {
  if (auto it = buckets_.find(user); it != buckets_.end()) return it->second;
  if (buckets_.size() >= max_users_) {
    std::erase_if(buckets_,
                  [&](const auto& kv) { return tokens_at(kv.second, now_ms) >= rate_.burst; });
    if (buckets_.size() >= max_users_) buckets_.clear();
  }
  return buckets_.emplace(user, bucket{rate_.burst, now_ms}).first->second;
}

bool user_rate::take(std::int64_t user, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto& b = find(user, now_ms);
  b.tokens = tokens_at(b, now_ms);
  b.last_ms = std::max(b.last_ms, now_ms);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

std::int64_t user_rate::wait_ms(std::int64_t user, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  const double missing = 1 - tokens_at(find(user, now_ms), now_ms);
  if (missing <= 0 || rate_.per_second <= 0) return 0;
  return static_cast<std::int64_t>(std::ceil(missing * 1000.0 / rate_.per_second));
}

}  // namespace editor
