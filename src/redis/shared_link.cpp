#include "adapter_impl.hpp"
#include "connection_options.hpp"
#include "log_sink.hpp"
#include "shutdown.hpp"

namespace sio::redis {

namespace asio = boost::asio;

void shared_link::log(std::string_view s) const {
  redis::log_to(opts.log, s);
}

void shared_link::init(asio::io_context& ioc) {
  std::call_once(once, [&] {
    strand.emplace(asio::make_strand(ioc));
    auto make = [&](const char* name) {
      return client::create(ioc,
                            connection_options(ep, opts, std::string("sio redis-adapter ") + name));
    };
    pub = make("pub");
    sub = make("sub");
    std::weak_ptr<shared_link> weak = shared_from_this();
    sub->on_message([weak](std::string_view ch, std::string_view pat, std::string_view msg) {
      if (auto l = weak.lock()) l->route(ch, pat, msg);
    });
    pub->start();
    sub->start();
    detail::at_shutdown(ioc, [weak] {
      if (auto l = weak.lock()) l->shutdown();
    });
  });
}

void shared_link::attach(const std::shared_ptr<redis_adapter::impl>& a) {
  {
    std::lock_guard lk(mu);
    by_pattern[a->channel + "*"] = a;
    by_channel[a->request_channel] = a;
    by_channel[a->response_channel] = a;
    by_channel[a->specific_response_channel] = a;
  }
  sub->psubscribe({a->channel + "*"});
  sub->subscribe({a->request_channel, a->response_channel, a->specific_response_channel});
}

void shared_link::detach(const redis_adapter::impl& a) {
  {
    std::lock_guard lk(mu);
    by_pattern.erase(a.channel + "*");
    by_channel.erase(a.request_channel);
    by_channel.erase(a.response_channel);
    by_channel.erase(a.specific_response_channel);
  }
  sub->punsubscribe({a.channel + "*"});
  sub->unsubscribe({a.request_channel, a.response_channel, a.specific_response_channel});
}

void shared_link::shutdown() {
  dead = true;
  std::vector<std::shared_ptr<redis_adapter::impl>> adapters;
  {
    std::lock_guard lk(mu);
    for (auto& [ch, w] : by_channel)
      if (auto a = w.lock()) adapters.push_back(std::move(a));
  }
  for (auto& a : adapters) {  // their timers live on the strand's io_context
    a->requests.clear();
    a->ack_requests.clear();
  }
  strand.reset();
}

void shared_link::route(std::string_view ch, std::string_view pat, std::string_view msg) {
  if (dead) return;
  std::shared_ptr<redis_adapter::impl> a;
  {
    std::lock_guard lk(mu);
    if (!pat.empty()) {
      if (auto it = by_pattern.find(std::string(pat)); it != by_pattern.end())
        a = it->second.lock();
    } else if (auto it = by_channel.find(std::string(ch)); it != by_channel.end()) {
      a = it->second.lock();
    }
  }
  if (!a) return;
  asio::post(*strand,
             [a, ch = std::string(ch), pattern = !pat.empty(), msg = std::string(msg)]() mutable {
               try {
                 if (pattern)
                   a->on_broadcast(ch, std::move(msg));
                 else if (ch.starts_with(a->response_channel))
                   a->on_response(std::move(msg));
                 else
                   a->on_request(std::move(msg));
               } catch (const std::exception& e) {
                 a->log(std::string("dropped a message on ") + ch + ": " + e.what());
               }
             });
}

}  // namespace sio::redis
