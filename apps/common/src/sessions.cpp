#include "sessions.hpp"

#include "login.hpp"
#include "validation.hpp"

#include <exception>
#include <iostream>

namespace apps {
namespace json = boost::json;

std::string user_room(id_type user) {
  return "user:" + std::to_string(user);
}

sessions::sessions(sio::server& io, accounts_api& auth) : io_(io), auth_(auth) {}

sessions::~sessions() {
  stop();
}

void sessions::protect(sio::namespace_& nsp) {
  namespaces_.push_back(nsp.name());
  nsp.use(login_middleware(auth_));
  nsp.on_connection([this](sio::socket& s) { on_connection(s); });
}

void sessions::protect_dynamic(sio::namespace_& parent) {
  if (parents_.empty()) {
    io_.of("/").on_server_side_emit(std::string(logout_event), [this](const json::array& a) {
      if (auto user = parse_id(a.empty() ? nullptr : &a.front())) end_local(*user);
    });
  }
  parents_.push_back(&parent);
  parent.use(login_middleware(auth_));
  parent.on_connection([this](sio::socket& s) { on_connection(s); });
}

void sessions::on_connection(sio::socket& s) {
  const auto me = identity_of(s);
  if (!me) return;  // not the login middleware's: refused before connecting
  s.join(user_room(me->user_id));
  const auto exp = token_expiry_of(s);
  if (!exp) return;
  socket_key key{s.nsp().name(), s.id()};
  {
    std::lock_guard lock(mu_);
    expiry_[key] = *exp;
  }
  s.on_disconnect([this, key](sio::socket&, sio::disconnect_reason) {
    std::lock_guard lock(mu_);
    expiry_.erase(key);
  });
}

void sessions::logged_out(id_type user) {
  for (const auto& name : namespaces_) {
    try {
      unauthorize(io_.of(name).to(user_room(user)));  // through the adapter: on every node
    } catch (const std::exception& e) {
      std::cerr << "logout " << name << ": " << e.what() << '\n';
    }
  }
  if (parents_.empty()) return;
  end_local(user);
  try {
    io_.of("/").server_side_emit(logout_event, user);
  } catch (const std::exception& e) {
    std::cerr << "logout: " << e.what() << '\n';
  }
}

void sessions::end_local(id_type user) {
  for (auto* parent : parents_) {
    try {
      unauthorize(parent->local().to(user_room(user)));  // reaches this node's children
    } catch (const std::exception& e) {
      std::cerr << "logout " << parent->name() << ": " << e.what() << '\n';
    }
  }
}

void sessions::start() {
  schedule_sweep();
}

void sessions::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
  }
  sweeper_.stop();
  sweeper_.join();
}

void sessions::schedule_sweep() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  timer_.expires_after(sweep_interval);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    sweep_expired(now_ms() / 1000);
    schedule_sweep();
  });
}

void sessions::sweep_expired(std::int64_t now_s) {
  std::vector<socket_key> expired;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, exp] : expiry_) {
      if (exp <= now_s) expired.push_back(key);
    }
  }
  for (const auto& [nsp, sid] : expired) {
    try {
      unauthorize(io_.of(nsp).to(sid).local());
    } catch (const std::exception& e) {
      std::cerr << "token expiry " << nsp << ": " << e.what() << '\n';
    }
  }
}

void sessions::unauthorize(const sio::broadcast_operator& sockets) {
  sockets.emit("error", "unauthorized");
  sockets.disconnect_sockets();
}

}  // namespace apps
