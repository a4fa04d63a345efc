// Internals of sio_server shared by its sources: the server state, the per-connection client and
// the socket construction record. Not installed.
#pragma once

#include <sio/engineio/connection.hpp>
#include <sio/engineio/random_id.hpp>
#include <sio/protocol/socketio.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/server.hpp>
#include <sio/server/socket.hpp>

#include "counters.hpp"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sio::detail {

disconnect_reason to_disconnect_reason(engineio::close_reason r) noexcept;
void default_log(std::string_view msg);
// EVENT [event, args...] for namespace nsp (attachments moved along); throws
// std::invalid_argument for a reserved event name.

class client;
struct server_state;

// Times one request the server makes through the adapter: started at construction, recorded by
// done() (from any thread; call it once).
class request_timer {
 public:
  request_timer(std::shared_ptr<server_state> st, adapter_request type)
      : st_(std::move(st)), type_(type), start_(std::chrono::steady_clock::now()) {}
  void done(bool timed_out = false) const noexcept;

 private:
  std::shared_ptr<server_state> st_;
  adapter_request type_;
  std::chrono::steady_clock::time_point start_;
};

struct server_state : std::enable_shared_from_this<server_state> {
  server_options opts;
  std::shared_ptr<worker_pool> pool;
  std::atomic<bool> stopped{false};   // the server is being destroyed: refuse new connections
  std::atomic<bool> detached{false};  // the engine let go of our handler (handler::on_detach)
  bool json_parser = false;           // opts.parser is the JSON one: packets as text

  mutable std::mutex mu;  // guards nsps and parents (map work only)
  std::unordered_map<std::string, std::shared_ptr<namespace_>> nsps;
  std::vector<std::shared_ptr<namespace_>> parents;

  struct alignas(64) worker {
    std::unordered_map<const engineio::connection*, std::shared_ptr<client>> clients;
    std::weak_ptr<boost::asio::steady_timer> lag_timer;  // the loop lag check (with an engine)
  };
  std::vector<worker> workers;
  std::unique_ptr<counters> metrics;  // null when options.metrics.enabled is false

  // Adds n to counter c of worker w's block (w == workers.size(): the calling thread is no worker).
  void count(std::size_t w, counter_block::counter counter_block::*c,
             std::uint64_t n = 1) noexcept {
    if (metrics) metrics->add(w, c, n);
  }
  // Adds to c on the calling thread's block.
  void count_here(counter_block::counter counter_block::*c) noexcept {
    if (metrics) metrics->add(pool->current(), c);
  }
  // Records one adapter request of type t started at `start`, on the calling thread's block.
  void request_done(adapter_request t, std::chrono::steady_clock::time_point start,
                    bool timed_out = false) noexcept;
  // Measures worker w's event-loop lag every `period` while this state lives.
  void start_lag_checks(std::chrono::milliseconds period);
  metrics_snapshot snapshot() const;

  std::shared_ptr<namespace_> get_or_create(std::string_view name);
  // An existing namespace, or a new child of the first matching dynamic parent, or nullptr.
  std::shared_ptr<namespace_> find_for_connect(std::string_view name,
                                               const boost::json::object& auth);
  std::string new_id() {
    return opts.id_generator ? opts.id_generator() : engineio::random_id(engineio::base64id_length);
  }
  void log(std::string_view msg) const {
    if (opts.log)
      opts.log(msg);
    else
      default_log(msg);
  }
  // Destruction, in two steps: teardown_worker(w) for every worker, each on its worker or once
  // no thread runs it, then teardown() on any thread. Breaks the ownership cycles (state <->
  // namespaces <-> sockets <-> clients) without racing the workers.
  void teardown_worker(std::size_t w);
  void teardown();
  // Both steps on this thread: when no worker runs this state's code (never started, stopped).
  void teardown_here();
};

