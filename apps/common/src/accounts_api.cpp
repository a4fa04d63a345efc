#include "accounts_api.hpp"

#include "static_files.hpp"
#include "validation.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <iostream>

namespace apps {
namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::int64_t now_s() {
  return now_ms() / 1000;
}

// Checked once per process so that logins of unknown users cost as much as real ones.
const std::string& dummy_hash(password_cost cost) {
  static const std::string h = hash_password("sio-chat timing equaliser", cost);
  return h;
}

}  // namespace

reply json_reply(unsigned status, const json::value& v) {
  return reply{status, "application/json", json::serialize(v), {}};
}

reply error_reply(unsigned status, std::string_view text) {
  return json_reply(status, json::object{{"error", text}});
}

reply too_many(std::string_view text, std::int64_t wait_ms) {
  reply r = error_reply(429, text);
  r.headers.emplace_back("Retry-After",
                         std::to_string(std::max<std::int64_t>(1, (wait_ms + 999) / 1000)));
  return r;
}

creation_quota::creation_quota(double burst, double per_minute)
    : buckets_({burst, per_minute / 60.0}, 100'000) {}

std::optional<reply> creation_quota::take(id_type user, std::string_view what) {
  const auto key = std::to_string(user);
  const auto now = now_ms();
  if (buckets_.take(key, now)) return std::nullopt;
  return too_many("Too many " + std::string(what) + " created, try again later",
                  buckets_.wait_ms(key, now));
}

reply method_not_allowed(std::string_view allow) {
  reply r = error_reply(405, "Method not allowed");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

reply unauthorized() {
  reply r = error_reply(401, "Unauthorized");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

std::optional<json::value> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 16;
  json::value v = json::parse(body, ec, {}, po);
  if (ec || !v.is_object()) return std::nullopt;
  return v;
}

std::string_view request_path(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

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

std::string session_cookie(std::string_view token, bool secure) {
  std::string c = "token=";
  c += token;
  c += "; HttpOnly; SameSite=Lax; Path=/";
  if (secure) c += "; Secure";
  return c;
}

accounts_api::accounts_api(accounts& users, const token_service& tokens, accounts_api_options opts,
                           offload_fn offload, std::function<void(id_type user)> on_logout)
    : users_(users),
      tokens_(tokens),
      opts_(opts),
      offload_(std::move(offload)),
      on_logout_(std::move(on_logout)),
      throttle_(opts.throttle) {}

std::optional<session> accounts_api::authenticate_token(std::string_view token) {
  auto claims = tokens_.verify(token, now_s());
  if (!claims) return std::nullopt;
  auto u = users_.find_user(claims->user_id);
  if (!u) return std::nullopt;  // the account no longer exists (e.g. a reset database)
  if (u->token_version != claims->version) return std::nullopt;  // revoked by a logout
  return session{std::move(*u), claims->expires_s};
}

std::optional<session> accounts_api::authenticate(std::string_view authorization,
                                                  std::string_view cookie) {
  if (auto b = bearer_token(authorization)) {
    if (auto u = authenticate_token(*b)) return u;
  }
  if (auto c = cookie_value(cookie, "token")) {
    if (auto u = authenticate_token(*c)) return u;
  }
  return std::nullopt;
}

std::optional<session> accounts_api::authorize(const api_request& req, reply& refusal) {
  auto s = authenticate(req.authorization, req.cookie);
  if (!s) {
    refusal = unauthorized();
    return std::nullopt;
  }
  if (auto why = forgery_refusal(req)) {
    refusal = error_reply(403, *why);
    return std::nullopt;
  }
  return s;
}

bool accounts_api::handle(const api_request& req, reply_fn& done) {
  const std::string_view path = request_path(req.target);
  if (path != "/api/register" && path != "/api/login" && path != "/api/logout" &&
      path != "/api/me") {
    return false;
  }
  bool async = false;
  reply r;
  try {
    r = route(req, path, done, async);
  } catch (const std::exception& e) {
    std::cerr << "accounts: " << req.method << ' ' << path << ": " << e.what() << '\n';
    r = error_reply(500, "Internal error");
  }
  if (!async && done) done(std::move(r));
  return true;
}

reply accounts_api::route(const api_request& req, std::string_view path, reply_fn& done,
                          bool& async) {
  const std::string& m = req.method;
  if (path == "/api/me") {
    reply refusal;
    auto s = authorize(req, refusal);
    if (!s) return refusal;
    if (m != "GET") return method_not_allowed("GET");
    return json_reply(200, json::object{{"userId", s->who.id}, {"username", s->who.username}});
  }
  if (m != "POST") return method_not_allowed("POST");
  if (auto why = forgery_refusal(req)) return error_reply(403, *why);
  if (path == "/api/logout") return logout(req);
  auto body = parse_object(req.body);
  if (!body) return error_reply(400, "Invalid JSON body");
  auto* un = field(*body, "username");
  auto* pw = field(*body, "password");
  if (!un || !un->is_string() || !pw || !pw->is_string()) {
    return error_reply(400, "username and password are required strings");
  }
  std::string username(un->get_string());
  std::string password(pw->get_string());
  if (path == "/api/register") {
    if (!valid_username(username)) {
      return error_reply(400, "Username must be 3-32 characters of letters, digits, _ . -");
    }
    if (!valid_password(password)) {
      return error_reply(400, "Password must be at least 8 characters");
    }
    if (auto wait = throttle_.registration(req.address, now_ms()))
      return too_many("Too many attempts, try again later", wait);
    async = true;
    do_register(std::move(username), std::move(password), std::move(done));
    return {};
  }
  if (auto wait = throttle_.login(username, req.address, now_ms())) {
    return too_many("Too many attempts, try again later", wait);
  }
  async = true;
  do_login(std::move(username), std::move(password), req.address, std::move(done));
  return {};
}

void accounts_api::run_slow(std::string_view what, std::function<reply()> work, reply_fn done) {
  // Bound the queue of Argon2id jobs: each costs ~64 MiB and tens of ms.
  if (pending_slow_.fetch_add(1, std::memory_order_acq_rel) >= opts_.max_pending_slow) {
    pending_slow_.fetch_sub(1, std::memory_order_acq_rel);
    reply r = error_reply(503, "Server busy, try again");
    r.headers.emplace_back("Retry-After", "1");
    done(std::move(r));
    return;
  }
  auto job = [this, what, work = std::move(work), done = std::move(done)]() mutable {
    reply r;
    try {
      r = work();
    } catch (const std::exception& e) {
      std::cerr << "accounts: " << what << ": " << e.what() << '\n';
      r = error_reply(500, "Internal error");
    }
    pending_slow_.fetch_sub(1, std::memory_order_acq_rel);
    done(std::move(r));
  };
  if (offload_) {
    offload_(std::move(job));
  } else {
    job();
  }
}

void accounts_api::do_register(std::string username, std::string password, reply_fn done) {
  run_slow(
      "register",
      [this, username = std::move(username), password = std::move(password)] {
        if (users_.find_user(username)) return error_reply(409, "Username already taken");
        auto hash = hash_password(password, opts_.cost);
        auto u = users_.create_user(username, hash, now_ms());
        if (!u) return error_reply(409, "Username already taken");
        return json_reply(201, json::object{{"userId", u->id}, {"username", u->username}});
      },
      std::move(done));
}

void accounts_api::do_login(std::string username, std::string password, std::string address,
                            reply_fn done) {
  run_slow(
      "login",
      [this, username = std::move(username), password = std::move(password),
       address = std::move(address)] {
        std::optional<user> u;
        if (valid_username(username) && password.size() <= max_password_bytes) {
          u = users_.find_user(username);
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

reply accounts_api::logout(const api_request& req) {
  // Revokes every token of the user, this one included, and closes its sockets everywhere.
  if (auto s = authenticate(req.authorization, req.cookie)) {
    users_.revoke_tokens(s->who.id);
    if (on_logout_) on_logout_(s->who.id);
  }
  reply r{204, "application/json", "", {}};
  r.headers.emplace_back("Set-Cookie", session_cookie("", opts_.secure_cookie) + "; Max-Age=0");
  return r;
}

}  // namespace apps
