#include <notifications/realtime.hpp>

#include "login.hpp"
#include "socket_handlers.hpp"
#include "validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <exception>
#include <iostream>
#include <regex>

namespace notifications {
namespace json = boost::json;
using apps::failure;
using apps::first_arg;
using apps::identity_of;

namespace {

json::array id_array(const std::vector<id_type>& ids) {
  json::array out;
  for (auto id : ids) out.push_back(id);
  return out;
}

// Refuses a socket of another user than the namespace's (after the login middleware).
void owner_only(sio::socket& s, sio::next next) {
  const auto me = identity_of(s);
  if (!me || s.nsp().name() != realtime::namespace_of(me->user_id)) {
    return next(sio::connect_error{"forbidden", std::nullopt});
  }
  next();
}

}  // namespace

std::string realtime::namespace_of(id_type user) {
  return "/users/" + std::to_string(user);
}

std::optional<id_type> realtime::user_of_namespace(std::string_view name) {
  constexpr std::string_view prefix = "/users/";
  if (!name.starts_with(prefix)) return std::nullopt;
  const auto id = apps::parse_id(name.substr(prefix.size()));
  if (!id || namespace_of(*id) != name) return std::nullopt;
  return id;
}

realtime::realtime(sio::server& io, sio::namespace_& users, storage& db, apps::accounts& accounts,
                   apps::offload_fn offload, realtime_options opts)
    : io_(io),
      users_(users),
      db_(db),
      accounts_(accounts),
      offload_(std::move(offload)),
      limits_({opts.reads}) {}

realtime::~realtime() {
  stop();
}

void realtime::stop() {
  stopped_ = true;
}

void realtime::install() {
  users_.use(owner_only);
  users_.on_connection([this](sio::socket& s) { on_connection(s); });
  auto& root = io_.of("/");
  root.on_server_side_emit(std::string(push_event),
                           [this](const json::array& args) { on_push(first_arg(args)); });
  root.on_server_side_emit(std::string(deliver_event), relay("notification"));
  root.on_server_side_emit(std::string(read_event), relay("read"));
}

std::function<void(const json::array&)> realtime::relay(std::string_view event) {
  return [this, event](const json::array& args) {
    const auto& a = first_arg(args);
    auto user = apps::parse_id(apps::field(a, "toUserId"));
    const auto* v = apps::field(a, event);
    if (user && v) emit_local(*user, event, *v);
  };
}

void realtime::tell_others(std::string_view server_event, std::string_view event, id_type user,
                           const json::value& v) {
  io_.of("/").server_side_emit(server_event,
                               json::value(json::object{{"toUserId", user}, {event, v}}));
}

void realtime::run(std::string_view what, std::function<void()> work) {
  auto guarded = [what = std::string(what), work = std::move(work)] {
    try {
      work();
    } catch (const std::exception& e) {
      std::cerr << "notifications: " << what << ": " << e.what() << '\n';
    }
  };
  if (offload_) return offload_(std::move(guarded));
  guarded();
}

void realtime::on_connection(sio::socket& s) {
  const auto me = identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  {
    std::lock_guard lock(mu_);
    local_.emplace(me->user_id, &s.nsp());
  }
  limits_.attach(me->user_id, apps::now_ms());
  auto bind = [this](void (realtime::*fn)(sio::socket&, const json::value&, sio::ack&)) {
    return [this, fn](sio::socket& s, const json::array& args, sio::ack& ack) {
      if (stopped_) return ack(failure("Server is shutting down"));
      auto me = identity_of(s);
      if (!me || !limits_.take(me->user_id, limit_read, apps::now_ms())) {
        return ack(failure("Too many requests"));
      }
      (this->*fn)(s, first_arg(args), ack);
    };
  };
  s.on("markRead", bind(&realtime::mark));
  s.on("list", bind(&realtime::list));
  s.on_disconnect(
      [this, user = me->user_id](sio::socket&, sio::disconnect_reason) { limits_.detach(user); });
  send_unread(me->user_id, s.id());
}

void realtime::send_unread(id_type user, std::string socket_id) {
  run("unread", [this, user, sid = std::move(socket_id)] {
    auto items = db_.unread(user, unread_items);
    const auto count = db_.unread_count(user);
    json::value out = json::object{{"items", to_json(items)}, {"count", count}};
    if (auto* nsp = local_namespace(user)) nsp->local().to(sid).emit("unread", out);
  });
}

void realtime::mark(sio::socket& s, const json::value& arg, sio::ack& ack) {
  auto req = parse_mark(arg);
  if (!req) return ack(failure("Invalid ids"));
  const auto user = identity_of(s)->user_id;
  run("markRead", [this, user, req = std::move(*req), ack, sid = s.id()] {
    try {
      const auto ids = db_.mark_read(user, req.ids, req.all);
      const auto count = db_.unread_count(user);
      ack(json::object{{"success", true}, {"ids", id_array(ids)}, {"count", count}});
      if (ids.empty()) return;
      json::value read = json::object{{"ids", id_array(ids)}, {"count", count}};
      emit_local(user, "read", read, sid);
      tell_others(read_event, "read", user, read);
    } catch (const std::exception&) {
      ack(failure("Internal error"));
      throw;
    }
  });
}

void realtime::list(sio::socket& s, const json::value& arg, sio::ack& ack) {
  auto req = parse_page(arg);
  if (!req) return ack(failure("Invalid arguments"));
  const auto user = identity_of(s)->user_id;
  run("list", [this, user, req = *req, ack] {
    try {
      auto items = db_.page(user, req.before, req.limit + 1);
      const bool more = items.size() > req.limit;
      if (more) items.pop_back();
      ack(json::object{{"success", true}, {"items", to_json(items)}, {"more", more}});
    } catch (const std::exception&) {
      ack(failure("Internal error"));
      throw;
    }
  });
}

sio::namespace_* realtime::local_namespace(id_type user) {
  std::lock_guard lock(mu_);
  auto it = local_.find(user);
  return it == local_.end() ? nullptr : it->second;
}

void realtime::emit_local(id_type user, std::string_view event, const json::value& v,
                          std::string_view except) {
  auto* nsp = local_namespace(user);
  if (!nsp) return;  // none of the user's connections came to this node
  if (except.empty()) return nsp->local().emit(event, v);
  nsp->local().except(except).emit(event, v);
}

void realtime::deliver(const notification_row& n) {
  auto v = to_json(n);
  emit_local(n.user, "notification", v);
  tell_others(deliver_event, "notification", n.user, v);
}

std::optional<notification_row> realtime::store_and_deliver(const new_notification& n) {
  auto row = db_.insert(n, apps::now_ms());
  if (row) deliver(*row);
  return row;
}

void realtime::push(apps::notice n) {
  if (stopped_ || n.to_user <= 0) return;
  run("push", [this, n = std::move(n)] {
    new_notification row{n.to_user, n.from_user, clamp({n.title, n.body, n.url}), std::nullopt};
    store_and_deliver(row);
  });
}

void realtime::on_push(const json::value& arg) {
  if (stopped_) return;
  auto parsed = parse_push(arg);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    std::cerr << "notifications: " << push_event << " dropped: " << *why << '\n';
    return;
  }
  run("push", [this, p = std::move(std::get<push_request>(parsed))] {
    if (!accounts_.find_user(p.to)) {
      std::cerr << "notifications: " << push_event << " dropped: no user " << p.to << '\n';
      return;
    }
    store_and_deliver({p.to, 0, p.what, p.key});
  });
}

}  // namespace notifications
