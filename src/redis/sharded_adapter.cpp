// The sharded Pub/Sub transport of one namespace: its channels, the subscriptions per room, and
// the messages (as Node's ShardedRedisAdapter encodes and reads them).
#include <sio/redis/redis_sharded_adapter.hpp>

#include <sio/server/namespace.hpp>

#include "replies.hpp"
#include "sharded_link.hpp"
#include "wire.hpp"

#include <stdexcept>

namespace sio {

namespace json = boost::json;

namespace {
// Node's looksLikeASocketId: a room of 20 characters is taken for a socket's own room.
constexpr std::size_t socket_id_length = 20;
}  // namespace

std::optional<sharded_subscription_mode> parse_subscription_mode(std::string_view s) noexcept {
  if (s == "static") return sharded_subscription_mode::static_;
  if (s == "dynamic") return sharded_subscription_mode::dynamic;
  if (s == "dynamic-private") return sharded_subscription_mode::dynamic_private;
  return std::nullopt;
}

namespace redis::sharded {

std::string encode(const cluster_message& m) {
  auto d = m.to_document();
  if (m.may_carry_binary() && !d.attachments.empty())
    return protocol::msgpack::encode(d.value, d.attachments);
  return wire::to_json(d.value);
}

std::optional<cluster_message> decode(std::string_view raw) {
  auto d = wire::parse_body(raw);
  if (!d) return std::nullopt;
  return cluster_message::from_document(std::move(*d));
}

}  // namespace redis::sharded

// --- impl --------------------------------------------------------------------------------------

redis_sharded_adapter::impl::impl(adapter_host& h, std::shared_ptr<redis::sharded_link> l)
    : host(h),
      link(std::move(l)),
      mode(link->opts.subscription_mode),
      channel(link->opts.channel_prefix + "#" + h.name() + "#") {}

void redis_sharded_adapter::impl::log(const std::string& s) const {
  link->log("sio redis-sharded-adapter " + host.name() + ": " + s);
}

std::string redis_sharded_adapter::impl::room_channel(std::string_view r) const {
  std::string ch = channel;
  ch += r;
  ch += '#';
  return ch;
}

bool redis_sharded_adapter::impl::separate_channel(bool private_room) const noexcept {
  return mode == sharded_subscription_mode::dynamic_private ||
         (mode == sharded_subscription_mode::dynamic && !private_room);
}

std::string redis_sharded_adapter::impl::channel_of(const cluster_message& m) const {
  // A broadcast with acks counts every server's answer (server_count), so it goes to all.
  if (mode == sharded_subscription_mode::static_ || m.type != cluster_message_type::broadcast ||
      !m.data || !m.data->is_object())
    return channel;
  const auto& data = m.data->get_object();
  if (data.contains("requestId")) return channel;
  const auto* opts = data.if_contains("opts");
  const auto* rooms = opts && opts->is_object() ? opts->get_object().if_contains("rooms") : nullptr;
  if (!rooms || !rooms->is_array() || rooms->get_array().size() != 1) return channel;
  const auto& r = rooms->get_array().front();
  if (mode == sharded_subscription_mode::dynamic && r.is_string() &&
      r.get_string().size() == socket_id_length)
    return channel;
  auto names = redis::wire::rooms_from_json(rooms);
  return names.empty() ? channel : room_channel(names.front());
}

void redis_sharded_adapter::impl::publish(std::string ch, const cluster_message& m,
                                          cluster_transport::offset_handler done) {
  if (link->dead) {
    if (done) done(std::nullopt);
    return;
  }
  link->client->spublish(std::move(ch), redis::sharded::encode(m),
                         [self = shared_from_this(), done = std::move(done)](
                             boost::system::error_code ec, redis::reply r) {
                           const bool failed = ec || r.type == redis::reply::kind::error;
                           self->publish_result(failed, ec ? ec.message() : r.str);
                           if (done) done(failed ? std::nullopt : std::optional<std::string>(""));
                         });
}

void redis_sharded_adapter::impl::publish_result(bool failed, const std::string& why) {
  // One line per run of failures (Redis away), not one per message.
  if (failed && !link->publish_failing.exchange(true))
    log("SPUBLISH failed (" + why + "); further failures are not logged until one succeeds");
  else if (!failed && link->publish_failing.exchange(false))
    log("SPUBLISH succeeds again");
}

void redis_sharded_adapter::impl::receive(std::string_view ch, std::string_view raw) {
  auto m = redis::sharded::decode(raw);
  if (!m) return log("dropped a message on " + std::string(ch) + ": not a cluster message");
  std::shared_ptr<cluster_sink> s;
  bool response = false;
  {
    std::lock_guard lk(mu);
    s = sink.lock();
    response = ch == response_channel;
  }
  if (!s) return;
  if (response)
    s->on_response(std::move(*m));
  else
    s->on_message(std::move(*m), std::string());
}

void redis_sharded_adapter::impl::stop() {
  std::lock_guard lk(mu);
  if (!started) return;  // nothing subscribed
  started = false;
  std::vector<std::string> channels{channel, response_channel};
  channels.insert(channels.end(), room_channels.begin(), room_channels.end());
  room_channels.clear();
  sink.reset();
  link->unsubscribe(std::move(channels));
}

// --- the transport -----------------------------------------------------------------------------

adapter_factory redis_sharded_adapter::factory(redis_sharded_adapter_options opts) {
  if (opts.seeds.empty()) throw std::invalid_argument("no Redis seed URL");
  for (const auto& s : opts.seeds)
    if (!redis::parse_url(s))
      throw std::invalid_argument("not a redis:// URL: " + redis::redact_url(s));
  cluster_adapter_options co;
  co.requests_timeout = opts.requests_timeout;
  co.log = opts.log;
  auto link = std::make_shared<redis::sharded_link>(std::move(opts));
  return cluster_adapter::factory(
      [link](adapter_host& nsp) -> std::unique_ptr<cluster_transport> {
        return std::make_unique<redis_sharded_adapter>(nsp, link);
      },
      co);
}

redis_sharded_adapter* redis_sharded_adapter::of(namespace_& nsp) {
  auto* a = dynamic_cast<cluster_adapter*>(&nsp.get_adapter());
  return a ? dynamic_cast<redis_sharded_adapter*>(&a->transport()) : nullptr;
}

redis_sharded_adapter::redis_sharded_adapter(adapter_host& nsp,
                                             std::shared_ptr<redis::sharded_link> link) {
  link->init(nsp.workers().context(0));
  impl_ = std::make_shared<impl>(nsp, std::move(link));
}

redis_sharded_adapter::~redis_sharded_adapter() {
  impl_->stop();
}

void redis_sharded_adapter::start(const std::string& uid, std::weak_ptr<cluster_sink> sink) {
  std::lock_guard lk(impl_->mu);
  if (impl_->started) return;
  impl_->started = true;
  impl_->sink = std::move(sink);
  impl_->response_channel = impl_->channel + uid + "#";
  std::vector<std::string> channels{impl_->channel, impl_->response_channel};
  channels.insert(channels.end(), impl_->room_channels.begin(), impl_->room_channels.end());
  impl_->link->subscribe(impl_, std::move(channels));
}

void redis_sharded_adapter::publish(cluster_message m, offset_handler done) {
  impl_->publish(impl_->channel_of(m), m, std::move(done));
}

void redis_sharded_adapter::publish_response(const std::string& requester_uid, cluster_message m) {
  impl_->publish(impl_->channel + requester_uid + "#", m, {});
}

void redis_sharded_adapter::server_count(std::function<void(std::size_t)> done) {
  if (impl_->link->dead) return done(1);
  impl_->link->client->command_all(
      {"PUBSUB", "SHARDNUMSUB", impl_->channel},
      [self = impl_, done = std::move(done)](boost::system::error_code ec,
                                             std::vector<redis::reply> replies) {
        if (ec) {
          self->log("PUBSUB SHARDNUMSUB failed: " + ec.message());
          return done(1);
        }
        std::size_t n = 0;
        for (const auto& r : replies) n += redis::subscriber_count(r);
        done(n > 0 ? n : 1);
      });
}

bool redis_sharded_adapter::wants_room_events() const noexcept {
  return impl_->mode != sharded_subscription_mode::static_;
}

void redis_sharded_adapter::room_created(const room& r, bool private_room) {
  if (!impl_->separate_channel(private_room)) return;
  std::lock_guard lk(impl_->mu);
  auto ch = impl_->room_channel(r);
  if (!impl_->room_channels.insert(ch).second || !impl_->started) return;
  impl_->link->subscribe(impl_, {std::move(ch)});
}

void redis_sharded_adapter::room_deleted(const room& r, bool private_room) {
  if (!impl_->separate_channel(private_room)) return;
  std::lock_guard lk(impl_->mu);
  auto ch = impl_->room_channel(r);
  if (impl_->room_channels.erase(ch) == 0 || !impl_->started) return;
  impl_->link->unsubscribe({std::move(ch)});
}

void redis_sharded_adapter::start_when_ready(std::function<void()> f) {
  if (impl_->link->dead) return;
  impl_->link->client->when_ready(std::move(f));
}

const std::string& redis_sharded_adapter::channel() const noexcept {
  return impl_->channel;
}

std::string redis_sharded_adapter::room_channel(const room& r) const {
  return impl_->room_channel(r);
}

}  // namespace sio
