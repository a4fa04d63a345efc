// sio::redis_sharded_adapter: the cluster adapter on Redis sharded Pub/Sub (Redis 7), wire-
// compatible with createShardedAdapter of @socket.io/redis-adapter 8.x, so sio nodes and Node.js
// nodes share one Redis Cluster (or one Redis 7) and behave as one server.
//
//   sio::server io{{.http = {.port = 3000},
//                   .adapter = sio::redis_sharded_adapter::factory(
//                       {.seeds = {"redis://10.0.0.1:7000", "redis://10.0.0.2:7000"}})}};
//
// It is the transport of a cluster_adapter (Node's ClusterAdapter protocol). Per namespace `nsp`
// and channel prefix `p` (default "socket.io"), on sharded channels (SSUBSCRIBE / SPUBLISH, each
// channel served by the primary of its hash slot, through redis::cluster_client):
// - every node subscribes `p#nsp#` and its own `p#nsp#<uid>#` (answers to its requests);
// - in the dynamic modes a node also subscribes `p#nsp#<room>#` while it has members in the room
//   (dynamic: public rooms only, not a socket's own id room; dynamic_private: every room), and a
//   broadcast to exactly one such room without acknowledgements goes to that room's channel, so
//   only the nodes that have members receive it (dynamic: unless the room looks like a socket id,
//   20 characters, as Node decides); everything else goes to `p#nsp#`;
// - messages are the JSON of {uid, nsp, type, data}, MessagePack when they carry binary;
// - the number of servers is PUBSUB SHARDNUMSUB of `p#nsp#`, summed over every primary.
// There is no session store (nor in Node's sharded adapter): connection state recovery never
// restores a session with it.
//
// Every namespace of one server shares the connections of its factory (one command and one
// subscriber connection per primary); they run on worker 0's io_context, reconnect with backoff
// and subscribe again by themselves (see redis::cluster_client). Garbage on a channel is dropped
// with a log line.
//
// Threading: as every adapter (any thread). Messages reach the cluster adapter on the Redis
// connections' strand (worker 0).
#pragma once

#include <sio/redis/client.hpp>
#include <sio/redis/cluster_adapter.hpp>
#include <sio/server/completion.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio {

class namespace_;

// Which rooms get a channel of their own (Node's subscriptionMode).
enum class sharded_subscription_mode {
  static_,          // none: every message on the namespace's channel
  dynamic,          // public rooms (not a socket's own id room)
  dynamic_private,  // every room, a socket's own id room included
};
// Node's names: "static", "dynamic", "dynamic-private"; nullopt for anything else.
std::optional<sharded_subscription_mode> parse_subscription_mode(std::string_view s) noexcept;

struct redis_sharded_adapter_options {
  // Seed nodes of the Redis Cluster (redis:// or rediss:// URLs), or the one Redis 7.
  std::vector<std::string> seeds{"redis://127.0.0.1:6379"};
  std::string channel_prefix = "socket.io";
  sharded_subscription_mode subscription_mode = sharded_subscription_mode::dynamic;
  std::chrono::milliseconds requests_timeout{5000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  redis::tls_settings tls;                    // for rediss:// seeds
  std::function<void(std::string_view)> log;  // default: stderr
};

namespace redis {
struct sharded_link;  // the cluster connections shared by the namespaces of one factory
}  // namespace redis

class redis_sharded_adapter final : public cluster_transport {
 public:
  // A cluster_adapter factory on this transport. Throws std::invalid_argument when there is no
  // seed or a seed is not a redis:// URL.
  static adapter_factory factory(redis_sharded_adapter_options opts = {});
  // The transport of a namespace, or nullptr when it uses another adapter.
  static redis_sharded_adapter* of(namespace_& nsp);

  redis_sharded_adapter(adapter_host& nsp, std::shared_ptr<redis::sharded_link> link);
  ~redis_sharded_adapter() override;

  void start(const std::string& uid, std::weak_ptr<cluster_sink> sink) override;
  void publish(cluster_message m, offset_handler done) override;
  void publish_response(const std::string& requester_uid, cluster_message m) override;
  void server_count(std::function<void(std::size_t)> done) override;
  bool wants_room_events() const noexcept override;
  void room_created(const room& r, bool private_room) override;
  void room_deleted(const room& r, bool private_room) override;

  // Completes once the cluster's slot map is known and every subscription so far is confirmed
  // (tests, startup ordering).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void()) Token>
  auto when_ready(Token&& token) {
    return detail::initiate<>(std::forward<Token>(token), [self = this](std::function<void()> cb) {
      self->start_when_ready(std::move(cb));
    });
  }
  // The namespace's channel, and the channel of one room.
  const std::string& channel() const noexcept;
  std::string room_channel(const room& r) const;

  struct impl;

 private:
  void start_when_ready(std::function<void()> f);

  std::shared_ptr<impl> impl_;
};

}  // namespace sio
