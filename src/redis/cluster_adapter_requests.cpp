// This node's requests to the other servers (FETCH_SOCKETS, SERVER_SIDE_EMIT with
// acknowledgement: answers counted until every other server answered or the timeout; broadcasts
// with acknowledgements: answers taken until their timeout), and what it does with the messages
// of the others (cluster_sink, any thread). Malformed messages are logged and dropped.
#include "cluster_adapter_state.hpp"
#include "wire.hpp"

#include <sio/protocol/socketio.hpp>

namespace sio {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace redis::wire;
using namespace redis::cluster;
using state = cluster_adapter::state;
using mt = cluster_message_type;

namespace {

// {requestId, packet: the answer's first argument}, with its attachments.
std::pair<json::object, std::vector<std::string>> answer_packet(const std::string& rid,
                                                                payload& p) {
  json::object o{{"requestId", rid}};
  if (!p.args.empty()) o["packet"] = std::move(p.args[0]);
  return {std::move(o), take_attachments(p)};
}

// The answer carried by `packet` (one argument), with the message's attachments.
payload read_answer(json::object& d, std::vector<std::string>& att) {
  payload p;
  if (auto* v = d.if_contains("packet")) p.args.push_back(std::move(*v));
  for (auto& b : att) p.attachments.emplace_back(std::move(b));
  return p;
}

}  // namespace

// --- our requests --------------------------------------------------------------------------------

void state::start_request(std::string rid, std::shared_ptr<request> r,
                          std::chrono::milliseconds timeout, cluster_message m) {
  {
    std::lock_guard lk(mu);
    if (dead) return;
    r->timer = std::make_unique<asio::steady_timer>(ioc, timeout);
    r->timer->async_wait([w = weak_from_this(), rid](boost::system::error_code ec) {
      auto s = w.lock();
      if (ec || !s) return;
      std::shared_ptr<request> r;
      {
        std::lock_guard lk(s->mu);
        auto it = s->requests.find(rid);
        if (it == s->requests.end()) return;
        r = std::move(it->second);
        s->requests.erase(it);
      }
      s->log(std::string(r->type == mt::fetch_sockets ? "fetch_sockets" : "server_side_emit") +
             ": timeout reached, only " + std::to_string(r->current) +
             " responses received out of " + std::to_string(r->expected));
      s->with_self([&](cluster_adapter&) { r->finish(true); });
    });
    requests.emplace(rid, std::move(r));
  }
  with_self([&](cluster_adapter&) { publish(std::move(m)); });
}

void state::start_ack_request(const std::string& rid, std::shared_ptr<ack_request> a,
                              std::chrono::milliseconds timeout) {
  std::lock_guard lk(mu);
  if (dead) return;
  // Nothing tells when every client answered: the entry is dropped after the timeout (as Node).
  a->timer = std::make_unique<asio::steady_timer>(ioc, timeout);
  a->timer->async_wait([w = weak_from_this(), rid](boost::system::error_code ec) {
    auto s = w.lock();
    if (ec || !s) return;
    std::shared_ptr<ack_request> gone;  // destroyed out of the lock
    std::lock_guard lk(s->mu);
    if (auto it = s->ack_requests.find(rid); it != s->ack_requests.end()) {
      gone = std::move(it->second);
      s->ack_requests.erase(it);
    }
  });
  ack_requests.emplace(rid, std::move(a));
}

void state::count_answer(const std::string& rid, cluster_message_type type,
                         const std::function<void(request&)>& add) {
  {
    std::lock_guard lk(mu);
    auto it = requests.find(rid);
    if (it == requests.end() || it->second->type != type) return;  // someone else's, or too late
    it->second->current++;
    add(*it->second);
  }
  finish_request(rid);
}

void state::finish_request(const std::string& rid) {
  std::shared_ptr<request> r;
  {
    std::lock_guard lk(mu);
    auto it = requests.find(rid);
    if (it == requests.end() || it->second->current < it->second->expected) return;
    r = std::move(it->second);
    requests.erase(it);
    if (r->timer) r->timer->cancel();
  }
  with_self([&](cluster_adapter&) { r->finish(false); });
}

void state::on_response(cluster_message m) try {
  auto* d = m.data ? m.data->if_object() : nullptr;
  if (!d) return log("dropped a response without data");
  const std::string rid = string_at(*d, "requestId");
  switch (m.type) {
    case mt::broadcast_client_count:
    case mt::broadcast_ack: {
      std::shared_ptr<ack_request> a;
      {
        std::lock_guard lk(mu);
        if (auto it = ack_requests.find(rid); it != ack_requests.end()) a = it->second;
      }
      if (!a) return;  // someone else's, or too late
      if (m.type == mt::broadcast_ack) {
        auto p = read_answer(*d, m.attachments);
        return with_self([&](cluster_adapter&) { a->on_response(std::move(p)); });
      }
      const auto n = int_at(*d, "clientCount");
      if (!n || *n < 0) return log("dropped a client count that is not a count");
      return with_self([&](cluster_adapter&) { a->client_count(static_cast<std::size_t>(*n)); });
    }
    case mt::fetch_sockets_response: {
      auto* list = d->if_contains("sockets");
      if (!list || !list->is_array()) return log("dropped a fetch_sockets answer without sockets");
      std::vector<socket_info> infos;
      for (const auto& e : list->get_array())
        if (auto info = socket_from_json(e, nsp)) infos.push_back(std::move(*info));
      return count_answer(rid, mt::fetch_sockets, [&](request& r) {
        for (auto& i : infos) r.sockets.push_back(std::move(i));
      });
    }
    case mt::server_side_emit_response: {
      auto p = read_answer(*d, m.attachments);
      return count_answer(rid, mt::server_side_emit,
                          [&](request& r) { r.responses.push_back(std::move(p)); });
    }
    default:
      return log("dropped a response of unknown type " + std::to_string(static_cast<int>(m.type)));
  }
} catch (const std::exception& e) {
  log(std::string("dropped a response: ") + e.what());
}

// --- the others' messages ------------------------------------------------------------------------

void state::on_message(cluster_message m, std::string offset) try {
  if (m.uid == uid || m.nsp != nsp) return;
  switch (m.type) {
    case mt::broadcast:
      return receive_broadcast(m, offset);
    case mt::sockets_join:
    case mt::sockets_leave:
    case mt::disconnect_sockets:
      return apply_membership(m);
    case mt::fetch_sockets:
      return answer_fetch(m);
    case mt::server_side_emit:
      return receive_server_side_emit(m);
    case mt::fetch_sockets_response:
    case mt::server_side_emit_response:
    case mt::broadcast_client_count:
    case mt::broadcast_ack:
      // A transport may not tell messages from answers (as Node's ClusterAdapter allows).
      return on_response(std::move(m));
    case mt::initial_heartbeat:
    case mt::heartbeat:
    case mt::adapter_close:
      return;  // the servers are counted by the transport
    default:
      return log("dropped a message of unknown type " + std::to_string(static_cast<int>(m.type)));
  }
} catch (const std::exception& e) {
  log(std::string("dropped a message: ") + e.what());
}

void state::receive_broadcast(cluster_message& m, const std::string& offset) {
  std::string why;
  auto b = m.data ? read_broadcast(*m.data, m.attachments, nsp, why) : std::nullopt;
  if (!b) return log("dropped " + (why.empty() ? std::string("a broadcast without data") : why));
  if (!b->request_id) {
    std::uint64_t seq = 0;
    if (recovery && !offset.empty() && takes_offset(b->packet, b->opts)) {
      b->packet.data.get_array().emplace_back(offset);
      seq = stream_offset_seq(offset);
    }
    return with_self([&](cluster_adapter& a) {
      a.in_memory_adapter::broadcast(host.encode_packet(std::move(b->packet), seq), b->opts);
    });
  }
  auto count = [w = weak_from_this(), rid = *b->request_id, ruid = m.uid](std::size_t n) {
    if (auto s = w.lock())
      s->publish_response(ruid, mt::broadcast_client_count,
                          json::object{{"requestId", rid}, {"clientCount", n}});
  };
  auto answer = [w = weak_from_this(), rid = *b->request_id, ruid = m.uid](payload p) {
    auto s = w.lock();
    if (!s) return;
    auto [o, att] = answer_packet(rid, p);
    s->publish_response(ruid, mt::broadcast_ack, std::move(o), std::move(att));
  };
  with_self([&](cluster_adapter& a) {
    b->packet.id = host.next_ack_id();
    a.in_memory_adapter::broadcast_with_ack(host.encode_packet(std::move(b->packet)), b->opts,
                                            std::move(count), std::move(answer));
  });
}

void state::apply_membership(cluster_message& m) {
  auto* d = m.data ? m.data->if_object() : nullptr;
  auto* o = d ? d->if_contains("opts") : nullptr;
  // Without options a request would reach every socket: refused.
  if (!o || !o->is_object()) return log("dropped a membership request without opts");
  auto opts = options_from_json(*o);
  auto rooms = rooms_from_json(d->if_contains("rooms"));
  const bool close = bool_at(*d, "close");
  with_self([&](cluster_adapter& a) {
    if (m.type == mt::sockets_join)
      a.in_memory_adapter::add_sockets(std::move(opts), std::move(rooms));
    else if (m.type == mt::sockets_leave)
      a.in_memory_adapter::del_sockets(std::move(opts), std::move(rooms));
    else
      a.in_memory_adapter::disconnect_sockets(std::move(opts), close);
  });
}

void state::answer_fetch(cluster_message& m) {
  auto* d = m.data ? m.data->if_object() : nullptr;
  auto* o = d ? d->if_contains("opts") : nullptr;
  auto* rid = d ? d->if_contains("requestId") : nullptr;
  if (!o || !o->is_object() || !rid || !rid->is_string())
    return log("dropped a malformed fetch_sockets request");
  auto opts = options_from_json(*o);
  opts.flags.local = true;
  with_self([&](cluster_adapter& a) {
    a.in_memory_adapter::fetch_sockets(
        std::move(opts),
        [w = weak_from_this(), rid = std::string(rid->get_string()), ruid = m.uid,
         redaction = host.remote_socket_redaction()](std::vector<socket_info> infos) {
          auto s = w.lock();
          if (!s) return;
          json::array arr;
          arr.reserve(infos.size());
          for (const auto& i : infos) arr.push_back(socket_to_json(i, redaction));
          s->publish_response(ruid, mt::fetch_sockets_response,
                              json::object{{"requestId", rid}, {"sockets", std::move(arr)}});
        });
  });
}

void state::receive_server_side_emit(cluster_message& m) {
  auto* d = m.data ? m.data->if_object() : nullptr;
  auto* packet = d ? d->if_contains("packet") : nullptr;
  if (!packet || !packet->is_array() || packet->get_array().empty())
    return log("dropped a malformed server-side emit");
  auto* rid = d->if_contains("requestId");
  if (rid && !rid->is_string()) return log("dropped a server-side emit with a bad request id");
  payload args;
  args.args = std::move(packet->get_array());
  for (auto& b : m.attachments) args.attachments.emplace_back(std::move(b));
  std::function<void(payload)> reply;
  if (rid) {
    reply = [w = weak_from_this(), rid = std::string(rid->get_string()), ruid = m.uid](payload p) {
      auto s = w.lock();
      if (!s) return;
      auto [o, att] = answer_packet(rid, p);
      s->publish_response(ruid, mt::server_side_emit_response, std::move(o), std::move(att));
    };
  }
  with_self(
      [&](cluster_adapter&) { host.receive_server_side_emit(std::move(args), std::move(reply)); });
}

}  // namespace sio
