// notifications::module: push notifications as an app of the demo server: its storage (the table
// `notifications` in the shared database), its REST routes (/api/notifications) and its
// Socket.IO side on the dynamic namespace "/users/<id>" (notifications::realtime), behind the
// host's login. It is the host's notifier: the other apps' notices go through it.
#pragma once

#include "app_module.hpp"

#include <notifications/realtime.hpp>
#include <notifications/rest.hpp>
#include <notifications/storage.hpp>

#include <memory>

namespace notifications {

class module final : public apps::app_module {
 public:
  explicit module(realtime_options rt = {}, rest_options rest = {});
  ~module() override;

  apps::app_info info() const override;  // "notifications", "Notifications", ..., "/notifications"
  void install(apps::host_context& host) override;
  bool handle(const apps::api_request& req, apps::reply_fn& done) override;
  void stop() override;

 private:
  const realtime_options rt_opts_;
  const rest_options rest_opts_;
  apps::accounts_api* auth_ = nullptr;
  apps::notifier_slot* notify_ = nullptr;
  apps::offload_fn offload_;
  std::unique_ptr<storage> db_;
  std::unique_ptr<realtime> rt_;
  std::unique_ptr<rest> rest_;
};

}  // namespace notifications
