// Internal: the parts of sio::cluster_adapter, one job per source.
//   cluster_adapter_message.cpp   cluster_message and its document form, stream_offset_seq, the
//                                 shapes of the messages' data (BROADCAST, answers);
//   cluster_adapter_state.cpp     one namespace's state: lifetime (the transport holds it weakly),
//                                 publishing, timers, the in-order local deliveries of recovery;
//   cluster_adapter_requests.cpp  this node's requests (answers counted until every other server
//                                 answered or the timeout) and what it does with the others'
//                                 messages (cluster_sink);
//   cluster_adapter.cpp           the adapter interface on top.
#pragma once

#include <sio/redis/cluster_adapter.hpp>

#include "alive_adapter.hpp"
#include "room_counts.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sio::redis::cluster {

// 16 lowercase hex characters from the CSPRNG (Node's randomBytes(8).toString("hex")): node uids
// and request ids.
std::string random_hex_id();

// A BROADCAST's data, read: the event packet (this namespace, placeholders and attachments), the
// options, and the request id of a broadcast with acknowledgements.
struct broadcast_data {
  protocol::socketio::packet packet;
  broadcast_options opts;
  std::optional<std::string> request_id;
};
// nullopt (with `why`) when `data` is not {packet: {type: EVENT, data: [..]}, opts} with valid
// placeholders. Takes the attachments.
std::optional<broadcast_data> read_broadcast(boost::json::value& data,
                                             std::vector<std::string>& attachments,
                                             const std::string& nsp, std::string& why);
// {packet: {type, data, nsp[, id]}, opts[, requestId]}
boost::json::object broadcast_to_json(const outgoing_packet& p, const broadcast_options& o,
                                      const std::string* request_id = nullptr);

// An EVENT without acknowledgement, not volatile: it gets the offset of its message.
bool takes_offset(const protocol::socketio::packet& p, const broadcast_options& o) noexcept;
// `p` with `offset` appended to its data, encoded with its log position.
outgoing_ptr with_offset(adapter_host& host, protocol::socketio::packet p,
                         const std::string& offset);

}  // namespace sio::redis::cluster

namespace sio {

struct cluster_adapter::state : cluster_sink, std::enable_shared_from_this<cluster_adapter::state> {
  using clock = std::chrono::steady_clock;
  // A FETCH_SOCKETS or SERVER_SIDE_EMIT with acknowledgement waiting for the other servers.
  struct request {
    cluster_message_type type = cluster_message_type::fetch_sockets;
    std::size_t expected = 0;  // answers: the other servers
    std::size_t current = 0;
    std::vector<socket_info> sockets;
    std::vector<payload> responses;
    std::function<void(bool timed_out)> finish;  // with what was collected
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  // A broadcast with acknowledgements: the other servers' client counts and answers are taken
  // until its timeout.
  struct ack_request {
    std::function<void(std::size_t)> client_count;
    std::function<void(payload)> on_response;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  // A local delivery of one of this node's broadcasts (recovery on): run once its publication
  // completed and every earlier one ran.
  struct local_delivery {
    bool ready = false;
    std::function<void(cluster_adapter&)> run;
  };

  state(cluster_adapter* s, adapter_host& h, std::unique_ptr<cluster_transport> t,
        cluster_adapter_options o);

  redis::alive_adapter<cluster_adapter> alive;
  adapter_host& host;     // touched only while the adapter is alive (with_self)
  const std::string nsp;  // the namespace's name
  const std::string uid;
  const cluster_adapter_options opts;
  const bool recovery;
  std::unique_ptr<cluster_transport> transport;  // destroyed by ~cluster_adapter
  boost::asio::io_context& ioc;  // worker 0's: the timers and the in-order local deliveries
  redis::room_counts rooms;

  std::mutex mu;      // what follows
  bool dead = false;  // the adapter or the io_context is gone: nothing is kept anymore
  std::unordered_map<std::string, std::shared_ptr<request>> requests;
  std::unordered_map<std::string, std::shared_ptr<ack_request>> ack_requests;
  std::deque<std::shared_ptr<local_delivery>> deliveries;

  // --- cluster_adapter_state.cpp ----------------------------------------------------------------
  void log(std::string_view s) const;
  // Runs fn(adapter) if the adapter (and its namespace) are still alive, holding the namespace.
  template <class F>
  void with_self(F&& fn) {
    alive.with(host, std::forward<F>(fn));
  }
  cluster_message message(cluster_message_type t, std::optional<boost::json::value> data = {},
                          std::vector<std::string> attachments = {}) const;
  // Publishes without waiting (failures logged).
  void publish(cluster_message m);
  void publish_response(const std::string& requester, cluster_message_type t,
                        boost::json::object data, std::vector<std::string> attachments = {});
  // The next local delivery in publication order; complete_delivery makes it ready.
  std::shared_ptr<local_delivery> reserve_delivery();
  void complete_delivery(const std::shared_ptr<local_delivery>& d,
                         std::function<void(cluster_adapter&)> run);
  // The adapter or the io_context is gone: drops the timers and what waits.
  void close();

  // --- cluster_adapter_requests.cpp -------------------------------------------------------------
  // Waits for r->expected answers to `m` (requestId `rid`) or `timeout`, then publishes it.
  void start_request(std::string rid, std::shared_ptr<request> r, std::chrono::milliseconds timeout,
                     cluster_message m);
  // Keeps `a` for the answers to broadcast `rid` until `timeout`.
  void start_ack_request(const std::string& rid, std::shared_ptr<ack_request> a,
                         std::chrono::milliseconds timeout);
  void on_message(cluster_message m, std::string offset) override;
  void on_response(cluster_message m) override;

 private:
  void drain();  // on worker 0
  // Counts one answer to request `rid` if it is of `type` (`add` keeps what it carries), then
  // finishes the request once every server answered.
  void count_answer(const std::string& rid, cluster_message_type type,
                    const std::function<void(request&)>& add);
  void finish_request(const std::string& rid);
  void receive_broadcast(cluster_message& m, const std::string& offset);
  void apply_membership(cluster_message& m);
  void answer_fetch(cluster_message& m);
  void receive_server_side_emit(cluster_message& m);
};

}  // namespace sio
