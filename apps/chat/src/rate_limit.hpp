// chat::flood_guard: a token bucket per socket bounding how fast one connection may post messages
// (a burst of `burst`, then `per_second`). Time is passed in, so tests need no clock.
//
// Thread-safety: every member may be called from any thread (one mutex around map work).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat {

class flood_guard {
 public:
  flood_guard(double burst, double per_second) noexcept : burst_(burst), rate_(per_second) {}

  // Takes one token of `key`'s bucket: false when it is empty (the message must be refused).
  bool allow(std::string_view key, std::int64_t now_ms);
  void forget(std::string_view key);

 private:
  struct bucket {
    double tokens;
    std::int64_t last_ms;
  };
  double burst_, rate_;
  std::mutex mu_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace chat
