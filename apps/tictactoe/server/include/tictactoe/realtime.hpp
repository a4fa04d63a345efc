// tictactoe::realtime: the game's Socket.IO side on namespace "/tictactoe": createGame, joinGame,
// quickMatch, move, rematch, leaveGame, and the `state` sent to room "game:<id>" after every
// change (see apps/tictactoe/API.md).
//
// The server decides: a client only proposes a move, the rules check it against the game as
// stored, and the storage applies it with a compare-and-set on the game's version (a conflict
// reloads and decides again), so players on several nodes share one game and two racing moves
// never both apply. Broadcasts go through the namespace's adapter and reach every node.
//
// Presence: when a player has no socket left in the game's room on any node (fetch_sockets), the
// game records when they forfeit (now + 30 s) and says so in `state`; joining again or a socket
// recovered into the room clears it. Each node sweeps the games whose time has passed every
// second and, once the player is still absent everywhere, ends them ("abandoned", the other
// player winning) or deletes a waiting one; the compare-and-set makes that happen once.
//
// Turn notices: a socket's page tells whether it is hidden (event `visibility`, kept in the
// socket's data); after a move, the room's sockets are fetched on every node and, when the player
// to move has none that is visible, they get a notice (turn_notice.hpp). The fetch completes
// later, on whatever thread the adapter answers on: no worker waits for it.
//
// Quick match: the queue is a table (one entry per user); the request that finds someone waiting
// creates the game, and the node holding the waiting caller's acknowledgement answers it when told
// so (a server-side event, or directly when it is this node).
//
// Threading: handlers run on their socket's worker and call the storage there. This object's own
// state (the games each socket joined, the held quick-match acknowledgements) has one mutex; the
// sweep runs on a thread of its own. Created with std::make_shared (callbacks keep it alive).
#pragma once

#include "notifier.hpp"
#include "rate_limit.hpp"

#include <tictactoe/storage.hpp>

#include <sio/sio.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace tictactoe {

struct realtime_options {
  apps::rate moves{20, 10};               // move per user: a burst, then per second
  apps::rate creates{10, 2};              // createGame and quickMatch per user
  apps::rate others{40, 20};              // joinGame, rematch, leaveGame per user
  std::int64_t away_ms = away_grace_ms;   // a player absent this long forfeits
  std::int64_t sweep_ms = 1000;           // how often each node looks for forfeits due
  std::size_t max_games_per_socket = 50;  // rooms of games one socket may be in
};

class realtime : public std::enable_shared_from_this<realtime> {
 public:
  // `io` and `notify` must outlive this object.
  realtime(sio::server& io, std::shared_ptr<storage> db, apps::notifier& notify,
           realtime_options opts = {});
  ~realtime();

  // Registers the namespace's handlers (after the host's middleware) and starts the sweep.
  void install();
  // Stops the sweep and answers later events with a refusal. Idempotent.
  void stop();

  static constexpr std::string_view namespace_name = "/tictactoe";
  static std::string room_key(id_type game);  // "game:<id>"
  // The game as events carry it (the contract's `state`).
  static boost::json::object state_json(const game& g);

 private:
  enum limit : std::size_t { limit_move, limit_create, limit_other };
  struct held_match {
    sio::ack ack;
    std::string sid;
  };
  using handler = void (realtime::*)(sio::socket&, const boost::json::value&, sio::ack&);

  void on_connection(sio::socket& s);
  void create_game(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void join_game(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void quick_match(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void move(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void rematch(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void leave_game(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void visibility(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void disconnected(sio::socket& s);

  // False (the ack refused) when the sender is over its rate of `kind`.
  bool admit(sio::socket& s, limit kind, sio::ack& ack);
  // The socket is in the game's room (tracked for its disconnect); false when it is in too many.
  bool enter(sio::socket& s, id_type game);
  // Loads game `id`, lets `change` edit it and saves it with a compare-and-set, again on
  // conflict. `change` returns "" to save, "-" for nothing to save, or a refusal. The result: the
  // refusal ("" when saved or nothing to save) and the game as it is now.
  template <class Change>
  std::pair<std::string, std::optional<game>> change_game(id_type id, Change&& change);
  void send_state(const game& g);
  // After a move: the player to move gets a notice unless a socket of theirs in the room, on any
  // node, is visible.
  void notify_turn(const game& g);
  // Sets or clears the players' `away` from who has a socket in the room on any node (`gone`:
  // a socket that is leaving it).
  void check_presence(id_type game, std::string gone = {});
  void apply_presence(id_type game, const std::set<id_type>& present);
  void sweep();
  void sweep_game(id_type game);
  void finish_due(id_type game, const std::set<id_type>& present);
  // A quick-match pairing made here: the waiting caller's acknowledgement, held by some node.
  // (its ticket starts with its socket id): it joins the room and is answered.
  void paired(const game& g, const std::string& partner_ticket);
  // Answers the held quick-match request `ticket` here, or tells the other nodes to.
  void answer_held(const std::string& ticket, const boost::json::value& reply);
  // Answers it when this node holds it (false: it does not, or not any more).
  bool answer_local(const std::string& ticket, const boost::json::value& reply);
  bool stopped() const;

  sio::server& io_;
  std::shared_ptr<storage> db_;
  apps::notifier& notify_;
  const realtime_options opts_;
  apps::user_limits limits_;
  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<std::string, std::set<id_type>, std::less<>> games_of_;  // socket id -> games joined
  std::map<std::string, held_match, std::less<>> held_;             // ticket -> waiting caller
  std::map<std::string, std::string, std::less<>> ticket_of_;       // socket id -> ticket
  std::atomic<std::uint64_t> tickets_{0};  // numbers this node's quick-match requests
  std::set<id_type> sweeping_;             // games whose forfeit check is under way on this node
  std::condition_variable wake_;
  std::thread sweeper_;
};

}  // namespace tictactoe
