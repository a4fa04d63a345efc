#include "api.hpp"

#include "static_files.hpp"
#include "validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <iostream>
#include <memory>

namespace chat {
namespace json = boost::json;

namespace {

constexpr std::size_t room_quota_keys = 100000;  // users tracked by the room-creation limit

reply json_reply(unsigned status, const json::value& v) {
  return reply{status, "application/json", json::serialize(v), {}};
}

reply error_reply(unsigned status, std::string_view text) {
  return json_reply(status, json::object{{"error", text}});
}

// 429 with the whole seconds to wait in Retry-After.
reply too_many(std::string_view text, std::int64_t wait_ms) {
  reply r = error_reply(429, text);
  r.headers.emplace_back("Retry-After",
                         std::to_string(std::max<std::int64_t>(1, (wait_ms + 999) / 1000)));
  return r;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::int64_t now_s() {
  return now_ms() / 1000;
}

// The `limit` query parameter of a page: 1 to 100, 50 when absent; nullopt when invalid.
std::optional<std::size_t> page_limit(std::string_view target) {
  auto l = query_param(target, "limit");
  if (!l || l->empty()) return 50;
  auto n = parse_id(std::string_view(*l));
  if (!n || *n > 100) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

// Checked once per process so that logins of unknown users cost as much as real ones.
const std::string& dummy_hash(password_cost cost) {
  static const std::string h = hash_password("sio-chat timing equaliser", cost);
  return h;
}

}  // namespace

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) != name) continue;
    std::string_view v = trim(pair.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return std::nullopt;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  if (authorization.size() < 7) return std::nullopt;
  std::string scheme(authorization.substr(0, 7));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return std::nullopt;
  auto t = trim(authorization.substr(7));
  if (t.empty()) return std::nullopt;
  return t;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// `authority` without the scheme's default port.
std::string_view without_default_port(std::string_view authority, bool https) {
  std::string_view port = https ? ":443" : ":80";
  if (authority.ends_with(port)) authority.remove_suffix(port.size());
  return authority;
}

}  // namespace

bool same_origin(std::string_view origin, std::string_view host, bool secure) {
  origin = trim(origin);
  if (origin.empty()) return true;  // not a browser, or a same-origin GET
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;  // "null" and other opaque origins
  std::string_view scheme = origin.substr(0, scheme_end);
  if (!iequals(scheme, secure ? "https" : "http")) return false;
  std::string_view o = origin.substr(scheme_end + 3);
  o = o.substr(0, o.find_first_of("/?#"));
  host = trim(host);
  if (o.empty() || host.empty()) return false;
  return iequals(without_default_port(o, secure), without_default_port(host, secure));
}

std::optional<std::string_view> forgery_refusal(const api_request& req) {
  const std::string& m = req.method;
  if (m != "POST" && m != "PUT" && m != "PATCH" && m != "DELETE") return std::nullopt;
  if (bearer_token(req.authorization)) return std::nullopt;  // not sent by a browser on its own
  const std::string& from = req.origin.empty() ? req.referer : req.origin;
  if (!same_origin(from, req.host, req.secure)) return "Cross-site request refused";
  std::string_view type =
      trim(std::string_view(req.content_type)
               .substr(0, std::min(req.content_type.find(';'), req.content_type.size())));
  if (!iequals(type, "application/json")) return "Content-Type must be application/json";
  return std::nullopt;
}

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  if (auto h = rest.find('#'); h != std::string_view::npos) rest = rest.substr(0, h);
  std::optional<std::string> found;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (k != name) continue;
    std::string plus(v);
    for (auto& c : plus) {
      if (c == '+') c = ' ';
    }
    auto d = percent_decode(plus);
    found = d ? std::move(*d) : std::string("\x01invalid");  // invalid encoding: caller rejects
  }
  return found;
}

json::value to_json(const room& r) {
  return json::object{{"roomId", r.id},
                      {"name", r.name},
                      {"private", r.is_private},
                      {"createdBy", r.created_by},
                      {"createdAt", iso8601(r.created_ms)}};
}

json::value to_json(const message& m) {
  return json::object{{"id", m.id},          {"roomId", m.room_id},
                      {"userId", m.user_id}, {"username", m.username},
                      {"message", m.text},   {"createdAt", iso8601(m.created_ms)}};
}

