// auction::module: the live auction as an app of the demo server: its storage (auctions and bids
// in the shared database), its REST routes (/api/auctions, auction::rest) and its Socket.IO side
// on namespace "/auction" (auction::realtime, with the delivery thread that orders the events and
// closes the auctions), behind the host's login.
#pragma once

#include "app_module.hpp"

#include <auction/realtime.hpp>
#include <auction/rest.hpp>
#include <auction/storage.hpp>

#include <memory>

namespace auction {

class module final : public apps::app_module {
 public:
  explicit module(realtime_options rt = {}, rest_options rest = {});
  ~module() override;

  apps::app_info info() const override;  // "auction", "Auction", ..., "/auction"
  void install(apps::host_context& host) override;
  bool handle(const apps::api_request& req, apps::reply_fn& done) override;
  void logged_out(id_type user) override;
  void stop() override;

 private:
  const realtime_options rt_opts_;
  const rest_options rest_opts_;
  apps::accounts_api* auth_ = nullptr;
  std::unique_ptr<storage> db_;
  std::unique_ptr<rest> rest_;
  std::unique_ptr<realtime> rt_;
};

}  // namespace auction
