// The adapter: room membership and the fan-out of broadcasts for one namespace, behind an
// interface so that a cluster adapter (Redis) replaces the in-memory one without touching the
// server. It sees its namespace through `adapter_host` (socket ids, member handles and delivery),
// never a socket.
//
// Threading: every worker keeps its own part of a namespace. The "local" members
// (add_all, del, del_all, socket_rooms) are called on the socket's worker `w` and touch only that
// worker's shard. The cluster-wide members may be called from any thread: a broadcast is encoded
// once by the caller (outgoing_packet) and handed to each worker, which fans it out to its local
// members. Completion callbacks run on whichever worker finishes last.
//
// Connection state recovery (recovery.hpp) goes through the adapter too: encode_event,
// persist_session and restore_session, called only when the server has recovery on. The base
// adapter does what Node's base Adapter does (no offsets, nothing persisted, nothing restored), so
// recovery never happens with it; session_aware_adapter (session_aware_adapter.hpp) keeps the
// sessions and the packet log in memory.
#pragma once

#include <sio/engineio/connection.hpp>
#include <sio/protocol/socketio.hpp>
#include <sio/server/flag_builder.hpp>
#include <sio/server/recovery.hpp>
#include <sio/server/types.hpp>
#include <sio/server/worker_pool.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sio {

struct broadcast_options {
  std::vector<room> rooms;   // empty: every socket of the namespace
  std::vector<room> except;  // sockets in any of these rooms are skipped
  broadcast_flags flags;
};

// One packet encoded once by the server's parser (parser.hpp); the same frames go to every
// receiver. `packet` keeps the decoded form (namespace, id, data with placeholders) for outgoing
// listeners and cluster adapters. Its binary arguments are in packet.attachments, or, when the
// parser sent them as messages of their own (the JSON parser), they are the last
// `attachment_frames` frames and packet.attachments is empty: attachment(i) finds them.
struct outgoing_packet {
  protocol::socketio::packet packet;
  std::vector<engineio::message_ptr> frames;
  std::size_t attachment_frames = 0;
  // Its position in the namespace's recovery log (increasing); 0: not logged.
  std::uint64_t log_seq = 0;

  std::size_t attachment_count() const noexcept {
    return attachment_frames ? attachment_frames : packet.attachments.size();
  }
  const std::string& attachment(std::size_t i) const {
    if (!attachment_frames) return packet.attachments.at(i);
    return frames.at(frames.size() - attachment_frames + i)->data;
  }
};
using outgoing_ptr = std::shared_ptr<const outgoing_packet>;
class parser;
// Encodes `p` with `parser`; log_seq as in outgoing_packet. Adapters encode with their host's
// parser: adapter_host::encode_packet.
outgoing_ptr make_outgoing(const parser& parser, protocol::socketio::packet p,
                           std::uint64_t log_seq = 0);
// The same with the default parser (json_parser: EVENT/ACK become BINARY_* with attachments).
outgoing_ptr make_outgoing(protocol::socketio::packet p, std::uint64_t log_seq = 0);

// What fetch_sockets returns about a socket (Node's RemoteSocket data).
struct socket_info {
  std::string id;
  std::string nsp;
  handshake_info handshake;
  std::vector<room> rooms;
  boost::json::object data;
};

// What this server leaves out of the sockets it describes to the other servers of a cluster (its
// answers to their fetch_sockets requests); its own fetch_sockets still sees everything. Default:
// nothing, as Node's adapters (so that mixed clusters behave alike).
struct socket_redaction {
  std::vector<std::string> headers;  // handshake headers to leave out (names, case-insensitive)
  bool auth = false;                 // leave out the handshake's auth object (sent as {})
};

// A recovered session: the persisted one and the packets its client missed, encoded, in emission
// order. `log_seq` is the last log position the search covered: a packet logged at or before it
// reaches the recovered socket through `missed` only (its live delivery, still on the way to the
// socket's worker, is skipped).
struct restored_session {
  persisted_session session;
  std::vector<outgoing_ptr> missed;
  std::uint64_t log_seq = 0;
};
using restore_handler = std::function<void(std::optional<restored_session>)>;

// Receives each client's answer to a broadcast with acknowledgement (from any worker).
using ack_sink = std::function<void(payload)>;

struct delivery {
  bool volatile_ = false;
  bool compress = true;
  std::shared_ptr<const ack_sink> ack;  // set for broadcast_with_ack: register packet.id
};

// A local socket as its adapter holds it: handed out by the host (adapter_host::member_of) when
// the socket first joins a room on a worker, given back to the host to act on the socket, opaque to
// the adapter. Delivery follows it without looking the socket up by id. It never dangles: a
// handle whose socket is gone resolves to nothing.
using member_handle = std::weak_ptr<void>;
// Members of worker w, as its adapter's entries hold them (valid until its next membership change).
using member_span = std::span<const member_handle* const>;

// The namespace as the adapter sees it. The span arguments are local members of worker w; the
// host resolves them all before acting, so acting may change membership safely.
class adapter_host {
 public:
  virtual ~adapter_host() = default;
  virtual const std::string& name() const noexcept = 0;
  virtual worker_pool& workers() noexcept = 0;
  // Keeps the namespace alive while work posted to the workers is pending.
  virtual std::shared_ptr<const void> keep_alive() = 0;
  // Ack ids are namespace-wide so one id serves every receiver of a broadcast.
  virtual std::uint64_t next_ack_id() noexcept = 0;

