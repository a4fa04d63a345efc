// notifications::rest: the notifications' REST routes (POST /api/notifications, GET
// /api/notifications; see apps/notifications/API.md), independent of any HTTP library: the host
// authenticates the request (and refuses cross-site writes), then hands over the method, the
// target, the body and the user, and gets an apps::reply (JSON) back. Calls storage: run it off
// the network workers.
//
// Thread-safety: handle() may be called from any thread concurrently.
#pragma once

#include "accounts.hpp"
#include "accounts_api.hpp"
#include "reply.hpp"

#include <notifications/realtime.hpp>
#include <notifications/storage.hpp>

#include <string_view>

namespace notifications {

struct rest_options {
  // Notifications one user may send: a burst of `send_burst`, then `sends_per_minute` (429 with
  // Retry-After beyond).
  double send_burst = 20;
  double sends_per_minute = 20;
};

class rest {
 public:
  // Every argument must outlive this object.
  rest(storage& db, apps::accounts& users, realtime& rt, rest_options opts = {});

  // True for the targets handle() answers (/api/notifications).
  static bool handles(std::string_view target) noexcept;

  // One authenticated request of `user`: `target` in origin form (/api/notifications?limit=5).
  apps::reply handle(std::string_view method, std::string_view target, std::string_view body,
                     const apps::user& user);

 private:
  apps::reply send(std::string_view body, const apps::user& sender);
  apps::reply list(std::string_view target, id_type user);

  storage& db_;
  apps::accounts& users_;
  realtime& rt_;
  apps::creation_quota quota_;
};

}  // namespace notifications
