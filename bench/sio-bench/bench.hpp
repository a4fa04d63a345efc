// sio-bench: a Socket.IO v5 / Engine.IO v4 load generator that speaks the protocol itself.
//
// Shape: one io_context per thread (usually one), thousands of clients on each. Every client is a
// small state machine over one WebSocket (or two keep-alive HTTP connections for polling); frames
// are formatted into per-client buffers that are reused, so the steady state allocates nothing per
// message. Latency is measured from the *intended* send time carried in each message, so a server
// that falls behind is charged for the queueing it causes (no coordinated omission).
//
// Thread-safety: a client lives on its worker's thread. Counters the control thread polls are
// atomics written by one thread each; histograms are merged after the workers stopped.
#pragma once

#include "histogram.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;

enum class scenario_kind { connect, connect_upgrade, idle, echo, fanout, rooms, polling };
enum class transport_kind { websocket, polling };

// One server of the run (--url, given once per node of a cluster).
struct server_address {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
};

struct config {
  // Clients are spread over these servers (several: the nodes of one cluster).
  std::vector<server_address> servers;
  std::string path = "/socket.io/";
  scenario_kind scenario = scenario_kind::echo;
  std::string scenario_name = "echo";
  transport_kind transport = transport_kind::websocket;
  std::size_t clients = 100;     // receivers for fanout/rooms (the senders are more connections)
  std::size_t senders = 1;       // fanout/rooms: senders, spread over the servers
  double rate = 1000;            // messages/s offered (all clients together); 0 = closed loop
  double duration = 5;           // measurement window, s
  double warmup = 1;             // sending before the window, s
  double drain = 3;              // wait for late answers after the window, s
  std::size_t payload = 32;      // bytes of filler in each message
  std::vector<int> server_pids;  // CPU and RSS summed over these processes
  // --redis-info HOST:PORT: a Redis whose CPU (INFO cpu) is sampled over the window too.
  std::optional<server_address> redis;
  bool json = false;
  bool verify = false;
  std::size_t threads = 1;
  std::size_t sources = 0;        // source addresses 127.0.0.1..N; 0 = enough for the port range
  std::size_t room_size = 0;      // rooms: members per room (0 = 100); fanout: one room of all
  std::size_t concurrency = 256;  // connection attempts in flight per thread
  std::size_t window = 4;         // fanout with rate 0: messages in flight (not fully delivered)
  double connect_timeout = 60;    // s for the whole connect phase
  bool beast_ws = false;          // Beast's websocket::stream instead of the lean client
  bool sio_client = false;        // sio's own client (sio::client), a manager per client
  bool tls = false;  // https:// or wss:// URL: Beast's client over TLS (certificate not verified)
  // --parser msgpack: Socket.IO packets as socket.io-msgpack-parser writes them (binary frames;
  // the lean WebSocket client only).
  bool msgpack = false;
  // --deflate: the lean client offers permessage-deflate (and inflates what arrives compressed;
  // it sends uncompressed), and the filler is text that compresses like chat messages, not 'x's.
  bool deflate = false;
};

// Nanoseconds on the steady clock since the generator started (small enough to travel through
// JSON numbers as exact doubles).
std::int64_t now_ns() noexcept;
std::chrono::steady_clock::time_point to_time_point(std::int64_t ns) noexcept;

// Single-writer counter the control thread may read at any time.
struct counter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n = 1) noexcept {
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

struct counters {
  counter connected, connect_failed, disconnected, joined;
  counter sent_window, expected_window, delivered_window, received_in_window;
  counter sent_total, received_total;
  counter overruns, out_of_order, duplicates, payload_errors, protocol_errors;
  counter bytes_in;  // bytes read from the server by the lean WebSocket client (the wire's)
  std::atomic<std::int64_t> last_connect_ns{0};
};

class worker;
class client;

// Fixed-capacity FIFO (no allocation after construction): a client's packets waiting for the
// write in flight.
template <class T>
class ring {
 public:
  explicit ring(std::size_t capacity) : v_(capacity) {}
  bool empty() const noexcept { return size_ == 0; }
  // False when full.
  bool push(const T& x) noexcept {
    if (size_ == v_.size()) return false;
    v_[(head_ + size_) % v_.size()] = x;
    ++size_;
    return true;
  }
  T pop() noexcept {
    const T x = v_[head_];
    head_ = (head_ + 1) % v_.size();
    --size_;
    return x;
  }