  // The handle of worker w's local socket `sid` (empty when it has none). On worker w.
  virtual member_handle member_of(std::size_t w, const std::string& sid) = 0;
  virtual void deliver(std::size_t w, member_span members, const outgoing_ptr& p,
                       const delivery& d) = 0;
  virtual void collect(std::size_t w, member_span members, std::vector<socket_info>& out) = 0;
  virtual void join(std::size_t w, member_span members, const std::vector<room>& rooms) = 0;
  virtual void leave(std::size_t w, member_span members, const std::vector<room>& rooms) = 0;
  virtual void disconnect(std::size_t w, member_span members, bool close) = 0;
  // A server-side event from another server of the cluster (Node's serverSideEmit): args[0] is
  // the event name; `reply` is set when the sender waits for an answer (call it at most once).
  // Any thread.
  virtual void receive_server_side_emit(payload args, std::function<void(payload)> reply) = 0;
  // What a cluster adapter leaves out of the sockets it describes to other servers.
  virtual const socket_redaction& remote_socket_redaction() const noexcept {
    static const socket_redaction none;
    return none;
  }
  // The server's connection state recovery settings; nullptr when recovery is off.
  virtual const recovery_options* recovery() const noexcept { return nullptr; }
  // `p` encoded with the server's parser (a namespace's host: the server's; default: JSON).
  // Any thread.
  virtual outgoing_ptr encode_packet(protocol::socketio::packet p, std::uint64_t log_seq = 0) {
    return make_outgoing(std::move(p), log_seq);
  }
};

class adapter {
 public:
  explicit adapter(adapter_host& nsp) : nsp_(nsp) {}
  virtual ~adapter() = default;
  adapter(const adapter&) = delete;
  adapter& operator=(const adapter&) = delete;

  // Local: on worker w.
  virtual void add_all(std::size_t w, const std::string& sid, std::span<const room> rooms) = 0;
  virtual void del(std::size_t w, const std::string& sid, const room& r) = 0;
  virtual void del_all(std::size_t w, const std::string& sid) = 0;
  virtual std::vector<room> socket_rooms(std::size_t w, const std::string& sid) const = 0;
  // Rooms of this node (every worker's), the sockets' own id rooms excluded. Any thread.
  virtual std::size_t local_room_count() const { return 0; }

  // Cluster-wide: any thread.
  virtual void broadcast(outgoing_ptr p, broadcast_options opts) = 0;
  // p->packet.id is set; client_count is called once per server with the number of receivers
  // (the in-memory adapter: once), on_response once per answer.
  virtual void broadcast_with_ack(outgoing_ptr p, broadcast_options opts,
                                  std::function<void(std::size_t)> client_count,
                                  std::function<void(payload)> on_response) = 0;
  virtual void sockets(std::vector<room> rooms,
                       std::function<void(std::vector<std::string>)> done) = 0;
  virtual void fetch_sockets(broadcast_options opts,
                             std::function<void(std::vector<socket_info>)> done) = 0;
  virtual void add_sockets(broadcast_options opts, std::vector<room> rooms) = 0;
  virtual void del_sockets(broadcast_options opts, std::vector<room> rooms) = 0;
  virtual void disconnect_sockets(broadcast_options opts, bool close) = 0;
  virtual void server_count(std::function<void(std::size_t)> done) { done(1); }
  // Server-side events to the other servers of the cluster (Node's serverSideEmit): args[0] is
  // the event name. with_ack completes once with every other server's answer, or error::timeout
  // and the answers so far. A single server has no others: nothing is sent, and with_ack
  // completes at once with no answers.
  virtual void server_side_emit(payload args) {}
  virtual void server_side_emit_with_ack(payload args, broadcast_ack_callback done) {
    done({}, {});
  }

  // Connection state recovery: called only when the server has it on. Any thread.
  // Encodes an EVENT about to be broadcast, or emitted by one socket (then opts.rooms is its id,
  // as Node routes socket.emit through the adapter): a logging adapter appends the packet's offset
  // as its last argument before encoding and keeps the frames.
  virtual outgoing_ptr encode_event(protocol::socketio::packet p, const broadcast_options& opts) {
    return nsp_.encode_packet(std::move(p));
  }
  // A socket disconnected for a recoverable reason.
  virtual void persist_session(persisted_session) {}
  // The session of `pid` and the packets after `offset`, or nullopt (unknown or expired session,
  // offset no longer logged). `done` runs once, on any thread.
  virtual void restore_session(std::string pid, std::string offset, restore_handler done) {
    done(std::nullopt);
  }
  // True when the offset of an event is known only once the cluster stored it: a socket's own
  // emits then go through broadcast() to the room of its id even while it is connected, and
  // the adapter delivers them (Node routes them so whenever recovery is on).
  virtual bool routes_socket_emits() const noexcept { return false; }

 protected:
  adapter_host& nsp_;
};

using adapter_factory = std::function<std::unique_ptr<adapter>(adapter_host&)>;

// The default adapter: per-worker room tables, no network.
class in_memory_adapter : public adapter {
 public:
  explicit in_memory_adapter(adapter_host& nsp);
  ~in_memory_adapter() override;

  void add_all(std::size_t w, const std::string& sid, std::span<const room> rooms) override;
  void del(std::size_t w, const std::string& sid, const room& r) override;
  void del_all(std::size_t w, const std::string& sid) override;
  std::vector<room> socket_rooms(std::size_t w, const std::string& sid) const override;
  std::size_t local_room_count() const override;

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

 protected:
  // Runs fn(w) on every worker, then done() once on the last one.
  void on_each_worker(std::function<void(std::size_t)> fn, std::function<void()> done = {});

 private:
  struct shard;
  // The handles of worker w's local sockets matching opts.
  std::vector<const member_handle*> match_local(std::size_t w, const broadcast_options& opts) const;
  struct room_census;
  std::vector<std::unique_ptr<shard>> shards_;
  std::unique_ptr<room_census> census_;
};

}  // namespace sio
