// apps::app_module: the seam between the demo server (apps/demo, the host) and one app (the chat,
// the editor, ...). The host owns what the apps share: the engine and sio::server, the database
// with the accounts, the login, a thread pool, the cluster adapter. Each app registers its own
// Socket.IO namespace(s) in install() and serves its own REST routes under /api in handle().
//
// Thread-safety: install() runs once, before the server starts; handle() may be called from any
// thread concurrently afterwards; stop() runs once, after the server stopped.
#pragma once

#include "accounts.hpp"
#include "accounts_api.hpp"
#include "database.hpp"
#include "login.hpp"
#include "notifier.hpp"
#include "sessions.hpp"

#include <sio/sio.hpp>

#include <string>

namespace apps {

// What the home page lists (GET /api/apps): {"id":"editor","title":"Editor","summary":"...",
// "path":"/editor"}. `path` is the app's page in the front end, and its Socket.IO namespace
// unless it says otherwise (the chat keeps "/", which its clients use).
struct app_info {
  std::string id, title, summary, path;
};

// What the host gives an app in install(); everything outlives the module.
struct host_context {
  sio::server& io;
  const database& db;  // the one database: open the app's storage in it (its own schema)
  accounts& users;     // the shared users
  accounts_api& auth;  // who a REST request is (authorize) or a token names
  // Logged-in sockets only: call login.protect(io.of(p)) on every namespace of the app, before
  // registering its handlers. Logout and token expiry then end the app's sockets too.
  sessions& login;
  offload_fn offload;      // runs slow work off the network workers
  bool clustered = false;  // io uses the Redis adapter: several nodes serve the same users
  // Notices to users (stored, delivered to each of their connections); the notifications app
  // provides the implementation, the other apps push.
  notifier_slot& notify;
  // This node's name (--node-name; default <hostname>:<port>): what the dashboard shows.
  std::string node_name;
};

class app_module {
 public:
  virtual ~app_module() = default;
  virtual app_info info() const = 0;
  // Opens the app's storage and registers its namespace(s) and their handlers on host.io.
  virtual void install(host_context& host) = 0;
  // A request under /api (after the accounts' own routes): false when the route is not this
  // app's (`done` is left alone); true when it is, and `done` then runs exactly once, possibly
  // on another thread.
  virtual bool handle(const api_request& req, reply_fn& done) = 0;
  // The server stopped: join the app's own threads and timers. Idempotent.
  virtual void stop() {}
};

}  // namespace apps
