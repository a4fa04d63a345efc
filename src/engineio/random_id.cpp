#include <sio/engineio/random_id.hpp>

#include <sio/protocol/engineio.hpp>

#include <openssl/rand.h>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <utility>

namespace sio::engineio {

namespace {

// Bumped in a forked child: a pool filled before the fork must not hand the parent's next bytes
// to the child too.
std::atomic<std::uint64_t> fork_generation{0};

void on_fork_child() noexcept {
  fork_generation.fetch_add(1, std::memory_order_relaxed);
}

// CSPRNG bytes drawn 1 KiB at a time (one RAND_bytes call costs about as much as building an id
// and the session around it), each byte handed out once. One pool per thread: no lock.
class byte_pool {
 public:
  byte_pool() {
    static const bool registered = [] {
      ::pthread_atfork(nullptr, nullptr, on_fork_child);
      return true;
    }();
    (void)registered;
  }

  std::span<const unsigned char> take(std::size_t n) {
    const auto gen = fork_generation.load(std::memory_order_relaxed);
    if (gen != generation_) {
      generation_ = gen;
      pos_ = bytes_.size();
    }
    if (bytes_.size() - pos_ < n) refill();
    const std::span<const unsigned char> out(bytes_.data() + pos_, n);
    pos_ += n;
    return out;
  }

  static constexpr std::size_t capacity = 1024;

 private:
  void refill() {
    if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1)
      throw std::runtime_error("RAND_bytes failed");
    pos_ = 0;
  }

  std::array<unsigned char, capacity> bytes_{};
  std::size_t pos_ = capacity;  // empty until the first draw
  std::uint64_t generation_ = 0;
};

}  // namespace

void prepare_random_ids() {
  if (RAND_status() != 1) throw std::runtime_error("the CSPRNG cannot be seeded");
}

std::string random_id(std::size_t length) {
  // Whole groups of 3 bytes, 4 characters each (no padding); the last group is cut to length.
  thread_local byte_pool pool;
  std::string id;
  while (id.size() < length) {
    const std::size_t chars = std::min<std::size_t>(length - id.size(), 48 / 3 * 4);
    const std::size_t n = (chars + 3) / 4 * 3;
    auto part = protocol::engineio::base64url_encode(pool.take(n));
    if (id.empty()) {
      id = std::move(part);  // the usual single draw: no copy
    } else {
      id += part;
    }
  }
  id.resize(length);
  return id;
}

}  // namespace sio::engineio
