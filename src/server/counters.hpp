// The per-worker counter blocks behind server::metrics(). Not installed.
//
// A block is written by one thread only (its worker) with a relaxed load and store, so counting
// is a plain add with no read-modify-write; the last block (other_threads) is shared by every
// thread that is no worker and uses fetch_add. Any thread may read any block.
#pragma once

#include <sio/server/metrics.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sio::detail {

struct alignas(64) counter_block {
  using counter = std::atomic<std::uint64_t>;
  struct request_counters {
    counter count{0}, timeouts{0}, nanoseconds{0};
    std::array<counter, adapter_request_buckets.size() + 1> buckets{};
  };
  counter polling_opened{0}, websocket_opened{0}, upgraded{0};
  counter polling_closed{0}, websocket_closed{0};
  counter packets_in{0}, bytes_in{0}, packets_out{0}, bytes_out{0};
  counter broadcasts{0}, acks_added{0}, acks_settled{0}, overflows{0};
  std::array<counter, disconnect_reason_count> disconnects{};
  std::array<counter, request_error_count> request_errors{};
  std::array<request_counters, adapter_request_count> requests{};
  std::atomic<std::int64_t> loop_lag_ns{0};

  worker_metrics read() const noexcept;
};

class counters {
 public:
  // `workers` single-writer blocks plus one for other threads.
  explicit counters(std::size_t workers) : blocks_(workers + 1) {}

  // Adds n to c, a counter of block w; w == the worker count means "not a worker".
  void add(std::size_t w, counter_block::counter counter_block::*c, std::uint64_t n = 1) noexcept {
    bump(blocks_[w].*c, w, n);
  }
  void disconnected(std::size_t w, disconnect_reason r) noexcept {
    bump(blocks_[w].disconnects[static_cast<std::size_t>(r)], w, 1);
  }
  void request_error(std::size_t w, std::size_t code) noexcept {
    if (code < request_error_count) bump(blocks_[w].request_errors[code], w, 1);
  }
  // One adapter request of type t completed after `ns` nanoseconds.
  void request_done(std::size_t w, adapter_request t, std::uint64_t ns, bool timed_out) noexcept {
    auto& r = blocks_[w].requests[static_cast<std::size_t>(t)];
    bump(r.count, w, 1);
    if (timed_out) bump(r.timeouts, w, 1);
    bump(r.nanoseconds, w, ns);
    bump(r.buckets[bucket_of(ns)], w, 1);
  }
  // The histogram bucket of a latency: the first bound it does not exceed, else the last.
  static std::size_t bucket_of(std::uint64_t ns) noexcept;
  void loop_lag(std::size_t w, std::int64_t ns) noexcept {
    blocks_[w].loop_lag_ns.store(ns, std::memory_order_relaxed);
  }
  std::size_t workers() const noexcept { return blocks_.size() - 1; }
  const counter_block& block(std::size_t i) const noexcept { return blocks_[i]; }

 private:
  void bump(counter_block::counter& x, std::size_t w, std::uint64_t n) noexcept {
    if (w + 1 == blocks_.size())
      x.fetch_add(n, std::memory_order_relaxed);
    else
      x.store(x.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  std::vector<counter_block> blocks_;
};

}  // namespace sio::detail