 private:
  std::vector<T> v_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// A fanout sender: its client, its worker, and its own sequence numbers. Its messages carry
// global seq = n * senders + its index, so receivers and completion slots tell senders apart.
struct sender_state {
  client* cl = nullptr;
  worker* w = nullptr;
  std::vector<std::uint64_t> room_seq;
  std::uint64_t next = 0;  // n of its next message
};

// State shared by all workers for one run.
struct shared_state {
  explicit shared_state(const config& c);

  // One server: where to connect and what to say to it.
  struct target {
    tcp::endpoint endpoint;
    std::string host_header;
    std::string ws_request;  // the upgrade request of the lean client
    // What follows the request target in it (" HTTP/1.1", the headers): the request of a
    // polling session's upgrade is "GET " + ws_target + "&sid=" + sid + ws_request_tail.
    std::string ws_request_tail;
  };
  // The server of client `index`: senders round-robin; a room's receivers spread over every
  // server (so every broadcast crosses the cluster); echo and idle clients round-robin.
  const target& target_of(std::uint32_t index) const;

  const config& cfg;
  std::vector<target> targets;  // cfg.servers, resolved
  std::string ws_target;
  std::unique_ptr<net::ssl::context> tls;  // cfg.tls: the clients' TLS context
  std::string polling_target;
  std::string pad;  // payload filler
  std::int64_t window_start = 0;
  std::int64_t window_end = 0;
  std::atomic<bool> sending{false};
  std::atomic<std::uint64_t> active_total{0};  // clients taking part in echo

  // fanout / rooms
  std::size_t rooms = 1;
  std::unique_ptr<std::atomic<std::uint32_t>[]> room_members;  // joined members per room
  static constexpr std::size_t slot_count = 4096;
  std::unique_ptr<std::atomic<std::uint32_t>[]> slots;  // deliveries per message (closed loop)
  std::vector<sender_state> senders;                    // cfg.senders of them (fan scenarios)
};

// Base of the two transports: the Engine.IO / Socket.IO part every client shares.
class client {
 public:
  enum class role : std::uint8_t { echo, receiver, sender, idle };
  enum class msg_kind : std::uint8_t { sio_connect, pong, echo, join, fanout };
  struct out_msg {
    msg_kind kind = msg_kind::pong;
    std::uint32_t room = 0;
    std::uint64_t a = 0;  // echo: seq; fanout: room seq
    std::uint64_t b = 0;  // fanout: global seq
    std::int64_t t = 0;   // intended send time
  };

  client(worker& w, std::uint32_t index, role r, std::uint32_t room, net::ip::address_v4 src);
  virtual ~client() = default;
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  virtual void start() = 0;
  // Abort the connection (end of run); no error is counted.
  void close();

  bool ready() const noexcept { return phase_ == phase::connected; }
  bool joined() const noexcept { return joined_; }
  role kind() const noexcept { return role_; }
  std::uint32_t room() const noexcept { return room_; }
  std::uint32_t index() const noexcept { return index_; }
  std::int64_t connect_started() const noexcept { return connect_start_; }

  void send_echo(std::int64_t t);
  void send_join();
  void send_fanout(std::uint32_t room, std::uint64_t room_seq, std::uint64_t global_seq,
                   std::int64_t t);

 protected:
  enum class phase : std::uint8_t { idle, connecting, open, connected, dead };

