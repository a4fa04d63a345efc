// sio::redis_adapter: the cluster adapter, wire-compatible with @socket.io/redis-adapter 8.x, so
// sio nodes and Node.js nodes share one Redis and behave as one server.
//
//   sio::server io{{.http = {.port = 3000},
//                   .adapter = sio::redis_adapter::factory({.url = "redis://127.0.0.1:6379"})}};
//
// Per namespace `nsp` and key prefix `key` (default "socket.io"):
// - broadcasts are published on `key#nsp#` (or `key#nsp#room#` for exactly one room) as msgpack
//   [uid, packet, {rooms, except, flags}] and received through the pattern `key#nsp#*`;
// - requests (fetch_sockets, sockets_join/leave, disconnect_sockets, server_side_emit, broadcasts
//   with acks, socket ids, all rooms) go to `key-request#nsp#` as JSON (msgpack when they carry
//   binary), answers to `key-response#nsp#` (or `key-response#nsp#<uid>#`);
// - the number of servers is PUBSUB NUMSUB of the request channel.
// This node answers every request type another node may send, so mixed clusters never wait for
// a timeout. Cluster operations apply locally at once (they never wait for Redis), so local
// delivery keeps working while Redis is down; the connections reconnect with backoff and
// re-subscribe by themselves (see redis::client), logging each step. Garbage on any channel is
// dropped with a log line.
//
// Every namespace of one server shares the two connections (publisher and subscriber) of its
// factory; they run on worker 0's io_context.
//
// Server-side events (io.server_side_emit, io.server_side_emit_with_ack, io.on_server_side_emit)
// travel on the request channel as @socket.io/redis-adapter's SERVER_SIDE_EMIT, answers on the
// response channel. Beyond the adapter interface (reach it with redis_adapter::of(io.of("/"))):
// all_rooms (Node's allRooms), when_ready and uid.
//
// Threading: as every adapter (any thread). Completions of cluster requests (plain callbacks),
// server-side event handlers and their acknowledgements run on the Redis connection's strand
// (worker 0).
#pragma once

#include <sio/redis/client.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/completion.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace sio {

class namespace_;

struct redis_adapter_options {
  std::string url = "redis://127.0.0.1:6379";
  std::string key = "socket.io";  // channel prefix, Node's `key` option
  std::chrono::milliseconds requests_timeout{5000};
  bool publish_on_specific_response_channel = false;
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::function<void(std::string_view)> log;  // default: stderr
  redis::tls_settings tls;                    // for a rediss:// URL
};

namespace redis {
struct shared_link;  // the connections shared by the namespaces of one factory
}  // namespace redis

class redis_adapter final : public in_memory_adapter {
 public:
  // Throws std::invalid_argument on a bad URL.
  static adapter_factory factory(redis_adapter_options opts = {});
  // The Redis adapter of a namespace, or nullptr when it uses another adapter.
  static redis_adapter* of(namespace_& nsp);

  redis_adapter(adapter_host& nsp, std::shared_ptr<redis::shared_link> link);
  ~redis_adapter() override;

  void add_all(std::size_t w, const std::string& sid, std::span<const room> rooms) override;
  void del(std::size_t w, const std::string& sid, const room& r) override;
  void del_all(std::size_t w, const std::string& sid) override;

  void broadcast(outgoing_ptr p, broadcast_options opts) override;
  void broadcast_with_ack(outgoing_ptr p, broadcast_options opts,
                          std::function<void(std::size_t)> client_count,
                          std::function<void(payload)> on_response) override;
  void sockets(std::vector<room> rooms,
               std::function<void(std::vector<std::string>)> done) override;
  void fetch_sockets(broadcast_options opts,
                     std::function<void(std::vector<socket_info>)> done) override;
  void add_sockets(broadcast_options opts, std::vector<room> rooms) override;
  void del_sockets(broadcast_options opts, std::vector<room> rooms) override;
  void disconnect_sockets(broadcast_options opts, bool close) override;
  void server_count(std::function<void(std::size_t)> done) override;
  void server_side_emit(payload args) override;
  // One answer per other server; error::timeout (with the answers so far) when some did not
  // answer within requests_timeout.
  void server_side_emit_with_ack(payload args, broadcast_ack_callback done) override;

  // Completes with every room of the namespace across the cluster (Node's allRooms).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::set<room>)) Token>
  auto all_rooms(Token&& token) {
    return detail::initiate<std::set<room>>(std::forward<Token>(token),
                                            [self = this](std::function<void(std::set<room>)> cb) {
                                              self->start_all_rooms(std::move(cb));
                                            });
  }
  // Completes once both connections are up and subscribed (tests, startup ordering).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void()) Token>
  auto when_ready(Token&& token) {
    return detail::initiate<>(std::forward<Token>(token), [self = this](std::function<void()> cb) {
      self->start_when_ready(std::move(cb));
    });
  }
  // This node's id on the channels.
  const std::string& uid() const noexcept;

  struct impl;

 private:
  void start_all_rooms(std::function<void(std::set<room>)> done);
  void start_when_ready(std::function<void()> f);

  std::shared_ptr<impl> impl_;
};

}  // namespace sio
