// chat::module: the chat as an app of the demo server: its storage (rooms, members, messages, the
// component "chat" of the shared database), its REST routes (api.hpp) and its Socket.IO side on
// namespace "/" (realtime.hpp). A new database gets the public room "general".
#pragma once

#include "api.hpp"
#include "app_module.hpp"
#include "realtime.hpp"
#include "storage.hpp"

#include <memory>

namespace apps::chat {

class module final : public app_module {
 public:
  explicit module(api_options opts = {}, realtime_limits limits = {});
  ~module() override;

  app_info info() const override;  // "chat", "Chat", ..., "/chat"
  void install(host_context& host) override;
  bool handle(const api_request& req, reply_fn& done) override;
  void stop() override;

 private:
  const api_options opts_;
  const realtime_limits limits_;
  std::unique_ptr<storage> db_;
  std::unique_ptr<realtime> rt_;
  std::unique_ptr<api> api_;
};

}  // namespace apps::chat
