// apps::registry: the apps a demo server hosts, in the order they were added, and the /api they
// share: the accounts' routes, GET /api/apps (their app_info), then each app's routes.
//
// Thread-safety: add() and install() before the server starts; the rest from any thread after.
#pragma once

#include "app_module.hpp"

#include <boost/json/array.hpp>

#include <memory>
#include <vector>

namespace apps {

class registry {
 public:
  // Throws std::invalid_argument when an app of the same id or path is there already.
  void add(std::unique_ptr<app_module> m);
  const std::vector<std::unique_ptr<app_module>>& modules() const noexcept { return modules_; }

  // [{id, title, summary, path}] of every app, in order (the body of GET /api/apps).
  boost::json::array list() const;

  // install() of every app, in order.
  void install(host_context& host);
  // stop() of every app, in reverse order.
  void stop();

  // One request under /api: over the accounts' body limit 413; the accounts' routes; GET
  // /api/apps; the first app that takes it; else 404. `done` runs exactly once, on any thread.
  void handle(accounts_api& accounts, const api_request& req, reply_fn done);

 private:
  std::vector<std::unique_ptr<app_module>> modules_;
};

}  // namespace apps
