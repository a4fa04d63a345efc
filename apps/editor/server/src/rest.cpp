#include <editor/rest.hpp>

#include "accounts_api.hpp"
#include "validation.hpp"

#include <editor/ot/utf16.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <string>

namespace editor {
namespace json = boost::json;

rest::rest(storage& db, rest_options opts)
    : db_(db), opts_(opts), quota_(opts.create_burst, opts.creates_per_minute) {}

bool rest::handles(std::string_view target) noexcept {
  const auto path = apps::request_path(target);
  return path == "/api/docs" || path.starts_with("/api/docs/");
}

apps::reply rest::handle(std::string_view method, std::string_view target, std::string_view body,
                         id_type user) {
  if (apps::request_path(target) != "/api/docs") return apps::error_reply(404, "Not found");
  if (method == "POST") return create(body, user);
  if (method == "GET") return list(target);
  return apps::method_not_allowed("GET, POST");
}

apps::reply rest::create(std::string_view body, id_type user) {
  auto v = apps::parse_object(body);
  auto* title = v ? apps::field(*v, "title") : nullptr;
  if (!title || !title->is_string()) return apps::error_reply(400, "title is required");
  const auto t = apps::trim_space(title->get_string());
  const auto len = ot::utf16_length(t);
  if (!len || *len == 0 || *len > opts_.max_title_length) {
    return apps::error_reply(400, "title must be 1-100 characters");
  }
  if (auto refused = quota_.take(user, "documents")) return std::move(*refused);
  auto doc = db_.create_document(t, user, apps::now_ms());
  return apps::json_reply(201, json::object{{"docId", doc.id}});
}

apps::reply rest::list(std::string_view target) {
  std::size_t limit = opts_.max_list;
  if (auto l = apps::query_param(target, "limit")) {
    std::size_t n = 0;
    auto [p, e] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (e != std::errc{} || p != l->data() + l->size() || n < 1 || n > opts_.max_list) {
      return apps::error_reply(400, "limit must be 1-100");
    }
    limit = n;
  }
  json::array out;
  for (auto& d : db_.list_documents(limit)) {
    out.push_back(
        json::object{{"id", d.id}, {"title", d.title}, {"updatedAt", apps::iso8601(d.updated_ms)}});
  }
  return apps::json_reply(200, out);
}

}  // namespace editor
