// Internals of sio::engineio::server (private header). Three kinds of objects live on a worker:
//   http_connection  one accepted TCP connection speaking HTTP/1.1 on Beast (polling, app routes,
//                    and the upgrade request that turns it into a ws_transport)
//   ws_transport     one WebSocket (RFC 6455, framed by sio::protocol::websocket), one Engine.IO
//                    packet per frame; queued frames leave in one sendmsg per turn of the
//                    worker's loop
//   session          one Engine.IO session (the `connection` the upper layer sees)
// With server_options::tls, http_connection detects and completes the TLS handshake first, and the
// TLS stream moves to the ws_transport on upgrade; the plain TCP path has no TLS branch per frame.
// A session and its WebSocket always share a worker; a polling request that lands on another
// worker's connection is posted to the session's worker, which posts the response back.
#pragma once

#include <sio/engineio/random_id.hpp>
#include <sio/engineio/server.hpp>
#include <sio/protocol/engineio.hpp>
#include <sio/protocol/engineio_route.hpp>
#include <sio/protocol/websocket.hpp>

#include "address_limits.hpp"
#include "http_compression.hpp"
#include "request_head.hpp"
#include "trusted_proxies.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/error.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sio::engineio::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace eio = sio::protocol::engineio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// A connection's TLS layer (server_options::tls); its TCP socket is its next layer.
using tls_stream = asio::ssl::stream<tcp::socket>;
// A TCP socket bound to one io_context: no type-erased executor in it or in its operations.
using lean_socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

class session;
class http_connection;
struct engine_route;
class ws_transport;
struct server_impl;
struct deflate_pool;

struct endpoint {
  endpoint_options opts;
  std::shared_ptr<handler> h;
  std::size_t index = 0;
  std::string path;  // with trailing slash
  // Set by server::detach before it visits the workers: a worker that has seen it opens no
  // session here and routes the path as if it were not mounted.
  std::atomic<bool> detached{false};
  bool mounted() const noexcept { return !detached.load(std::memory_order_acquire); }
};

// One pending deadline of a session (heartbeat step, upgrade timeout), linked into its worker's
// deadline_queues. 48 bytes, no allocation, instead of an Asio timer and a pending wait per
// session.
struct deadline {
  deadline* prev = nullptr;
  deadline* next = nullptr;
  void* queue = nullptr;  // the FIFO it is linked in; null when not armed
  std::chrono::steady_clock::time_point due{};
  void* owner = nullptr;
  void (*fire)(void* owner) = nullptr;
  bool armed() const noexcept { return queue != nullptr; }
};

// A worker's deadlines: one FIFO per distinct duration (deadlines of one duration are armed in due
// order, so each FIFO stays sorted: arm and disarm are O(1)) and one Asio timer armed at the
// earliest head. Worker thread only.
class deadline_queues {
 public:
  explicit deadline_queues(asio::io_context& ctx) : timer_(ctx) {}
  deadline_queues(const deadline_queues&) = delete;
  deadline_queues& operator=(const deadline_queues&) = delete;
  // (Re)arms d to fire `after` from now. fire runs on the worker; d is unlinked by then.
  void arm(deadline& d, std::chrono::steady_clock::duration after);
  void disarm(deadline& d) noexcept;

 private:
  struct fifo {
    std::chrono::steady_clock::duration after;
    deadline* head = nullptr;
    deadline* tail = nullptr;
  };
  void unlink(deadline& d) noexcept;
  void wait_until(std::chrono::steady_clock::time_point t);
  void on_timer();

  asio::steady_timer timer_;
  std::vector<std::unique_ptr<fifo>> fifos_;  // a handful: one per duration in use
  std::size_t armed_ = 0;
  std::chrono::steady_clock::time_point timer_due_ = std::chrono::steady_clock::time_point::max();
  std::uint64_t gen_ = 0;
};

// A worker's io_context, whose pending handlers can be destroyed ahead of the context itself.
struct worker_context : asio::io_context {  // not final: Asio's traits derive from it
  using asio::io_context::io_context;
  using asio::io_context::shutdown;  // destroys every pending handler, runs none
};

