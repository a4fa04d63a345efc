#include "registry.hpp"

#include <boost/json/object.hpp>

#include <exception>
#include <iostream>
#include <stdexcept>

namespace apps {
namespace json = boost::json;

void registry::add(std::unique_ptr<app_module> m) {
  const app_info info = m->info();
  for (auto& other : modules_) {
    const app_info o = other->info();
    if (o.id == info.id || o.path == info.path) {
      throw std::invalid_argument("app " + info.id + ": its id or path is taken by " + o.id);
    }
  }
  modules_.push_back(std::move(m));
}

json::array registry::list() const {
  json::array out;
  for (auto& m : modules_) {
    const app_info i = m->info();
    out.push_back(
        json::object{{"id", i.id}, {"title", i.title}, {"summary", i.summary}, {"path", i.path}});
  }
  return out;
}

void registry::install(host_context& host) {
  for (auto& m : modules_) m->install(host);
}

void registry::stop() {
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) (*it)->stop();
}

void registry::handle(accounts_api& accounts, const api_request& req, reply_fn done) {
  if (req.body.size() > accounts.options().max_body_bytes) {
    return done(error_reply(413, "Request body too large"));
  }
  if (accounts.handle(req, done)) return;
  if (request_path(req.target) == "/api/apps") {
    if (req.method != "GET") return done(method_not_allowed("GET"));
    return done(json_reply(200, list()));
  }
  for (auto& m : modules_) {
    try {
      if (m->handle(req, done)) return;
    } catch (const std::exception& e) {
      std::cerr << m->info().id << ": " << req.method << ' ' << req.target << ": " << e.what()
                << '\n';
      return done(error_reply(500, "Internal error"));
    }
  }
  done(error_reply(404, "Not found"));
}

}  // namespace apps
