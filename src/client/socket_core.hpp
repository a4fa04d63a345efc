// The state of one sio::client::socket, on its manager's strand (the JavaScript client's Socket):
// CONNECT with auth (and pid/offset for recovery), events and their handlers, acks both ways,
// the send and receive buffers, disconnect reasons.
//
// Threading: every member not marked otherwise is touched on the manager's strand only; the
// public socket posts there through run(). The mirrors (id, connected, active, recovered) are
// readable from any thread.
#pragma once

#include "manager_core.hpp"

#include <sio/client/socket.hpp>
#include <sio/protocol/socketio.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::client::detail {

struct socket_core : std::enable_shared_from_this<socket_core> {
  socket_core(std::shared_ptr<manager_core> m, std::string nsp, socket_options options);

  // Runs f(*this) on the strand (at once when there); when the manager is gone, `inert` runs
  // instead, at once, on the calling thread.
  template <class F, class G>
  void run(F&& f, G&& inert);
  template <class F>
  void run(F&& f) {
    run(std::forward<F>(f), [] {});
  }

  // --- on the strand -----------------------------------------------------------------------------
  void connect();                           // JS socket.connect()
  void disconnect();                        // JS socket.disconnect()
  void on_open();                           // the manager's connection opened: send CONNECT
  void on_error(std::string_view message);  // a connection attempt failed
  void on_close(disconnect_reason r);       // the manager's connection closed
  void on_packet(protocol::socketio::packet p);
  // The manager closes for good or by close(): leave, complete acks with `closed`, release
  // handlers.
  void close_all();
  void emit(std::string event, payload p, emit_flags f, ack_callback cb);
  void send_ack(std::uint64_t id, payload p);
  void log(std::string_view line) const;

  // Handlers (strand).
  struct event_entry {
    socket::event_handler fn;
    bool once = false;
  };
  std::map<std::string, std::vector<std::shared_ptr<event_entry>>, std::less<>> events;
  std::vector<std::shared_ptr<socket::any_handler>> any;
  std::vector<std::shared_ptr<socket::any_handler>> any_outgoing;
  std::vector<std::shared_ptr<socket::connect_handler>> on_connect;
  std::vector<std::shared_ptr<socket::connect_error_handler>> on_connect_error;
  std::vector<std::shared_ptr<socket::disconnect_handler>> on_disconnect;

  // Weak: a socket keeps no manager alive (and holds nothing of its io_context).
  const std::weak_ptr<manager_core> manager;
  const std::string nsp;
  const socket_options options;

  // Mirrors for readers on any thread.
  std::atomic<bool> connected{false};
  std::atomic<bool> active{false};
  std::atomic<bool> recovered{false};
  mutable std::mutex id_mu;
  std::string id;  // guarded by id_mu

 private:
  struct pending_ack {
    ack_callback cb;
    std::unique_ptr<boost::asio::steady_timer> timer;  // with a timeout
  };
  struct outgoing {
    protocol::socketio::packet packet;
    std::string event;
    payload args;  // for the outgoing listeners (empty when there are none)
  };

  void send_connect(boost::json::object auth);
  void on_connected(std::string sid, std::optional<std::string> pid);
  void on_event(protocol::socketio::packet p);
  void on_ack(protocol::socketio::packet p);
  void on_connect_error_packet(const boost::json::value& data);
  void dispatch(std::string event, payload args, std::optional<std::uint64_t> ack_id);
  void send(outgoing o);
  void deactivate();                 // JS destroy(): no reconnection of this namespace
  void closed(disconnect_reason r);  // JS onclose()
  // Completes the pending acks with `e`; keep_buffered: not those of emits still in the send
  // buffer (sent after the next connection, as the JS client keeps them).
  void fail_acks(error e, bool keep_buffered);
  void ack_timeout(std::uint64_t id);
  void set_id(std::string v);
  std::shared_ptr<manager_core> mgr() const;

  std::optional<std::string> pid_;
  std::optional<std::string> last_offset_;
  std::uint64_t next_ack_id_ = 0;
  std::uint64_t connect_generation_ = 0;  // auth_fn answers of older attempts are ignored
  bool connect_sent_ = false;
  std::map<std::uint64_t, pending_ack> acks_;
  // Vectors: an empty std::deque allocates (about 600 bytes each, per socket).
  std::vector<outgoing> send_buffer_;
  struct incoming {
    std::string event;
    payload args;
    std::optional<std::uint64_t> ack_id;
  };
  std::vector<incoming> receive_buffer_;
};

template <class F, class G>
void socket_core::run(F&& f, G&& inert) {
  auto m = manager.lock();
  if (!m || m->destroyed) return inert();
  m->run([self = shared_from_this(), m, f = std::forward<F>(f),
          inert = std::forward<G>(inert)]() mutable {
    if (m->destroyed) return inert();
    f(*self);
  });
}

}  // namespace sio::client::detail
