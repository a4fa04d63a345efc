// sio::redis::cluster_client: Redis Cluster (or one plain Redis) behind one object, for the
// sharded pub/sub adapter. It learns which primary serves which hash slot (CLUSTER SLOTS), keeps
// one command connection and one subscriber connection per primary (redis::client each), and
// routes every command and sharded subscription by the hash slot of its key or channel (CRC16,
// {hash tags} honoured):
// - a command answered MOVED refreshes the slot map and goes again to the new owner; ASK goes to
//   the named node once, after ASKING;
// - a sharded subscription (SSUBSCRIBE) lives on the subscriber connection of its slot's primary;
//   when Redis drops it (its slot moved: Redis sends an `sunsubscribe` push) or the node is lost
//   (failover to a replica), the map is refreshed and the channel subscribed again on the slot's
//   new owner;
// - the map is also refreshed periodically (topology_refresh) and on every connection loss.
// Against a Redis without cluster support (CLUSTER SLOTS answers an error) the one server owns
// every slot, so the same code runs on a single Redis 7.
//
// Thread-safety: every public member may be called from any thread. Callbacks (replies, messages,
// state) run on the client's strand.
#pragma once

#include <sio/redis/client.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sio::redis {

// The hash slot (0..16383) of a key or channel: CRC16 (XMODEM) of its {hash tag} if it has a
// non-empty one, else of the whole key, modulo 16384.
std::uint16_t hash_slot(std::string_view key) noexcept;

struct cluster_client_options {
  // Seed nodes (redis:// or rediss:// URLs; credentials and TLS of the first apply to all).
  std::vector<std::string> seeds;
  tls_settings tls;
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::chrono::milliseconds topology_refresh{5000};
  int max_redirections = 16;  // MOVED/ASK hops for one command before it fails
  std::string name = "redis-cluster";
  std::function<void(std::string_view)> log;  // default: stderr
};

class cluster_client : public std::enable_shared_from_this<cluster_client> {
 public:
  using reply_handler = client::reply_handler;
  // channel, payload
  using message_handler = std::function<void(std::string_view channel, std::string_view)>;

  // Throws std::invalid_argument when a seed is not a redis:// URL or there is none.
  static std::shared_ptr<cluster_client> create(boost::asio::io_context& ioc,
                                                cluster_client_options opts);
  ~cluster_client();
  cluster_client(const cluster_client&) = delete;
  cluster_client& operator=(const cluster_client&) = delete;

  void start();
  // Closes every connection; pending and later commands fail with error::stopped. Idempotent.
  void stop();

  // Sends `args` to the primary of hash_slot(key), following redirections.
  void command(std::string_view key, std::vector<std::string> args, reply_handler cb = {});
  // Sends `args` to every primary; `cb` gets one reply per primary (in no set order), or the
  // error of the first that failed.
  void command_all(std::vector<std::string> args,
                   std::function<void(boost::system::error_code, std::vector<reply>)> cb);
  // SPUBLISH channel message.
  void spublish(std::string channel, std::string message, reply_handler cb = {});
  // Sharded subscriptions; kept across reconnections and slot moves until sunsubscribe.
  void ssubscribe(std::vector<std::string> channels);
  void sunsubscribe(std::vector<std::string> channels);
  // Every SMESSAGE of every shard.
  void on_message(message_handler h);
  // Completes once the slot map is known and every subscription so far is confirmed.
  void when_ready(std::function<void()> f);
  // The primaries of the current map, as host:port.
  std::vector<std::string> primaries() const;

  struct impl;

 private:
  explicit cluster_client(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
  std::shared_ptr<impl> impl_;
};

}  // namespace sio::redis
