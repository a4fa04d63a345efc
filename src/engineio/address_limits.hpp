// Per-client-address limits of the engine (server_options::max_connections_per_address,
// handshakes_per_second): a counter of open connections per TCP peer and a token bucket of
// handshakes per client address. Both tables are shared by every worker (one mutex each, held for
// the map work only) and bounded. Private to sio_engineio.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace sio::engineio::detail {

class connection_counter;

// One counted connection: released (its address's count decremented) when destroyed. Moves with
// the connection (an HTTP connection, then its WebSocket). Empty: counts nothing.
class address_slot {
 public:
  address_slot() = default;
  // The counter's entry of the address: {address, open connections}.
  using entry = std::pair<const std::string, std::size_t>;

  address_slot(address_slot&& o) noexcept;
  address_slot& operator=(address_slot&& o) noexcept;
  ~address_slot();

 private:
  friend class connection_counter;
  address_slot(connection_counter* c, entry* e) noexcept;
  void release() noexcept;

  // 16 bytes: every open connection holds one, so it points at the counter's entry instead of
  // keeping a copy of the address.
  connection_counter* counter_ = nullptr;
  entry* entry_ = nullptr;
};

// Open connections per TCP peer address. An address is in the table only while it has some, so
// the table never holds more entries than there are open connections.
class connection_counter {
 public:
  explicit connection_counter(std::size_t max_per_address) : max_(max_per_address) {}
  // A slot for one more connection from `address`, or nullopt when it already has the maximum.
  // With a maximum of 0 every connection gets an empty slot.
  std::optional<address_slot> acquire(std::string address);
  std::size_t tracked() const;

 private:
  friend class address_slot;
  void release(address_slot::entry& e) noexcept;

  std::size_t max_;
  mutable std::mutex mtx_;
  std::unordered_map<std::string, std::size_t> counts_;
};

// Handshakes per client address: a token bucket of `burst` tokens refilled at `rate` per second.
// Addresses are kept in least-recently-used order; an entry whose bucket has refilled is dropped
// (two are checked per call), and past `max_tracked` addresses the least recently used goes (it
// starts again with a full bucket).
class handshake_limiter {
 public:
  using clock = std::chrono::steady_clock;
  // A burst below 1 counts as 1, a max_tracked of 0 as 1.
  handshake_limiter(double rate, double burst, std::size_t max_tracked)
      : rate_(rate), burst_(burst < 1 ? 1 : burst), max_tracked_(max_tracked ? max_tracked : 1) {}
  // Takes a token for `address` at `now`: nullopt when allowed, else the whole seconds after which
  // a token will be there (the Retry-After value, at least 1). A rate of 0 allows everything.
  std::optional<std::chrono::seconds> take(std::string_view address, clock::time_point now);
  std::size_t tracked() const;

 private:
  struct bucket {
    std::string address;
    double tokens = 0;
    clock::time_point last;
  };
  using lru = std::list<bucket>;
  double refilled(const bucket& b, clock::time_point now) const noexcept;
  void drop_idle(clock::time_point now);

  double rate_;
  double burst_;
  std::size_t max_tracked_;
  mutable std::mutex mtx_;
  lru order_;                                                  // most recently used first
  std::unordered_map<std::string_view, lru::iterator> index_;  // keys view bucket::address
};

}  // namespace sio::engineio::detail
