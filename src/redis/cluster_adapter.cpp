// The adapter interface of sio::cluster_adapter: every cluster operation applies locally (through
// in_memory_adapter) and is published to the other servers through the transport
// (cluster_adapter_state.hpp). With connection state recovery, this node's broadcasts are
// delivered locally once their publication completed, in order, with the offset appended.
#include <sio/redis/cluster_adapter.hpp>

#include "cluster_adapter_state.hpp"
#include "shutdown.hpp"
#include "wire.hpp"

#include <algorithm>
#include <stdexcept>

namespace sio {

namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;
using namespace redis::cluster;
using mt = cluster_message_type;

adapter_factory cluster_adapter::factory(transport_factory make_transport,
                                         cluster_adapter_options opts) {
  return [make = std::move(make_transport), opts](adapter_host& nsp) -> std::unique_ptr<adapter> {
    return std::make_unique<cluster_adapter>(nsp, make(nsp), opts);
  };
}

cluster_adapter::cluster_adapter(adapter_host& nsp, std::unique_ptr<cluster_transport> t,
                                 cluster_adapter_options opts)
    : in_memory_adapter(nsp) {
  if (!t) throw std::invalid_argument("cluster_adapter: no transport");
  st_ = std::make_shared<state>(this, nsp, std::move(t), std::move(opts));
  // The timers live on worker 0's io_context, which may go before the adapter.
  redis::detail::at_shutdown(st_->ioc, [w = std::weak_ptr<state>(st_)] {
    if (auto s = w.lock()) s->close();
  });
  st_->transport->start(st_->uid, st_);
}

cluster_adapter::~cluster_adapter() {
  st_->alive.forget();
  st_->close();
  // Nothing uses the transport once `self` is null (with_self): it stops calling the state.
  st_->transport.reset();
}

const std::string& cluster_adapter::uid() const noexcept {
  return st_->uid;
}

cluster_transport& cluster_adapter::transport() noexcept {
  return *st_->transport;
}

namespace {

// Room events of one socket's membership changes (its own id room is the private one).
redis::room_counts::transition room_events(cluster_transport& t, const std::string& sid) {
  return [&t, &sid](const room& r, bool created) {
    if (created)
      t.room_created(r, r == sid);
    else
      t.room_deleted(r, r == sid);
  };
}

}  // namespace

void cluster_adapter::add_all(std::size_t w, const std::string& sid, std::span<const room> rooms) {
  if (!st_->transport->wants_room_events()) return in_memory_adapter::add_all(w, sid, rooms);
  auto before = socket_rooms(w, sid);
  in_memory_adapter::add_all(w, sid, rooms);
  st_->rooms.joined(std::move(before), rooms, room_events(*st_->transport, sid));
}

void cluster_adapter::del(std::size_t w, const std::string& sid, const room& r) {
  if (!st_->transport->wants_room_events()) return in_memory_adapter::del(w, sid, r);
  auto before = socket_rooms(w, sid);
  in_memory_adapter::del(w, sid, r);
  if (std::find(before.begin(), before.end(), r) != before.end())
    st_->rooms.left(std::span<const room>(&r, 1), room_events(*st_->transport, sid));
}

void cluster_adapter::del_all(std::size_t w, const std::string& sid) {
  if (!st_->transport->wants_room_events()) return in_memory_adapter::del_all(w, sid);
  auto before = socket_rooms(w, sid);
  in_memory_adapter::del_all(w, sid);
  st_->rooms.left(before, room_events(*st_->transport, sid));
}

void cluster_adapter::broadcast(outgoing_ptr p, broadcast_options opts) {
  if (!st_->recovery) {
    if (!opts.flags.local)
      st_->publish(st_->message(mt::broadcast, broadcast_to_json(*p, opts), attachments_of(*p)));
    return in_memory_adapter::broadcast(std::move(p), std::move(opts));
  }
  auto d = st_->reserve_delivery();
  if (opts.flags.local) {
    return st_->complete_delivery(d,
                                  [p = std::move(p), opts = std::move(opts)](cluster_adapter& a) {
                                    a.in_memory_adapter::broadcast(p, opts);
                                  });
  }
  auto m = st_->message(mt::broadcast, broadcast_to_json(*p, opts), attachments_of(*p));
  st_->transport->publish(std::move(m), [w = std::weak_ptr<state>(st_), d, p,
                                         opts](std::optional<std::string> offset) mutable {
    auto s = w.lock();
    if (!s) return;
    // As Node: a failed publication is still delivered here, without offset.
    if (!offset) s->log("publishing a broadcast failed: delivered locally only, without offset");
    if (!offset || offset->empty() || !takes_offset(p->packet, opts)) offset.reset();
    s->complete_delivery(d, [p = std::move(p), offset = std::move(offset),
                             opts = std::move(opts)](cluster_adapter& a) {
      auto out = p;
      if (offset) {
        auto pk = p->packet;
        pk.attachments = attachments_of(*p);
        out = with_offset(a.nsp_, std::move(pk), *offset);
      }
      a.in_memory_adapter::broadcast(out, opts);
    });
  });
}

void cluster_adapter::broadcast_with_ack(outgoing_ptr p, broadcast_options opts,
                                         std::function<void(std::size_t)> client_count,
                                         std::function<void(payload)> on_response) {
  if (!opts.flags.local) {
    const auto rid = random_hex_id();
    auto a = std::make_shared<state::ack_request>();
    a->client_count = client_count;
    a->on_response = on_response;
    st_->start_ack_request(rid, std::move(a),
                           opts.flags.timeout.value_or(st_->opts.requests_timeout));
    st_->publish(
        st_->message(mt::broadcast, broadcast_to_json(*p, opts, &rid), attachments_of(*p)));
  }
  if (!st_->recovery)
    return in_memory_adapter::broadcast_with_ack(std::move(p), std::move(opts),
                                                 std::move(client_count), std::move(on_response));
  // Behind this node's earlier broadcasts.
  st_->complete_delivery(st_->reserve_delivery(),
                         [p = std::move(p), opts = std::move(opts), count = std::move(client_count),
                          answer = std::move(on_response)](cluster_adapter& a) {
                           a.in_memory_adapter::broadcast_with_ack(p, opts, count, answer);
                         });
}

void cluster_adapter::server_count(std::function<void(std::size_t)> done) {
  st_->transport->server_count(std::move(done));
}

namespace {

// Asks the other servers (their number from the transport) with a message of r->type carrying
// `data` (a requestId added), unless this server is alone: then r->finish at once.
void ask_cluster(const std::shared_ptr<cluster_adapter::state>& st,
                 std::shared_ptr<cluster_adapter::state::request> r, json::object data,
                 std::vector<std::string> attachments, std::chrono::milliseconds timeout) {
  st->with_self([&](cluster_adapter&) {
    st->transport->server_count([w = std::weak_ptr<cluster_adapter::state>(st), r,
                                 data = std::move(data), attachments = std::move(attachments),
                                 timeout](std::size_t n) mutable {
      auto s = w.lock();
      if (!s) return;
      if (n <= 1) return s->with_self([&](cluster_adapter&) { r->finish(false); });
      r->expected = n - 1;
      auto rid = random_hex_id();
      data["requestId"] = rid;
      auto m = s->message(r->type, json::value(std::move(data)), std::move(attachments));
      s->start_request(std::move(rid), std::move(r), timeout, std::move(m));
    });
  });
}

}  // namespace

void cluster_adapter::fetch_sockets(broadcast_options opts,
                                    std::function<void(std::vector<socket_info>)> done) {
  if (opts.flags.local) return in_memory_adapter::fetch_sockets(std::move(opts), std::move(done));
  auto r = std::make_shared<state::request>();
  r->type = mt::fetch_sockets;
  r->finish = [raw = r.get(), done = std::move(done)](bool) { done(std::move(raw->sockets)); };
  // As Node: the broadcast's own timeout, else the requests timeout.
  auto timeout = opts.flags.timeout.value_or(st_->opts.requests_timeout);
  if (timeout.count() <= 0) timeout = st_->opts.requests_timeout;
  json::object data{{"opts", options_to_json(opts)}};
  in_memory_adapter::fetch_sockets(std::move(opts), [st = st_, r, data = std::move(data), timeout](
                                                        std::vector<socket_info> local) mutable {
    r->sockets = std::move(local);
    ask_cluster(st, std::move(r), std::move(data), {}, timeout);
  });
}

void cluster_adapter::sockets(std::vector<room> rooms,
                              std::function<void(std::vector<std::string>)> done) {
  broadcast_options o;
  o.rooms = std::move(rooms);
  fetch_sockets(std::move(o), [done = std::move(done)](std::vector<socket_info> infos) {
    std::vector<std::string> ids;
    ids.reserve(infos.size());
    for (auto& i : infos) ids.push_back(std::move(i.id));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    done(std::move(ids));
  });
}

void cluster_adapter::add_sockets(broadcast_options opts, std::vector<room> rooms) {
  if (!opts.flags.local)
    st_->publish(st_->message(mt::sockets_join, json::object{{"opts", options_to_json(opts)},
                                                             {"rooms", rooms_to_json(rooms)}}));
  in_memory_adapter::add_sockets(std::move(opts), std::move(rooms));
}

void cluster_adapter::del_sockets(broadcast_options opts, std::vector<room> rooms) {
  if (!opts.flags.local)
    st_->publish(st_->message(mt::sockets_leave, json::object{{"opts", options_to_json(opts)},
                                                              {"rooms", rooms_to_json(rooms)}}));
  in_memory_adapter::del_sockets(std::move(opts), std::move(rooms));
}

void cluster_adapter::disconnect_sockets(broadcast_options opts, bool close) {
  if (!opts.flags.local)
    st_->publish(st_->message(mt::disconnect_sockets,
                              json::object{{"opts", options_to_json(opts)}, {"close", close}}));
  in_memory_adapter::disconnect_sockets(std::move(opts), close);
}

void cluster_adapter::server_side_emit(payload args) {
  auto att = take_attachments(args);
  st_->publish(st_->message(mt::server_side_emit, json::object{{"packet", std::move(args.args)}},
                            std::move(att)));
}

void cluster_adapter::server_side_emit_with_ack(payload args, broadcast_ack_callback done) {
  auto r = std::make_shared<state::request>();
  r->type = mt::server_side_emit;
  r->finish = [raw = r.get(), done = std::move(done)](bool timed_out) {
    done(timed_out ? make_error_code(error::timeout) : boost::system::error_code{},
         std::move(raw->responses));
  };
  auto att = take_attachments(args);
  ask_cluster(st_, std::move(r), json::object{{"packet", std::move(args.args)}}, std::move(att),
              st_->opts.requests_timeout);
}

outgoing_ptr cluster_adapter::encode_event(pt::packet p, const broadcast_options&) {
  // The offset is known once the transport stored the message (broadcast()).
  return nsp_.encode_packet(std::move(p));
}

void cluster_adapter::persist_session(persisted_session s) {
  if (const auto* rec = nsp_.recovery())
    st_->transport->persist_session(s, rec->max_disconnection_duration);
}

namespace {

// The missed packets of a restored session, encoded, and its log position.
restored_session restored_of(cluster_transport::restored r, const std::string& nsp,
                             const std::string& offset, cluster_adapter::state& st,
                             adapter_host& host) {
  restored_session out;
  out.session = std::move(r.session);
  std::string last = offset;
  for (auto& m : r.missed) {
    if (m.data.empty() || !placeholders_valid(m.data, m.attachments.size())) {
      st.log("dropped a missed packet that is not an event");
      continue;
    }
    pt::packet pk;
    pk.type = pt::packet_type::event;
    pk.nsp = nsp;
    pk.data = std::move(m.data);
    pk.attachments = std::move(m.attachments);
    out.missed.push_back(host.encode_packet(std::move(pk), stream_offset_seq(m.offset)));
    if (!m.offset.empty()) last = m.offset;
  }
  out.log_seq = stream_offset_seq(last);
  return out;
}

}  // namespace

void cluster_adapter::restore_session(std::string pid, std::string offset, restore_handler done) {
  st_->transport->restore_session(
      std::move(pid), offset,
      [st = st_, offset,
       done = std::move(done)](std::optional<cluster_transport::restored> r) mutable {
        std::optional<restored_session> out;
        if (r) {
          // Encoded with the server's parser, while it is there.
          st->with_self([&](cluster_adapter& a) {
            out = restored_of(std::move(*r), st->nsp, offset, *st, a.nsp_);
          });
        }
        done(std::move(out));
      });
}

bool cluster_adapter::routes_socket_emits() const noexcept {
  return st_->recovery;
}

}  // namespace sio
