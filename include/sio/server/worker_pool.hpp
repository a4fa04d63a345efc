// The workers the Socket.IO layer runs on: a view over N io_contexts, each run by one thread.
// In production it is the engineio::server's workers; tests build one over their own io_contexts
// (1 or 4) and drive the server's engineio::handler with an in-memory connection.
//
// Work a worker posts to another worker waits in the posting worker's outbox for that worker and
// is handed over once, at the end of the posting worker's turn of its event loop (as the engine's
// WebSocket writes are), in one handler: the receiving worker runs everything one turn sent it
// back to back, and its connections' frames leave together. Order is kept: everything worker A
// posts to worker B runs on B in the order A posted it, and nothing waits past the end of the turn
// that posted it.
//
// Thread-safety: every member is safe from any thread; a worker's outbox is touched only by that
// worker's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace sio {

namespace detail {
// One piece of work posted to another worker (move-only callables too).
class pool_task {
 public:
  template <class F>
  explicit pool_task(F&& f) : p_(std::make_unique<impl<std::decay_t<F>>>(std::forward<F>(f))) {}
  void operator()() { p_->run(); }

 private:
  struct base {
    virtual ~base() = default;
    virtual void run() = 0;
  };
  template <class F>
  struct impl final : base {
    explicit impl(F&& f) : fn(std::move(f)) {}
    explicit impl(const F& f) : fn(f) {}
    void run() override { fn(); }
    F fn;
  };
  std::unique_ptr<base> p_;
};
struct pool_outboxes;
}  // namespace detail

class worker_pool {
 public:
  worker_pool() = default;
  virtual ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  virtual std::size_t size() const noexcept = 0;
  virtual boost::asio::io_context& context(std::size_t i) noexcept = 0;
  // Index of the worker running the calling thread, or size() when none.
  virtual std::size_t current() const noexcept;

  // Runs f on worker i: inline when already there, else as post() does.
  template <class F>
  void dispatch(std::size_t i, F&& f) {
    const std::size_t self = current();
    if (self == i)
      std::forward<F>(f)();
    else
      post_from(self, i, std::forward<F>(f));
  }
  // Runs f on worker i later: from another worker of this pool through that worker's outbox
  // (handed over at the end of its turn), else posted to i at once.
  template <class F>
  void post(std::size_t i, F&& f) {
    post_from(current(), i, std::forward<F>(f));
  }

 private:
  template <class F>
  void post_from(std::size_t self, std::size_t i, F&& f) {
    if (self == i || self >= size())
      boost::asio::post(context(i), std::forward<F>(f));
    else
      enqueue(self, i, detail::pool_task(std::forward<F>(f)));
  }
  void enqueue(std::size_t from, std::size_t to, detail::pool_task t);

  std::once_flag outboxes_once_;
  std::shared_ptr<detail::pool_outboxes> outboxes_;
};

// A pool over io_contexts owned by someone else (tests, embedding).
class context_pool final : public worker_pool {
 public:
  explicit context_pool(std::vector<boost::asio::io_context*> contexts)
      : contexts_(std::move(contexts)) {}
  std::size_t size() const noexcept override { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t i) noexcept override { return *contexts_[i]; }

 private:
  std::vector<boost::asio::io_context*> contexts_;
};

}  // namespace sio
