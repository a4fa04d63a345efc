// Token buckets bounding how fast a client may act: apps::token_bucket (one bucket, a burst then a
// steady rate), apps::token_buckets (one per key, in a bounded table) and apps::user_limits (one
// per user and kind of event, kept while the user has a socket). Time is passed in (milliseconds
// of any monotonic clock), so tests need no clock.
//
// Thread-safety: token_bucket is a plain value; token_buckets and user_limits may be called from
// any thread (one mutex around map work).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace apps {

struct rate {
  double burst = 1;       // tokens of a full bucket (a new key starts full)
  double per_second = 1;  // tokens added per second, up to the burst
};

class token_bucket {
 public:
  token_bucket(rate r, std::int64_t now_ms) noexcept : tokens_(r.burst), last_ms_(now_ms) {}

  // Takes one token: false when there is none (the action must be refused).
  bool take(rate r, std::int64_t now_ms) noexcept;
  // Milliseconds until a token is there (0: one is there now).
  std::int64_t wait_ms(rate r, std::int64_t now_ms) const noexcept;
  // True when the bucket has refilled to its burst (it is then the same as a new one).
  bool full(rate r, std::int64_t now_ms) const noexcept;

 private:
  double tokens_at(rate r, std::int64_t now_ms) const noexcept;
  double tokens_;
  std::int64_t last_ms_;
};

class token_buckets {
 public:
  // At most `max_keys` buckets: a new key finding the table full first drops the buckets that have
  // refilled (nothing is lost), then, if none has, the least recently used eighth.
  token_buckets(rate r, std::size_t max_keys) : rate_(r), max_keys_(max_keys) {}

  bool take(std::string_view key, std::int64_t now_ms);
  // Milliseconds until `key` has a token (0: now; a key without a bucket has a full one).
  std::int64_t wait_ms(std::string_view key, std::int64_t now_ms);
  // True when `key` has no bucket or a full one (it has not acted lately).
  bool full(std::string_view key, std::int64_t now_ms);
  void forget(std::string_view key);
  std::size_t size() const;

 private:
  struct entry {
    token_bucket bucket;
    std::int64_t used_ms;
  };
  entry& find_or_add(std::string_view key, std::int64_t now_ms);
  void make_room(std::int64_t now_ms);

  const rate rate_;
  const std::size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, entry> buckets_;
};

class user_limits {
 public:
  // One rate per kind of event: kind i of take() is rates[i].
  explicit user_limits(std::vector<rate> rates) : rates_(std::move(rates)) {}

  // A socket of `user` connected / disconnected: the user's buckets live from their first socket
  // to their last, shared by all of them (and by every worker thread).
  void attach(std::int64_t user, std::int64_t now_ms);
  void detach(std::int64_t user);
  // Takes a token of kind `kind` for `user`: false when the event must be refused. A user with no
  // socket (attach was not called) is refused nothing.
  bool take(std::int64_t user, std::size_t kind, std::int64_t now_ms);
  std::size_t users() const;

 private:
  struct entry {
    std::size_t sockets = 0;
    std::vector<token_bucket> buckets;
  };
  const std::vector<rate> rates_;
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, entry> users_;
};

}  // namespace apps
