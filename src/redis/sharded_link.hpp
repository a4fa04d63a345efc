// Internal: the parts of the sharded Pub/Sub transport.
//   sharded_link.cpp     the cluster connections the namespaces of one factory share, and the
//                        routing of what they receive to each namespace's transport;
//   sharded_adapter.cpp  one namespace's channels, subscriptions and messages (encoding and
//                        decoding), the transport interface and the factory.
#pragma once

#include <sio/redis/cluster_client.hpp>
#include <sio/redis/redis_sharded_adapter.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sio::redis {

struct sharded_link : std::enable_shared_from_this<sharded_link> {
  explicit sharded_link(redis_sharded_adapter_options o) : opts(std::move(o)) {}

  redis_sharded_adapter_options opts;
  std::once_flag once;
  std::shared_ptr<cluster_client> client;
  std::atomic<bool> dead{false};             // the io_context is gone
  std::atomic<bool> publish_failing{false};  // the last SPUBLISH failed

  std::mutex mu;  // routes
  std::unordered_map<std::string, std::weak_ptr<redis_sharded_adapter::impl>> routes;

  void log(std::string_view s) const;
  // Creates and starts the connections on first use, on `ioc` (worker 0's io_context).
  void init(boost::asio::io_context& ioc);
  // Routes `channels` to `t` and subscribes them; unsubscribe undoes both.
  void subscribe(const std::shared_ptr<redis_sharded_adapter::impl>& t,
                 std::vector<std::string> channels);
  void unsubscribe(std::vector<std::string> channels);
  // A message from a shard, handed to its namespace's transport (on the client's strand).
  void route(std::string_view channel, std::string_view msg);
};

}  // namespace sio::redis

namespace sio {

struct redis_sharded_adapter::impl : std::enable_shared_from_this<redis_sharded_adapter::impl> {
  impl(adapter_host& h, std::shared_ptr<redis::sharded_link> l);

  adapter_host& host;
  std::shared_ptr<redis::sharded_link> link;
  const sharded_subscription_mode mode;
  std::string channel;           // p#nsp#
  std::string response_channel;  // p#nsp#<uid>#, once started

  std::mutex mu;  // sink, started, room_channels; held across (un)subscribing to keep the order
  std::weak_ptr<cluster_sink> sink;
  bool started = false;
  std::set<std::string> room_channels;  // subscribed per room

  void log(const std::string& s) const;
  std::string room_channel(std::string_view r) const;
  // Whether room `r` has a channel of its own in this mode.
  bool separate_channel(bool private_room) const noexcept;
  // The channel a message goes to (Node's computeChannel).
  std::string channel_of(const cluster_message& m) const;
  void publish(std::string ch, const cluster_message& m, cluster_transport::offset_handler done);
  void publish_result(bool failed, const std::string& why);
  // A message on one of this namespace's channels.
  void receive(std::string_view ch, std::string_view raw);
  // Unsubscribes everything (destruction).
  void stop();
};

namespace redis::sharded {
// JSON of the message, MessagePack when it may carry binary and does (Node's encode).
std::string encode(const cluster_message& m);
// First byte '{': JSON, else MessagePack (Node's onRawMessage); nullopt when not a message.
std::optional<cluster_message> decode(std::string_view raw);
}  // namespace redis::sharded

}  // namespace sio
