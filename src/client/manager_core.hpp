// The state of one sio::client::manager, on its strand: the engine of the current connection,
// the connect timeout, reconnection with backoff, the namespaces' sockets, the packet codec and
// the manager's events (the JavaScript client's Manager).
//
// Threading: every member not marked otherwise is touched on `strand` only. run() is the door
// from other threads. The mirrors (is_open, engine id, transport) and the namespace table take
// a mutex.
#pragma once

#include "engine.hpp"

#include <sio/client/manager.hpp>
#include <sio/protocol/socketio.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::client::detail {

struct socket_core;

// The JavaScript client's Backoff: min * factor^attempts, jittered by +- jitter * that, capped.
class backoff {
 public:
  backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, double jitter);
  std::chrono::milliseconds duration();
  unsigned attempts() const noexcept { return attempts_; }
  void reset() noexcept { attempts_ = 0; }

 private:
  double min_;
  double max_;
  double jitter_;
  unsigned attempts_ = 0;
  std::minstd_rand rng_;  // jitter only: a few bytes of state (mt19937 holds 5 KB)
};

struct manager_core : std::enable_shared_from_this<manager_core> {
  using strand_type = boost::asio::strand<boost::asio::any_io_executor>;
  enum class ready_state { closed, opening, open };

  // `keep_alive` holds the io_context of an own thread (destroyed after the timers).
  manager_core(boost::asio::any_io_executor ex, server_url url, manager_options options,
               std::shared_ptr<void> keep_alive);
  ~manager_core();

  // Runs f on the strand: at once when called there (calls from a handler take effect in
  // order), else posted (in order per calling thread).
  template <class F>
  void run(F&& f) {
    if (strand.running_in_this_thread())
      std::forward<F>(f)();
    else
      boost::asio::post(strand, std::forward<F>(f));
  }

  // --- on the strand -----------------------------------------------------------------------------
  // Opens the engine unless open or opening. `done` (reconnection attempts) gets the error
  // message, or nullopt when the connection opened.
  void open(std::function<void(std::optional<std::string>)> done = {});
  // The JS manager's _close(): no reconnection, "forced close".
  void force_close();
  // manager::close(): every socket leaves ("io client disconnect"), acks complete with
  // error::closed, handlers are released; the manager may be opened again.
  void close_all();
  // The manager is gone: close_all() and nothing more ever happens.
  void shutdown();
  // A socket became inactive: closes the connection when no socket is active (JS _destroy).
  void socket_inactive();
  // Encodes and writes one packet (nothing when no engine).
  void write(protocol::socketio::packet p);
  bool writable() const noexcept {
    return engine_ && ready_ == ready_state::open && engine_->writable();
  }
  bool opened() const noexcept { return ready_ == ready_state::open; }
  bool reconnecting() const noexcept { return reconnecting_; }
  void log(std::string_view line) const;

  // --- any thread --------------------------------------------------------------------------------
  std::shared_ptr<client::socket> socket(std::string nsp, socket_options options);
  // The namespace's socket is being destroyed: forget it (on the strand).
  void forget(const std::shared_ptr<socket_core>& s);

  const std::shared_ptr<void> keep_alive;  // first: destroyed after everything on its io_context
  strand_type strand;
  const server_url url;
  // Immutable, shared with the engines' transports (no copy per connection).
  const std::shared_ptr<const manager_options> shared_options;
  const manager_options& options;
  std::atomic<bool> destroyed{false};  // shutdown() ran: every later call is ignored

  // Handlers (strand).
  std::function<void()> on_open;
  std::function<void(std::string_view)> on_close;
  std::function<void(std::string_view)> on_error;
  std::function<void()> on_ping;
  std::function<void(unsigned)> on_reconnect_attempt;
  std::function<void(unsigned)> on_reconnect;
  std::function<void(std::string_view)> on_reconnect_error;
  std::function<void()> on_reconnect_failed;
  std::function<void(transport)> on_upgrade;

  // Mirrors for readers on any thread.
  std::atomic<bool> is_open{false};
  mutable std::mutex mirror_mu;
  std::string engine_id;             // guarded by mirror_mu
  std::optional<transport> current;  // guarded by mirror_mu

 private:
  struct nsp_entry {
    std::shared_ptr<socket_core> core;
    std::weak_ptr<client::socket> pub;
  };

  void on_engine_open(const engine_handshake& h);
  void on_engine_message(std::string data, bool binary);
  void on_engine_error(std::string message);
  void on_engine_close(std::string reason);
  void on_packet(protocol::socketio::packet p);
  void on_connect_timeout();
  // The JS manager's onclose(reason): sockets disconnect with `reason`, reconnection may follow.
  void closed(std::string_view reason);
  void reconnect();
  void reconnect_now();
  void cleanup();  // the engine's callbacks, the connect timer, the decoder
  void drop_engine();
  void set_mirrors();
  std::vector<std::shared_ptr<socket_core>> sockets() const;
  template <class... A, class... B>
  void emit(const std::function<void(A...)>& h, B&&... b);

  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::shared_ptr<engine> engine_;
  std::uint64_t generation_ = 0;  // of the engine whose callbacks are heard
  ready_state ready_ = ready_state::closed;
  bool reconnecting_ = false;
  std::uint64_t reconnect_generation_ = 0;  // of the pending reconnection timer
  bool skip_reconnect_ = false;
  bool websocket_first_ = false;
  std::shared_ptr<tls_context_cache> tls_;  // secure URLs only
  std::function<void(std::optional<std::string>)> open_done_;
  backoff backoff_;
  protocol::socketio::decoder decoder_;

  mutable std::mutex nsps_mu_;
  std::map<std::string, nsp_entry, std::less<>> nsps_;  // guarded by nsps_mu_
};

}  // namespace sio::client::detail
