// chat::realtime: the Socket.IO side of the chat on namespace "/": the login middleware, joinRoom,
// sendMessage, typing, leaveRoom, online counts and room-invite notifications (see API.md).
//
// Threading: socket handlers run on their socket's worker; shared state lives in storage
// (thread-safe), presence and the rate limits (mutexes). Online counts are emitted from one thread
// of our own and read at emission time, so the last count a room receives is always the current
// one.
//
// Abuse limits: every event a socket may send (joinRoom, leaveRoom, sendMessage, typing) takes a
// token from its user's bucket for that kind of event, shared by all the user's sockets and
// worker threads (realtime_limits); a refused event is answered through its ack, else with an
// `error` event. Online counts go out only when a user comes to or leaves a room (a socket
// joining a room its user is already in learns the count alone), at most once per room per
// presence_interval, the last value always included.
//
// Clustered (several nodes on one Redis adapter): presence still decides what this node's sockets
// may do, but online counts are the union of every node's users of the room: this node asks the
// others with a server-side event ("roomUsers", answered with user ids only, so no socket's
// handshake crosses Redis) whenever a user of its own comes or goes, and publishes the result.
// Per-user notifications need nothing special: the rooms `user:<id>` (apps::user_room, joined by
// apps::sessions) are reached through the adapter on every node. Logout and token expiry end the
// sockets there too (apps::sessions).
//
// Connection state recovery is on (the host, apps/demo): a recovered socket comes back in its
// rooms, so its presence is recorded again and the counts re-sent; it needs no joinRoom.
#pragma once

#include "presence.hpp"
#include "rate_limit.hpp"
#include "sessions.hpp"
#include "storage.hpp"

#include <sio/sio.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace apps::chat {

// How fast one user (all their sockets together) may send each event, and how often a room's
// online count may go out.
struct realtime_limits {
  rate rooms{20, 5};      // joinRoom and leaveRoom: a burst of 20, then 5 per second
  rate messages{30, 10};  // sendMessage
  rate typing{20, 5};     // typing
  std::chrono::milliseconds presence_interval{150};
};

class realtime {
 public:
  // `io` and `db` must outlive this object. `clustered`: io uses a cluster adapter, so online
  // counts are computed across nodes.
  realtime(sio::server& io, storage& db, bool clustered = false, realtime_limits limits = {});
  ~realtime();
  // Drops pending count updates and joins the emitter thread. Idempotent.
  void stop();

  // Protects io's main namespace with `sessions` and registers the handlers there. Call once,
  // before start.
  void install(sessions& sessions);

  // Tells the members of a new private room (except its creator) with `notification`; a new
  // public room is announced to everyone with `roomCreated`. Safe from any thread.
  void room_created(const room& r, const std::vector<id_type>& members, id_type creator);

  // The user left the private room: its sockets, on every node, leave the room's Socket.IO room.
  void room_left(id_type room, id_type user);

  static std::string room_key(id_type room);  // Socket.IO room of a chat room: "room:<id>"
  static std::optional<id_type> room_of_key(std::string_view key);  // its inverse

 private:
  void on_connection(sio::socket& s);
  void restore_presence(sio::socket& s, id_type user);
  void join_room(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  // The socket joined the room and is still in it (a REST leave takes it out).
  bool joined(const sio::socket& s, id_type room) const;
  // True when the socket is in the room; drops presence the socket no longer has.
  bool already_joined(sio::socket& s, id_type user, id_type room);
  void leave_room(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void send_message(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void typing(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  enum event_kind : std::size_t { rooms_kind, messages_kind, typing_kind };
  // Takes a token of `user`'s bucket for `kind`; when there is none, refuses the event (through
  // its ack, else with an `error` event) and returns false.
  bool admit(sio::socket& s, id_type user, event_kind kind, sio::ack& ack);
  // The room's online count, to the sockets in it (coalesced, see the top of this file).
  void publish_online(id_type room);
  // ... or to one socket only (it joined a room its user was already in).
  void tell_online(sio::socket& s, id_type room);

  // Online-count publication of one room; touched only on the emitter thread.
  struct publication {
    bool scheduled = false;  // a timer or a count is under way
    bool dirty = false;      // something changed since that count started
    std::chrono::steady_clock::time_point last{};
    std::optional<std::size_t> last_count;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  void schedule(id_type room, publication& p);
  void count_and_emit(id_type room);
  void emit_count(id_type room, std::size_t n);
  // This node's users in a room (the answer to another node's "roomUsers <roomId>").
  boost::json::array local_users(const boost::json::value& room_arg) const;
  // Distinct users in the room on every node; `done` runs on any thread.
  void cluster_count(id_type room, std::function<void(std::size_t)> done);

  // Callbacks that may outlive stop() (cluster answers) check `stopped` under the mutex.
  struct lifetime {
    std::mutex mu;
    bool stopped = false;
  };

  sio::server& io_;
  storage& db_;
  const bool clustered_;
  const realtime_limits limits_;
  std::shared_ptr<lifetime> life_ = std::make_shared<lifetime>();
  presence presence_;
  user_limits buckets_;
  boost::asio::thread_pool emitter_{1};          // serialises online-count emissions
  std::map<id_type, publication> publications_;  // before emitter_ in destruction (its timers)
};

}  // namespace apps::chat
