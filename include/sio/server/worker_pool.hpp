// The workers the Socket.IO layer runs on: a view over N io_contexts, each run by one thread.
// In production it is the engineio::server's workers; tests build one over their own io_contexts
// (1 or 4) and drive the server's engineio::handler with an in-memory connection.
//
// Thread-safety: immutable after construction; every member is safe from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <utility>
#include <vector>

namespace sio {

class worker_pool {
 public:
  virtual ~worker_pool() = default;
  virtual std::size_t size() const noexcept = 0;
  virtual boost::asio::io_context& context(std::size_t i) noexcept = 0;
  // Index of the worker running the calling thread, or size() when none.
  virtual std::size_t current() const noexcept;

  // Runs f on worker i: inline when already there, else posted.
  template <class F>
  void dispatch(std::size_t i, F&& f) {
    if (current() == i)
      std::forward<F>(f)();
    else
      boost::asio::post(context(i), std::forward<F>(f));
  }
  template <class F>
  void post(std::size_t i, F&& f) {
    boost::asio::post(context(i), std::forward<F>(f));
  }
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
