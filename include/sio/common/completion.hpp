// Completion tokens for sio's operations that complete later (the server's emit_with_ack,
// fetch_sockets, socket_ids, server_count, server_side_emit_with_ack; the client's
// emit_with_ack): any Asio completion token works, e.g. a plain callable (move-only ones too),
// asio::use_awaitable, asio::use_future, asio::as_tuple(...), asio::deferred.
//
// Where the completion runs: on the handler's associated executor when it has one (posted there,
// so a coroutine resumes on its own io_context and never inside the initiating call); a handler
// without one (a plain callable) runs where the operation finished (on one of the server's
// workers or the adapter's thread; on the client's executor), and may run before the initiating
// call returns when the result is known at once (e.g. a broadcast with acks that matched no
// socket).
//
// Thread-safety: a completion is called once, from any thread.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace sio::detail {

// Owns an Asio completion handler until the operation completes; keeps its executor's work
// count up meanwhile (so a user io_context waiting on a co_await does not run out of work).
template <class Handler, class... Args>
class completion {
 public:
  explicit completion(Handler h) : h_(std::move(h)) {
    if constexpr (!runs_inline) work_.emplace(boost::asio::get_associated_executor(*h_));
  }

  void operator()(Args... args) {
    if (!h_) return;  // completed already
    Handler h = std::move(*h_);
    h_.reset();
    if constexpr (runs_inline) {
      std::move(h)(std::move(args)...);
    } else {
      auto ex = boost::asio::get_associated_executor(h);
      boost::asio::post(
          ex, [h = std::move(h), work = std::move(work_), ... args = std::move(args)]() mutable {
            std::move(h)(std::move(args)...);
          });
    }
  }

 private:
  using executor_type = boost::asio::associated_executor_t<Handler>;
  static constexpr bool runs_inline = std::is_same_v<executor_type, boost::asio::system_executor>;

  std::optional<Handler> h_;
  std::optional<boost::asio::executor_work_guard<executor_type>> work_;
};

// A copyable callback over a (possibly move-only) completion handler, for the internal seams
// (adapters, workers) that take std::function.
template <class... Args, class Handler>
std::function<void(Args...)> to_callback(Handler h) {
  auto c = std::make_shared<completion<Handler, Args...>>(std::move(h));
  return [c](Args... args) { (*c)(std::move(args)...); };
}

// async_initiate for an operation completing with void(Args...): start(callback) begins it and
// calls the callback once. `start` owns what it needs (it may run later, e.g. with deferred).
template <class... Args, class Token, class Start>
auto initiate(Token&& token, Start&& start) {
  return boost::asio::async_initiate<Token, void(Args...)>(
      [](auto handler, auto start) { start(to_callback<Args...>(std::move(handler))); }, token,
      std::forward<Start>(start));
}

}  // namespace sio::detail
