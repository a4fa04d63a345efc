#include "rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace apps {

double token_bucket::tokens_at(rate r, std::int64_t now_ms) const noexcept {
  if (now_ms <= last_ms_) return tokens_;  // a clock going backwards adds nothing
  const double added = static_cast<double>(now_ms - last_ms_) * r.per_second / 1000.0;
  return std::min(r.burst, tokens_ + added);
}

bool token_bucket::take(rate r, std::int64_t now_ms) noexcept {
  tokens_ = tokens_at(r, now_ms);
  last_ms_ = std::max(last_ms_, now_ms);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::int64_t token_bucket::wait_ms(rate r, std::int64_t now_ms) const noexcept {
  const double t = tokens_at(r, now_ms);
  if (t >= 1.0) return 0;
  if (r.per_second <= 0) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(std::ceil((1.0 - t) * 1000.0 / r.per_second));
}

bool token_bucket::full(rate r, std::int64_t now_ms) const noexcept {
  return tokens_at(r, now_ms) >= r.burst;
}

token_buckets::entry& token_buckets::find_or_add(std::string_view key, std::int64_t now_ms) {
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) make_room(now_ms);
    it = buckets_.emplace(std::string(key), entry{token_bucket(rate_, now_ms), now_ms}).first;
  }
  it->second.used_ms = std::max(it->second.used_ms, now_ms);
  return it->second;
}

void token_buckets::make_room(std::int64_t now_ms) {
  std::erase_if(buckets_, [&](auto& kv) { return kv.second.bucket.full(rate_, now_ms); });
  if (buckets_.size() < max_keys_) return;
  // Nothing refilled: drop the least recently used eighth at once, so that a table kept full
  // costs O(1) per new key, amortised.
  std::vector<std::pair<std::int64_t, decltype(buckets_)::iterator>> by_use;
  by_use.reserve(buckets_.size());
  for (auto it = buckets_.begin(); it != buckets_.end(); ++it)
    by_use.emplace_back(it->second.used_ms, it);
  const auto drop = std::max<std::size_t>(1, by_use.size() / 8);
  std::nth_element(by_use.begin(), by_use.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_use.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < drop; ++i) buckets_.erase(by_use[i].second);
}

bool token_buckets::take(std::string_view key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  return find_or_add(key, now_ms).bucket.take(rate_, now_ms);
}

std::int64_t token_buckets::wait_ms(std::string_view key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  return it == buckets_.end() ? 0 : it->second.bucket.wait_ms(rate_, now_ms);
}

bool token_buckets::full(std::string_view key, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  return it == buckets_.end() || it->second.bucket.full(rate_, now_ms);
}

void token_buckets::forget(std::string_view key) {
  std::lock_guard lock(mu_);
  buckets_.erase(std::string(key));
}

std::size_t token_buckets::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void user_limits::attach(std::int64_t user, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto& e = users_[user];
  if (e.sockets++ == 0) {
    e.buckets.clear();
    for (const auto& r : rates_) e.buckets.emplace_back(r, now_ms);
  }
}

void user_limits::detach(std::int64_t user) {
  std::lock_guard lock(mu_);
  auto it = users_.find(user);
  if (it != users_.end() && --it->second.sockets == 0) users_.erase(it);
}

bool user_limits::take(std::int64_t user, std::size_t kind, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = users_.find(user);
  if (it == users_.end() || kind >= rates_.size()) return true;
  return it->second.buckets[kind].take(rates_[kind], now_ms);
}

std::size_t user_limits::users() const {
  std::lock_guard lock(mu_);
  return users_.size();
}

}  // namespace apps
