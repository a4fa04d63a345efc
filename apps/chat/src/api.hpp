// chat::api: the chat's REST routes (/api/rooms, /api/rooms/:id/messages, /api/rooms/:id/leave),
// independent of any HTTP library: an apps::api_request in, an apps::reply out. Who makes a
// request is the shared accounts' business (apps::accounts_api::authorize). A new private room's
// members (but its creator) get a notice (apps::notifier) as well as the hooks' live event.
//
// Thread-safety: handle() may be called from any thread concurrently.
#pragma once

#include "accounts_api.hpp"
#include "notifier.hpp"
#include "rate_limit.hpp"
#include "storage.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace apps::chat {

struct api_options {
  std::size_t max_members = 1000;
  // Rooms one user may create: a burst of `room_burst`, then `rooms_per_minute` (429 beyond).
  double room_burst = 5;
  double rooms_per_minute = 5;
};

struct api_hooks {
  // After a room is created: its members (creator included).
  std::function<void(const room& r, const std::vector<id_type>& members, id_type creator)>
      on_room_created;
  // After the user left the private room `room_id`.
  std::function<void(id_type room_id, id_type user)> on_room_left;
};

boost::json::value to_json(const room& r);
boost::json::value to_json(const message& m);

// The notices of a new private room: one to each member but its creator ("Invitation to <name>",
// "<creator> added you to the private room <name>", the room's page).
std::vector<notice> invite_notices(const room& r, const std::vector<id_type>& members,
                                   const user& creator);

class api {
 public:
  // `db`, `users`, `auth` and `notify` must outlive this object.
  api(storage& db, accounts& users, accounts_api& auth, notifier& notify, api_options opts = {},
      api_hooks hooks = {});

  // The reply to a request for one of the chat's routes; nullopt for any other path.
  std::optional<reply> handle(const api_request& req);

 private:
  reply route(const api_request& req, std::string_view path, bool messages, bool leave);
  reply create_room(const user& u, const boost::json::value& body);
  reply list_rooms(const user& u, std::string_view target);
  reply leave_room(const user& u, id_type room_id);
  reply room_messages(const user& u, id_type room_id, std::string_view target);

  storage& db_;
  accounts& users_;
  accounts_api& auth_;
  notifier& notify_;
  api_options opts_;
  api_hooks hooks_;
  token_buckets room_quota_;  // per user id
};

}  // namespace apps::chat