// One Engine.IO connection: decodes packets, multiplexes namespaces, owns their sockets. Lives on
// the connection's worker; every member runs there.
class client : public std::enable_shared_from_this<client> {
 public:
  client(std::shared_ptr<server_state> st, engineio::connection_ptr c);

  void start();
  void on_text(std::string_view text);
  void on_binary(std::string_view bytes);
  void on_engine_close(engineio::close_reason r);
  // Server-side close of the whole connection; sockets leave with `r`.
  void close(disconnect_reason r);
  // disconnect(true): every socket leaves ("server namespace disconnect"), then close.
  void disconnect_all();
  void abandon();

  // Writes one encoded packet (dropped when the connection cannot take it).
  void write(const outgoing_packet& p, bool volatile_, bool compress) {
    write(p.frames, volatile_, compress);
  }
  // Writes the frames of one packet: its text, then its attachments.
  void write(std::span<const engineio::message_ptr> frames, bool volatile_, bool compress);
  // Encodes and writes `p`, a packet of this connection alone (CONNECT, ACK, DISCONNECT...).
  void send_packet(protocol::socketio::packet p);

  void add_socket(std::shared_ptr<socket> s);
  void remove_socket(const std::string& nsp) noexcept;
  void remove_pending(const std::string& nsp) noexcept;
  bool open() const noexcept { return !closed_; }

  engineio::connection& conn() noexcept { return *conn_; }
  std::size_t worker() const noexcept { return worker_; }
  const std::shared_ptr<server_state>& state() const noexcept { return st_; }

 private:
  // Every socket leaves with `r`; the client accepts nothing more (the engine connection is left
  // as it is).
  void close_sockets(disconnect_reason r);
  void on_packet(protocol::socketio::packet& p);
  // CONNECT_ERROR {"message": message} for a namespace the client may not join; the connection
  // stays usable for others.
  void refuse_connect(const std::string& nsp, std::string_view message);
  std::shared_ptr<socket> find(std::string_view nsp) const noexcept;

  // Decodes one message with the server's parser and acts on the packet it completes.
  void decode(bool binary, std::string_view data);

  // Kept small: one per connection, most of them idle.
  std::shared_ptr<server_state> st_;
  engineio::connection_ptr conn_;
  std::size_t worker_;
  // The parser's state between messages (JSON: only while a packet waits for its attachments).
  std::unique_ptr<parser_state> parser_state_;
  std::vector<std::shared_ptr<socket>> nsps_;  // connected namespaces
  std::vector<std::string> pending_;           // namespaces whose middlewares still run
  // Until the first namespace connects.
  std::unique_ptr<boost::asio::steady_timer> connect_timer_;
  bool closed_ = false;
  bool overflowed_ = false;
};

// Handles of `frames` whose reference counts belong to the calling worker: the same bytes, kept
// alive by one reference to the originals. With several workers delivering one broadcast, every
// queued copy of a shared handle would move its counter's cache line between cores.
std::vector<engineio::message_ptr> worker_handles(std::span<const engineio::message_ptr> frames);

struct socket_init {
  std::string id;
  std::shared_ptr<namespace_> nsp;
  std::shared_ptr<client> cl;
  std::size_t worker = 0;
  handshake_info handshake;
  std::string engine_id;
};

}  // namespace sio::detail

namespace sio {
struct server::engine_link {
  virtual ~engine_link() = default;
  virtual void start() = 0;
  virtual void run() = 0;
  virtual bool stop() = 0;  // true when the engine is owned (and now stopped)
  virtual std::uint16_t port() const noexcept = 0;
  virtual std::uint16_t metrics_port() const noexcept = 0;
  virtual engineio::server* engine() noexcept = 0;
  // For ~server: lets go of the engine for good (owned: stopped and destroyed; attached: `h`
  // detached, unless the engine is gone already). True when it also ran st.teardown_worker for
  // every worker on the engine's threads; false leaves them to the caller (no engine thread runs).
  virtual bool release(detail::server_state& st, const std::shared_ptr<engineio::handler>& h) = 0;
};
}  // namespace sio
