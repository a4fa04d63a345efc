#include "address_limits.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace sio::engineio::detail {

// --- address_slot / connection_counter -----------------------------------------------------------

address_slot::address_slot(connection_counter* c, std::string address) noexcept
    : counter_(c), address_(std::move(address)) {}

address_slot::address_slot(address_slot&& o) noexcept
    : counter_(std::exchange(o.counter_, nullptr)), address_(std::move(o.address_)) {}

address_slot& address_slot::operator=(address_slot&& o) noexcept {
  if (this != &o) {
    release();
    counter_ = std::exchange(o.counter_, nullptr);
    address_ = std::move(o.address_);
  }
  return *this;
}

address_slot::~address_slot() {
  release();
}

void address_slot::release() noexcept {
  if (auto* c = std::exchange(counter_, nullptr)) c->release(address_);
}

std::optional<address_slot> connection_counter::acquire(std::string address) {
  if (max_ == 0) return address_slot{};
  std::lock_guard lock(mtx_);
  auto& n = counts_[address];
  if (n >= max_) return std::nullopt;  // n > 0 here: the entry existed before
  ++n;
  return address_slot{this, std::move(address)};
}

void connection_counter::release(const std::string& address) noexcept {
  std::lock_guard lock(mtx_);
  const auto it = counts_.find(address);
  if (it != counts_.end() && --it->second == 0) counts_.erase(it);
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
