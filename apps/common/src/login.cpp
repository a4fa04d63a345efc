#include "login.hpp"

#include <exception>
#include <iostream>
#include <string_view>

namespace apps {
namespace {

// The session a socket's handshake names, or nullopt.
std::optional<session> handshake_session(accounts_api& auth, sio::socket& s) {
  auto* t = s.handshake().auth.if_contains("token");
  if (t && t->is_string() && !t->get_string().empty()) {
    if (auto u = auth.authenticate_token(std::string_view(t->get_string()))) return u;
  }
  // The cookie only counts for a same-origin page (no cross-site WebSocket hijacking).
  auto& h = s.handshake().headers();
  auto header = [&h](std::string_view name) -> std::string_view {
    auto it = h.find(name);
    return it == h.end() ? std::string_view{} : std::string_view(it->second);
  };
  if (!same_origin(header("origin"), header("host"), s.handshake().secure())) return std::nullopt;
  return auth.authenticate({}, header("cookie"));
}

}  // namespace

sio::server::middleware login_middleware(accounts_api& auth) {
  return [&auth](sio::socket& s, sio::next next) {
    std::optional<session> u;
    try {
      u = handshake_session(auth, s);
    } catch (const std::exception& e) {
      std::cerr << "login: handshake: " << e.what() << '\n';
    }
    if (!u) {
      next(sio::connect_error{"unauthorized", std::nullopt});
      return;
    }
    s.data["userId"] = u->who.id;
    s.data["username"] = u->who.username;
    s.data["tokenExpires"] = u->expires_s;
    next();
  };
}

std::optional<identity> identity_of(const sio::socket& s) {
  auto* id = s.data.if_contains("userId");
  auto* name = s.data.if_contains("username");
  if (!id || !id->is_int64() || !name || !name->is_string()) return std::nullopt;
  return identity{id->get_int64(), std::string(name->get_string())};
}

std::optional<std::int64_t> token_expiry_of(const sio::socket& s) {
  auto* exp = s.data.if_contains("tokenExpires");
  if (!exp || !exp->is_int64()) return std::nullopt;
  return exp->get_int64();
}

}  // namespace apps
