// Internal: the parts of the Redis adapter, one job per source.
//   shared_link.cpp    the two connections (publisher, subscriber) the namespaces of one factory
//                      share, and the routing of what the subscriber receives to each adapter;
//   adapter_impl.cpp   one namespace's state: channels, ids, local room counts, publishing,
//                      incoming broadcasts;
//   requests.cpp       the request/response protocol: requests to the other servers and their
//                      answers, and the answers to theirs;
//   redis_adapter.cpp  the adapter interface on top.
#pragma once

#include <sio/engineio/random_id.hpp>
#include <sio/redis/client.hpp>
#include <sio/redis/redis_adapter.hpp>

#include "alive_adapter.hpp"
#include "room_counts.hpp"
#include "wire.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sio::redis {

struct shared_link : std::enable_shared_from_this<shared_link> {
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  redis_adapter_options opts;
  endpoint ep;
  std::once_flag once;
  std::shared_ptr<client> pub, sub;
  std::optional<strand_type> strand;
  std::atomic<bool> dead{false};  // the io_context is gone

  std::mutex mu;  // the two maps
  std::unordered_map<std::string, std::weak_ptr<redis_adapter::impl>> by_pattern, by_channel;

  void log(std::string_view s) const;
  // Creates and starts the connections on first use, on `ioc` (worker 0's io_context).
  void init(boost::asio::io_context& ioc);
  // Routes a namespace's channels to its adapter and subscribes them; detach undoes both.
  void attach(const std::shared_ptr<redis_adapter::impl>& a);
  void detach(const redis_adapter::impl& a);
  // The io_context is being destroyed: drops what lives on it (the adapters' timers).
  void shutdown();
  // A message from the subscriber, handed to its adapter on the strand.
  void route(std::string_view ch, std::string_view pat, std::string_view msg);
};

}  // namespace sio::redis

namespace sio {

struct redis_adapter::impl : std::enable_shared_from_this<redis_adapter::impl> {
  // A request to the other servers, collecting their answers (on the strand).
  struct pending {
    int type = 0;
    std::size_t num_sub = 0;    // answers expected
    std::size_t msg_count = 1;  // answers counted (this node's own part counts for the queries)
    std::vector<std::string> ids;
    std::vector<socket_info> infos;
    std::set<room> rooms;
    std::vector<payload> responses;
    std::function<void()> finish;  // completes with whatever was collected
    std::unique_ptr<boost::asio::steady_timer> timer;

    // `servers` counted by PUBSUB NUMSUB, this one included.
    void expect(std::size_t servers);
  };
  // A broadcast with acks waiting for client counts and answers (on the strand).
  struct ack_pending {
    std::function<void(std::size_t)> client_count;
    std::function<void(payload)> on_response;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  // A request from another server, decoded.
  struct request {
    boost::json::object& body;
    std::vector<std::string>& attachments;
    std::string rid;   // requestId ("" when absent)
    std::string ruid;  // the sender's uid
    bool has_rid = false;
  };

  impl(redis_adapter* s, adapter_host& h, std::shared_ptr<redis::shared_link> l);

  redis::alive_adapter<redis_adapter> alive;
  adapter_host& host;
  std::shared_ptr<redis::shared_link> link;
  std::string uid, channel, request_channel, response_channel, specific_response_channel;

  redis::room_counts rooms;  // local members per room, all workers

  // On the link's strand only.
  std::unordered_map<std::string, std::shared_ptr<pending>> requests;
  std::unordered_map<std::string, std::shared_ptr<ack_pending>> ack_requests;

  // --- adapter_impl.cpp
  // ---------------------------------------------------------------------------
  void log(const std::string& s) const;
  void publish(std::string ch, std::string msg);
  void publish_response(const std::string& requester_uid, std::string msg);
  // Runs f on the link's strand (unless the io_context is gone).
  template <class F>
  void on_strand(F&& f) {
    if (link->dead) return;
    boost::asio::post(*link->strand, std::forward<F>(f));
  }
  // Runs fn(adapter) if the adapter (and its namespace) are still alive, holding the namespace.
  template <class F>
  void with_self(F&& fn) {
    alive.with(host, std::forward<F>(fn));
  }
  // PUBSUB NUMSUB of the request channel; 1 while Redis is down.
  void server_count(std::function<void(std::size_t)> done);
  void on_broadcast(std::string_view ch, std::string msg);
  std::optional<std::pair<protocol::socketio::packet, broadcast_options>> read_broadcast(
      std::string_view ch, std::string_view msg);

  // --- requests.cpp: ours ------------------------------------------------------------------------
  // Asks the other servers after the local part (in `p`): alone, p->finish() at once; else
  // publishes `req` (uid, requestId and type added; `binaries` carried as msgpack) and waits for
  // their answers or the requests timeout.
  void ask_cluster(std::shared_ptr<pending> p, boost::json::object req, const char* what,
                   payload binaries = {});
  void publish_broadcast_with_ack(const outgoing_packet& p, const broadcast_options& opts,
                                  std::shared_ptr<ack_pending> a);
  void on_response(std::string msg);

  // --- requests.cpp: theirs ----------------------------------------------------------------------
  void on_request(std::string msg);

 private:
  void start_request(std::string rid, std::shared_ptr<pending> p, std::string msg,
                     const char* what);
  void complete(const std::string& rid);
  void on_ack_response(ack_pending& a, boost::json::object& res, std::vector<std::string>& att);
  void on_query_response(const std::string& rid, pending& req, boost::json::object& res,
                         std::vector<std::string>& att);
  void add_sockets(pending& req, const boost::json::array& list) const;

  void answer_sockets(request& r);
  void answer_all_rooms(request& r);
  void apply_membership(request& r, int type);
  void apply_legacy_membership(request& r, int type);
  void answer_fetch(request& r);
  void receive_server_side_emit(request& r);
  void answer_broadcast(request& r);
};

}  // namespace sio