struct worker {
  std::size_t index = 0;
  worker_context ctx{1};
  deadline_queues deadlines{ctx};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
  bool running = false;  // under server_impl::run_mtx: the thread is inside ctx.run()
  // Open HTTP connections, for stop() (any thread: connections may die elsewhere).
  std::mutex conn_mtx;
  std::unordered_map<const void*, std::weak_ptr<http_connection>> connections;
  std::atomic<std::size_t> live{0};  // http_connection + ws_transport objects alive

  // WebSocket I/O (worker thread only): one scratch buffer for every connection's reads, and the
  // connections with frames to write, flushed once per turn of the event loop.
  std::unique_ptr<char[]> scratch;
  // permessage-deflate (worker thread only): the streams shared by the connections without context
  // takeover, the last compressed broadcasts, the inflate buffer. Created with the first use.
  std::unique_ptr<deflate_pool> deflate;
  std::vector<std::shared_ptr<ws_transport>> dirty, flushing;
  bool flush_posted = false;
  // server_options::write_delay: a turn that queues frames within flush_delay of the last flush
  // waits for flush_timer (last flush + flush_delay) instead of flushing at its end.
  std::chrono::microseconds flush_delay{0};
  std::chrono::steady_clock::time_point last_flush{};
  asio::steady_timer flush_timer{ctx};
  void schedule_flush(std::shared_ptr<ws_transport> t);
  void run_flush();

  // Compresses the polling responses written by this worker's connections (worker thread only).
  body_compressor compressor;
};

// Counts an object in its worker's `live` (for a graceful stop that waits for I/O to finish).
class live_token {
 public:
  explicit live_token(worker& w) noexcept : w_(&w) { w_->live.fetch_add(1); }
  ~live_token() { w_->live.fetch_sub(1); }
  live_token(const live_token&) = delete;
  live_token& operator=(const live_token&) = delete;

 private:
  worker* w_;
};

// What server_impl::lookup finds for a sid: the session (it may finish at any time), the index of
// the worker it lives on and of its endpoint.
struct table_entry {
  std::weak_ptr<session> s;
  std::size_t worker = 0;
  std::size_t endpoint = 0;
};

// The sid table holds the sessions themselves (the owning reference that keeps an open session
// alive), hashed and compared by their ids: one node (a link and the session pointer) per session,
// no copy of the key. Its lookups take a sid as a string_view.
struct sid_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view sid) const noexcept {
    return std::hash<std::string_view>{}(sid);
  }
  std::size_t operator()(const std::shared_ptr<session>& s) const noexcept;
};
struct sid_equal {
  using is_transparent = void;
  static std::string_view key(std::string_view sid) noexcept { return sid; }
  static std::string_view key(const std::shared_ptr<session>& s) noexcept;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return key(a) == key(b);
  }
};
using sid_table = std::unordered_set<std::shared_ptr<session>, sid_hash, sid_equal>;

struct handshake_refusal {
  http::status status;
  std::string_view message;
  std::chrono::seconds retry_after{0};  // 0: no Retry-After header
};

// True when the CORS options allow any origin (no list, or "*" alone).
bool allows_any_origin(const cors_options& c) noexcept;

struct server_impl {
  explicit server_impl(server_options o);
  // Destroys the pending handlers of every worker first: they may own connections and sessions
  // of any worker, whose destructors reach their own worker.
  ~server_impl();

  server_options opts;
  trusted_proxies proxies;
  // Declared before the workers: connections and sessions that outlive the workers' handlers
  // release their slots into it.
  connection_counter per_address;
  handshake_limiter handshakes;
  std::vector<std::unique_ptr<worker>> workers;
  std::vector<std::unique_ptr<endpoint>> endpoints;
  http_handler app;
  std::unordered_map<std::string, http_handler> app_routes;  // exact paths, set before start()
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_timer;  // the pause after an accept out of resources
  std::chrono::milliseconds accept_backoff{0};     // that pause's length; 0 after a success
  std::size_t next_worker = 0;
  tcp::endpoint accept_peer;  // the pending accept's peer address (accept() fills it in)
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  // WebSocket connections that agreed permessage-deflate with context takeover (see
  // per_message_deflate_options::max_context_takeover).
  std::atomic<std::size_t> deflate_takeover{0};
  std::mutex stop_mtx;
  std::condition_variable stopped_cv;
  bool joining = false;  // under stop_mtx: a thread is joining the workers
  bool stopped = false;  // under stop_mtx: every worker joined

