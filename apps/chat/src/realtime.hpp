// chat::realtime: the Socket.IO side of sio-chat on namespace "/": JWT handshake, joinRoom,
// sendMessage, typing, leaveRoom, online counts and room-invite notifications (see API.md).
//
// Threading: socket handlers run on their socket's worker; shared state lives in storage
// (thread-safe) and presence (mutex). Online counts are emitted from one thread of our own and read
// at emission time, so the last count a room receives is always the current one.
//
// Clustered (several nodes on one Redis adapter): presence still decides what this node's sockets
// may do, but online counts come from fetch_sockets on the room, which the adapter answers for
// every node; each node recounts on the joins, leaves and disconnects of its own sockets, and an
// answer older than one already emitted for the room is dropped. Per-user notifications need
// nothing special: the rooms `user:<id>` are reached through the adapter on every node.
//
// Sessions end on the server's word: a logout (api_hooks::on_logout) sends `error "unauthorized"`
// to the room `user:<id>` and disconnects it, through the adapter on every node; each node sweeps
// its own sockets every 2 s and does the same to those whose token has expired.
//
// Connection state recovery is on (main.cpp): a recovered socket comes back in its rooms, so its
// presence is recorded again and the counts re-sent; it needs no joinRoom.
#pragma once

#include "api.hpp"
#include "flood_guard.hpp"
#include "presence.hpp"
#include "storage.hpp"

#include <sio/sio.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

class realtime {
 public:
  // `io`, `db` and `auth` must outlive this object. `clustered`: io uses a cluster adapter, so
  // online counts are computed across nodes.
  realtime(sio::server& io, storage& db, api& auth, bool clustered = false);
  // Drops pending count updates and joins the emitter thread. Idempotent.
  void stop();

  // Registers the middleware and handlers on io's main namespace. Call once, before start.
  void install();

  // Tells the members of a new private room (except its creator) with `notification`; a new
  // public room is announced to everyone with `roomCreated`. Safe from any thread.
  void room_created(const room& r, const std::vector<id_type>& members, id_type creator);

  // The user logged out (its tokens are revoked): its sockets, on every node, get `error
  // "unauthorized"` and are disconnected. Safe from any thread.
  void logged_out(id_type user);
  // The user left the private room: its sockets, on every node, leave the room's Socket.IO room.
  void room_left(id_type room, id_type user);

  static std::string room_key(id_type room);  // Socket.IO room of a chat room: "room:<id>"
  static std::optional<id_type> room_of_key(std::string_view key);  // its inverse
  static std::string user_key(id_type user);  // the per-user room: "user:<id>"

 private:
  void on_connection(sio::socket& s);
  void restore_presence(sio::socket& s, id_type user);
  void join_room(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void leave_room(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void send_message(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void typing(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void publish_online(id_type room);
  void publish_online_clustered(id_type room);
  // Every sweep_interval, this node's sockets whose token has expired are treated as logged out.
  void schedule_sweep();
  void sweep_expired(std::int64_t now_s);
  static void unauthorize(const sio::broadcast_operator& sockets);

  static constexpr std::chrono::seconds sweep_interval{2};

  // Clustered online counts: requests are numbered; per room, the number of the last answer
  // emitted; a stop flag checked (under the mutex) by callbacks that may outlive stop().
  struct cluster_counts {
    std::mutex mu;
    bool stopped = false;
    std::uint64_t next = 0;
    std::map<id_type, std::uint64_t> emitted;
  };

  // Token expiry (seconds since epoch) of this node's sockets, by socket id.
  struct token_expiry {
    std::mutex mu;
    bool stopped = false;
    std::map<std::string, std::int64_t, std::less<>> by_socket;
  };

  sio::server& io_;
  storage& db_;
  api& auth_;
  const bool clustered_;
  std::shared_ptr<cluster_counts> counts_ = std::make_shared<cluster_counts>();
  presence presence_;
  flood_guard flood_{30, 10};  // per socket: a burst of 30 messages, then 10 per second
  token_expiry expiry_;
  boost::asio::thread_pool emitter_{1};  // serialises online-count emissions and runs the sweep
  boost::asio::steady_timer sweep_timer_{emitter_};  // guarded by expiry_.mu
};

}  // namespace chat