std::string session_cookie(std::string_view token, bool secure) {
  std::string c = "token=";
  c += token;
  c += "; HttpOnly; SameSite=Lax; Path=/";
  if (secure) c += "; Secure";
  return c;
}

api::api(storage& db, const token_service& tokens, api_options opts, api_hooks hooks)
    : db_(db),
      tokens_(tokens),
      opts_(opts),
      hooks_(std::move(hooks)),
      throttle_(opts.throttle),
      room_quota_(rate{opts.room_burst, opts.rooms_per_minute / 60}, room_quota_keys) {}

void api::offload(std::function<void()> work) {
  if (hooks_.offload) {
    hooks_.offload(std::move(work));
  } else {
    work();
  }
}

std::optional<session> api::authenticate_token(std::string_view token) {
  auto claims = tokens_.verify(token, now_s());
  if (!claims) return std::nullopt;
  auto u = db_.find_user(claims->user_id);
  if (!u) return std::nullopt;  // the account no longer exists (e.g. a reset database)
  if (u->token_version != claims->version) return std::nullopt;  // revoked by a logout
  return session{std::move(*u), claims->expires_s};
}

std::optional<session> api::authenticate(std::string_view authorization, std::string_view cookie) {
  if (auto b = bearer_token(authorization)) {
    if (auto u = authenticate_token(*b)) return u;
  }
  if (auto c = cookie_value(cookie, "token")) {
    if (auto u = authenticate_token(*c)) return u;
  }
  return std::nullopt;
}

void api::handle(api_request req, std::function<void(reply)> done) {
  std::optional<reply> r;
  try {
    r = route(req, done);
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: " << req.method << ' ' << req.target << ": " << e.what() << '\n';
    r = error_reply(500, "Internal error");
  }
  if (r && done) done(std::move(*r));
}

