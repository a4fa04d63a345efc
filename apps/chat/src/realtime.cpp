#include "realtime.hpp"

#include "validation.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <exception>
#include <iostream>
#include <set>

namespace chat {
namespace json = boost::json;

namespace {

constexpr std::size_t history_size = 50;

struct identity {
  id_type user_id = 0;
  std::string username;
};

// Set by the handshake middleware; handlers run only for authenticated sockets.
std::optional<identity> identity_of(const sio::socket& s) {
  auto* id = s.data.if_contains("userId");
  auto* name = s.data.if_contains("username");
  if (!id || !id->is_int64() || !name || !name->is_string()) return std::nullopt;
  return identity{id->get_int64(), std::string(name->get_string())};
}

json::value failure(std::string_view error) {
  return json::object{{"success", false}, {"error", error}};
}

const json::value& first_arg(const json::array& args) {
  static const json::value null_value;
  return args.empty() ? null_value : args.front();
}

// Runs a handler body; an unexpected exception answers the ack instead of dropping the socket.
template <class F>
void guarded(std::string_view event, sio::ack& ack, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: " << event << ": " << e.what() << '\n';
    ack(failure("Internal error"));
  }
}

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
std::string realtime::user_key(id_type user) {
  return "user:" + std::to_string(user);
}

realtime::realtime(sio::server& io, storage& db, api& auth, bool clustered)
    : io_(io), db_(db), auth_(auth), clustered_(clustered) {}

void realtime::stop() {
  {
    std::lock_guard lock(counts_->mu);
    counts_->stopped = true;
  }
  {
    std::lock_guard lock(expiry_.mu);
    expiry_.stopped = true;
    sweep_timer_.cancel();
  }
  emitter_.stop();
  emitter_.join();
}

void realtime::install() {
  io_.use([this](sio::socket& s, sio::next next) {
    std::optional<session> u;
    try {
      auto* t = s.handshake().auth.if_contains("token");
      if (t && t->is_string() && !t->get_string().empty()) {
        u = auth_.authenticate_token(std::string_view(t->get_string()));
      }
      if (!u) {
        // The cookie only counts for a same-origin page (no cross-site WebSocket hijacking).
        auto& h = s.handshake().headers();
        auto header = [&h](std::string_view name) -> std::string_view {
          auto it = h.find(name);
          return it == h.end() ? std::string_view{} : std::string_view(it->second);
        };
        if (same_origin(header("origin"), header("host"), s.handshake().secure())) {
          u = auth_.authenticate({}, header("cookie"));
        }
      }
    } catch (const std::exception& e) {
      std::cerr << "sio-chat: handshake: " << e.what() << '\n';
    }
    if (!u) {
      next(sio::connect_error{"unauthorized", std::nullopt});
      return;
    }
    s.data["userId"] = u->who.id;
    s.data["username"] = u->who.username;
    s.data["tokenExpires"] = u->expires_s;
    next();
  });
  io_.on_connection([this](sio::socket& s) { on_connection(s); });
  schedule_sweep();
}

void realtime::schedule_sweep() {
  std::lock_guard lock(expiry_.mu);
  if (expiry_.stopped) return;
  sweep_timer_.expires_after(sweep_interval);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    sweep_expired(now_ms() / 1000);
    schedule_sweep();
  });
}

void realtime::sweep_expired(std::int64_t now_s) {
  std::vector<std::string> expired;
  {
    std::lock_guard lock(expiry_.mu);
    for (const auto& [sid, exp] : expiry_.by_socket) {
      if (exp <= now_s) expired.push_back(sid);
    }
  }
  for (const auto& sid : expired) {
    try {
      unauthorize(io_.in(sid).local());
    } catch (const std::exception& e) {
      std::cerr << "sio-chat: token expiry: " << e.what() << '\n';
    }
  }
}

void realtime::unauthorize(const sio::broadcast_operator& sockets) {
  sockets.emit("error", "unauthorized");
  sockets.disconnect_sockets();
}

void realtime::logged_out(id_type user) {
  try {
    unauthorize(io_.in(user_key(user)));  // through the adapter: on every node
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: logout: " << e.what() << '\n';
  }
}

void realtime::room_left(id_type room, id_type user) {
  try {
    io_.in(user_key(user)).sockets_leave(room_key(room));
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: leave room: " << e.what() << '\n';
  }
}

