#include "room_counts.hpp"

#include <algorithm>

namespace sio::redis {

void room_counts::joined(std::vector<room> before, std::span<const room> rooms,
                         const transition& t) {
  std::lock_guard lk(mu_);
  for (const auto& r : rooms) {
    if (std::find(before.begin(), before.end(), r) != before.end()) continue;
    before.push_back(r);
    if (++counts_[r] == 1 && t) t(r, true);
  }
}

void room_counts::left(std::span<const room> rooms, const transition& t) {
  std::lock_guard lk(mu_);
  for (const auto& r : rooms) {
    auto it = counts_.find(r);
    if (it == counts_.end() || --it->second != 0) continue;
    counts_.erase(it);
    if (t) t(r, false);
  }
}

std::vector<room> room_counts::list() const {
  std::lock_guard lk(mu_);
  std::vector<room> out;
  out.reserve(counts_.size());
  for (const auto& [r, n] : counts_) out.push_back(r);
  return out;
}

}  // namespace sio::redis
