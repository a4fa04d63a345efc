#include <sio/common/handler.hpp>
#include <sio/common/payload.hpp>

#include <functional>
#include <memory>
#include <stdexcept>

namespace sio {

namespace {
namespace pt = protocol::socketio;

// Adds `offset` to every placeholder num in v (splicing payloads).
void shift_placeholders(boost::json::value& v, std::size_t offset) {
  if (auto* a = v.if_array()) {
    for (auto& e : *a) shift_placeholders(e, offset);
  } else if (auto* o = v.if_object()) {
    if (auto n = pt::placeholder_index(v)) {
      (*o)[pt::placeholder_num_key] = static_cast<std::int64_t>(*n + offset);
      return;
    }
    for (auto& kv : *o) shift_placeholders(kv.value(), offset);
  }
}

struct reply_state final : ack::state {
  std::function<void(payload)> reply;
  void deliver(payload p) override { reply(std::move(p)); }
};
}  // namespace

const binary* payload::binary_at(std::size_t i) const noexcept {
  if (i >= args.size()) return nullptr;
  const auto n = protocol::socketio::placeholder_index(args[i]);
  if (!n || *n >= attachments.size()) return nullptr;
  return &attachments[*n];
}

namespace detail {
void append_binary(payload& p, binary b) {
  p.args.push_back(protocol::socketio::make_placeholder(p.attachments.size()));
  p.attachments.push_back(std::move(b));
}

void append_payload(payload& p, payload other) {
  const std::size_t offset = p.attachments.size();
  p.args.reserve(p.args.size() + other.args.size());
  for (auto& v : other.args) {
    if (offset != 0 && !other.attachments.empty()) shift_placeholders(v, offset);
    p.args.push_back(std::move(v));
  }
  for (auto& b : other.attachments) p.attachments.push_back(std::move(b));
}

void check_event_name(std::string_view event) {
  if (pt::is_reserved_event(event))
    throw std::invalid_argument("\"" + std::string(event) + "\" is a reserved event name");
}

pt::packet event_packet(std::string_view event, std::string nsp, payload p) {
  check_event_name(event);
  pt::packet pk;
  pk.type = pt::packet_type::event;
  pk.nsp = std::move(nsp);
  boost::json::array data;
  data.reserve(1 + p.args.size());
  data.emplace_back(event);
  for (auto& v : p.args) data.push_back(std::move(v));
  pk.data = std::move(data);
  pk.attachments.reserve(p.attachments.size());
  for (auto& b : p.attachments) pk.attachments.push_back(std::move(b.bytes));
  return pk;
}
}  // namespace detail

ack::ack(std::function<void(payload)> reply) {
  if (!reply) return;
  auto st = std::make_shared<reply_state>();
  st->reply = std::move(reply);
  st_ = std::move(st);
}

}  // namespace sio
