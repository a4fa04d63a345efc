// chat::api: the REST API of sio-chat (/api/...), independent of any HTTP library: a request
// struct in, a chat::reply out. Slow work (Argon2id hashing) goes through the `offload` hook so
// the caller decides where it runs; tests run it inline.
//
// Thread-safety: handle() and authenticate() may be called from any thread concurrently.
#pragma once

#include "auth.hpp"
#include "login_throttle.hpp"
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
};

struct api_hooks {
  // Runs `work` somewhere (a thread pool); empty: inline.
  std::function<void(std::function<void()> work)> offload;
  // After a room is created: its members (creator included).
  std::function<void(const room& r, const std::vector<id_type>& members, id_type creator)>
      on_room_created;
};

// The value of cookie `name` in a Cookie header, or nullopt.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);
// The token of "Bearer <token>", or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);
// False when an Origin header is present and names another host than the Host header: a cookie
// sent by a cross-site page (e.g. a WebSocket opened from elsewhere) must not authenticate it.
bool same_origin(std::string_view origin, std::string_view host);
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
  // verified and still naming an existing user.
  std::optional<user> authenticate(std::string_view authorization, std::string_view cookie);
  std::optional<user> authenticate_token(std::string_view token);

 private:
  // A reply, or nullopt when `done` was handed to offloaded work.
  std::optional<reply> route(const api_request& req, std::function<void(reply)>& done);
  void do_register(std::string username, std::string password, std::function<void(reply)> done);
  void do_login(std::string username, std::string password, std::string address,
                std::function<void(reply)> done);
  reply create_room(const user& u, const boost::json::value& body);
  reply list_rooms(const user& u);
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
};

}  // namespace chat
