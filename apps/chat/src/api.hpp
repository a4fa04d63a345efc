// chat::api: the REST API of sio-chat (/api/...), independent of any HTTP library: a request
// struct in, a chat::reply out. Slow work (Argon2id hashing) goes through the `offload` hook so
// the caller decides where it runs; tests run it inline.
//
// Thread-safety: handle() and authenticate() may be called from any thread concurrently.
#pragma once

#include "auth.hpp"
#include "login_throttle.hpp"
#include "rate_limit.hpp"
#include "reply.hpp"
#include "storage.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

struct api_request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin-form: /api/rooms/1/messages?limit=10
  std::string authorization;
  std::string cookie;
  std::string body;
  std::string address;  // the client's IP (behind a trusted proxy: the one it reports)
  std::string content_type;
  std::string origin;   // the Origin header ("" when absent)
  std::string referer;  // the Referer header ("" when absent)
  std::string host;     // the Host header
  bool secure = false;  // HTTPS as the client sees it (engineio::request_info::secure)
};

struct api_options {
  password_cost cost = password_cost::interactive();
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_members = 1000;
  // Register/login jobs queued or running at once; more get 503 (each hash costs ~64 MiB).
  std::size_t max_pending_slow = 64;
  bool secure_cookie = false;  // the auth cookie is `Secure` (the server speaks HTTPS)
  // Logins and registrations per address and username; over the limit: 429 with Retry-After.
  throttle_options throttle;
  // Rooms one user may create: a burst of `room_burst`, then `rooms_per_minute` (429 beyond).
  double room_burst = 5;
  double rooms_per_minute = 5;
};

struct api_hooks {
  // Runs `work` somewhere (a thread pool); empty: inline.
  std::function<void(std::function<void()> work)> offload;
  // After a room is created: its members (creator included).
  std::function<void(const room& r, const std::vector<id_type>& members, id_type creator)>
      on_room_created;
  // After a logout revoked the user's tokens: its sockets must go.
  std::function<void(id_type user)> on_logout;
  // After the user left the private room `room_id`.
  std::function<void(id_type room_id, id_type user)> on_room_left;
};

// Who a valid token names, and until when it is valid.
struct session {
  user who;
  std::int64_t expires_s = 0;
};

// The value of cookie `name` in a Cookie header, or nullopt.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);
// The token of "Bearer <token>", or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);
// False when an Origin header is present and names another origin than this server's: the scheme
// (https when `secure`) and the Host header, default ports (80, 443) implied. A cookie sent by a
// cross-site page (a WebSocket opened or a form posted from elsewhere) must not authenticate it.
// Also takes a full URL (a Referer): only its origin counts.
bool same_origin(std::string_view origin, std::string_view host, bool secure);
// Why a state-changing request (POST, PUT, PATCH, DELETE) is refused as a possible cross-site
// request forgery, or nullopt. Without a Bearer token it must name this origin in Origin (else
// Referer, when sent) and carry a JSON body type, which a cross-site form cannot send.
std::optional<std::string_view> forgery_refusal(const api_request& req);
// Decoded query parameter `name` of a request target, or nullopt.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

boost::json::value to_json(const room& r);
boost::json::value to_json(const message& m);

// "token=<jwt>; HttpOnly; SameSite=Lax; Path=/"
std::string session_cookie(std::string_view token, bool secure = false);

class api {
 public:
  api(storage& db, const token_service& tokens, api_options opts = {}, api_hooks hooks = {});

  // Handles one request whose path starts with /api; `done` runs exactly once, possibly on
  // another thread (after offloaded work).
  void handle(api_request req, std::function<void(reply)> done);

  // The user a request is made by: the JWT of the Bearer header, else of the `token` cookie,
  // verified, unexpired, not revoked (its version is the user's) and naming an existing user.
  std::optional<session> authenticate(std::string_view authorization, std::string_view cookie);
  std::optional<session> authenticate_token(std::string_view token);

 private:
  // A reply, or nullopt when `done` was handed to offloaded work.
  std::optional<reply> route(const api_request& req, std::function<void(reply)>& done);
  void do_register(std::string username, std::string password, std::function<void(reply)> done);
  void do_login(std::string username, std::string password, std::string address,
                std::function<void(reply)> done);
  reply create_room(const user& u, const boost::json::value& body);
  reply list_rooms(const user& u, std::string_view target);
  reply leave_room(const user& u, id_type room_id);
  reply logout(const api_request& req);
  reply room_messages(const user& u, id_type room_id, std::string_view target);
  void offload(std::function<void()> work);
  void run_slow(std::string_view what, std::function<reply()> work,
                std::function<void(reply)> done);

  storage& db_;
  const token_service& tokens_;
  api_options opts_;
  api_hooks hooks_;
  std::atomic<std::size_t> pending_slow_{0};
  login_throttle throttle_;
  token_buckets room_quota_;  // per user id
};

}  // namespace chat
