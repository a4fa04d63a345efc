#include <notifications/rest.hpp>

#include "validation.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <variant>

namespace notifications {
namespace json = boost::json;

namespace {

constexpr std::string_view base = "/api/notifications";

}  // namespace

rest::rest(storage& db, apps::accounts& users, realtime& rt, rest_options opts)
    : db_(db), users_(users), rt_(rt), quota_(opts.send_burst, opts.sends_per_minute) {}

bool rest::handles(std::string_view target) noexcept {
  return apps::request_path(target) == base;
}

apps::reply rest::handle(std::string_view method, std::string_view target, std::string_view body,
                         const apps::user& user) {
  if (method == "POST") return send(body, user);
  if (method == "GET") return list(target, user.id);
  return apps::method_not_allowed("GET, POST");
}

apps::reply rest::send(std::string_view body, const apps::user& sender) {
  auto v = apps::parse_object(body);
  if (!v) return apps::error_reply(400, "body must be a JSON object");
  auto parsed = parse_new(*v);
  if (auto* why = std::get_if<std::string>(&parsed)) return apps::error_reply(400, *why);
  auto& req = std::get<new_request>(parsed);
  if (auto refused = quota_.take(sender.id, "notifications")) return std::move(*refused);
  auto to = req.to.id ? users_.find_user(*req.to.id) : users_.find_user(req.to.username);
  if (!to) return apps::error_reply(404, "User not found");
  auto row = rt_.store_and_deliver({to->id, sender.id, std::move(req.what), std::nullopt});
  if (!row) return apps::error_reply(500, "Internal error");
  return apps::json_reply(201, to_json(*row));
}

apps::reply rest::list(std::string_view target, id_type user) {
  auto page = parse_page(apps::query_param(target, "before"), apps::query_param(target, "limit"));
  if (!page) return apps::error_reply(400, "before must be an id and limit 1-50");
  auto items = db_.page(user, page->before, page->limit + 1);
  const bool more = items.size() > page->limit;
  if (more) items.pop_back();
  return apps::json_reply(
      200,
      json::object{{"items", to_json(items)}, {"unread", db_.unread_count(user)}, {"more", more}});
}

}  // namespace notifications
