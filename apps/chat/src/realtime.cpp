#include "realtime.hpp"

#include "api.hpp"
#include "login.hpp"
#include "room_rules.hpp"
#include "socket_handlers.hpp"
#include "validation.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <exception>
#include <iostream>
#include <set>

namespace apps::chat {
namespace json = boost::json;

namespace {

constexpr std::size_t history_size = 50;
constexpr std::string_view too_many = "Too many requests, slow down";
// The server-side event asking the other nodes which users of theirs are in a room.
constexpr std::string_view room_users_event = "roomUsers";

// Still in the room's Socket.IO room: leaving a private room (REST) takes the user's sockets out
// of it on every node.
bool in_room(const sio::socket& s, id_type room) {
  const auto key = realtime::room_key(room);
  const auto rooms = s.rooms();
  return std::find(rooms.begin(), rooms.end(), key) != rooms.end();
}

}  // namespace

std::string realtime::room_key(id_type room) {
  return "room:" + std::to_string(room);
}
std::optional<id_type> realtime::room_of_key(std::string_view key) {
  constexpr std::string_view prefix = "room:";
  if (!key.starts_with(prefix)) return std::nullopt;
  return parse_id(key.substr(prefix.size()));
}

realtime::realtime(sio::server& io, storage& db, bool clustered, realtime_limits limits)
    : io_(io),
      db_(db),
      clustered_(clustered),
      limits_(limits),
      buckets_({limits.rooms, limits.messages, limits.typing}) {}

realtime::~realtime() {
  stop();
}

void realtime::stop() {
  {
    std::lock_guard lock(life_->mu);
    life_->stopped = true;
  }
  emitter_.stop();
  emitter_.join();
}

void realtime::install(sessions& sessions) {
  sessions.protect(io_.of("/"));
  io_.on_connection([this](sio::socket& s) { on_connection(s); });
  if (!clustered_) return;
  io_.of("/").on_server_side_emit(std::string(room_users_event),
                                  [this](const json::array& args, sio::ack ack) {
                                    ack(local_users(args.empty() ? json::value() : args[0]));
                                  });
}

json::array realtime::local_users(const json::value& room_arg) const {
  json::array users;
  if (const auto room = parse_id(&room_arg)) {
    for (id_type u : presence_.users(*room)) users.push_back(u);
  }
  return users;
}

void realtime::room_left(id_type room, id_type user) {
  try {
    io_.in(user_room(user)).sockets_leave(room_key(room));
  } catch (const std::exception& e) {
    std::cerr << "chat: leave room: " << e.what() << '\n';
  }
}

void realtime::on_connection(sio::socket& s) {
  auto me = identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  buckets_.attach(me->user_id, now_ms());
  if (s.recovered()) restore_presence(s, me->user_id);
  auto bind = [this](void (realtime::*fn)(sio::socket&, const json::value&, sio::ack&)) {
    return [this, fn](sio::socket& s, const json::array& args, sio::ack& ack) {
      (this->*fn)(s, first_arg(args), ack);
    };
  };
  s.on("joinRoom", bind(&realtime::join_room));
  s.on("leaveRoom", bind(&realtime::leave_room));
  s.on("sendMessage", bind(&realtime::send_message));
  s.on("typing", bind(&realtime::typing));
  s.on_disconnect([this, user_id = me->user_id](sio::socket& s, sio::disconnect_reason) {
    buckets_.detach(user_id);
    for (id_type room : presence_.leave_all(s.id(), user_id)) publish_online(room);
  });
}

void realtime::restore_presence(sio::socket& s, id_type user) {
  for (const auto& key : s.rooms()) {
    auto room = room_of_key(key);
    if (room && presence_.join(s.id(), user, *room).user) publish_online(*room);
  }
}

bool realtime::joined(const sio::socket& s, id_type room) const {
  return presence_.joined(s.id(), room) && in_room(s, room);
}

bool realtime::already_joined(sio::socket& s, id_type user, id_type room) {
  if (!presence_.joined(s.id(), room)) return false;
  if (in_room(s, room)) return true;
  // Taken out of the room meanwhile (its user left it through the REST API): presence follows.
  if (presence_.leave(s.id(), user, room).user) publish_online(room);
  return false;
}

void realtime::join_room(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("chat", "joinRoom", ack, [&] {
    auto me = identity_of(s);
    if (!me || !admit(s, me->user_id, rooms_kind, ack)) return;
    auto room_id = parse_id(field(arg, "roomId"));
    if (!room_id) {
      ack(failure("roomId is required"));
      return;
    }
    if (already_joined(s, me->user_id, *room_id)) {  // nothing to do: no query, no count
      ack(json::object{{"success", true},
                       {"roomId", *room_id},
                       {"history", json::array{}},
                       {"alreadyJoined", true}});
      return;
    }
    auto r = db_.find_room(*room_id);
    if (!r) {
      ack(failure("Room not found"));
      return;
    }
    if (r->is_private && !db_.is_member(r->id, me->user_id)) {
      s.emit("error", "Access denied");
      ack(failure("Access denied"));
      return;
    }
    s.join(room_key(r->id));
    const auto change = presence_.join(s.id(), me->user_id, r->id);
    json::array history;
    for (auto& m : db_.messages(r->id, history_size, std::nullopt)) history.push_back(to_json(m));
    ack(json::object{{"success", true}, {"roomId", r->id}, {"history", std::move(history)}});
    if (change.user) {
      publish_online(r->id);
    } else if (change.socket) {
      tell_online(s, r->id);
    }
  });
}

void realtime::leave_room(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("chat", "leaveRoom", ack, [&] {
    auto me = identity_of(s);
    if (!me || !admit(s, me->user_id, rooms_kind, ack)) return;
    auto room_id = parse_id(field(arg, "roomId"));
    if (!room_id) {
      ack(failure("roomId is required"));
      return;
    }
    s.leave(room_key(*room_id));
    if (presence_.leave(s.id(), me->user_id, *room_id).user) publish_online(*room_id);
    ack(json::object{{"success", true}});
  });
}

void realtime::send_message(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("chat", "sendMessage", ack, [&] {
    auto me = identity_of(s);
    if (!me || !admit(s, me->user_id, messages_kind, ack)) return;
    if (!arg.is_object()) {
      ack(failure("Invalid payload: expected {roomId, message}"));
      return;
    }
    auto room_id = parse_id(field(arg, "roomId"));
    if (!room_id) {
      ack(failure("roomId is required"));
      return;
    }
    if (auto err = message_error(field(arg, "message"))) {
      ack(failure(*err));
      return;
    }
    if (!joined(s, *room_id)) {
      ack(failure("Join the room first"));
      return;
    }
    auto m = db_.add_message(*room_id, me->user_id, field(arg, "message")->get_string(), now_ms());
    m.username = me->username;
    io_.to(room_key(*room_id)).emit("receiveMessage", to_json(m));
    ack(json::object{{"success", true}, {"id", m.id}});
  });
}

void realtime::typing(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("chat", "typing", ack, [&] {
    auto me = identity_of(s);
    if (!me || !admit(s, me->user_id, typing_kind, ack)) return;
    auto room_id = parse_id(field(arg, "roomId"));
    if (!room_id || !joined(s, *room_id)) {
      ack(failure("Join the room first"));
      return;
    }
    auto* t = field(arg, "isTyping");
    const bool is_typing = t && t->is_bool() && t->get_bool();
    s.to(room_key(*room_id))
        .volatile_()
        .emit("typing", json::object{{"roomId", *room_id},
                                     {"userId", me->user_id},
                                     {"username", me->username},
                                     {"isTyping", is_typing}});
    ack(json::object{{"success", true}});
  });
}

bool realtime::admit(sio::socket& s, id_type user, event_kind kind, sio::ack& ack) {
  if (buckets_.take(user, kind, now_ms())) return true;
  if (ack.requested()) {
    ack(failure(too_many));
  } else {
    s.emit("error", too_many);
  }
  return false;
}

void realtime::tell_online(sio::socket& s, id_type room) {
  if (clustered_) {  // only the cluster knows the count: publish it (coalesced)
    publish_online(room);
    return;
  }
  const auto n = presence_.online(room);
  s.emit("onlineUsers", n);
  s.emit("onlineUsersInRoom", json::object{{"roomId", room}, {"count", n}});
}

void realtime::publish_online(id_type room) {
  boost::asio::post(emitter_, [this, room] {
    auto& p = publications_[room];
    if (p.scheduled) {
      p.dirty = true;
      return;
    }
    schedule(room, p);
  });
}

// On the emitter thread: counts the room at most once per presence_interval.
void realtime::schedule(id_type room, publication& p) {
  p.scheduled = true;
  p.dirty = false;
  if (!p.timer) p.timer = std::make_unique<boost::asio::steady_timer>(emitter_);
  p.timer->expires_at(p.last + limits_.presence_interval);
  p.timer->async_wait([this, room](boost::system::error_code ec) {
    if (!ec) count_and_emit(room);
  });
}

void realtime::count_and_emit(id_type room) {
  if (!clustered_) {
    emit_count(room, presence_.online(room));
    return;
  }
  cluster_count(room, [this, life = life_, room](std::size_t n) {
    std::lock_guard lock(life->mu);
    if (life->stopped) return;
    boost::asio::post(emitter_, [this, room, n] { emit_count(room, n); });
  });
}

// On the emitter thread: the count of a scheduled publication is known.
void realtime::emit_count(id_type room, std::size_t n) {
  auto it = publications_.find(room);
  if (it == publications_.end()) return;
  auto& p = it->second;
  // Clustered, other nodes publish too: this node's last count may be stale, so always send.
  if (clustered_ || p.last_count != n) {
    try {
      auto to = io_.to(room_key(room));
      to.emit("onlineUsers", n);
      to.emit("onlineUsersInRoom", json::object{{"roomId", room}, {"count", n}});
    } catch (const std::exception& e) {
      std::cerr << "chat: onlineUsers: " << e.what() << '\n';
    }
    p.last_count = n;
    p.last = std::chrono::steady_clock::now();
  }
  p.scheduled = false;
  if (p.dirty) {
    schedule(room, p);
  } else if (n == 0) {
    publications_.erase(it);  // nobody left to tell: keep the table to the rooms in use
  }
}

void realtime::cluster_count(id_type room, std::function<void(std::size_t)> done) {
  auto local = presence_.users(room);
  auto users = std::make_shared<std::set<id_type>>(local.begin(), local.end());
  try {
    io_.of("/").server_side_emit_with_ack(
        room_users_event, sio::make_payload(room),
        [users, done](boost::system::error_code, std::vector<sio::payload> answers) {
          // A node that did not answer in time (error set) is left out of this count.
          for (const auto& a : answers) {
            if (a.args.empty() || !a.args[0].is_array()) continue;
            for (const auto& v : a.args[0].get_array()) {
              if (const auto id = parse_id(&v)) users->insert(*id);
            }
          }
          done(users->size());
        });
  } catch (const std::exception& e) {
    std::cerr << "chat: onlineUsers: " << e.what() << '\n';
    done(users->size());
  }
}

void realtime::room_created(const room& r, const std::vector<id_type>& members, id_type creator) {
  try {
    if (!r.is_private) {
      io_.emit("roomCreated", to_json(r));
      return;
    }
    json::value note = json::object{{"type", "roomInvite"}, {"roomId", r.id}, {"name", r.name}};
    for (id_type uid : members) {
      if (uid != creator) io_.to(user_room(uid)).emit("notification", note);
    }
  } catch (const std::exception& e) {
    std::cerr << "chat: notification: " << e.what() << '\n';
  }
}

}  // namespace apps::chat
