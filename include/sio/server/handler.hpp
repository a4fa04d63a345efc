// What server handlers receive: sio::next, a middleware's continuation; sio::ack and the handler
// shapes are in sio/common/handler.hpp (shared with the client):
//
// Handler shapes (socket events: `s.on(event, f)`, after the leading sio::socket&; server-side
// events: `io.on_server_side_emit(event, f)`, with no leading parameter):
//   f(const boost::json::array& args[, sio::ack])  every argument as JSON
//   f(const sio::payload& args[, sio::ack])        every argument, binary attachments included
//   f([sio::ack])                                  no argument (arguments sent are ignored)
//   f(T1 a, T2 b, ...[, sio::ack])                 args[0], args[1], ... converted in order:
//       boost::json::value_to<T> (Boost.Describe structs, tag_invoke, standard types...);
//       sio::binary takes a binary argument's bytes; std::optional<T> is std::nullopt when the
//       argument is missing or null. By value, const T& and T&& alike. Arguments beyond the
//       parameters are ignored.
// A lone boost::json::array or sio::payload parameter always means "every argument".
//
// When an argument does not convert the handler is not called and the socket stays connected:
// an ack the sender asked for is answered with one argument
//   {"error": "argument <n>: <reason>"}      (n counts from 1, the event name not included)
// and without one the event is dropped with one line in the server's log.
//
// A handler needs one call operator with explicit parameter types (a lambda, a function, a
// struct with one operator()): a generic (auto) or overloaded lambda cannot be read, which a
// static_assert says.
//
// Thread-safety: an ack may be called from any thread, once (later calls are ignored).
#pragma once

#include <sio/common/handler.hpp>
#include <sio/server/types.hpp>

#include <functional>
#include <optional>
#include <utility>

namespace sio {

// Continuation of a middleware: next() lets the connection (or packet) through, next(error)
// refuses it. Call it once, from any thread.
class next {
 public:
  using fn = std::function<void(std::optional<connect_error>)>;
  explicit next(fn f) : f_(std::move(f)) {}
  void operator()() const { f_(std::nullopt); }
  void operator()(connect_error e) const { f_(std::move(e)); }

 private:
  fn f_;
};

}  // namespace sio
