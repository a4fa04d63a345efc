#include "adapter_impl.hpp"
#include "replies.hpp"

#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>

namespace sio {

namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;

redis_adapter::impl::impl(redis_adapter* s, adapter_host& h, std::shared_ptr<redis::shared_link> l)
    : alive(s), host(h), link(std::move(l)), uid(engineio::random_id(6)) {
  const auto& key = link->opts.key;
  channel = key + "#" + h.name() + "#";
  request_channel = key + "-request#" + h.name() + "#";
  response_channel = key + "-response#" + h.name() + "#";
  specific_response_channel = response_channel + uid + "#";
}

void redis_adapter::impl::log(const std::string& s) const {
  link->log("sio redis-adapter " + host.name() + ": " + s);
}

void redis_adapter::impl::publish(std::string ch, std::string msg) {
  link->pub->command({"PUBLISH", std::move(ch), std::move(msg)});
}

void redis_adapter::impl::publish_response(const std::string& requester_uid, std::string msg) {
  publish(link->opts.publish_on_specific_response_channel && !requester_uid.empty()
              ? response_channel + requester_uid + "#"
              : response_channel,
          std::move(msg));
}

void redis_adapter::impl::server_count(std::function<void(std::size_t)> done) {
  // Redis down: this node is alone for now (cluster requests would only wait for the timeout).
  if (!link->pub->connected() || !link->sub->connected()) return done(1);
  link->pub->command({"PUBSUB", "NUMSUB", request_channel},
                     [done = std::move(done)](boost::system::error_code ec, redis::reply r) {
                       const auto n = ec ? 0 : redis::subscriber_count(r);
                       done(n > 0 ? n : 1);
                     });
}

// The event packet of a broadcast [uid, packet, opts] from another node, or nullopt (logged when
// it is not one).
std::optional<std::pair<pt::packet, broadcast_options>> redis_adapter::impl::read_broadcast(
    std::string_view ch, std::string_view msg) {
  auto drop = [&](const std::string& why) {
    log("dropped " + why);
    return std::nullopt;
  };
  auto doc = protocol::msgpack::decode(msg);
  if (!doc) return drop("a broadcast on " + std::string(ch) + ": " + doc.error().message());
  auto* arr = doc->value.if_array();
  if (!arr || arr->size() < 2 || !arr->at(0).is_string() || !arr->at(1).is_object())
    return drop("a malformed broadcast on " + std::string(ch));
  if (arr->at(0).get_string() == uid) return std::nullopt;  // our own
  auto& pkt = arr->at(1).get_object();
  auto* nsp = pkt.if_contains("nsp");
  if (nsp && !nsp->is_string()) return drop("a broadcast with a bad namespace");
  if ((nsp ? std::string_view(nsp->get_string()) : "/") != host.name()) return std::nullopt;
  auto* type = pkt.if_contains("type");
  auto* data = pkt.if_contains("data");
  const auto t = type && type->is_number() ? type->to_number<double>() : -1.0;
  if ((t != 2 && t != 5) || !data || !data->is_array() || data->get_array().empty())
    return drop("a broadcast that is not an event");
  if (!placeholders_valid(*data, doc->attachments.size()))
    return drop("a broadcast with invalid binary placeholders");
  std::pair<pt::packet, broadcast_options> out;
  if (arr->size() > 2) out.second = options_from_json(arr->at(2));
  out.first.type = pt::packet_type::event;
  out.first.nsp = host.name();
  out.first.data = std::move(*data);
  out.first.attachments = std::move(doc->attachments);
  return out;
}

void redis_adapter::impl::on_broadcast(std::string_view ch, std::string msg) {
  auto b = read_broadcast(ch, msg);
  if (!b) return;
  with_self([&](redis_adapter& a) {
    a.in_memory_adapter::broadcast(host.encode_packet(std::move(b->first)), b->second);
  });
}

}  // namespace sio
