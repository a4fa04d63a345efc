#include <editor/realtime.hpp>

#include "login.hpp"
#include "socket_handlers.hpp"
#include "validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <charconv>
#include <exception>
#include <iostream>
#include <set>

namespace editor {
namespace json = boost::json;
using apps::failure;
using apps::first_arg;
using apps::guarded;
using apps::identity_of;

namespace {

constexpr std::string_view too_many = "Too many requests, slow down";
constexpr std::size_t max_client_id = 64;

// A non-negative integer given as a JSON number or a string of decimal digits.
std::optional<std::uint64_t> parse_count(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_double()) {
    const double d = v->get_double();
    if (d >= 0 && d <= 9007199254740991.0 &&
        d == static_cast<double>(static_cast<std::uint64_t>(d)))
      return static_cast<std::uint64_t>(d);
    return std::nullopt;
  }
  if (!v->is_string()) return std::nullopt;
  std::string_view s = v->get_string();
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, e] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (e != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

bool valid_client_id(std::string_view s) {
  return !s.empty() && s.size() <= max_client_id && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::optional<id_type> user_of(const sio::remote_socket& r) {
  auto* id = r.data().if_contains("userId");
  if (!id || !id->is_int64()) return std::nullopt;
  return id->get_int64();
}

}  // namespace

std::string realtime::room_key(id_type doc) {
  return "doc:" + std::to_string(doc);
}

std::string realtime::color_of(id_type user) {
  const auto hue = static_cast<std::uint64_t>(user) * 137 % 360;  // the golden angle, roughly
  return "hsl(" + std::to_string(hue) + ", 65%, 45%)";
}

realtime::realtime(sio::server& io, documents& docs, realtime_options opts)
    : io_(io), docs_(docs), opts_(opts), limits_({opts.opens, opts.ops, opts.cursors}) {}

realtime::~realtime() {
  stop();
}

void realtime::stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
}

void realtime::install() {
  io_.of(namespace_name).on_connection([this](sio::socket& s) { on_connection(s); });
}

void realtime::on_connection(sio::socket& s) {
  auto me = identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  {
    std::lock_guard lock(mu_);
    by_socket_[s.id()];
  }
  limits_.attach(me->user_id, apps::now_ms());
  auto bind = [this](auto fn) {
    return apps::member_handler(*this, fn, [this] {
      std::lock_guard lock(mu_);
      return stopped_;
    });
  };
  s.on("openDoc", bind(&realtime::open_doc));
  s.on("closeDoc", bind(&realtime::close_doc));
  s.on("op", bind(&realtime::op));
  s.on("cursor", bind(&realtime::cursor));
  s.on_disconnect([this, user = me->user_id](sio::socket& s, sio::disconnect_reason) {
    disconnected(s, user);
    limits_.detach(user);
  });
}

std::optional<realtime::opened> realtime::open_by(const std::string& sid, id_type doc) const {
  std::lock_guard lock(mu_);
  auto it = by_socket_.find(sid);
  if (it == by_socket_.end()) return std::nullopt;
  auto d = it->second.find(doc);
  if (d == it->second.end()) return std::nullopt;
  return d->second;
}

std::optional<realtime::event_source> realtime::admit(sio::socket& s, const json::value& arg,
                                                      limit kind, sio::ack& ack) {
  auto me = identity_of(s);
  std::optional<id_type> doc;
  std::string_view refusal;
  if (!me) {
    refusal = "Unauthorized";
  } else if (!limits_.take(me->user_id, kind, apps::now_ms())) {
    refusal = too_many;
  } else if (doc = apps::parse_id(apps::field(arg, "docId")); !doc) {
    refusal = "docId is required";
  }
  if (!refusal.empty()) {
    ack(failure(refusal));
    return std::nullopt;
  }
  return event_source{me->user_id, std::move(me->username), *doc};
}

void realtime::open_doc(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("editor", "openDoc", ack, [&] {
    auto ev = admit(s, arg, limit_open, ack);
    if (!ev) return;
    std::string client_id;
    if (auto* c = apps::field(arg, "clientId"); c && !c->is_null()) {
      if (!c->is_string() || !valid_client_id(c->get_string())) {
        return ack(failure("clientId must be 1-64 characters of A-Z a-z 0-9 _ -"));
      }
      client_id = c->get_string();
    }
    std::optional<std::uint64_t> since;
    if (auto* r = apps::field(arg, "revision"); r && !r->is_null()) {
      since = parse_count(r);
      if (!since) return ack(failure("revision must be a non-negative integer"));
    }
    {
      std::lock_guard lock(mu_);
      auto& mine = by_socket_[s.id()];
      if (!mine.contains(ev->doc) && mine.size() >= opts_.max_open_per_socket) {
        return ack(failure("Too many documents open"));
      }
    }
    // In the room before the text is read: an operation accepted meanwhile reaches the socket
    // (the client drops those its text already has), none falls between the two.
    const bool had_it = open_by(s.id(), ev->doc).has_value();
    s.join(room_key(ev->doc));
    auto res = docs_.open(ev->doc, since, client_id);
    if (!res.error.empty()) {
      if (!had_it) s.leave(room_key(ev->doc));
      return ack(failure(res.error));
    }
    bool counted = false;  // this socket holds one open of the document, not two
    {
      std::lock_guard lock(mu_);
      auto& mine = by_socket_[s.id()];
      counted = mine.contains(ev->doc);
      mine[ev->doc] = opened{client_id};
    }
    if (counted) docs_.close(ev->doc);
    json::object reply{{"success", true},
                       {"doc", json::object{{"id", res.doc.id},
                                            {"title", res.doc.title},
                                            {"text", res.doc.text},
                                            {"revision", res.doc.revision}}}};
    if (res.missed) {
      json::array missed;
      for (auto& m : *res.missed) {
        missed.push_back(json::object{{"revision", m.revision},
                                      {"ops", std::move(m.ops)},
                                      {"userId", m.user_id},
                                      {"own", m.own}});
      }
      reply["missed"] = std::move(missed);
    }
    answer_open(s, ev->doc, {ev->user_id, ev->username}, std::move(reply), ack);
  });
}

void realtime::answer_open(sio::socket& s, id_type doc, const identity_ref& me, json::object reply,
                           sio::ack ack) {
  auto& nsp = s.nsp();
  const std::string room = room_key(doc);
  json::object self{
      {"userId", me.user_id}, {"username", me.username}, {"color", color_of(me.user_id)}};
  nsp.in(room).fetch_sockets([&nsp, room, doc, sid = s.id(), user = me.user_id,
                              self = std::move(self), reply = std::move(reply),
                              ack](std::vector<sio::remote_socket> sockets) mutable {
    json::array users{self};
    std::set<id_type> seen{user};
    bool was_there = false;
    for (const auto& r : sockets) {
      auto id = user_of(r);
      if (!id) continue;
      if (*id == user && r.id() != sid) was_there = true;
      if (!seen.insert(*id).second) continue;
      auto* name = r.data().if_contains("username");
      users.push_back(json::object{
          {"userId", *id}, {"username", name ? *name : json::value("")}, {"color", color_of(*id)}});
    }
    reply["users"] = std::move(users);
    ack(std::move(reply));
    if (was_there) return;
    try {
      self["docId"] = doc;
      nsp.to(room).except(sid).emit("userJoined", std::move(self));
    } catch (const std::exception& e) {
      std::cerr << "editor: userJoined: " << e.what() << '\n';
    }
  });
}

void realtime::close_doc(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("editor", "closeDoc", ack, [&] {
    auto ev = admit(s, arg, limit_open, ack);
    if (!ev) return;
    if (!open_by(s.id(), ev->doc)) return ack(failure("Document not open"));
    leave(s, ev->doc, ev->user_id);
    ack(json::object{{"success", true}});
  });
}

void realtime::leave(sio::socket& s, id_type doc, id_type user) {
  {
    std::lock_guard lock(mu_);
    auto it = by_socket_.find(s.id());
    if (it == by_socket_.end() || it->second.erase(doc) == 0) return;
  }
  docs_.close(doc);
  const std::string room = room_key(doc);
  s.leave(room);
  auto& nsp = s.nsp();
  nsp.in(room).fetch_sockets(
      [&nsp, room, sid = s.id(), doc, user](std::vector<sio::remote_socket> sockets) {
        for (const auto& r : sockets) {
          if (r.id() != sid && user_of(r) == user) return;  // another of its sockets is there
        }
        try {
          nsp.to(room).emit("userLeft", json::object{{"docId", doc}, {"userId", user}});
        } catch (const std::exception& e) {
          std::cerr << "editor: userLeft: " << e.what() << '\n';
        }
      });
}

void realtime::disconnected(sio::socket& s, id_type user) {
  std::vector<id_type> open;
  {
    std::lock_guard lock(mu_);
    auto it = by_socket_.find(s.id());
    if (it == by_socket_.end()) return;
    for (const auto& [doc, o] : it->second) open.push_back(doc);
  }
  for (id_type doc : open) {
    try {
      leave(s, doc, user);
    } catch (const std::exception& e) {
      std::cerr << "editor: disconnect: " << e.what() << '\n';
    }
  }
  std::lock_guard lock(mu_);
  by_socket_.erase(s.id());
}

void realtime::op(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("editor", "op", ack, [&] {
    auto ev = admit(s, arg, limit_op, ack);
    if (!ev) return;
    auto mine = open_by(s.id(), ev->doc);
    if (!mine) return ack(failure("Document not open"));
    auto revision = parse_count(apps::field(arg, "revision"));
    if (!revision) return ack(failure("revision must be a non-negative integer"));
    auto* ops = apps::field(arg, "ops");
    if (!ops) return ack(failure("ops is required"));
    const std::string room = room_key(ev->doc);
    auto res = docs_.submit(ev->doc, *revision, *ops, ev->user_id, mine->client_id,
                            [&](const accepted_operation& a) {
                              // Under the document's lock: every socket receives its operations in
                              // revision order.
                              s.to(room).emit("op", json::object{{"docId", a.doc_id},
                                                                 {"revision", a.revision},
                                                                 {"ops", a.ops},
                                                                 {"userId", a.user_id}});
                              ack(json::object{{"success", true}, {"revision", a.revision}});
                            });
    if (!res.error.empty()) ack(failure(res.error));
  });
}

void realtime::cursor(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("editor", "cursor", ack, [&] {
    auto ev = admit(s, arg, limit_cursor, ack);
    if (!ev) return;
    if (!open_by(s.id(), ev->doc)) return ack(failure("Document not open"));
    auto index = parse_count(apps::field(arg, "index"));
    if (!index || *index > (1u << 20)) return ack(failure("index must be a non-negative integer"));
    auto end = index;
    if (auto* e = apps::field(arg, "selectionEnd"); e && !e->is_null()) {
      end = parse_count(e);
      if (!end || *end > (1u << 20)) {
        return ack(failure("selectionEnd must be a non-negative integer"));
      }
    }
    // Volatile, unless the page answers a newcomer (`reliable: true`): that one must not be lost
    // to a connection still upgrading. Both count against the same per-user budget.
    auto to_room = s.to(room_key(ev->doc));
    auto* reliable = apps::field(arg, "reliable");
    if (!reliable || !reliable->is_bool() || !reliable->get_bool()) to_room = to_room.volatile_();
    to_room.emit("cursor", json::object{{"docId", ev->doc},
                                        {"userId", ev->user_id},
                                        {"username", ev->username},
                                        {"color", color_of(ev->user_id)},
                                        {"index", *index},
                                        {"selectionEnd", *end}});
    ack(json::object{{"success", true}});
  });
}

}  // namespace editor