void realtime::on_connection(sio::socket& s) {
  auto me = identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  s.join(user_key(me->user_id));
  if (auto* exp = s.data.if_contains("tokenExpires"); exp && exp->is_int64()) {
    std::lock_guard lock(expiry_.mu);
    expiry_.by_socket[s.id()] = exp->get_int64();
  }
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
    flood_.forget(s.id());
    {
      std::lock_guard lock(expiry_.mu);
      expiry_.by_socket.erase(s.id());
    }
    for (id_type room : presence_.leave_all(s.id(), user_id)) publish_online(room);
  });
}

void realtime::restore_presence(sio::socket& s, id_type user) {
  for (const auto& key : s.rooms()) {
    auto room = room_of_key(key);
    if (room && presence_.join(s.id(), user, *room)) publish_online(*room);
  }
}

void realtime::join_room(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("joinRoom", ack, [&] {
    auto me = identity_of(s);
    auto room_id = parse_id(field(arg, "roomId"));
    if (!me || !room_id) {
      ack(failure("roomId is required"));
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
    presence_.join(s.id(), me->user_id, r->id);
    json::array history;
    for (auto& m : db_.messages(r->id, history_size, std::nullopt)) history.push_back(to_json(m));
    ack(json::object{{"success", true}, {"roomId", r->id}, {"history", std::move(history)}});
    publish_online(r->id);
  });
}

void realtime::leave_room(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("leaveRoom", ack, [&] {
    auto me = identity_of(s);
    auto room_id = parse_id(field(arg, "roomId"));
    if (!me || !room_id) {
      ack(failure("roomId is required"));
      return;
    }
    s.leave(room_key(*room_id));
    if (presence_.leave(s.id(), me->user_id, *room_id)) publish_online(*room_id);
    ack(json::object{{"success", true}});
  });
}

void realtime::send_message(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("sendMessage", ack, [&] {
    auto me = identity_of(s);
    if (!me || !arg.is_object()) {
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
    if (!presence_.joined(s.id(), *room_id) || !in_room(s, *room_id)) {
      ack(failure("Join the room first"));
      return;
    }
    if (!flood_.allow(s.id(), now_ms())) {
      ack(failure("Too many messages, slow down"));
      return;
    }
    auto m = db_.add_message(*room_id, me->user_id, field(arg, "message")->get_string(), now_ms());
    m.username = me->username;
    io_.to(room_key(*room_id)).emit("receiveMessage", to_json(m));
    ack(json::object{{"success", true}, {"id", m.id}});
  });
}

void realtime::typing(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("typing", ack, [&] {
    auto me = identity_of(s);
    auto room_id = parse_id(field(arg, "roomId"));
    if (!me || !room_id || !presence_.joined(s.id(), *room_id) || !in_room(s, *room_id)) {
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

void realtime::publish_online(id_type room) {
  if (clustered_) {
    publish_online_clustered(room);
    return;
  }
  boost::asio::post(emitter_, [this, room] {
    try {
      const auto n = presence_.online(room);
      auto to = io_.to(room_key(room));
      to.emit("onlineUsers", n);
      to.emit("onlineUsersInRoom", json::object{{"roomId", room}, {"count", n}});
    } catch (const std::exception& e) {
      std::cerr << "sio-chat: onlineUsers: " << e.what() << '\n';
    }
  });
}

void realtime::publish_online_clustered(id_type room) {
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(counts_->mu);
    if (counts_->stopped) return;
    seq = ++counts_->next;
  }
  try {
    io_.in(room_key(room))
        .fetch_sockets(
            [this, counts = counts_, room, seq](std::vector<sio::remote_socket> sockets) {
              std::set<id_type> users;
              for (const auto& s : sockets) {
                auto* id = s.data().if_contains("userId");
                if (id && id->is_int64()) users.insert(id->get_int64());
                // From another node the id may arrive as an unsigned (MessagePack) number.
                if (id && id->is_uint64()) users.insert(static_cast<id_type>(id->get_uint64()));
              }
              std::lock_guard lock(counts->mu);
              // Answers may come back out of order: never emit one older than the last emitted.
              auto& last = counts->emitted[room];
              if (counts->stopped || seq < last) return;
              last = seq;
              try {
                const auto n = users.size();
                auto to = io_.to(room_key(room));
                to.emit("onlineUsers", n);
                to.emit("onlineUsersInRoom", json::object{{"roomId", room}, {"count", n}});
              } catch (const std::exception& e) {
                std::cerr << "sio-chat: onlineUsers: " << e.what() << '\n';
              }
            });
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: onlineUsers: " << e.what() << '\n';
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
      if (uid != creator) io_.to(user_key(uid)).emit("notification", note);
    }
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: notification: " << e.what() << '\n';
  }
}

}  // namespace chat
