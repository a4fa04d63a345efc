#include <tictactoe/rest.hpp>

#include "accounts_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace tictactoe {
namespace json = boost::json;

namespace {

json::value player_json(const player& p) {
  if (p.empty()) return nullptr;
  return json::object{{"userId", p.user_id}, {"username", p.username}};
}

json::object players_json(const player& x, const player& o) {
  return {{"X", player_json(x)}, {"O", player_json(o)}};
}

json::object stats_json(const user_stats& s) {
  return {{"userId", s.user_id},
          {"username", s.username},
          {"wins", s.wins},
          {"losses", s.losses},
          {"draws", s.draws}};
}

}  // namespace

rest::rest(storage& db, rest_options opts) : db_(db), opts_(opts) {}

bool rest::handles(std::string_view target) noexcept {
  const auto path = apps::request_path(target);
  return path == "/api/games" || path.starts_with("/api/games/");
}

apps::reply rest::handle(std::string_view method, std::string_view target, const player& me) {
  const auto path = apps::request_path(target);
  if (path != "/api/games" && path != "/api/games/stats") {
    return apps::error_reply(404, "Not found");
  }
  if (method != "GET") return apps::method_not_allowed("GET");
  return path == "/api/games" ? games() : stats(me);
}

apps::reply rest::games() {
  json::array out;
  for (const auto& g : db_.list_open(opts_.max_games)) {
    out.push_back(json::object{{"gameId", g.id},
                               {"status", to_string(g.state)},
                               {"players", players_json(g.x, g.o)},
                               {"createdAt", g.created_ms}});
  }
  return apps::json_reply(200, out);
}

apps::reply rest::stats(const player& me) {
  auto mine = db_.stats_of(me.user_id);
  mine.username = me.username;
  json::array top;
  for (const auto& s : db_.top(opts_.max_top)) top.push_back(stats_json(s));
  json::array recent;
  for (const auto& r : db_.recent(me.user_id, opts_.max_recent)) {
    recent.push_back(
        json::object{{"gameId", r.game_id},
                     {"round", r.round},
                     {"players", players_json(r.x, r.o)},
                     {"status", to_string(r.state)},
                     {"winner", r.winner == mark::none ? json::value(nullptr)
                                                       : json::value(to_string(r.winner))},
                     {"endedAt", r.ended_ms}});
  }
  return apps::json_reply(
      200, json::object{
               {"me", stats_json(mine)}, {"top", std::move(top)}, {"recent", std::move(recent)}});
}

}  // namespace tictactoe
