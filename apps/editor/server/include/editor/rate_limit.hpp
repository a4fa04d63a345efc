// editor::user_rate: one token bucket per user id (a burst, then a steady rate), in a bounded
// table, as the chat's limits are. Time is passed in (milliseconds of a monotonic clock).
//
// Thread-safety: take() may be called from any thread (one mutex around the map).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace editor {

struct rate {
  double burst = 1;       // tokens of a full bucket (a new user starts full)
  double per_second = 1;  // tokens added per second, up to the burst
};

class user_rate {
 public:
  // At most `max_users` buckets: when full, the buckets that have refilled are dropped (nothing
  // is lost), and if none has, all of them.
  explicit user_rate(rate r, std::size_t max_users = 100'000) : rate_(r), max_users_(max_users) {}

  // Takes a token of `user`: false when there is none (the action must be refused).
  bool take(std::int64_t user, std::int64_t now_ms);
  // Milliseconds until `user` has a token again (0: now).
  std::int64_t wait_ms(std::int64_t user, std::int64_t now_ms);

 private:
  struct bucket {
    double tokens;
    std::int64_t last_ms;
  };
  double tokens_at(const bucket& b, std::int64_t now_ms) const noexcept;
  bucket& find(std::int64_t user, std::int64_t now_ms);

  const rate rate_;
  const std::size_t max_users_;
  std::mutex mu_;
  std::unordered_map<std::int64_t, bucket> buckets_;
};

}  // namespace editor
