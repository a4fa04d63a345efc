#include "request_route.hpp"

namespace sio::engineio::detail {
namespace {

namespace http = boost::beast::http;
namespace eio = sio::protocol::engineio;

engine_route refuse(bool upgrade, eio::request_error e) {
  return {.what = engine_route::kind::refuse, .upgrade = upgrade, .error = e};
}

}  // namespace

bool invalid_header_value(std::string_view v) noexcept {
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 32 && c != '\t') || c == 127) return true;
  }
  return false;
}

bool under_endpoint(std::string_view target, std::string_view path) noexcept {
  return eio::target_path(target).substr(0, path.size()) == path;
}

engine_route route_engine_request(const request_head& req, const eio::route_params& q,
                                  const endpoint_options& o) {
  if (req.method() == http::verb::options && o.cors.enabled)
    return {.what = engine_route::kind::preflight};
  const bool upgrade = req.websocket_upgrade();
  const bool bad_origin = invalid_header_value(req[http::field::origin]);
  const eio::handshake_check c{o.polling, o.websocket, upgrade || req.method() == http::verb::get,
                               upgrade};
  if (auto e = eio::check_transport(q, c)) return refuse(upgrade, *e);
  if (bad_origin) return refuse(upgrade, eio::request_error::bad_request);
  const auto t = *eio::parse_transport(*q.transport);
  if (upgrade && t != eio::transport_kind::websocket)
    return refuse(upgrade, eio::request_error::bad_request);
  engine_route r{.upgrade = upgrade, .transport = t};
  if (q.sid && !q.sid->empty()) {
    r.what = engine_route::kind::session;
    r.sid = *q.sid;
    return r;
  }
  if (auto e = upgrade ? std::nullopt : eio::check_handshake(q, c)) return refuse(upgrade, *e);
  r.what = engine_route::kind::handshake;
  r.supported_version = eio::is_supported_version(q);
  return r;
}

}  // namespace sio::engineio::detail
