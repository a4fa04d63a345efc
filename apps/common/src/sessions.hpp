// apps::sessions: the logged-in sockets of every app's namespaces, and their end on the server's
// word. An app protects each of its namespaces once (protect); from then on its sockets are the
// login middleware's (apps::login_middleware), each is in the room user_room(<its user>) of its
// namespace, and they end (`error "unauthorized"`, then a server-side disconnect) when their
// user logs out (on every node, through the adapter) or when their token expires (each node
// sweeps its own sockets every 2 s).
//
// A dynamic namespace (io.of(regex)) is protected through its parent (protect_dynamic): each
// child copies the login middleware when it is created and runs the parent's connection handlers.
// A broadcast cannot reach the children another node has and this one lacks, so a logout reaches
// them by the server-side event "apps:loggedOut" (each node ends its own children's sockets).
//
// Thread-safety: protect() before the server starts; the rest from any thread.
#pragma once

#include "accounts.hpp"
#include "accounts_api.hpp"

#include <sio/sio.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace apps {

// The room every protected namespace puts a user's sockets in: "user:<id>".
std::string user_room(id_type user);

class sessions {
 public:
  // `io` and `auth` must outlive this object.
  sessions(sio::server& io, accounts_api& auth);
  ~sessions();
  sessions(const sessions&) = delete;
  sessions& operator=(const sessions&) = delete;

  // Admits on `nsp` only the sockets the login middleware admits, and ends them as above.
  void protect(sio::namespace_& nsp);
  // The same for the parent of a dynamic namespace (io.of(regex | predicate)), before any child
  // exists (before the server starts).
  void protect_dynamic(sio::namespace_& parent);
  // The user's sockets in every protected namespace, on every node, end.
  void logged_out(id_type user);
  // The names of the namespaces protected so far, in the order of protect() (the dynamic ones
  // have none a client connects to).
  const std::vector<std::string>& namespaces() const noexcept { return namespaces_; }
  // The dynamic parents protected so far, in the order of protect_dynamic().
  const std::vector<sio::namespace_*>& dynamic_parents() const noexcept { return parents_; }
  // Starts the expiry sweep. Call once, after protect().
  void start();
  // Stops the sweep and joins its thread. Idempotent.
  void stop();

  static constexpr std::chrono::seconds sweep_interval{2};
  // The server-side event telling the other nodes that a user logged out (argument: the id).
  static constexpr std::string_view logout_event = "apps:loggedOut";

 private:
  void on_connection(sio::socket& s);
  void schedule_sweep();
  void sweep_expired(std::int64_t now_s);
  // Ends this node's sockets of `user` in the dynamic namespaces.
  void end_local(id_type user);
  static void unauthorize(const sio::broadcast_operator& sockets);

  using socket_key = std::pair<std::string, std::string>;  // namespace, socket id

  sio::server& io_;
  accounts_api& auth_;
  std::vector<std::string> namespaces_;    // written by protect() only, before the server starts
  std::vector<sio::namespace_*> parents_;  // the same, for the dynamic namespaces
  std::mutex mu_;
  bool stopped_ = false;                                    // guarded by mu_
  std::map<socket_key, std::int64_t, std::less<>> expiry_;  // guarded by mu_: token expiry (s)
  boost::asio::thread_pool sweeper_{1};
  boost::asio::steady_timer timer_{sweeper_};  // guarded by mu_
};

}  // namespace apps
