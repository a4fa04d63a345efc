// apps::accounts_api: the accounts' REST API every app shares (/api/register, /api/login,
// /api/logout, /api/me), who a request or a token is (authenticate), and the HTTP helpers the
// apps' own routes use (cookies, CSRF check, query parameters, JSON replies). Independent of any
// HTTP library: an api_request in, an apps::reply out. Slow work (Argon2id hashing) goes through
// the `offload` hook so the caller decides where it runs; tests run it inline.
//
// Thread-safety: handle() and authenticate() may be called from any thread concurrently.
#pragma once

#include "accounts.hpp"
#include "auth.hpp"
#include "login_throttle.hpp"
#include "rate_limit.hpp"
#include "reply.hpp"

#include <boost/json/value.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace apps {

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

// Runs `work` somewhere (a thread pool); empty: inline.
using offload_fn = std::function<void(std::function<void()> work)>;
// Receives the reply to a request, exactly once, possibly on another thread.
using reply_fn = std::function<void(reply)>;

struct accounts_api_options {
  password_cost cost = password_cost::interactive();
  std::size_t max_body_bytes = 64 * 1024;  // larger bodies of any /api request: 413
  // Register/login jobs queued or running at once; more get 503 (each hash costs ~64 MiB).
  std::size_t max_pending_slow = 64;
  bool secure_cookie = false;  // the auth cookie is `Secure` (the server speaks HTTPS)
  // Logins and registrations per address and username; over the limit: 429 with Retry-After.
  throttle_options throttle;
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
// The path of a request target without its query and trailing slashes ("/api/rooms").
std::string_view request_path(std::string_view target);

// "token=<jwt>; HttpOnly; SameSite=Lax; Path=/"
std::string session_cookie(std::string_view token, bool secure = false);

reply json_reply(unsigned status, const boost::json::value& v);
reply error_reply(unsigned status, std::string_view text);  // {"error": text}
// 429 with the whole seconds to wait in Retry-After.
reply too_many(std::string_view text, std::int64_t wait_ms);

// How many things of one kind (documents, auctions, ...) each user may create: a burst, then so
// many a minute, per user id (at most 100 000 users tracked). Thread-safe.
class creation_quota {
 public:
  creation_quota(double burst, double per_minute);
  // Counts one creation by `user` now: nullopt when it is allowed, else the 429 refusal ("Too
  // many <what> created, try again later", with Retry-After).
  std::optional<reply> take(id_type user, std::string_view what);

 private:
  token_buckets buckets_;
};
// 405 with an Allow header.
reply method_not_allowed(std::string_view allow);
// 401 with WWW-Authenticate: Bearer.
reply unauthorized();
// The JSON object of a request body (depth at most 16), or nullopt.
std::optional<boost::json::value> parse_object(std::string_view body);

class accounts_api {
 public:
  // `on_logout` runs after a logout revoked the user's tokens (its sockets must go).
  accounts_api(accounts& users, const token_service& tokens, accounts_api_options opts = {},
               offload_fn offload = {}, std::function<void(id_type user)> on_logout = {});

  // A request for /api/register, /api/login, /api/logout or /api/me: true, and `done` runs
  // exactly once, possibly on another thread (after offloaded work); any other path: false and
  // `done` is left alone.
  bool handle(const api_request& req, reply_fn& done);

  // The user a request is made by: the JWT of the Bearer header, else of the `token` cookie,
  // verified, unexpired, not revoked (its version is the user's) and naming an existing user.
  std::optional<session> authenticate(std::string_view authorization, std::string_view cookie);
  std::optional<session> authenticate_token(std::string_view token);
  // As authenticate() for a request the routes of an app serve: the session, else the reply
  // refusing the request (401 unauthenticated, 403 a possible cross-site forgery).
  std::optional<session> authorize(const api_request& req, reply& refusal);
  // Answers `done` for a request an app's routes serve: with route(session) when authorize()
  // finds the session, else with its refusal.
  template <class Route>
  void serve(const api_request& req, const reply_fn& done, Route&& route) {
    reply refusal;
    if (auto who = authorize(req, refusal)) return done(route(*who));
    done(std::move(refusal));
  }

  const accounts_api_options& options() const noexcept { return opts_; }

 private:
  reply route(const api_request& req, std::string_view path, reply_fn& done, bool& async);
  void do_register(std::string username, std::string password, reply_fn done);
  void do_login(std::string username, std::string password, std::string address, reply_fn done);
  reply logout(const api_request& req);
  void run_slow(std::string_view what, std::function<reply()> work, reply_fn done);

  accounts& users_;
  const token_service& tokens_;
  accounts_api_options opts_;
  offload_fn offload_;
  std::function<void(id_type)> on_logout_;
  std::atomic<std::size_t> pending_slow_{0};
  login_throttle throttle_;
};

}  // namespace apps
