// Internal: an adapter as the Redis connections' callbacks see it. Those run on Redis's strand,
// possibly after the adapter (or its namespace) is gone: they reach the adapter only through
// with(), which holds the namespace alive for the call.
#pragma once

#include <sio/server/adapter.hpp>

#include <memory>
#include <mutex>

namespace sio::redis {

template <class Adapter>
class alive_adapter {
 public:
  explicit alive_adapter(Adapter* a) : self_(a) {}

  // The adapter is being destroyed: later with() calls do nothing.
  void forget() {
    std::lock_guard lk(mu_);
    self_ = nullptr;
  }

  // Runs fn(adapter) if the adapter and its namespace (`host`) are still alive.
  template <class F>
  void with(adapter_host& host, F&& fn) {
    std::shared_ptr<const void> keep;
    Adapter* a = nullptr;
    {
      std::lock_guard lk(mu_);
      if (!self_) return;
      try {
        keep = host.keep_alive();
      } catch (const std::bad_weak_ptr&) {
        return;  // the namespace is being destroyed (or not yet fully built)
      }
      a = self_;
    }
    fn(*a);
  }

 private:
  std::mutex mu_;
  Adapter* self_;  // null once the adapter is gone
};

}  // namespace sio::redis
