#include "http_glue.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <memory>

namespace chat {
namespace http = boost::beast::http;

sio::engineio::http_response to_http(reply r, const sio::engineio::http_request& req) {
  sio::engineio::http_response res{static_cast<http::status>(r.status), req.version()};
  res.set(http::field::server, "sio-chat");
  if (r.status != 204) res.set(http::field::content_type, r.content_type);
  bool has_length = false;
  for (auto& [k, v] : r.headers) {
    if (k == "Content-Length") {
      has_length = true;
      continue;
    }
    res.insert(k, v);
  }
  if (res.find("X-Content-Type-Options") == res.end()) res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(r.body);
  res.prepare_payload();
  if (r.status == 204) res.erase(http::field::content_length);  // RFC 9110 8.6
  if (has_length && req.method() == http::verb::head) {
    for (auto& [k, v] : r.headers) {
      if (k == "Content-Length") res.set(http::field::content_length, v);
    }
  }
  return res;
}

sio::engineio::http_handler make_http_handler(api& a, const static_files& files, extra_api extra) {
  return [&a, &files, extra = std::move(extra)](sio::engineio::http_request&& req,
                                                const sio::engineio::request_info& info,
                                                sio::engineio::http_respond respond) {
    std::string_view target(req.target().data(), req.target().size());
    const bool is_api =
        target == "/api" || target.starts_with("/api/") || target.starts_with("/api?");
    if (is_api) {
      api_request ar{std::string(req.method_string()),
                     std::string(target),
                     std::string(req[http::field::authorization]),
                     std::string(req[http::field::cookie]),
                     std::move(req.body()),
                     info.remote_address};
      ar.content_type = req[http::field::content_type];
      ar.origin = req[http::field::origin];
      ar.referer = req[http::field::referer];
      ar.host = req[http::field::host];
      ar.secure = info.secure;
      if (extra) {
        if (auto r = extra(ar)) {
          r->headers.emplace_back("Cache-Control", "no-store");
          respond(to_http(std::move(*r), req));
          return;
        }
      }
      auto shared_req = std::make_shared<sio::engineio::http_request>();
      shared_req->version(req.version());
      shared_req->keep_alive(req.keep_alive());
      shared_req->method(req.method());
      a.handle(std::move(ar), [shared_req, respond = std::move(respond)](reply r) {
        r.headers.emplace_back("Cache-Control", "no-store");
        respond(to_http(std::move(r), *shared_req));
      });
      return;
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      reply r{405, "text/plain; charset=utf-8", "Method Not Allowed\n", {{"Allow", "GET, HEAD"}}};
      respond(to_http(std::move(r), req));
      return;
    }
    respond(to_http(files.serve(target, req.method() == http::verb::head), req));
  };
}

}  // namespace chat
