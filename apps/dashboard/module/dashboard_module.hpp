// dashboard::module: the live dashboard as an app of the demo server: namespace "/dashboard"
// (dashboard::realtime) behind the host's login, sampling this node under the host's node name.
// No REST routes, no storage: the history lives in memory on every node.
#pragma once

#include "app_module.hpp"

#include <dashboard/realtime.hpp>

#include <memory>

namespace dashboard {

class module final : public apps::app_module {
 public:
  explicit module(realtime_options opts = {});
  ~module() override;

  apps::app_info info() const override;  // "dashboard", "Dashboard", ..., "/dashboard"
  void install(apps::host_context& host) override;
  bool handle(const apps::api_request&, apps::reply_fn&) override { return false; }
  void stop() override;

 private:
  const realtime_options opts_;
  std::unique_ptr<realtime> rt_;
};

}  // namespace dashboard
