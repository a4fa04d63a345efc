#include "api.hpp"

#include "room_rules.hpp"
#include "validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <exception>
#include <iostream>

namespace apps::chat {
namespace json = boost::json;

namespace {

constexpr std::size_t room_quota_keys = 100000;  // users tracked by the room-creation limit

// The `limit` query parameter of a page: 1 to 100, 50 when absent; nullopt when invalid.
std::optional<std::size_t> page_limit(std::string_view target) {
  auto l = query_param(target, "limit");
  if (!l || l->empty()) return 50;
  auto n = parse_id(std::string_view(*l));
  if (!n || *n > 100) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

}  // namespace

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

std::vector<notice> invite_notices(const room& r, const std::vector<id_type>& members,
                                   const user& creator) {
  std::vector<notice> out;
  for (id_type member : members) {
    if (member == creator.id) continue;
    out.push_back({.to_user = member,
                   .from_user = creator.id,
                   .title = "Invitation to " + r.name,
                   .body = creator.username + " added you to the private room " + r.name,
                   .url = "/chat#/room/" + std::to_string(r.id)});
  }
  return out;
}

api::api(storage& db, accounts& users, accounts_api& auth, notifier& notify, api_options opts,
         api_hooks hooks)
    : db_(db),
      users_(users),
      auth_(auth),
      notify_(notify),
      opts_(opts),
      hooks_(std::move(hooks)),
      room_quota_(rate{opts.room_burst, opts.rooms_per_minute / 60}, room_quota_keys) {}

std::optional<reply> api::handle(const api_request& req) {
  const std::string_view path = request_path(req.target);
  const bool per_room = path.starts_with("/api/rooms/");
  const bool messages = per_room && path.ends_with("/messages");
  const bool leave = per_room && path.ends_with("/leave");
  if (path != "/api/rooms" && !messages && !leave) return std::nullopt;
  try {
    return route(req, path, messages, leave);
  } catch (const std::exception& e) {
    std::cerr << "chat: " << req.method << ' ' << path << ": " << e.what() << '\n';
    return error_reply(500, "Internal error");
  }
}

reply api::route(const api_request& req, std::string_view path, bool messages, bool leave) {
  reply refusal;
  auto s = auth_.authorize(req, refusal);
  if (!s) return refusal;
  const user& u = s->who;
  const std::string& m = req.method;
  if (path == "/api/rooms") {
    if (m == "GET") return list_rooms(u, req.target);
    if (m != "POST") return method_not_allowed("GET, POST");
    auto body = parse_object(req.body);
    if (!body) return error_reply(400, "Invalid JSON body");
    return create_room(u, *body);
  }
  // /api/rooms/:roomId/messages, /api/rooms/:roomId/leave
  const std::string_view tail = messages ? "/messages" : "/leave";
  if (m != (messages ? "GET" : "POST")) return method_not_allowed(messages ? "GET" : "POST");
  std::string_view id_part = path.substr(11, path.size() - 11 - tail.size());
  auto room_id = parse_id(id_part);
  if (!room_id) return error_reply(404, "Room not found");
  if (leave) return leave_room(u, *room_id);
  return room_messages(u, *room_id, req.target);
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
      auto member = valid_username(name_v) ? users_.find_user(name_v) : std::nullopt;
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
  if (hooks_.on_room_created || r->is_private) {
    auto all = db_.room_members(r->id);
    if (hooks_.on_room_created) hooks_.on_room_created(*r, all, u.id);
    if (r->is_private) {
      for (auto& n : invite_notices(*r, all, u)) notify_.push(std::move(n));
    }
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

}  // namespace apps::chat