  // Queue one packet; false when the client's bounded queue is full (counted as an overrun).
  virtual bool push(const out_msg& m) = 0;
  virtual void close_transport() = 0;
  // Appends the Engine.IO text packet for m (with --parser msgpack, the bytes of a binary message
  // unless binary(m) is false).
  void format(const out_msg& m, std::string& out) const;
  bool binary(const out_msg& m) const noexcept {
    return sh_.cfg.msgpack && m.kind != msg_kind::pong;
  }
  // One Engine.IO text packet received.
  void on_packet(std::string_view p);
  // One binary message received: with --parser msgpack, a Socket.IO packet.
  void on_binary(std::string_view p);
  // The Socket.IO CONNECT was answered: by default the client counts as connected.
  virtual void sio_connected();
  void fail(bool protocol_error);
  bool closing() const noexcept { return closing_; }
  // The bookkeeping of what arrived, once parsed (pad_ok: the filler came back intact, or
  // --verify is off): the join's ack, an echo's ack `id` carrying seq and t, a fanout delivery.
  void join_answered();
  void echo_answered(std::uint64_t id, std::uint64_t seq, std::uint64_t t, bool pad_ok);
  void fanout_received(std::uint64_t rseq, std::uint64_t gseq, std::uint64_t t, bool pad_ok);

  worker& w_;
  shared_state& sh_;
  const shared_state::target& target_;
  net::ip::address_v4 src_;
  std::uint32_t index_;
  std::uint32_t room_;
  role role_;
  phase phase_ = phase::idle;
  bool joined_ = false;
  bool closing_ = false;
  std::string sid_;
  std::int64_t connect_start_ = 0;
  std::uint64_t next_seq_ = 1;              // echo: next seq to send (= ack id)
  std::uint64_t expect_ack_ = 1;            // echo: next ack expected
  std::vector<std::uint64_t> expect_rseq_;  // fanout: next room seq expected, per sender

 private:
  void on_ack(std::string_view p);
  void on_event(std::string_view p);
  void on_fanout(std::string_view args);
};

std::shared_ptr<client> make_ws_client(worker& w, std::uint32_t index, client::role r,
                                       std::uint32_t room, net::ip::address_v4 src);
// A client on sio's own Socket.IO client (--ws-client sio): one sio::client::manager on the
// worker's io_context, WebSocket only, no reconnection; the cost of the full client beside the
// lean one.
std::shared_ptr<client> make_sio_client(worker& w, std::uint32_t index, client::role r,
                                        std::uint32_t room);
std::shared_ptr<client> make_polling_client(worker& w, std::uint32_t index, client::role r,
                                            std::uint32_t room, net::ip::address_v4 src);

// One event loop and the clients living on it.
class worker {
 public:
  worker(shared_state& sh, std::size_t index);

  net::io_context ioc{1};
  shared_state& sh;
  std::size_t index;
  std::vector<std::shared_ptr<client>> clients;
  counters c;
  histogram latency;              // window messages: intended send -> answer/delivery
  histogram connect_latency;      // connect start -> connected (connect-upgrade: upgrade done)
  histogram sio_connect_latency;  // connect-upgrade: connect start -> Socket.IO CONNECT answered

  // All on the worker's thread:
  void start_connecting();
  void on_connect_done(client& cl, bool ok);
  // connect-upgrade: the Socket.IO CONNECT was answered over polling (the upgrade follows).
  void on_sio_connected(client& cl);
  // --verify of the connect scenarios: one acked echo from every connected client.
  void send_verify_echoes();
  void start_joins();
  void on_joined(client& cl);
  void start_sending(std::int64_t start);
  void stop_sending();
  void close_all();
  // Receipt bookkeeping shared by the scenarios.
  void on_delivery(std::int64_t sent_t, std::int64_t now);
  void on_echo_answered(client& cl);
  void on_fanout_delivered(std::uint64_t global_seq, std::uint32_t room);
  void on_fanout_complete(sender_state& s);

 private:
  void connect_more();
  void tick();
  void emit_one(std::int64_t t);
  void send_fanout_now(sender_state& s, std::int64_t t);

  std::size_t next_connect_ = 0;
  std::size_t in_flight_ = 0;
  net::steady_timer timer_;
  std::vector<client*> active_;
  std::vector<sender_state*> senders_;  // the senders living on this worker
  std::uint64_t m_ = 0;
  double interval_ns_ = 0;
  std::int64_t send_start_ = 0;
};

}  // namespace sio::bench
