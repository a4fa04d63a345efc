#include <sio/redis/redis_emitter.hpp>

#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>

#include "wire.hpp"

#include <cstdio>
#include <stdexcept>

namespace sio {

namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;

namespace {
constexpr std::string_view emitter_uid = "emitter";  // what @socket.io/redis-emitter sends
}  // namespace

struct redis_emitter::shared {
  std::string key;
  std::shared_ptr<redis::client> client;
  ~shared() { client->stop(); }
};

redis_emitter::redis_emitter(boost::asio::io_context& ioc, redis_emitter_options opts) {
  auto ep = redis::parse_url(opts.url);
  if (!ep) throw std::invalid_argument("not a redis:// URL: " + redis::redact_url(opts.url));
  redis::client_options co;
  co.server = *ep;
  co.tls = std::move(opts.tls);
  co.name = "sio redis-emitter";
  co.log = std::move(opts.log);
  s_ = std::make_shared<shared>();
  s_->key = std::move(opts.key);
  s_->client = redis::client::create(ioc, std::move(co));
  s_->client->start();
}

redis_emitter redis_emitter::of(std::string_view nsp) const {
  std::string n;
  if (nsp.empty() || nsp.front() != '/') n.push_back('/');
  n.append(nsp);
  return redis_emitter(s_, std::move(n));
}

redis_emitter redis_emitter::to(std::string_view r) const {
  auto e = *this;
  if (std::find(e.opts_.rooms.begin(), e.opts_.rooms.end(), r) == e.opts_.rooms.end())
    e.opts_.rooms.emplace_back(r);
  return e;
}

redis_emitter redis_emitter::except(std::string_view r) const {
  auto e = *this;
  if (std::find(e.opts_.except.begin(), e.opts_.except.end(), r) == e.opts_.except.end())
    e.opts_.except.emplace_back(r);
  return e;
}

redis_emitter redis_emitter::with_flags(broadcast_flags f) const {
  auto e = *this;
  e.opts_.flags = f;
  return e;
}

std::string redis_emitter::broadcast_channel() const {
  return s_->key + "#" + nsp_ + "#";
}
std::string redis_emitter::request_channel() const {
  return s_->key + "-request#" + nsp_ + "#";
}

void redis_emitter::emit_payload(std::string_view event, payload p) const {
  if (pt::is_reserved_event(event))
    throw std::invalid_argument("\"" + std::string(event) + "\" is a reserved event name");
  json::array data;
  data.reserve(p.args.size() + 1);
  data.emplace_back(event);
  for (auto& a : p.args) data.push_back(std::move(a));
  json::object packet{{"type", 2}, {"data", std::move(data)}, {"nsp", nsp_}};
  json::array msg{json::value(emitter_uid), std::move(packet), options_to_json(opts_)};
  const auto att = take_attachments(p);
  std::string ch = broadcast_channel();
  if (opts_.rooms.size() == 1) ch += opts_.rooms.front() + "#";
  s_->client->command(
      {"PUBLISH", std::move(ch), protocol::msgpack::encode(json::value(std::move(msg)), att)});
}

void redis_emitter::sockets_join(std::vector<room> rooms) const {
  json::object req{
      {"type", remote_join}, {"opts", selection_to_json(opts_)}, {"rooms", rooms_to_json(rooms)}};
  s_->client->command({"PUBLISH", request_channel(), to_json(req)});
}

void redis_emitter::sockets_leave(std::vector<room> rooms) const {
  json::object req{
      {"type", remote_leave}, {"opts", selection_to_json(opts_)}, {"rooms", rooms_to_json(rooms)}};
  s_->client->command({"PUBLISH", request_channel(), to_json(req)});
}

void redis_emitter::disconnect_sockets(bool close) const {
  json::object req{
      {"type", remote_disconnect}, {"opts", selection_to_json(opts_)}, {"close", close}};
  s_->client->command({"PUBLISH", request_channel(), to_json(req)});
}

void redis_emitter::server_side_emit_payload(std::string_view event, payload p) const {
  json::array data;
  data.emplace_back(event);
  for (auto& a : p.args) data.push_back(std::move(a));
  json::object req{{"uid", emitter_uid}, {"type", server_side_emit_req}, {"data", std::move(data)}};
  s_->client->command({"PUBLISH", request_channel(), encode_body(json::value(std::move(req)), p)});
}

void redis_emitter::start_flush(std::function<void()> done) const {
  s_->client->command(
      {"PING"}, [done = std::move(done)](boost::system::error_code, redis::reply) { done(); });
}

void redis_emitter::close() const {
  s_->client->stop();
}

}  // namespace sio