std::optional<reply> api::route(const api_request& req, std::function<void(reply)>& done) {
  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const std::string& m = req.method;

  if (req.body.size() > opts_.max_body_bytes) return error_reply(413, "Request body too large");

  auto parse_body = [&](json::value& out) -> bool {
    boost::system::error_code ec;
    json::parse_options po;
    po.max_depth = 16;
    out = json::parse(req.body, ec, {}, po);
    return !ec && out.is_object();
  };
  auto method_not_allowed = [](std::string_view allow) {
    reply r = error_reply(405, "Method not allowed");
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
  };

  if (path == "/api/register" || path == "/api/login") {
    if (m != "POST") return method_not_allowed("POST");
    if (auto why = forgery_refusal(req)) return error_reply(403, *why);
    json::value body;
    if (!parse_body(body)) return error_reply(400, "Invalid JSON body");
    auto* un = field(body, "username");
    auto* pw = field(body, "password");
    const bool is_register = path == "/api/register";
    if (!un || !un->is_string() || !pw || !pw->is_string()) {
      return error_reply(400, "username and password are required strings");
    }
    std::string username(un->get_string());
    std::string password(pw->get_string());
    if (is_register) {
      if (!valid_username(username)) {
        return error_reply(400, "Username must be 3-32 characters of letters, digits, _ . -");
      }
      if (!valid_password(password)) {
        return error_reply(400, "Password must be at least 8 characters");
      }
      if (auto wait = throttle_.registration(req.address, now_ms()))
        return too_many("Too many attempts, try again later", wait);
      do_register(std::move(username), std::move(password), std::move(done));
    } else {
      if (auto wait = throttle_.login(username, req.address, now_ms())) {
        return too_many("Too many attempts, try again later", wait);
      }
      do_login(std::move(username), std::move(password), req.address, std::move(done));
    }
    return std::nullopt;
  }
  if (path == "/api/logout") {
    if (m != "POST") return method_not_allowed("POST");
    if (auto why = forgery_refusal(req)) return error_reply(403, *why);
    return logout(req);
  }
  if (path == "/api/apps") {  // the apps the web front end lists on its home page
    if (m != "GET") return method_not_allowed("GET");
    return json_reply(200, json::array{json::object{
                               {"id", "chat"},
                               {"title", "Chat"},
                               {"summary", "Public and private rooms, typing, who is online"},
                               {"path", "/chat"}}});
  }

  // Everything below needs a user.
  const bool per_room = path.starts_with("/api/rooms/");
  const bool messages = per_room && path.ends_with("/messages");
  const bool leave = per_room && path.ends_with("/leave");
  const bool known = path == "/api/me" || path == "/api/rooms" || messages || leave;
  if (!known) return error_reply(404, "Not found");
  auto authenticated = authenticate(req.authorization, req.cookie);
  if (!authenticated) {
    reply r = error_reply(401, "Unauthorized");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (auto why = forgery_refusal(req)) return error_reply(403, *why);
  const user* u = &authenticated->who;
  if (path == "/api/me") {
    if (m != "GET") return method_not_allowed("GET");
    return json_reply(200, json::object{{"userId", u->id}, {"username", u->username}});
  }
  if (path == "/api/rooms") {
    if (m == "GET") return list_rooms(*u, target);
    if (m == "POST") {
      json::value body;
      if (!parse_body(body)) return error_reply(400, "Invalid JSON body");
      return create_room(*u, body);
    }
    return method_not_allowed("GET, POST");
  }
  // /api/rooms/:roomId/messages, /api/rooms/:roomId/leave
  const std::string_view tail = messages ? "/messages" : "/leave";
  if (m != (messages ? "GET" : "POST")) return method_not_allowed(messages ? "GET" : "POST");
  std::string_view id_part = path.substr(11, path.size() - 11 - tail.size());
  auto room_id = parse_id(id_part);
  if (!room_id) return error_reply(404, "Room not found");
  if (leave) return leave_room(*u, *room_id);
  return room_messages(*u, *room_id, target);
}

void api::run_slow(std::string_view what, std::function<reply()> work,
                   std::function<void(reply)> done) {
  // Bound the queue of Argon2id jobs: each costs ~64 MiB and tens of ms.
  if (pending_slow_.fetch_add(1, std::memory_order_acq_rel) >= opts_.max_pending_slow) {
    pending_slow_.fetch_sub(1, std::memory_order_acq_rel);
    reply r = error_reply(503, "Server busy, try again");
    r.headers.emplace_back("Retry-After", "1");
    done(std::move(r));
    return;
  }
  offload([this, what, work = std::move(work), done = std::move(done)]() mutable {
    reply r;
    try {
      r = work();
    } catch (const std::exception& e) {
      std::cerr << "sio-chat: " << what << ": " << e.what() << '\n';
      r = error_reply(500, "Internal error");
    }
    pending_slow_.fetch_sub(1, std::memory_order_acq_rel);
    done(std::move(r));
  });
}

void api::do_register(std::string username, std::string password, std::function<void(reply)> done) {
  run_slow(
      "register",
      [this, username = std::move(username), password = std::move(password)] {
        if (db_.find_user(username)) return error_reply(409, "Username already taken");
        auto hash = hash_password(password, opts_.cost);
        auto u = db_.create_user(username, hash, now_ms());
        if (!u) return error_reply(409, "Username already taken");
        return json_reply(201, json::object{{"userId", u->id}, {"username", u->username}});
      },
      std::move(done));
}

void api::do_login(std::string username, std::string password, std::string address,
                   std::function<void(reply)> done) {
  run_slow(
      "login",
      [this, username = std::move(username), password = std::move(password),
       address = std::move(address)] {
        std::optional<user> u;
        if (valid_username(username) && password.size() <= max_password_bytes) {
          u = db_.find_user(username);
        }
        bool ok = false;
        if (u) {
          ok = verify_password(u->password_hash, password);
        } else {
          verify_password(dummy_hash(opts_.cost), password);  // same cost as a real check
        }
        if (!ok) {
          throttle_.login_failed(username, now_ms());
          return error_reply(401, "Invalid username or password");
        }
        throttle_.login_succeeded(username, address);
        auto token = tokens_.issue(u->id, u->username, u->token_version, now_s());
        reply r = json_reply(
            200, json::object{{"token", token}, {"userId", u->id}, {"username", u->username}});
        r.headers.emplace_back("Set-Cookie", session_cookie(token, opts_.secure_cookie));
        return r;
      },
      std::move(done));
}

reply api::logout(const api_request& req) {
  // Revokes every token of the user, this one included, and closes its sockets everywhere.
  if (auto s = authenticate(req.authorization, req.cookie)) {
    db_.revoke_tokens(s->who.id);
    if (hooks_.on_logout) hooks_.on_logout(s->who.id);
  }
  reply r{204, "application/json", "", {}};
  r.headers.emplace_back("Set-Cookie", session_cookie("", opts_.secure_cookie) + "; Max-Age=0");
  return r;
}

reply api::list_rooms(const user& u, std::string_view target) {
  auto limit = page_limit(target);
  if (!limit) return error_reply(400, "limit must be an integer from 1 to 100");
  id_type after = 0;
  if (auto a = query_param(target, "after"); a && !a->empty()) {
    auto id = parse_id(std::string_view(*a));
    if (!id) return error_reply(400, "after must be a room id");
    after = *id;
  }
  auto rooms = db_.visible_rooms(u.id, after, *limit + 1);  // one more: is there a next page?
  const bool more = rooms.size() > *limit;
  if (more) rooms.resize(*limit);
  json::array out;
  for (auto& r : rooms) out.push_back(to_json(r));
  reply res = json_reply(200, out);
  if (more) {
    res.headers.emplace_back("Link", "</api/rooms?limit=" + std::to_string(*limit) + "&after=" +
                                         std::to_string(rooms.back().id) + ">; rel=\"next\"");
  }
  return res;
}

reply api::leave_room(const user& u, id_type room_id) {
  auto r = db_.find_room(room_id);
  if (!r) return error_reply(404, "Room not found");
  if (!r->is_private) return error_reply(400, "Only private rooms can be left");
  if (!db_.leave_room(room_id, u.id)) return error_reply(403, "Access denied");
  if (hooks_.on_room_left) hooks_.on_room_left(room_id, u.id);
  return reply{204, "application/json", "", {}};
}

reply api::create_room(const user& u, const json::value& body) {
  auto name = normalize_room_name(field(body, "name"));
  if (!name) return error_reply(400, "Room name must be 1-64 characters");
  bool is_private = false;
  if (auto* p = field(body, "private"); p && !p->is_null()) {
    if (!p->is_bool()) return error_reply(400, "private must be a boolean");
    is_private = p->get_bool();
  }
  std::vector<id_type> members;
  if (auto* ms = field(body, "members"); ms && !ms->is_null()) {
    if (!ms->is_array()) return error_reply(400, "members must be an array of usernames");
    if (ms->get_array().size() > opts_.max_members) return error_reply(400, "Too many members");
    for (auto& v : ms->get_array()) {
      if (!v.is_string()) return error_reply(400, "members must be an array of usernames");
      std::string_view name_v = v.get_string();
      auto member = valid_username(name_v) ? db_.find_user(name_v) : std::nullopt;
      if (!member) return error_reply(400, "Unknown user: " + std::string(name_v));
      members.push_back(member->id);
    }
  }
  const auto quota_key = std::to_string(u.id);
  if (!room_quota_.take(quota_key, now_ms()))
    return too_many("Too many rooms created, try again later",
                    room_quota_.wait_ms(quota_key, now_ms()));
  auto r = db_.create_room(*name, is_private, u.id, members, now_ms());
  if (!r) return error_reply(409, "A room with that name exists");
  if (hooks_.on_room_created) {
    auto all = db_.room_members(r->id);
    hooks_.on_room_created(*r, all, u.id);
  }
  return json_reply(201, to_json(*r));
}

reply api::room_messages(const user& u, id_type room_id, std::string_view target) {
  auto r = db_.find_room(room_id);
  if (!r) return error_reply(404, "Room not found");
  if (r->is_private && !db_.is_member(room_id, u.id)) return error_reply(403, "Access denied");
  auto limit = page_limit(target);
  if (!limit) return error_reply(400, "limit must be an integer from 1 to 100");
  std::optional<id_type> before;
  if (auto b = query_param(target, "before"); b && !b->empty()) {
    before = parse_id(std::string_view(*b));
    if (!before) return error_reply(400, "before must be a message id");
  }
  json::array out;
  for (auto& m : db_.messages(room_id, *limit, before)) out.push_back(to_json(m));
  return json_reply(200, out);
}

}  // namespace chat
