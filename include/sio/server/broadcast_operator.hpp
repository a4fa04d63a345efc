// sio::broadcast_operator: a chain selecting sockets of a namespace (to/in/except) with flags
// (volatile, compress, local, timeout: flag_builder.hpp), ending in an action (emit,
// emit_with_ack, fetch_sockets, socket_ids, sockets_join/leave, disconnect_sockets). Each step
// returns a new operator (a value).
//
//   io.to("r").emit("ev", 1);
//   auto sockets = co_await io.in("r").fetch_sockets(asio::use_awaitable);
//   auto answers = co_await io.to("r").timeout(2s).emit_with_ack("ev", p, asio::use_awaitable);
//
// Threading: safe from any thread. A broadcast is encoded once on the calling thread, then each
// worker fans it out to its local sockets. The operations that complete later take any Asio
// completion token (completion.hpp); a plain callback runs on one of the workers.
#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/completion.hpp>
#include <sio/server/flag_builder.hpp>
#include <sio/server/types.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio {

class namespace_;
class remote_socket;

class broadcast_operator : public flag_builder<broadcast_operator> {
 public:
  explicit broadcast_operator(std::shared_ptr<namespace_> nsp, broadcast_options opts = {})
      : nsp_(std::move(nsp)), opts_(std::move(opts)) {}

  broadcast_operator to(std::string_view r) const { return with_room(opts_.rooms, r); }
  broadcast_operator to(std::initializer_list<std::string_view> rs) const;
  broadcast_operator to(const std::vector<room>& rs) const;
  broadcast_operator in(std::string_view r) const { return to(r); }
  broadcast_operator except(std::string_view r) const { return with_room(opts_.except, r); }
  broadcast_operator except(std::initializer_list<std::string_view> rs) const;

  template <class... A>
  void emit(std::string_view event, A&&... a) const {
    emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  void emit_payload(std::string_view event, payload p) const;
  // Completes once with (error_code, every matched client's answer); on timeout (see timeout()),
  // sio::error::timeout and the answers received so far. Without timeout() it waits for every
  // answer. Throws std::invalid_argument for a reserved event name.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(boost::system::error_code, std::vector<payload>))
                Token>
  auto emit_with_ack(std::string_view event, payload p, Token&& token) const {
    detail::check_event_name(event);
    return detail::initiate<boost::system::error_code, std::vector<payload>>(
        std::forward<Token>(token), [self = *this, ev = std::string(event),
                                     p = std::move(p)](broadcast_ack_callback cb) mutable {
          self.start_emit_with_ack(ev, std::move(p), std::move(cb));
        });
  }
  // Completes with the ids of the matched sockets (Node's allSockets), across the cluster.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::vector<std::string>)) Token>
  auto socket_ids(Token&& token) const {
    return detail::initiate<std::vector<std::string>>(
        std::forward<Token>(token),
        [self = *this](std::function<void(std::vector<std::string>)> cb) {
          self.start_socket_ids(std::move(cb));
        });
  }
  // Completes with the matched sockets (Node's fetchSockets), across the cluster.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::vector<remote_socket>)) Token>
  auto fetch_sockets(Token&& token) const {
    return detail::initiate<std::vector<remote_socket>>(
        std::forward<Token>(token),
        [self = *this](std::function<void(std::vector<remote_socket>)> cb) {
          self.start_fetch_sockets(std::move(cb));
        });
  }
  void sockets_join(std::string_view r) const { sockets_join({r}); }
  void sockets_join(std::initializer_list<std::string_view> rs) const;
  void sockets_leave(std::string_view r) const { sockets_leave({r}); }
  void sockets_leave(std::initializer_list<std::string_view> rs) const;
  void disconnect_sockets(bool close = false) const;

  const broadcast_options& options() const noexcept { return opts_; }

 private:
  friend class flag_builder<broadcast_operator>;
  broadcast_flags flags() const noexcept { return opts_.flags; }
  broadcast_operator with_flags(broadcast_flags f) const;
  broadcast_operator with_room(const std::vector<room>& list, std::string_view r) const;
  void start_emit_with_ack(std::string_view event, payload p, broadcast_ack_callback cb) const;
  void start_socket_ids(std::function<void(std::vector<std::string>)> cb) const;
  void start_fetch_sockets(std::function<void(std::vector<remote_socket>)> cb) const;

  std::shared_ptr<namespace_> nsp_;
  broadcast_options opts_;
};

// A socket as returned by fetch_sockets (Node's RemoteSocket): a snapshot of its data plus
// actions that reach it wherever it lives.
class remote_socket {
 public:
  remote_socket(std::shared_ptr<namespace_> nsp, socket_info info)
      : nsp_(std::move(nsp)), info_(std::move(info)) {}

  const std::string& id() const noexcept { return info_.id; }
  const handshake_info& handshake() const noexcept { return info_.handshake; }
  const std::vector<room>& rooms() const noexcept { return info_.rooms; }
  const boost::json::object& data() const noexcept { return info_.data; }

  template <class... A>
  void emit(std::string_view event, A&&... a) const {
    self().emit(event, std::forward<A>(a)...);
  }
  void join(std::string_view r) const { self().sockets_join(r); }
  void leave(std::string_view r) const { self().sockets_leave(r); }
  void disconnect(bool close = false) const { self().disconnect_sockets(close); }

 private:
  broadcast_operator self() const { return broadcast_operator(nsp_).to(info_.id); }

  std::shared_ptr<namespace_> nsp_;
  socket_info info_;
};

}  // namespace sio
