#include <auction/rest.hpp>

#include "accounts_api.hpp"
#include "validation.hpp"

#include <auction/events.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <variant>

namespace auction {
namespace json = boost::json;

namespace {

constexpr std::string_view base = "/api/auctions";

}  // namespace

rest::rest(storage& db, rest_options opts)
    : db_(db), opts_(opts), quota_(opts.create_burst, opts.creates_per_minute) {}

bool rest::handles(std::string_view target) noexcept {
  const auto path = apps::request_path(target);
  return path == base || (path.starts_with(base) && path.substr(base.size()).starts_with('/'));
}

apps::reply rest::handle(std::string_view method, std::string_view target, std::string_view body,
                         id_type user) {
  const auto path = apps::request_path(target);
  if (path == base) {
    if (method == "POST") return create(body, user);
    if (method == "GET") return list();
    return apps::method_not_allowed("GET, POST");
  }
  const auto rest = path.substr(base.size() + 1);
  if (rest.find('/') != std::string_view::npos) return apps::error_reply(404, "Not found");
  if (method != "GET") return apps::method_not_allowed("GET");
  return one(rest);
}

apps::reply rest::create(std::string_view body, id_type user) {
  auto v = apps::parse_object(body);
  if (!v) return apps::error_reply(400, "body must be a JSON object");
  auto checked = validate_new_auction(*v, apps::now_ms(), opts_.min_duration_ms);
  if (auto* why = std::get_if<std::string>(&checked)) return apps::error_reply(400, *why);
  if (auto refused = quota_.take(user, "auctions")) return std::move(*refused);
  const auto id = db_.create_auction(std::get<new_auction>(checked), user, apps::now_ms());
  return apps::json_reply(201, json::object{{"auctionId", id}});
}

apps::reply rest::list() {
  json::array out;
  for (const auto& a : db_.list_auctions(opts_.max_list)) out.push_back(auction_json(a));
  return apps::json_reply(200, out);
}

apps::reply rest::one(std::string_view id) {
  auto n = apps::parse_id(id);
  auto a = n ? db_.load_auction(*n) : std::nullopt;
  if (!a) return apps::error_reply(404, "Not found");
  return apps::json_reply(
      200, auction_with_bids(*a, db_.recent_bids(*n, recent_bid_count), opts_.extension_ms));
}

}  // namespace auction
