#include "auction_module.hpp"

#include "accounts_api.hpp"

#include <string>

namespace auction {

module::module(realtime_options rt, rest_options rest) :rt_opts_(rt), rest_opts_(rest) {}

module::~module() {
  stop();
}

apps::app_info module::info() const {
  return {"auction", "Auction",
          "Live auctions: bid against everyone in real time; the last " +
              std::to_string(rt_opts_.extension_ms / 1000) + " seconds extend.",
          "/auction"};
}

void module::install(apps::host_context& host) {
  auth_ = &host.auth;
  db_ = open_storage(host.db);
  rest_ = std::make_unique<rest>(*db_, rest_opts_);
  host.login.protect(host.io.of(realtime::namespace_name));
  rt_ = std::make_unique<realtime>(host.io, *db_, host.notify, rt_opts_);
  rt_->install();
}

bool module::handle(const apps::api_request& req, apps::reply_fn& done) {
  if (!rest_ || !rest::handles(req.target)) return false;
  auth_->serve(req, done, [&](const apps::session& who) {
    return rest_->handle(req.method, req.target, req.body, who.who.id);
  });
  return true;
}

void module::stop() {
  if (rt_) rt_->stop();
}

}  // namespace auction
