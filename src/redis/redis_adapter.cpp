// The adapter interface of the Redis adapter: every cluster operation applies locally at once
// (through in_memory_adapter) and goes to the other servers through Redis (adapter_impl.hpp).
#include <sio/redis/redis_adapter.hpp>

#include <sio/server/namespace.hpp>

#include "adapter_impl.hpp"

#include <algorithm>
#include <stdexcept>

namespace sio {

namespace json = boost::json;
using namespace redis::wire;

adapter_factory redis_adapter::factory(redis_adapter_options opts) {
  auto ep = redis::parse_url(opts.url);
  if (!ep) throw std::invalid_argument("not a redis:// URL: " + redis::redact_url(opts.url));
  auto link = std::make_shared<redis::shared_link>();
  link->opts = std::move(opts);
  link->ep = *ep;
  return [link](adapter_host& nsp) -> std::unique_ptr<adapter> {
    return std::make_unique<redis_adapter>(nsp, link);
  };
}

redis_adapter* redis_adapter::of(namespace_& nsp) {
  return dynamic_cast<redis_adapter*>(&nsp.get_adapter());
}

redis_adapter::redis_adapter(adapter_host& nsp, std::shared_ptr<redis::shared_link> link)
    : in_memory_adapter(nsp) {
  link->init(nsp.workers().context(0));
  impl_ = std::make_shared<impl>(this, nsp, link);
  link->attach(impl_);
}

redis_adapter::~redis_adapter() {
  impl_->alive.forget();
  impl_->link->detach(*impl_);
}

const std::string& redis_adapter::uid() const noexcept {
  return impl_->uid;
}

void redis_adapter::start_when_ready(std::function<void()> f) {
  auto pub = impl_->link->pub;
  impl_->link->sub->when_ready(
      [pub, f = std::move(f)]() mutable { pub->when_ready(std::move(f)); });
}

void redis_adapter::add_all(std::size_t w, const std::string& sid, std::span<const room> rooms) {
  auto before = socket_rooms(w, sid);
  in_memory_adapter::add_all(w, sid, rooms);
  impl_->rooms.joined(std::move(before), rooms);
}

void redis_adapter::del(std::size_t w, const std::string& sid, const room& r) {
  auto before = socket_rooms(w, sid);
  in_memory_adapter::del(w, sid, r);
  if (std::find(before.begin(), before.end(), r) != before.end())
    impl_->rooms.left(std::span<const room>(&r, 1));
}

void redis_adapter::del_all(std::size_t w, const std::string& sid) {
  auto before = socket_rooms(w, sid);
  in_memory_adapter::del_all(w, sid);
  impl_->rooms.left(before);
}

void redis_adapter::broadcast(outgoing_ptr p, broadcast_options opts) {
  if (!opts.flags.local) {
    std::string ch = impl_->channel;
    if (opts.rooms.size() == 1) ch += opts.rooms.front() + "#";
    impl_->publish(std::move(ch), encode_broadcast(impl_->uid, *p, opts));
  }
  in_memory_adapter::broadcast(std::move(p), std::move(opts));
}

void redis_adapter::broadcast_with_ack(outgoing_ptr p, broadcast_options opts,
                                       std::function<void(std::size_t)> client_count,
                                       std::function<void(payload)> on_response) {
  if (!opts.flags.local) {
    auto a = std::make_shared<impl::ack_pending>();
    a->client_count = client_count;
    a->on_response = on_response;
    impl_->publish_broadcast_with_ack(*p, opts, std::move(a));
  }
  in_memory_adapter::broadcast_with_ack(std::move(p), std::move(opts), std::move(client_count),
                                        std::move(on_response));
}

void redis_adapter::server_count(std::function<void(std::size_t)> done) {
  impl_->server_count(std::move(done));
}

void redis_adapter::sockets(std::vector<room> rooms,
                            std::function<void(std::vector<std::string>)> done) {
  auto p = std::make_shared<impl::pending>();
  p->type = sockets_req;
  p->finish = [raw = p.get(), done = std::move(done)] {
    auto ids = std::move(raw->ids);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    done(std::move(ids));
  };
  json::object req{{"rooms", rooms_to_json(rooms)}};
  in_memory_adapter::sockets(std::move(rooms), [self = impl_, p, req = std::move(req)](
                                                   std::vector<std::string> local) mutable {
    p->ids = std::move(local);
    self->ask_cluster(std::move(p), std::move(req), "sockets");
  });
}

void redis_adapter::fetch_sockets(broadcast_options opts,
                                  std::function<void(std::vector<socket_info>)> done) {
  if (opts.flags.local) return in_memory_adapter::fetch_sockets(std::move(opts), std::move(done));
  auto p = std::make_shared<impl::pending>();
  p->type = remote_fetch;
  p->finish = [raw = p.get(), done = std::move(done)] { done(std::move(raw->infos)); };
  json::object req{{"opts", selection_to_json(opts)}};
  in_memory_adapter::fetch_sockets(std::move(opts), [self = impl_, p, req = std::move(req)](
                                                        std::vector<socket_info> local) mutable {
    p->infos = std::move(local);
    self->ask_cluster(std::move(p), std::move(req), "fetch_sockets");
  });
}

namespace {
// {type, opts: {rooms, except}} (the emitter sends the same).
json::object membership_request(int type, const broadcast_options& o) {
  return {{"type", type}, {"opts", selection_to_json(o)}};
}
}  // namespace

void redis_adapter::add_sockets(broadcast_options opts, std::vector<room> rooms) {
  if (!opts.flags.local) {
    auto req = membership_request(remote_join, opts);
    req["uid"] = impl_->uid;
    req["rooms"] = rooms_to_json(rooms);
    impl_->publish(impl_->request_channel, to_json(req));
  }
  in_memory_adapter::add_sockets(std::move(opts), std::move(rooms));
}

void redis_adapter::del_sockets(broadcast_options opts, std::vector<room> rooms) {
  if (!opts.flags.local) {
    auto req = membership_request(remote_leave, opts);
    req["uid"] = impl_->uid;
    req["rooms"] = rooms_to_json(rooms);
    impl_->publish(impl_->request_channel, to_json(req));
  }
  in_memory_adapter::del_sockets(std::move(opts), std::move(rooms));
}

void redis_adapter::disconnect_sockets(broadcast_options opts, bool close) {
  if (!opts.flags.local) {
    auto req = membership_request(remote_disconnect, opts);
    req["uid"] = impl_->uid;
    req["close"] = close;
    impl_->publish(impl_->request_channel, to_json(req));
  }
  in_memory_adapter::disconnect_sockets(std::move(opts), close);
}

void redis_adapter::server_side_emit(payload args) {
  json::object req{{"uid", impl_->uid}, {"type", server_side_emit_req}, {"data", args.args}};
  impl_->publish(impl_->request_channel, encode_body(json::value(std::move(req)), args));
}

void redis_adapter::server_side_emit_with_ack(payload args, broadcast_ack_callback done) {
  auto p = std::make_shared<impl::pending>();
  p->type = server_side_emit_req;
  p->finish = [raw = p.get(), done = std::move(done)] {
    const bool all = raw->responses.size() >= raw->num_sub;
    done(all ? boost::system::error_code{} : make_error_code(error::timeout),
         std::move(raw->responses));
  };
  json::object req{{"data", args.args}};
  impl_->ask_cluster(std::move(p), std::move(req), "server_side_emit", std::move(args));
}

void redis_adapter::start_all_rooms(std::function<void(std::set<room>)> done) {
  auto p = std::make_shared<impl::pending>();
  p->type = all_rooms_req;
  p->finish = [raw = p.get(), done = std::move(done)] { done(std::move(raw->rooms)); };
  auto local = impl_->rooms.list();
  p->rooms.insert(local.begin(), local.end());
  impl_->ask_cluster(std::move(p), {}, "all_rooms");
}

}  // namespace sio