  // Every open session, by sid (any thread, under table_mtx). An entry goes when its session
  // finishes (remove_session) or with the server (~server_impl); the session's last owning
  // reference may be the entry's, so it is released after the lock.
  std::mutex table_mtx;
  sid_table table;

  // The TLS context new connections use (null without server_options::tls); replaced by
  // reload_tls. A connection's SSL object keeps its own reference to the context it started with.
  std::mutex tls_mtx;
  std::shared_ptr<asio::ssl::context> tls_ctx;
  std::shared_ptr<asio::ssl::context> tls_context();
  error_code load_tls();  // (re)loads tls_ctx from opts.tls; keeps the old one on failure

  // Guards worker::running; run_cv signals a worker thread leaving run() and the progress of
  // run_on_each_worker.
  std::mutex run_mtx;
  std::condition_variable run_cv;

  // Why a handshake from `info` is refused now (HTTP status, message, Retry-After seconds), or
  // nullopt: the per-address handshake rate, then the session limit (max_connections).
  std::optional<handshake_refusal> refuse_handshake(const request_info& info);
  std::optional<table_entry> lookup(std::string_view sid);
  void add_session(std::shared_ptr<session> s);
  void remove_session(std::string_view sid);
  // The sessions that live on worker w (of endpoint ep, when given), from the table.
  std::vector<std::shared_ptr<session>> sessions_of(const worker& w, const endpoint* ep = nullptr);
  std::string generate_id();

  // A slot for a connection just accepted from `peer`, or nullopt to close it at once
  // (max_connections, max_connections_per_address).
  std::optional<address_slot> admit(const tcp::endpoint& peer);
  void do_accept();
  static bool out_of_resources(error_code ec) noexcept;  // EMFILE, ENFILE, ENOBUFS, ENOMEM
  void back_off_accept(error_code ec);
  void hand_over(worker& w, tcp::socket s, const tcp::endpoint& peer);  // accepted, to worker w
  void shutdown_worker(worker& w);
  void run_worker(worker& w);  // a worker thread's body
  void run_on_each_worker(const std::function<void(std::size_t)>& f);
  void close_sessions(worker& w, const endpoint& ep);  // on w: every session of ep shuts down
};

// Builds a request_info from a request head (as read: no Beast request is built); `remote` is the
// TCP peer, `tls` whether the connection itself is TLS.
request_info make_request_info(const request_head& req, const tcp::endpoint& remote,
                               const trusted_proxies& proxies, bool tls);

// A server TLS context from the options' files: TLS 1.2 and 1.3, the options' TLS 1.2 ciphers.
std::shared_ptr<asio::ssl::context> make_tls_context(const tls_options& o, error_code& ec);

