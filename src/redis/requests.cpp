// The request/response protocol of @socket.io/redis-adapter 8.x: this node's requests to the
// others (their answers collected until every server answered or the requests timeout), and the
// answers to theirs. Everything here runs on the link's strand, except ask_cluster and
// publish_broadcast_with_ack, which hand their work to it.
#include "adapter_impl.hpp"

#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>

namespace sio {

namespace asio = boost::asio;
namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;
using impl = redis_adapter::impl;

void impl::pending::expect(std::size_t servers) {
  // A query counts this node's own part as the first answer; a server-side emit waits for the
  // others only.
  const bool others_only = type == server_side_emit_req;
  num_sub = others_only ? servers - 1 : servers;
  msg_count = others_only ? 0 : 1;
}

// --- our requests --------------------------------------------------------------------------------

void impl::ask_cluster(std::shared_ptr<pending> p, json::object req, const char* what,
                       payload binaries) {
  server_count([self = shared_from_this(), p = std::move(p), req = std::move(req), what,
                binaries = std::move(binaries)](std::size_t n) mutable {
    if (n <= 1) return p->finish();
    p->expect(n);
    auto rid = engineio::random_id(6);
    req["uid"] = self->uid;
    req["requestId"] = rid;
    req["type"] = p->type;
    self->start_request(std::move(rid), std::move(p),
                        encode_body(json::value(std::move(req)), binaries), what);
  });
}

void impl::start_request(std::string rid, std::shared_ptr<pending> p, std::string msg,
                         const char* what) {
  on_strand([self = shared_from_this(), rid = std::move(rid), p = std::move(p),
             msg = std::move(msg), what]() mutable {
    p->timer = std::make_unique<asio::steady_timer>(*self->link->strand,
                                                    self->link->opts.requests_timeout);
    p->timer->async_wait([self, rid, what](boost::system::error_code ec) {
      if (ec) return;
      auto it = self->requests.find(rid);
      if (it == self->requests.end()) return;
      auto req = it->second;
      self->requests.erase(it);
      self->log(std::string(what) + ": timeout, " + std::to_string(req->msg_count) + " of " +
                std::to_string(req->num_sub) + " servers answered");
      req->finish();
    });
    self->requests.emplace(rid, p);
    self->publish(self->request_channel, std::move(msg));
  });
}

void impl::complete(const std::string& rid) {
  auto it = requests.find(rid);
  if (it == requests.end()) return;
  auto req = it->second;
  requests.erase(it);
  if (req->timer) req->timer->cancel();
  req->finish();
}

void impl::publish_broadcast_with_ack(const outgoing_packet& p, const broadcast_options& opts,
                                      std::shared_ptr<ack_pending> a) {
  const auto rid = engineio::random_id(6);
  json::object req{{"uid", uid},
                   {"requestId", rid},
                   {"type", broadcast_req},
                   {"packet", packet_to_json(p)},
                   {"opts", options_to_json(opts)}};
  auto msg = protocol::msgpack::encode(json::value(std::move(req)), attachments_of(p));
  const auto t = opts.flags.timeout.value_or(link->opts.requests_timeout);
  on_strand([self = shared_from_this(), rid, a = std::move(a), msg = std::move(msg), t]() mutable {
    // Answers keep coming until the broadcast's timeout; then the entry is dropped.
    a->timer = std::make_unique<asio::steady_timer>(*self->link->strand, t);
    a->timer->async_wait([self, rid](boost::system::error_code ec) {
      if (!ec) self->ack_requests.erase(rid);
    });
    self->ack_requests.emplace(rid, std::move(a));
    self->publish(self->request_channel, std::move(msg));
  });
}

void impl::on_response(std::string msg) {
  auto body = parse_body(msg);
  if (!body || !body->value.is_object()) return log("dropped a malformed response");
  auto& res = body->value.get_object();
  const std::string rid = string_at(res, "requestId");
  if (auto it = ack_requests.find(rid); it != ack_requests.end()) {
    auto a = it->second;
    return on_ack_response(*a, res, body->attachments);
  }
  auto it = requests.find(rid);
  if (it == requests.end()) return;  // someone else's, or too late
  auto req = it->second;
  on_query_response(rid, *req, res, body->attachments);
}

void impl::on_ack_response(ack_pending& a, json::object& res, std::vector<std::string>& att) {
  const auto type = int_at(res, "type").value_or(-1);
  if (type == broadcast_client_count) {
    if (auto n = int_at(res, "clientCount"); n && *n >= 0)
      a.client_count(static_cast<std::size_t>(*n));
  } else if (type == broadcast_ack) {
    payload p;
    if (auto* v = res.if_contains("packet")) p.args.push_back(std::move(*v));
    for (auto& b : att) p.attachments.emplace_back(std::move(b));
    a.on_response(std::move(p));
  }
}

// Socket ids (sockets_req) or remote sockets (remote_fetch) of one server's answer.
void impl::add_sockets(pending& req, const json::array& list) const {
  for (const auto& e : list) {
    if (req.type == sockets_req) {
      if (e.is_string()) req.ids.emplace_back(e.get_string());
    } else if (auto info = socket_from_json(e, host.name())) {
      req.infos.push_back(std::move(*info));
    }
  }
}

void impl::on_query_response(const std::string& rid, pending& req, json::object& res,
                             std::vector<std::string>& att) {
  switch (req.type) {
    case sockets_req:
    case remote_fetch:
      req.msg_count++;
      if (auto* s = res.if_contains("sockets"); s && s->is_array())
        add_sockets(req, s->get_array());
      break;
    case all_rooms_req:
      req.msg_count++;
      if (auto* r = res.if_contains("rooms"); r && r->is_array())
        for (auto& e : r->get_array())
          if (e.is_string()) req.rooms.emplace(e.get_string());
      break;
    case server_side_emit_req: {
      payload p;
      if (auto* v = res.if_contains("data")) p.args.push_back(std::move(*v));
      for (auto& b : att) p.attachments.emplace_back(std::move(b));
      req.responses.push_back(std::move(p));
      req.msg_count = req.responses.size();
      break;
    }
    default:
      return complete(rid);
  }
  if (req.msg_count >= req.num_sub) complete(rid);
}

// --- their requests ------------------------------------------------------------------------------

void impl::on_request(std::string msg) {
  auto body = parse_body(msg);
  if (!body || !body->value.is_object()) return log("dropped a malformed request");
  auto& obj = body->value.get_object();
  request r{obj, body->attachments, string_at(obj, "requestId"), string_at(obj, "uid"),
            obj.contains("requestId")};
  if (r.ruid == uid) return;  // ours: applied locally already
  switch (const auto type = int_at(obj, "type").value_or(-1)) {
    case sockets_req:
      return answer_sockets(r);
    case all_rooms_req:
      return answer_all_rooms(r);
    case remote_join:
    case remote_leave:
    case remote_disconnect:
      return apply_membership(r, static_cast<int>(type));
    case remote_fetch:
      return answer_fetch(r);
    case server_side_emit_req:
      return receive_server_side_emit(r);
    case broadcast_req:
      return answer_broadcast(r);
    default:
      return log("dropped a request of unknown type");
  }
}

void impl::answer_sockets(request& r) {
  auto rooms = rooms_from_json(r.body.if_contains("rooms"));
  with_self([&](redis_adapter& a) {
    a.in_memory_adapter::sockets(std::move(rooms), [self = shared_from_this(), rid = r.rid,
                                                    ruid = r.ruid](std::vector<std::string> ids) {
      json::array arr;
      for (auto& id : ids) arr.emplace_back(id);
      self->publish_response(
          ruid, to_json(json::object{{"requestId", rid}, {"sockets", std::move(arr)}}));
    });
  });
}

void impl::answer_all_rooms(request& r) {
  json::array arr;
  for (const auto& room : rooms.list()) arr.emplace_back(room);
  publish_response(r.ruid, to_json(json::object{{"requestId", r.rid}, {"rooms", std::move(arr)}}));
}

void impl::apply_membership(request& r, int type) {
  auto* o = r.body.if_contains("opts");
  if (!o || !o->is_object()) return apply_legacy_membership(r, type);
  auto opts = options_from_json(*o);
  auto rooms = rooms_from_json(r.body.if_contains("rooms"));
  const bool close = bool_at(r.body, "close");
  with_self([&](redis_adapter& a) {
    if (type == remote_join)
      a.in_memory_adapter::add_sockets(std::move(opts), std::move(rooms));
    else if (type == remote_leave)
      a.in_memory_adapter::del_sockets(std::move(opts), std::move(rooms));
    else
      a.in_memory_adapter::disconnect_sockets(std::move(opts), close);
  });
}

// The legacy form: one socket by id (and one room), answered when the socket lives here.
void impl::apply_legacy_membership(request& r, int type) {
  const std::string sid = string_at(r.body, "sid");
  if (sid.empty()) return log("dropped a malformed request");
  // The same request in today's form: that socket's room, one room to join or leave.
  json::object today{{"opts", json::object{{"rooms", json::array{json::value(sid)}}}},
                     {"rooms", json::array{json::value(string_at(r.body, "room"))}},
                     {"close", bool_at(r.body, "close")}};
  with_self([&](redis_adapter& a) {
    a.in_memory_adapter::sockets(
        {sid}, [self = shared_from_this(), today = std::move(today), rid = r.rid, ruid = r.ruid,
                type](std::vector<std::string> ids) mutable {
          if (ids.empty()) return;
          std::vector<std::string> none;
          request one{today, none, rid, ruid, true};
          self->apply_membership(one, type);
          self->publish_response(ruid, to_json(json::object{{"requestId", rid}}));
        });
  });
}

void impl::answer_fetch(request& r) {
  broadcast_options opts;
  if (auto* o = r.body.if_contains("opts")) opts = options_from_json(*o);
  with_self([&](redis_adapter& a) {
    a.in_memory_adapter::fetch_sockets(
        std::move(opts),
        [self = shared_from_this(), rid = r.rid, ruid = r.ruid,
         redaction = host.remote_socket_redaction()](std::vector<socket_info> infos) {
          json::array arr;
          for (const auto& i : infos) arr.push_back(socket_to_json(i, redaction));
          self->publish_response(
              ruid, to_json(json::object{{"requestId", rid}, {"sockets", std::move(arr)}}));
        });
  });
}

void impl::receive_server_side_emit(request& r) {
  auto* data = r.body.if_contains("data");
  if (!data || !data->is_array() || data->get_array().empty())
    return log("dropped a malformed server-side emit");
  payload args;
  args.args = std::move(data->get_array());
  for (auto& b : r.attachments) args.attachments.emplace_back(std::move(b));
  std::function<void(payload)> reply;
  if (r.has_rid) {
    reply = [self = shared_from_this(), rid = r.rid](payload answer) {
      json::object o{{"type", server_side_emit_req}, {"requestId", rid}};
      if (!answer.args.empty()) o["data"] = std::move(answer.args[0]);
      // Node answers server-side emits on the common response channel.
      self->publish(self->response_channel, encode_body(json::value(std::move(o)), answer));
    };
  }
  with_self(
      [&](redis_adapter&) { host.receive_server_side_emit(std::move(args), std::move(reply)); });
}

void impl::answer_broadcast(request& r) {
  if (ack_requests.contains(r.rid)) return;
  auto* p = r.body.if_contains("packet");
  auto* data = p && p->is_object() ? p->get_object().if_contains("data") : nullptr;
  if (!data || !data->is_array() || data->get_array().empty() ||
      !placeholders_valid(*data, r.attachments.size()))
    return log("dropped a malformed broadcast request");
  broadcast_options opts;
  if (auto* o = r.body.if_contains("opts")) opts = options_from_json(*o);
  pt::packet pk;
  pk.type = pt::packet_type::event;
  pk.nsp = host.name();
  pk.data = std::move(*data);
  pk.attachments = std::move(r.attachments);
  pk.id = host.next_ack_id();
  auto out = host.encode_packet(std::move(pk));
  auto count = [self = shared_from_this(), rid = r.rid, ruid = r.ruid](std::size_t n) {
    self->publish_response(
        ruid, to_json(json::object{
                  {"type", broadcast_client_count}, {"requestId", rid}, {"clientCount", n}}));
  };
  auto answer = [self = shared_from_this(), rid = r.rid, ruid = r.ruid](payload a) {
    json::object o{{"type", broadcast_ack}, {"requestId", rid}};
    if (!a.args.empty()) o["packet"] = std::move(a.args[0]);
    self->publish_response(
        ruid, protocol::msgpack::encode(json::value(std::move(o)), take_attachments(a)));
  };
  with_self([&](redis_adapter& a) {
    a.in_memory_adapter::broadcast_with_ack(std::move(out), std::move(opts), std::move(count),
                                            std::move(answer));
  });
}

}  // namespace sio
