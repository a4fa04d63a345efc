#include "notifications_module.hpp"

#include "accounts_api.hpp"

#include <boost/json/object.hpp>

#include <exception>
#include <iostream>
#include <string>
#include <string_view>

namespace notifications {

module::module(realtime_options rt, rest_options rest) :rt_opts_(rt), rest_opts_(rest) {}

module::~module() {
  stop();
}

apps::app_info module::info() const {
  return {"notifications", "Notifications",
          "Your notices from every app, live on each of your tabs and devices; send one to a "
          "friend.",
          "/notifications"};
}

void module::install(apps::host_context& host) {
  auth_ = &host.auth;
  offload_ = host.offload;
  db_ = open_storage(host.db);
  // A user's namespace is made for an existing user only (one lookup, on this node's first
  // connection to it): made-up ids cannot make the server create namespaces without bound.
  auto& users =
      host.io.of([&accounts = host.users](std::string_view name, const boost::json::object&) {
        const auto id = realtime::user_of_namespace(name);
        return id && accounts.find_user(*id).has_value();
      });
  host.login.protect_dynamic(users);
  rt_ = std::make_unique<realtime>(host.io, users, *db_, host.users, host.offload, rt_opts_);
  rt_->install();
  rest_ = std::make_unique<rest>(*db_, host.users, *rt_, rest_opts_);
  notify_ = &host.notify;
  notify_->provide(rt_.get());
}

bool module::handle(const apps::api_request& req, apps::reply_fn& done) {
  if (!rest_ || !rest::handles(req.target)) return false;
  // The session's lookup and the route's storage calls run off the network workers.
  auto work = [this, req, done] {
    try {
      auth_->serve(req, done, [&](const apps::session& who) {
        return rest_->handle(req.method, req.target, req.body, who.who);
      });
    } catch (const std::exception& e) {
      std::cerr << "notifications: " << req.method << ' ' << req.target << ": " << e.what() << '\n';
      done(apps::error_reply(500, "Internal error"));
    }
  };
  if (offload_) {
    offload_(std::move(work));
  } else {
    work();
  }
  return true;
}

void module::stop() {
  if (notify_) notify_->provide(nullptr);
  if (rt_) rt_->stop();
}

}  // namespace notifications
