#include "address_limits.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sio::engineio::detail {

// --- address_slot / connection_counter -----------------------------------------------------------

address_slot::address_slot(connection_counter* c, entry* e) noexcept : counter_(c), entry_(e) {}

address_slot::address_slot(address_slot&& o) noexcept
    : counter_(std::exchange(o.counter_, nullptr)), entry_(std::exchange(o.entry_, nullptr)) {}

address_slot& address_slot::operator=(address_slot&& o) noexcept {
  if (this != &o) {
    release();
    counter_ = std::exchange(o.counter_, nullptr);
    entry_ = std::exchange(o.entry_, nullptr);
  }
  return *this;
}

address_slot::~address_slot() {
  release();
}

void address_slot::release() noexcept {
  if (auto* c = std::exchange(counter_, nullptr)) c->release(*std::exchange(entry_, nullptr));
}

std::optional<address_slot> connection_counter::acquire(std::string address) {
  if (max_ == 0) return address_slot{};
  std::lock_guard lock(mtx_);
  auto& e = *counts_.try_emplace(std::move(address), 0).first;
  if (e.second >= max_) return std::nullopt;  // e.second > 0 here: the entry existed before
  ++e.second;
  return address_slot{this, &e};
}

void connection_counter::release(address_slot::entry& e) noexcept {
  std::lock_guard lock(mtx_);
  // The entry lives while its count is positive (nodes of an unordered_map never move).
  if (--e.second == 0) counts_.erase(counts_.find(e.first));
}

std::size_t connection_counter::tracked() const {
  std::lock_guard lock(mtx_);
  return counts_.size();
}

// --- handshake_limiter ---------------------------------------------------------------------------

double handshake_limiter::refilled(const bucket& b, clock::time_point now) const noexcept {
  const std::chrono::duration<double> elapsed = now - b.last;
  return std::min(burst_, b.tokens + std::max(0.0, elapsed.count()) * rate_);
}

void handshake_limiter::drop_idle(clock::time_point now) {
  for (int i = 0; i < 2 && !order_.empty(); ++i) {
    const auto& b = order_.back();
    if (refilled(b, now) < burst_) return;
    index_.erase(b.address);
    order_.pop_back();
  }
}

std::optional<std::chrono::seconds> handshake_limiter::take(std::string_view address,
                                                            clock::time_point now) {
  if (rate_ <= 0) return std::nullopt;
  std::lock_guard lock(mtx_);
  drop_idle(now);
  auto it = index_.find(address);
  if (it == index_.end()) {
    if (index_.size() >= max_tracked_ && !order_.empty()) {
      index_.erase(order_.back().address);
      order_.pop_back();
    }
    order_.push_front(bucket{std::string(address), burst_, now});
    it = index_.emplace(order_.front().address, order_.begin()).first;
  } else {
    order_.splice(order_.begin(), order_, it->second);
  }
  auto& b = *it->second;
  b.tokens = refilled(b, now);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::nullopt;
  }
  const auto wait = std::ceil((1 - b.tokens) / rate_);
  return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(wait)));
}

std::size_t handshake_limiter::tracked() const {
  std::lock_guard lock(mtx_);
  return index_.size();
}

}  // namespace sio::engineio::detail
