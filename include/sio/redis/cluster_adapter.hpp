// sio::cluster_adapter: the cluster protocol of Node's socket.io-adapter `ClusterAdapter`, which
// @socket.io/redis-streams-adapter and the sharded adapter of @socket.io/redis-adapter
// (createShardedAdapter) are built on, over a transport that carries its messages.
//
// A message is {uid, nsp, type, data}, `type` one of cluster_message_type. Every cluster operation
// applies locally (through in_memory_adapter) and is published to the other servers:
// - BROADCAST {packet, opts} (with `requestId` when the broadcast waits for acknowledgements: the
//   other servers answer BROADCAST_CLIENT_COUNT then BROADCAST_ACK per client answer);
// - SOCKETS_JOIN / SOCKETS_LEAVE {opts, rooms}, DISCONNECT_SOCKETS {opts, close};
// - FETCH_SOCKETS {opts, requestId} answered by FETCH_SOCKETS_RESPONSE {requestId, sockets};
// - SERVER_SIDE_EMIT {packet[, requestId]} answered by SERVER_SIDE_EMIT_RESPONSE {requestId,
//   packet}.
// Answers go to the requester only (cluster_transport::publish_response). The number of servers
// is the transport's (PUBSUB NUMSUB / SHARDNUMSUB of the namespace's channel).
//
// Connection state recovery (server_options::connection_state_recovery): a broadcast EVENT without
// acknowledgement, not volatile, gets the offset the transport gave its message (the Redis
// Streams entry id) appended as its last argument, on every node; the local delivery waits for
// that offset. A socket's own emits go through the adapter to the room of its id, as in Node, so
// they are logged too. With recovery on, every broadcast of this node is delivered locally in the
// order it was published, each once its publication completed (a broadcast never overtakes an
// earlier one, even when the transport completes them out of order). Sessions are kept by the
// transport (persist_session, restore_session), so a client may come back on any node.
//
// Threading: as every adapter (any thread). The transport calls cluster_sink from any thread.
#pragma once

