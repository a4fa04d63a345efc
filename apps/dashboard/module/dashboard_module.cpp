#include "dashboard_module.hpp"

namespace dashboard {

module::module(realtime_options opts) :opts_(opts) {}

module::~module() {
  stop();
}

apps::app_info module::info() const {
  return {"dashboard", "Dashboard",
          "Every server node live: connections, sockets, rooms, messages per second, CPU, memory.",
          "/dashboard"};
}

void module::install(apps::host_context& host) {
  host.login.protect(host.io.of(realtime::namespace_name));
  rt_ = std::make_unique<realtime>(host.io, host.node_name, opts_);
  rt_->install();
}

void module::stop() {
  if (rt_) rt_->stop();
}

}  // namespace dashboard
