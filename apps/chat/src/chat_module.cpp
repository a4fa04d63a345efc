#include "chat_module.hpp"

#include "validation.hpp"

namespace apps::chat {

module::module(api_options opts, realtime_limits limits) :opts_(opts), limits_(limits) {}

module::~module() {
  stop();
}

app_info module::info() const {
  return {"chat", "Chat", "Public and private rooms, with history, typing and who is online.",
          "/chat"};
}

void module::install(host_context& host) {
  db_ = open_storage(host.db);
  db_->seed_room("general", now_ms());  // somewhere to chat from day one
  rt_ = std::make_unique<realtime>(host.io, *db_, host.clustered, limits_);
  rt_->install(host.login);
  api_hooks hooks;
  hooks.on_room_created = [rt = rt_.get()](const room& r, const std::vector<id_type>& members,
                                           id_type creator) {
    rt->room_created(r, members, creator);
  };
  hooks.on_room_left = [rt = rt_.get()](id_type room, id_type user) { rt->room_left(room, user); };
  api_ = std::make_unique<api>(*db_, host.users, host.auth, host.notify, opts_, std::move(hooks));
}

bool module::handle(const api_request& req, reply_fn& done) {
  if (!api_) return false;
  auto r = api_->handle(req);
  if (!r) return false;
  done(std::move(*r));
  return true;
}

void module::stop() {
  if (rt_) rt_->stop();
}

}  // namespace apps::chat