#include <sio/protocol/msgpack.hpp>
#include <sio/server/adapter.hpp>

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sio {

enum class cluster_message_type : int {
  initial_heartbeat = 1,
  heartbeat = 2,
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  fetch_sockets = 7,
  fetch_sockets_response = 8,
  server_side_emit = 9,
  server_side_emit_response = 10,
  broadcast_client_count = 11,
  broadcast_ack = 12,
  adapter_close = 13,
};

// One message of the cluster protocol. `data` holds binaries as Socket.IO placeholders
// ({"_placeholder":true,"num":n}) whose bytes are attachments[n] (protocol::msgpack's convention),
// so a transport writes it as JSON when `attachments` is empty, else as MessagePack.
struct cluster_message {
  std::string uid;
  std::string nsp;
  cluster_message_type type = cluster_message_type::heartbeat;
  std::optional<boost::json::value> data;  // absent for heartbeats and ADAPTER_CLOSE
  std::vector<std::string> attachments;

  // A request whose answers go to its sender only and that is never logged: a broadcast with
  // acknowledgements, FETCH_SOCKETS, SERVER_SIDE_EMIT (Node's redis-streams-adapter sends these
  // by pub/sub instead of the stream).
  bool ephemeral() const noexcept;
  // One of the types whose data may carry binary (BROADCAST, BROADCAST_ACK, FETCH_SOCKETS_RESPONSE,
  // SERVER_SIDE_EMIT, SERVER_SIDE_EMIT_RESPONSE).
  bool may_carry_binary() const noexcept;
  // The whole message {uid, nsp, type, data} as one value (placeholders kept; with attachments).
  protocol::msgpack::document to_document() const;
  // Reads {uid, nsp, type, data} (type a number, or a decimal string as in a stream entry);
  // nullopt when it is not such a message.
  static std::optional<cluster_message> from_document(protocol::msgpack::document d);
};

// Where a transport hands what it receives. Any thread.
class cluster_sink {
 public:
  virtual ~cluster_sink() = default;
  // A message on the namespace's channels or stream; `offset` is its stream entry id ("" when
  // the transport has none). Messages from this node (same uid) or another namespace are ignored.
  virtual void on_message(cluster_message m, std::string offset) = 0;
  // An answer to one of this node's requests (on its private channel).
  virtual void on_response(cluster_message m) = 0;
};

// What carries the messages of one namespace (Node's doPublish / doPublishResponse /
// serverCount, plus the sessions of connection state recovery). Created per namespace by the
// transport's factory. Any thread; callbacks on any thread.
class cluster_transport {
 public:
  // The offset the message was stored at ("" when not stored), or nullopt when publishing failed.
  using offset_handler = std::function<void(std::optional<std::string>)>;

  virtual ~cluster_transport() = default;
  // Starts delivering the namespace's messages to `sink`; `uid` is this node's id (its private
  // channel). The transport keeps only a weak reference and stops at its destruction.
  virtual void start(const std::string& uid, std::weak_ptr<cluster_sink> sink) = 0;
  virtual void publish(cluster_message m, offset_handler done) = 0;
  virtual void publish_response(const std::string& requester_uid, cluster_message m) = 0;
  // Servers of the cluster on this namespace, this one included (1 when unknown).
  virtual void server_count(std::function<void(std::size_t)> done) = 0;
  // A room appeared on / disappeared from this node (every worker's members counted), for
  // transports that subscribe per room; `private_room` is a socket's own id room. Called only
  // when wants_room_events(), in the order of the transitions, under the adapter's count lock
  // (keep them short: queue the work).
  virtual bool wants_room_events() const noexcept { return false; }
  virtual void room_created(const room& r, bool private_room) {}
  virtual void room_deleted(const room& r, bool private_room) {}
  // Connection state recovery: as adapter::persist_session / restore_session. The default keeps
  // nothing, so nothing is restored. `restore_session` hands back the session and the BROADCAST
  // packets the session's rooms missed after `offset`, in stream order.
  struct missed_packet {
    boost::json::array data;               // the event's data, its offset appended
    std::vector<std::string> attachments;  // its binaries
    std::string offset;                    // its stream entry id
  };
  struct restored {
    persisted_session session;
    std::vector<missed_packet> missed;
  };
  virtual void persist_session(const persisted_session& s, std::chrono::milliseconds ttl) {}
  virtual void restore_session(std::string pid, std::string offset,
                               std::function<void(std::optional<restored>)> done) {
    done(std::nullopt);
  }
};

struct cluster_adapter_options {
  // How long a FETCH_SOCKETS or SERVER_SIDE_EMIT with acknowledgement waits for every server
  // (Node: 5 s, or the broadcast's own timeout for fetch_sockets).
  std::chrono::milliseconds requests_timeout{5000};
  // What the adapter drops (malformed messages) and timeouts; default: stderr.
  std::function<void(std::string_view)> log;
};

class cluster_adapter : public in_memory_adapter {
 public:
  using transport_factory = std::function<std::unique_ptr<cluster_transport>(adapter_host&)>;

  cluster_adapter(adapter_host& nsp, std::unique_ptr<cluster_transport> t,
                  cluster_adapter_options opts = {});
  ~cluster_adapter() override;

  // An adapter factory over `make_transport`.
  static adapter_factory factory(transport_factory make_transport,
                                 cluster_adapter_options opts = {});

  void add_all(std::size_t w, const std::string& sid, std::span<const room> rooms) override;
  void del(std::size_t w, const std::string& sid, const room& r) override;
  void del_all(std::size_t w, const std::string& sid) override;

  void broadcast(outgoing_ptr p, broadcast_options opts) override;
  void broadcast_with_ack(outgoing_ptr p, broadcast_options opts,
                          std::function<void(std::size_t)> client_count,
                          std::function<void(payload)> on_response) override;
  // Every server's ids (through FETCH_SOCKETS), as fetch_sockets.
  void sockets(std::vector<room> rooms,
               std::function<void(std::vector<std::string>)> done) override;
  void fetch_sockets(broadcast_options opts,
                     std::function<void(std::vector<socket_info>)> done) override;
  void add_sockets(broadcast_options opts, std::vector<room> rooms) override;
  void del_sockets(broadcast_options opts, std::vector<room> rooms) override;
  void disconnect_sockets(broadcast_options opts, bool close) override;
  void server_count(std::function<void(std::size_t)> done) override;
  void server_side_emit(payload args) override;
  void server_side_emit_with_ack(payload args, broadcast_ack_callback done) override;

  outgoing_ptr encode_event(protocol::socketio::packet p, const broadcast_options& opts) override;
  void persist_session(persisted_session s) override;
  void restore_session(std::string pid, std::string offset, restore_handler done) override;
  // With recovery on: true (a socket's emits get their offset from the transport).
  bool routes_socket_emits() const noexcept override;

  // This node's id in the messages.
  const std::string& uid() const noexcept;
  cluster_transport& transport() noexcept;

  struct state;

 private:
  std::shared_ptr<state> st_;
};

// The log position (outgoing_packet::log_seq) of a Redis Streams entry id "<ms>-<seq>":
// increasing with the id; 0 when `offset` is not one.
std::uint64_t stream_offset_seq(std::string_view offset) noexcept;

}  // namespace sio
