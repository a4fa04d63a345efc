// sio::broadcast_operator: a chain selecting sockets of a namespace (to/in/except) with flags
// (volatile, compress, local, timeout), ending in an action (emit, emit_with_ack, fetch_sockets,
// sockets_join/leave, disconnect_sockets). Each step returns a new operator (a value).
//
// Threading: safe from any thread. A broadcast is encoded once on the calling thread, then each
// worker fans it out to its local sockets. Completion callbacks (emit_with_ack, fetch_sockets,
// socket_ids) run on one of the workers.
#pragma once

#include <sio/server/adapter.hpp>
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

class broadcast_operator {
 public:
  explicit broadcast_operator(std::shared_ptr<namespace_> nsp, broadcast_options opts = {})
      : nsp_(std::move(nsp)), opts_(std::move(opts)) {}

  broadcast_operator to(std::string_view r) const { return with_room(opts_.rooms, r); }
  broadcast_operator to(std::initializer_list<std::string_view> rs) const;
  broadcast_operator to(const std::vector<room>& rs) const;
  broadcast_operator in(std::string_view r) const { return to(r); }
  broadcast_operator except(std::string_view r) const { return with_room(opts_.except, r); }
  broadcast_operator except(std::initializer_list<std::string_view> rs) const;
  broadcast_operator volatile_() const;
  broadcast_operator compress(bool c) const;
  broadcast_operator local() const;
  broadcast_operator timeout(std::chrono::milliseconds t) const;

  template <class... A>
  void emit(std::string_view event, A&&... a) const {
    emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  void emit_payload(std::string_view event, payload p) const;
  // Every matched client's answer; on timeout (see timeout()), error::timeout and the answers
  // received so far. Without timeout() it waits for every answer.
  void emit_with_ack(std::string_view event, payload p, broadcast_ack_callback cb) const;

  void socket_ids(std::function<void(std::vector<std::string>)> cb) const;
  void fetch_sockets(std::function<void(std::vector<remote_socket>)> cb) const;
  void sockets_join(std::string_view r) const { sockets_join({r}); }
  void sockets_join(std::initializer_list<std::string_view> rs) const;
  void sockets_leave(std::string_view r) const { sockets_leave({r}); }
  void sockets_leave(std::initializer_list<std::string_view> rs) const;
  void disconnect_sockets(bool close = false) const;

  const broadcast_options& options() const noexcept { return opts_; }

 private:
  broadcast_operator with_room(const std::vector<room>& list, std::string_view r) const;

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
