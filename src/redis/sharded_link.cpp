#include "sharded_link.hpp"
#include "log_sink.hpp"
#include "shutdown.hpp"

namespace sio::redis {

void sharded_link::log(std::string_view s) const {
  redis::log_to(opts.log, s);
}

void sharded_link::init(boost::asio::io_context& ioc) {
  std::call_once(once, [&] {
    cluster_client_options co;
    co.seeds = opts.seeds;
    co.tls = opts.tls;
    co.reconnect_min = opts.reconnect_min;
    co.reconnect_max = opts.reconnect_max;
    co.name = "sio redis-sharded-adapter";
    co.log = opts.log;
    client = cluster_client::create(ioc, std::move(co));
    std::weak_ptr<sharded_link> weak = shared_from_this();
    client->on_message([weak](std::string_view ch, std::string_view msg) {
      if (auto l = weak.lock()) l->route(ch, msg);
    });
    client->start();
    detail::at_shutdown(ioc, [weak] {
      if (auto l = weak.lock()) l->dead = true;
    });
  });
}

void sharded_link::subscribe(const std::shared_ptr<redis_sharded_adapter::impl>& t,
                             std::vector<std::string> channels) {
  {
    std::lock_guard lk(mu);
    for (const auto& ch : channels) routes[ch] = t;
  }
  if (!dead) client->ssubscribe(std::move(channels));
}

void sharded_link::unsubscribe(std::vector<std::string> channels) {
  {
    std::lock_guard lk(mu);
    for (const auto& ch : channels) routes.erase(ch);
  }
  if (!dead) client->sunsubscribe(std::move(channels));
}

void sharded_link::route(std::string_view ch, std::string_view msg) {
  if (dead) return;
  std::shared_ptr<redis_sharded_adapter::impl> t;
  {
    std::lock_guard lk(mu);
    if (auto it = routes.find(std::string(ch)); it != routes.end()) t = it->second.lock();
  }
  if (t) t->receive(ch, msg);
}

}  // namespace sio::redis
