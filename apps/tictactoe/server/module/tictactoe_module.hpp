// tictactoe::module: tic-tac-toe as an app of the demo server: its storage (games, finished
// rounds and the quick-match queue in the shared database), its REST routes (/api/games,
// tictactoe::rest) and its Socket.IO side on namespace "/tictactoe" (tictactoe::realtime), behind
// the host's login.
#pragma once

#include "app_module.hpp"

#include <tictactoe/realtime.hpp>
#include <tictactoe/rest.hpp>
#include <tictactoe/storage.hpp>

#include <memory>

namespace tictactoe {

class module final : public apps::app_module {
 public:
  explicit module(realtime_options rt = {}, rest_options rest = {});
  ~module() override;

  apps::app_info info() const override;  // "tictactoe", "Tic-tac-toe", ..., "/tictactoe"
  void install(apps::host_context& host) override;
  bool handle(const apps::api_request& req, apps::reply_fn& done) override;
  void stop() override;

 private:
  const realtime_options rt_opts_;
  const rest_options rest_opts_;
  apps::accounts_api* auth_ = nullptr;
  std::shared_ptr<storage> db_;
  std::unique_ptr<rest> rest_;
  std::shared_ptr<realtime> rt_;
};

}  // namespace tictactoe