// FIFO of outgoing packets for one connection. Unlike std::deque (libstdc++ allocates a 512-byte
// node and its map in the default constructor and keeps one node for ever), it holds no memory
// while empty and gives a burst's memory back once drained: most connections are idle, and two
// deques were ~1.1 KB of each connection's heap. Steady state (one frame at a time) reuses the
// capacity and does not allocate.
template <class T>
class packet_queue {
 public:
  bool empty() const noexcept { return head_ == v_.size(); }
  std::size_t size() const noexcept { return v_.size() - head_; }
  T& front() noexcept { return v_[head_]; }
  const T& back() const noexcept { return v_.back(); }
  const T& front() const noexcept { return v_[head_]; }
  auto begin() const noexcept { return v_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const noexcept { return v_.end(); }
  void push_back(T&& x) { v_.push_back(std::move(x)); }
  void pop_front() {
    v_[head_] = T{};  // release what the element holds now, as std::deque would
    if (++head_ == v_.size()) {
      clear();
    } else if (head_ >= 64 && head_ * 2 >= v_.size()) {
      // A queue that never drains: drop the consumed prefix (amortised O(1) per element).
      v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void pop_back() {
    v_.pop_back();
    if (head_ == v_.size()) clear();
  }
  const T& operator[](std::size_t i) const noexcept { return v_[head_ + i]; }
  void clear() noexcept {
    head_ = 0;
    if (v_.capacity() > kKeep) {
      release();
    } else {
      v_.clear();
    }
  }
  void release() noexcept {  // clear() and give the capacity back
    head_ = 0;
    std::vector<T>().swap(v_);
  }

 private:
  static constexpr std::size_t kKeep = 4;  // capacity kept between bursts
  std::vector<T> v_;
  std::size_t head_ = 0;
};

// A packet_queue whose front item is held inline: a connection with at most one item queued at a
// time (an idle one, or one reply per turn) holds no heap block. The items behind the front go to
// a packet_queue whose capacity is kept only while bursts come on consecutive drains (steady
// fan-out), and given back otherwise (so a connect-time burst does not stay for the connection's
// life).
template <class T>
class inline_front_queue {
 public:
  bool empty() const noexcept { return !full_; }
  std::size_t size() const noexcept { return full_ ? 1 + rest_.size() : 0; }
  T& front() noexcept { return front_; }
  const T& front() const noexcept { return front_; }
  const T& back() const noexcept { return rest_.empty() ? front_ : rest_.back(); }
  const T& operator[](std::size_t i) const noexcept { return i == 0 ? front_ : rest_[i - 1]; }
  void push_back(T&& x) {
    if (!full_) {
      front_ = std::move(x);
      full_ = true;
      return;
    }
    rest_.push_back(std::move(x));
    burst_ = true;
  }
  void pop_front() {
    if (rest_.empty()) {
      front_ = T{};
      full_ = false;
      drained();
      return;
    }
    front_ = std::move(rest_.front());
    rest_.pop_front();
  }
  void pop_back() {
    if (!rest_.empty()) return rest_.pop_back();
    front_ = T{};
    full_ = false;
    drained();
  }
  void clear() noexcept {
    front_ = T{};
    full_ = false;
    rest_.release();
    burst_ = last_burst_ = false;
  }

 private:
  void drained() noexcept {
    if (!(burst_ && last_burst_)) rest_.release();
    last_burst_ = burst_;
    burst_ = false;
  }

  T front_{};
  bool full_ = false;
  bool burst_ = false;       // rest_ used since the last drain
  bool last_burst_ = false;  // ... and before that drain
  packet_queue<T> rest_;
};

// One item queued on a WebSocket: an Engine.IO packet (text = type digit + data; binary = raw data)
// framed at write time, raw bytes written as they are (the 101 response, a close frame), or a
// packet compressed with permessage-deflate (msg: the compressed payload, msg->binary: the opcode;
// framed with RSV1).
struct ws_frame {
  enum class kind : std::uint8_t { packet, raw, deflated };
  ws_frame() = default;
  ws_frame(eio::packet_type t, message_ptr m, kind kd = kind::packet, bool c = true) noexcept
      : msg(std::move(m)), type(t), k(kd), compress(c) {}
  message_ptr msg;  // may be null (control packet without data)
  eio::packet_type type = eio::packet_type::message;
  kind k = kind::packet;  // (members ordered for 24 bytes, not 32)
  bool compress = true;   // a packet: compressed when permessage-deflate allows (send_flags)
};

namespace pmd = sio::protocol::permessage_deflate;

// A worker's permessage-deflate state (worker thread only). Streams without context takeover are
// reset after each message, so one per setting serves every connection of the worker; a message
// compressed by one of them is kept (a few, by identity) so that a broadcast reaching many
// connections of this worker is compressed once.
struct deflate_pool {
  struct shared_deflater {
    int bits, level, mem_level;
    std::unique_ptr<pmd::deflater> z;
  };
  struct shared_inflater {
    int bits;
    std::unique_ptr<pmd::inflater> z;
  };
  struct recent {
    std::weak_ptr<const message> src;  // does not keep the message's bytes alive
    const pmd::deflater* by = nullptr;
    eio::packet_type type = eio::packet_type::message;
    message_ptr out;
  };
  pmd::deflater& deflater(int bits, int level, int mem_level);
  pmd::inflater& inflater(int bits);
  // `src` (a packet of `type`) compressed by `z`: the kept result, or a new one that is kept.
  message_ptr compress(pmd::deflater& z, eio::packet_type type, const message_ptr& src);

  std::vector<shared_deflater> deflaters;
  std::vector<shared_inflater> inflaters;
  std::array<recent, 4> kept;
  std::size_t next_kept = 0;
  std::string inflated;  // the message being delivered (capacity trimmed after large ones)
};

// Compresses packet `type` with payload `m` (as the WebSocket frames it: a text packet's type
// digit, then its data) into the payload of a ws_frame::kind::deflated frame.
message_ptr deflate_packet(pmd::deflater& z, eio::packet_type type, const message_ptr& m);

// A server-side RFC 6455 WebSocket on a plain TCP socket, written for many mostly idle connections
// and broadcast fan-out:
// - reads: wait for readability, then recv into the worker's scratch buffer and parse every whole
//   frame in place (client frames are masked: unmasked in place). Only a partial frame or a
//   fragmented message is kept per connection, so an idle connection holds no buffer.
// - writes: send() only queues; the worker flushes every connection that has frames once per turn
//   of its event loop (worker::schedule_flush), each with one sendmsg gathering all its queued
//   frames (header built on the stack, shared payload never copied). A full socket buffer arms one
//   wait for writability; queued frames stay bounded by the session's max_send_queue.
// permessage-deflate (RFC 7692) when the endpoint enables it: negotiated in accept(), packets of
// at least the threshold compressed as they are queued (in order, so context takeover holds),
// compressed messages inflated bounded by max_payload. Invalid input closes with 1002/1007/1009.
// Over TLS the same frames are parsed and gathered, but reads are async_read_some into a buffer of
// the connection's own and the gathered frames go out as one async_write of a contiguous copy
// (they are encrypted into records anyway).
class ws_transport : public std::enable_shared_from_this<ws_transport> {
 public:
  // `tls`, when set, carries the connection (and `s` is unused); `proto` is `s`'s protocol (the
  // peer address's family). `opts` (max_payload, per_message_deflate) must outlive the transport
  // (an endpoint's options do).
  ws_transport(server_impl& srv, worker& w, tcp::socket s, tcp proto,
               std::unique_ptr<tls_stream> tls, address_slot slot, const endpoint_options& opts);
  ~ws_transport();

  using accept_handler = std::function<void(error_code)>;
  // Validates the upgrade request and queues the 101 response (with `headers`, whole
  // "Name: value\r\n" lines), or answers 400/426 and closes; `done` runs before accept returns.
  void accept(const http::request<http::string_body>& req, std::string_view headers,
              const accept_handler& done);
  void attach(std::weak_ptr<session> s) { session_ = std::move(s); }
  void start_reading();

  void send(ws_frame f);
  std::size_t queued() const noexcept { return queue_.size(); }
  bool writable() const noexcept { return queue_.empty() && !wait_write_ && !closing_; }
  // graceful: flush queued frames first. Either way a close frame follows; idempotent.
  void close(bool graceful);
  worker& owner() noexcept { return w_; }

  // Writes what is queued (worker::run_flush).
  void flush_scheduled();

 private:
  void adopt(tcp::socket s, tcp proto);  // a plain connection's descriptor, into sock_
  void flush();
  void flush_tls();
  void on_readable();
  void read_tls();
  // Decodes received bytes (after any partial frame kept from before); false once the socket is
  // closed.
  bool consume(char* data, std::size_t n);
  void on_event(const sio::protocol::websocket::event& e);
  // permessage-deflate: the agreement for the 101 (false: the offer is refused with 400), a packet
  // compressed when it qualifies, a compressed message inflated and delivered.
  bool negotiate_deflate(const http::request<http::string_body>& req, std::string& response);
  void deflate(ws_frame& f);
  void on_compressed(const sio::protocol::websocket::event& e);
  void deliver(bool binary, std::string_view data);
  // Calls f with the TCP socket under the WebSocket: the TLS stream's, or the plain one.
  template <class F>
  void with_socket(F&& f) {
    if (tls_) return f(tls_->stream->next_layer());
    f(sock_);
  }
  void fail(std::uint16_t code, error_code ec);  // protocol error: close frame, then close
  void queue_close_frame(std::uint16_t code);
  void drop_unsent();
  void read_ended(error_code ec);
  void notify_closed(error_code ec);
  void schedule();
  void wait_writable();
  void after_close_frame();
  void close_socket();
  void arm_close_timer();

  server_impl& srv_;
  worker& w_;
  live_token live_;
  address_slot slot_;  // the peer address's count of open connections
  // A plain connection's socket, typed on the worker's executor: the socket and its pending
  // readiness wait are ~100 bytes smaller than with the type-erased executor (any_io_executor)
  // every accepted socket starts with. Unused with TLS.
  lean_socket sock_;
  // What only a TLS connection needs, kept out of the plain connections' object.
  struct tls_part {
    std::unique_ptr<tls_stream> stream;
    std::unique_ptr<char[]> rx;  // what async_read_some reads into
    std::string tx;              // the frames of the write in flight
  };
  std::unique_ptr<tls_part> tls_;
  inline_front_queue<ws_frame> queue_;    // an idle connection's holds no heap block
  std::size_t head_off_ = 0;              // bytes of queue_.front() already written
  sio::protocol::websocket::decoder rx_;  // holds buffers only for partial frames or messages
  const per_message_deflate_options* deflate_opts_;  // the endpoint's; null: not enabled
  struct deflate_state;                              // ws_transport.cpp
  std::unique_ptr<deflate_state> deflate_;           // what was agreed; null: no extension
  std::unique_ptr<asio::steady_timer> close_timer_;  // only during a closing handshake
  std::weak_ptr<session> session_;
  bool scheduled_ = false;     // in the worker's flush list
  bool wait_write_ = false;    // waiting for writability (TLS: a write in flight)
  bool closing_ = false;       // no more sends accepted
  bool close_queued_ = false;  // our close frame is queued or sent
  bool read_done_ = false;     // no more reads (EOF, error, close frame)
  bool notified_ = false;      // the session heard about the end
  bool dead_ = false;          // socket closed
};

class http_connection : public std::enable_shared_from_this<http_connection> {
 public:
  http_connection(server_impl& srv, worker& w, tcp::socket s, const tcp::endpoint& peer,
                  address_slot slot);
  ~http_connection();

  void start();
  // The response to the request in progress; callable from any thread, once per request.
  // `compress`: a polling response holding a packet sent with compression, encoded as the
  // endpoint's http_compression and the request's Accept-Encoding allow (polling_coding).
  void respond(http::response<http::string_body> res, bool compress = false);
  // Graceful stop: close now if idle, else after the response in progress.
  void shutdown();
  worker& owner() noexcept { return w_; }

 private:
  void start_tls(std::shared_ptr<asio::ssl::context> ctx);
  void on_detected(error_code ec, bool tls, const std::shared_ptr<asio::ssl::context>& ctx);
  void do_read();
  void await_request();  // idle keep-alive connection: wait for the next request's first bytes
  void read_head();
  // Puts what buffer_ holds into the parser, reading more until the request is whole.
  void parse();
  void read_failed(error_code ec);
  void parse_failed(error_code ec);  // the answer to a request that does not parse (or too big)
  bool on_header();                  // the head's checks; false when it was answered
  void on_body();
  void handle_request();
  void handle_engine(const endpoint& ep);
  void handle_engine_upgrade(const endpoint& ep, const engine_route& r);
  void handle_engine_http(const endpoint& ep, const engine_route& r);
  void handle_app();
  // Tells the endpoint's handler about a request error (handler::on_request_error).
  void report(eio::request_error e) noexcept;
  // The handler of the application route for req_: an exact-path route, else on_request's.
  const http_handler* app_handler() const;
  void write(http::response<http::string_body> res, bool compress = false);
  // Encodes the body of a polling response of the request in progress (see respond).
  void encode_body(http::response<http::string_body>& res, bool compress);
  void on_write(error_code ec, bool close);
  bool request_unread() const;  // the request in progress was not read to its end
  void linger();                // after an early answer: discard what the client sends, then close
  void discard();
  void monitor();
  // Reads what the client has sent (at least one byte, or an error) into buffer_, then calls
  // then(*this, ec, n).
  template <class F>
  void read_available(F then, std::size_t chunk = 2048);
  void arm_timer(std::chrono::steady_clock::duration d);
  void close_socket();
  void fail_raw(unsigned status, std::string_view body);  // raw response then close
  void engine_error(eio::request_error e, std::string_view msg = {});
  // A handshake refused by a limit (see server_impl::refuse_handshake); the connection closes.
  void refuse(const handshake_refusal& r, bool websocket);
  void decorate(http::response<http::string_body>& res);
  // Calls f(*s) on the session's worker (posted).
  template <class F>
  void with_session(const std::shared_ptr<session>& s, F f);
  // Hands the request in progress (a poll, a POST, another method) to session `s` on worker `ow`.
  void dispatch(worker& ow, const std::weak_ptr<session>& s, eio::transport_kind t);
  void begin_post();
  void end_post(bool close_session);
  // The allow_request verdict on a handshake, given to `then` with the request (see decide()).
  using verdict_handler = std::function<void(std::optional<std::string>, request_info)>;
  void decide(const endpoint& ep, request_info info, bool watch, verdict_handler then);
  void open_polling(const endpoint& ep, request_info info);
  void upgrade_to_websocket(const endpoint& ep, std::optional<table_entry> entry,
                            request_info info);
  request_info current_info();  // of the request in progress
  // The request in progress as Beast's request (built from head_ at the first call; its body is
  // moved there from head_).
  http::request<http::string_body>& request();
  tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : stream_.socket(); }
  // Calls f with the stream the connection speaks HTTP on: TLS, or the plain TCP stream.
  template <class F>
  void with_stream(F&& f) {
    if (tls_) return f(*tls_);
    f(stream_);
  }

  server_impl& srv_;
  worker& w_;
  live_token live_;
  address_slot slot_;  // the peer address's count of open connections (moves to a ws_transport)
  beast::tcp_stream stream_;  // with TLS, its socket moves into tls_ after the detection
  std::unique_ptr<tls_stream> tls_;
  beast::flat_buffer buffer_;
  request_head head_;                     // the request in progress, as read
  std::optional<head_parser> parser_;     // reads head_ (one per request)
  http::request<http::string_body> req_;  // head_ as Beast's request, when something needs it
  deadline timer_;                        // header, idle and linger timeouts (one at a time)
  std::string out_head_;  // the response head being written (capacity kept for the next one)
  std::string out_body_;  // the response body being written
  tcp::endpoint remote_;
  const endpoint* ep_ = nullptr;  // endpoint of the request in progress (CORS headers)
  std::string origin_;
  eio::route_params params_;  // an endpoint request's routing parameters (EIO, transport, sid)
  bool first_ = true;
  bool head_checked_ = false;  // the parser's head passed on_header
  bool req_built_ = false;     // req_ holds the request in progress
  bool waiting_ = false;       // a response is owed (request dispatched)
  bool reading_ = false;       // a monitor read is in flight
  bool writing_ = false;
  bool closed_ = false;
  bool shutdown_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  std::weak_ptr<session> pending_;       // the session holding our GET
  std::weak_ptr<session> post_session_;  // the session whose POST body we are reading
  std::size_t lingered_ = 0;             // bytes discarded since linger()
};

class session final : public connection, public std::enable_shared_from_this<session> {
 public:
  session(server_impl& srv, worker& w, const endpoint& ep, std::string id, request_info info,
          eio::transport_kind t);
  ~session() override;

  // connection
  std::string_view id() const noexcept override { return {id_.data(), id_.size()}; }
  const request_info& request() const noexcept override { return *info_; }
  std::shared_ptr<const request_info> shared_request() const override { return info_; }
  std::size_t worker_index() const noexcept override { return w_.index; }
  boost::asio::any_io_executor executor() const override { return w_.ctx.get_executor(); }
  std::string_view transport() const noexcept override { return eio::to_string(transport_); }
  send_result send(message_ptr m, send_flags f) override;
  bool writable() const noexcept override;
  void close() override;

  // Engine side (all on the session's worker).
  void open_polling(const std::shared_ptr<http_connection>& c, std::string set_cookie);
  void open_websocket(const std::shared_ptr<ws_transport>& ws);
  void on_get(const std::shared_ptr<http_connection>& c, eio::transport_kind requested);
  void on_post(const std::shared_ptr<http_connection>& c, eio::transport_kind requested,
               std::string body);
  void on_other_method(const std::shared_ptr<http_connection>& c, eio::transport_kind requested);
  void on_binary_post(const std::shared_ptr<http_connection>& c);
  // A POST head arrived / its body will never come (413: keep the session; cut short: close).
  void on_post_begin(const http_connection* c);
  void on_post_end(const http_connection* c, bool close_session);
  void on_poll_aborted(const http_connection* c);
  void on_ws_probe(const std::shared_ptr<ws_transport>& ws);
  void on_ws_data(const ws_transport* ws, bool binary, std::string_view data);
  void on_ws_closed(const ws_transport* ws, error_code ec);
  void shutdown();
  const endpoint& ep() const noexcept { return ep_; }

 private:
  enum class state : std::uint8_t { open, closing, closed };
  enum class hb : std::uint8_t { interval, await_pong, close_wait };

  struct out_packet {  // (members ordered for 24 bytes, not 32)
    message_ptr msg;
    eio::packet_type type;
    bool compress = true;  // send_flags::compress (permessage-deflate, polling compression)
  };

  void push(eio::packet_type t, message_ptr m = nullptr, bool compress = true);
  void flush();
  // Answers the held GET with the queued packets (when include_out) and then `tail` ("1"/"6").
  void respond_poll(std::string_view tail = {}, bool include_out = true);
  void on_packet(eio::packet_type t, bool binary, std::string_view data);
  void on_text(std::string_view text);  // one text record/frame from the active transport
  void on_probe_data(bool binary, std::string_view data);
  bool probing(const ws_transport* ws) const noexcept {
    return upgrade_ && ws == upgrade_->probe.get();
  }
  void end_upgrade() noexcept;  // disarms and frees upgrade_
  void abandon_probe();
  void on_upgrade_tick();
  void release_poll_for_upgrade();  // the held poll, once the probe is answered
  void arm_heartbeat(hb st, std::chrono::milliseconds d);
  void on_heartbeat();
  // Ends the session now: polling GET gets `close_packet` (if any), ws closes, on_close(r).
  void terminate(close_reason r, std::string_view close_packet, bool graceful_ws);
  void finish(close_reason r);
  void call_handler(const std::function<void()>& f);

  server_impl& srv_;
  worker& w_;
  const endpoint& ep_;
  // (The one-byte members are grouped to fill what the 20-byte id leaves of its word and the
  // object's tail: no padding between members.)
  std::array<char, base64id_length> id_{};  // from generate_id(), kept inline
  eio::transport_kind transport_;
  state state_ = state::open;
  close_reason close_reason_ = close_reason::transport_close;
  // While closing over polling: the reason reported when the next GET receives closing_tail_.
  close_reason closing_reason_ = close_reason::forced_close;
  std::shared_ptr<const request_info> info_;  // immutable, shared with the upper layer
  std::string_view closing_tail_ = "1";       // what that GET receives
  packet_queue<out_packet> out_;
  std::shared_ptr<http_connection> get_;   // the GET being held (polling)
  const http_connection* post_ = nullptr;  // the POST being received (identity only)
  std::shared_ptr<ws_transport> ws_;       // active WebSocket
  deadline hb_;  // the heartbeat step due next (interval, pong wait, close wait)
  // What only an upgrade in progress needs, allocated while it lasts (most sessions open on a
  // WebSocket, and an upgraded one keeps nothing of it).
  struct upgrade_state {
    std::shared_ptr<ws_transport> probe;  // WebSocket being probed for an upgrade
    deadline timer;  // upgradeTimeout of the probe, then the upgrade check's ticks
    std::chrono::steady_clock::time_point started;
  };
  std::unique_ptr<upgrade_state> upgrade_;  // null: no upgrade in progress
  hb hb_state_ = hb::interval;
  bool probed_ = false;
  bool upgraded_ = false;
};

// Response helpers shared by the files of this library.
http::response<http::string_body> make_response(http::status st, std::string_view content_type,
                                                std::string body, unsigned version = 11);
http::response<http::string_body> make_error_response(eio::request_error e,
                                                      std::string_view msg = {});

}  // namespace sio::engineio::detail
