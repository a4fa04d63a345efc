#include <sio/redis/redis_adapter.hpp>

#include <sio/protocol/msgpack.hpp>
#include <sio/protocol/socketio.hpp>
#include <sio/server/namespace.hpp>

#include "shutdown.hpp"
#include "wire.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <unordered_map>

namespace sio {

namespace asio = boost::asio;
namespace json = boost::json;
namespace pt = protocol::socketio;
using namespace redis::wire;

namespace redis {

// The two connections of one factory, shared by its namespaces, and the routing of what the
// subscriber receives to each namespace's adapter.
struct shared_link : std::enable_shared_from_this<shared_link> {
  redis_adapter_options opts;
  endpoint ep;
  std::once_flag once;
  std::shared_ptr<client> pub, sub;
  std::optional<asio::strand<asio::io_context::executor_type>> strand;
  std::atomic<bool> dead{false};  // the io_context is gone

  std::mutex mu;  // the two maps
  std::unordered_map<std::string, std::weak_ptr<redis_adapter::impl>> by_pattern, by_channel;

  void log(std::string_view s) const {
    if (opts.log)
      opts.log(s);
    else
      std::cerr << s << std::endl;
  }

  void init(asio::io_context& ioc) {
    std::call_once(once, [&] {
      strand.emplace(asio::make_strand(ioc));
      auto mk = [&](const char* name) {
        client_options co;
        co.server = ep;
        co.reconnect_min = opts.reconnect_min;
        co.reconnect_max = opts.reconnect_max;
        co.name = std::string("sio redis-adapter ") + name;
        co.log = opts.log;
        return client::create(ioc, std::move(co));
      };
      pub = mk("pub");
      sub = mk("sub");
      std::weak_ptr<shared_link> weak = shared_from_this();
      sub->on_message([weak](std::string_view ch, std::string_view pat, std::string_view msg) {
        if (auto l = weak.lock()) l->route(ch, pat, msg);
      });
      pub->start();
      sub->start();
      redis::detail::at_shutdown(ioc, [weak] {
        if (auto l = weak.lock()) l->shutdown();
      });
    });
  }

  void shutdown();

  void route(std::string_view ch, std::string_view pat, std::string_view msg);
};

}  // namespace redis

namespace {

enum request_type : int {
  sockets_req = 0,
  all_rooms_req = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit_req = 6,
  broadcast_req = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

std::string random_id(std::size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char alphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string s(n, ' ');
  for (auto& c : s) c = alphabet[rng() % (sizeof alphabet - 1)];
  return s;
}

std::string to_json(const json::value& v) {
  std::string s;
  pt::append_json(v, s);
  return s;
}

// A request/response body: JSON when it starts with '{', else msgpack (as Node decides).
std::optional<protocol::msgpack::document> parse_body(std::string_view msg) {
  if (!msg.empty() && msg.front() == '{') {
    json::parse_options po;
    po.max_depth = 100;
    boost::system::error_code ec;
    auto v = json::parse(msg, ec, {}, po);
    if (ec) return std::nullopt;
    return protocol::msgpack::document{std::move(v), {}};
  }
  auto d = protocol::msgpack::decode(msg);
  if (!d) return std::nullopt;
  return std::move(*d);
}

}  // namespace

struct redis_adapter::impl : std::enable_shared_from_this<redis_adapter::impl> {
  impl(redis_adapter* s, adapter_host& h, std::shared_ptr<redis::shared_link> l)
      : self(s), host(h), link(std::move(l)), uid(random_id(6)) {
    const auto& key = link->opts.key;
    channel = key + "#" + h.name() + "#";
    request_channel = key + "-request#" + h.name() + "#";
    response_channel = key + "-response#" + h.name() + "#";
    specific_response_channel = response_channel + uid + "#";
  }

  struct pending {
    int type = 0;
    std::size_t num_sub = 0;
    std::size_t msg_count = 1;
    std::vector<std::string> ids;
    std::vector<socket_info> infos;
    std::set<room> rooms;
    std::vector<payload> responses;
    std::function<void()> finish;  // completes with whatever was collected
    std::unique_ptr<asio::steady_timer> timer;
  };
  struct ack_pending {
    std::function<void(std::size_t)> client_count;
    std::function<void(payload)> on_response;
    std::unique_ptr<asio::steady_timer> timer;
  };

  std::mutex alive_mu;
  redis_adapter* self;  // null once the adapter is gone
  adapter_host& host;
  std::shared_ptr<redis::shared_link> link;
  std::string uid, channel, request_channel, response_channel, specific_response_channel;

  std::mutex rooms_mu;
  std::unordered_map<room, std::size_t> room_counts;  // local members per room, all workers

  // On the link's strand only.
  std::unordered_map<std::string, std::shared_ptr<pending>> requests;
  std::unordered_map<std::string, std::shared_ptr<ack_pending>> ack_requests;

  void log(const std::string& s) const { link->log("sio redis-adapter " + host.name() + ": " + s); }

  void publish(std::string ch, std::string msg) {
    link->pub->command({"PUBLISH", std::move(ch), std::move(msg)});
  }
  void publish_response(const std::string& requester_uid, std::string msg) {
    publish(link->opts.publish_on_specific_response_channel && !requester_uid.empty()
                ? response_channel + requester_uid + "#"
                : response_channel,
            std::move(msg));
  }

  template <class F>
  void on_strand(F&& f) {
    if (link->dead) return;
    asio::post(*link->strand, std::forward<F>(f));
  }

  // Runs fn(adapter) if the adapter (and its namespace) are still alive, holding the namespace.
  template <class F>
  void with_self(F&& fn) {
    std::shared_ptr<const void> keep;
    redis_adapter* a = nullptr;
    {
      std::lock_guard lk(alive_mu);
      if (!self) return;
      try {
        keep = host.keep_alive();
      } catch (const std::bad_weak_ptr&) {
        return;  // the namespace is being destroyed (or not yet fully built)
      }
      a = self;
    }
    fn(*a);
  }

  void server_count(std::function<void(std::size_t)> done) {
    // Redis down: this node is alone for now (cluster requests would only wait for the timeout).
    if (!link->pub->connected() || !link->sub->connected()) return done(1);
    link->pub->command({"PUBSUB", "NUMSUB", request_channel},
                       [done = std::move(done)](boost::system::error_code ec, redis::reply r) {
                         std::size_t n = 1;
                         if (!ec && r.type == redis::reply::kind::array && r.elements.size() == 2 &&
                             r.elements[1].type == redis::reply::kind::integer &&
                             r.elements[1].integer > 0)
                           n = static_cast<std::size_t>(r.elements[1].integer);
                         done(n);
                       });
  }

  // Registers a request (on the strand), arms its timeout and publishes it.
  void start_request(std::string rid, std::shared_ptr<pending> p, std::string msg,
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

  void complete(const std::string& rid) {
    auto it = requests.find(rid);
    if (it == requests.end()) return;
    auto req = it->second;
    requests.erase(it);
    if (req->timer) req->timer->cancel();
    req->finish();
  }

  // --- incoming -------------------------------------------------------------------------------

  void on_broadcast(std::string_view ch, std::string msg) {
    auto doc = protocol::msgpack::decode(msg);
    if (!doc)
      return log("dropped a broadcast on " + std::string(ch) + ": " + doc.error().message());
    auto* arr = doc->value.if_array();
    if (!arr || arr->size() < 2 || !arr->at(0).is_string() || !arr->at(1).is_object())
      return log("dropped a malformed broadcast on " + std::string(ch));
    if (arr->at(0).get_string() == uid) return;  // our own
    auto& pkt = arr->at(1).get_object();
    std::string nsp = "/";
    if (auto* n = pkt.if_contains("nsp")) {
      if (!n->is_string()) return log("dropped a broadcast with a bad namespace");
      nsp = n->get_string();
    }
    if (nsp != host.name()) return;
    auto* type = pkt.if_contains("type");
    auto* data = pkt.if_contains("data");
    const auto t = type && type->is_number() ? type->to_number<double>() : -1.0;
    if ((t != 2 && t != 5) || !data || !data->is_array() || data->get_array().empty())
      return log("dropped a broadcast that is not an event");
    if (!placeholders_valid(*data, doc->attachments.size()))
      return log("dropped a broadcast with invalid binary placeholders");
    broadcast_options opts;
    if (arr->size() > 2) opts = options_from_json(arr->at(2));
    pt::packet pk;
    pk.type = pt::packet_type::event;
    pk.nsp = host.name();
    pk.data = std::move(*data);
    pk.attachments = std::move(doc->attachments);
    auto out = make_outgoing(std::move(pk));
    with_self([&](redis_adapter& a) { a.in_memory_adapter::broadcast(std::move(out), opts); });
  }

  void on_request(std::string msg) {
    auto body = parse_body(msg);
    if (!body || !body->value.is_object()) return log("dropped a malformed request");
    auto& req = body->value.get_object();
    const std::string ruid = string_at(req, "uid");
    if (ruid == uid) return;  // ours: applied locally already
    const auto type = int_at(req, "type");
    const std::string rid = string_at(req, "requestId");
    const bool has_rid = req.contains("requestId");
    switch (type.value_or(-1)) {
      case sockets_req: {
        broadcast_options o;
        o.rooms = rooms_from_json(req.if_contains("rooms"));
        with_self([&](redis_adapter& a) {
          a.in_memory_adapter::sockets(std::move(o.rooms), [self = shared_from_this(), rid,
                                                            ruid](std::vector<std::string> ids) {
            json::array arr;
            for (auto& id : ids) arr.emplace_back(id);
            self->publish_response(
                ruid, to_json(json::object{{"requestId", rid}, {"sockets", std::move(arr)}}));
          });
        });
        return;
      }
      case all_rooms_req: {
        json::array arr;
        for (const auto& r : local_rooms()) arr.emplace_back(r);
        publish_response(ruid,
                         to_json(json::object{{"requestId", rid}, {"rooms", std::move(arr)}}));
        return;
      }
      case remote_join:
      case remote_leave:
      case remote_disconnect: {
        auto rooms = rooms_from_json(req.if_contains("rooms"));
        const bool close = bool_at(req, "close");
        if (auto* o = req.if_contains("opts"); o && o->is_object()) {
          auto opts = options_from_json(*o);
          with_self([&](redis_adapter& a) {
            if (*type == remote_join)
              a.in_memory_adapter::add_sockets(std::move(opts), std::move(rooms));
            else if (*type == remote_leave)
              a.in_memory_adapter::del_sockets(std::move(opts), std::move(rooms));
            else
              a.in_memory_adapter::disconnect_sockets(std::move(opts), close);
          });
          return;
        }
        // Legacy form: one socket by id, answered when it lives here.
        const std::string sid = string_at(req, "sid");
        if (sid.empty()) return log("dropped a malformed request");
        const std::string r = string_at(req, "room");
        const int t = *type;
        with_self([&](redis_adapter& a) {
          a.in_memory_adapter::sockets({sid}, [self = shared_from_this(), sid, r, t, close, rid,
                                               ruid](std::vector<std::string> ids) {
            if (ids.empty()) return;
            self->with_self([&](redis_adapter& a) {
              broadcast_options o;
              o.rooms = {sid};
              if (t == remote_join)
                a.in_memory_adapter::add_sockets(o, {r});
              else if (t == remote_leave)
                a.in_memory_adapter::del_sockets(o, {r});
              else
                a.in_memory_adapter::disconnect_sockets(o, close);
            });
            self->publish_response(ruid, to_json(json::object{{"requestId", rid}}));
          });
        });
        return;
      }
      case remote_fetch: {
        broadcast_options opts;
        if (auto* o = req.if_contains("opts")) opts = options_from_json(*o);
        with_self([&](redis_adapter& a) {
          a.in_memory_adapter::fetch_sockets(
              std::move(opts),
              [self = shared_from_this(), rid, ruid](std::vector<socket_info> infos) {
                json::array arr;
                for (const auto& i : infos) arr.push_back(socket_to_json(i));
                self->publish_response(
                    ruid, to_json(json::object{{"requestId", rid}, {"sockets", std::move(arr)}}));
              });
        });
        return;
      }
      case server_side_emit_req: {
        auto* data = req.if_contains("data");
        if (!data || !data->is_array() || data->get_array().empty())
          return log("dropped a malformed server-side emit");
        payload args;
        args.args = std::move(data->get_array());
        for (auto& b : body->attachments) args.attachments.emplace_back(std::move(b));
        std::function<void(payload)> reply;
        if (has_rid) {
          auto called = std::make_shared<std::atomic<bool>>(false);
          reply = [self = shared_from_this(), rid, called](payload r) {
            if (called->exchange(true)) return;
            json::object o{{"type", server_side_emit_req}, {"requestId", rid}};
            if (!r.args.empty()) o["data"] = std::move(r.args[0]);
            // Node answers server-side emits on the common response channel.
            self->publish(self->response_channel, self->encode_body(json::value(std::move(o)), r));
          };
        }
        with_self([&](redis_adapter&) {
          host.receive_server_side_emit(std::move(args), std::move(reply));
        });
        return;
      }
      case broadcast_req: {
        if (ack_requests.contains(rid)) return;
        auto* p = req.if_contains("packet");
        if (!p || !p->is_object()) return log("dropped a malformed broadcast request");
        auto& pkt = p->get_object();
        auto* data = pkt.if_contains("data");
        if (!data || !data->is_array() || data->get_array().empty() ||
            !placeholders_valid(*data, body->attachments.size()))
          return log("dropped a malformed broadcast request");
        broadcast_options opts;
        if (auto* o = req.if_contains("opts")) opts = options_from_json(*o);
        pt::packet pk;
        pk.type = pt::packet_type::event;
        pk.nsp = host.name();
        pk.data = std::move(*data);
        pk.attachments = std::move(body->attachments);
        pk.id = host.next_ack_id();
        auto out = make_outgoing(std::move(pk));
        auto me = shared_from_this();
        with_self([&](redis_adapter& a) {
          a.in_memory_adapter::broadcast_with_ack(
              std::move(out), std::move(opts),
              [me, rid, ruid](std::size_t n) {
                me->publish_response(ruid, to_json(json::object{{"type", broadcast_client_count},
                                                                {"requestId", rid},
                                                                {"clientCount", n}}));
              },
              [me, rid, ruid](payload r) {
                json::object o{{"type", broadcast_ack}, {"requestId", rid}};
                if (!r.args.empty()) o["packet"] = std::move(r.args[0]);
                std::vector<std::string> att;
                for (auto& b : r.attachments) att.push_back(std::move(b.bytes));
                me->publish_response(ruid,
                                     protocol::msgpack::encode(json::value(std::move(o)), att));
              });
        });
        return;
      }
      default:
        return log("dropped a request of unknown type");
    }
  }

  void on_response(std::string msg) {
    auto body = parse_body(msg);
    if (!body || !body->value.is_object()) return log("dropped a malformed response");
    auto& res = body->value.get_object();
    const std::string rid = string_at(res, "requestId");
    if (auto it = ack_requests.find(rid); it != ack_requests.end()) {
      auto a = it->second;
      const auto type = int_at(res, "type").value_or(-1);
      if (type == broadcast_client_count) {
        auto n = int_at(res, "clientCount");
        if (n && *n >= 0) a->client_count(static_cast<std::size_t>(*n));
      } else if (type == broadcast_ack) {
        payload p;
        if (auto* v = res.if_contains("packet")) p.args.push_back(std::move(*v));
        for (auto& b : body->attachments) p.attachments.emplace_back(std::move(b));
        a->on_response(std::move(p));
      }
      return;
    }
    auto it = requests.find(rid);
    if (it == requests.end()) return;  // someone else's, or too late
    auto req = it->second;
    switch (req->type) {
      case sockets_req:
      case remote_fetch: {
        req->msg_count++;
        auto* s = res.if_contains("sockets");
        if (s && s->is_array()) {
          for (auto& e : s->get_array()) {
            if (req->type == sockets_req) {
              if (e.is_string()) req->ids.emplace_back(e.get_string());
            } else if (auto info = socket_from_json(e, host.name())) {
              req->infos.push_back(std::move(*info));
            }
          }
        }
        if (req->msg_count >= req->num_sub) complete(rid);
        return;
      }
      case all_rooms_req: {
        req->msg_count++;
        if (auto* r = res.if_contains("rooms"); r && r->is_array())
          for (auto& e : r->get_array())
            if (e.is_string()) req->rooms.emplace(e.get_string());
        if (req->msg_count >= req->num_sub) complete(rid);
        return;
      }
      case server_side_emit_req: {
        payload p;
        if (auto* v = res.if_contains("data")) p.args.push_back(std::move(*v));
        for (auto& b : body->attachments) p.attachments.emplace_back(std::move(b));
        req->responses.push_back(std::move(p));
        req->msg_count = req->responses.size();
        if (req->responses.size() >= req->num_sub) complete(rid);
        return;
      }
      default:
        complete(rid);
    }
  }

  std::vector<room> local_rooms() {
    std::lock_guard lk(rooms_mu);
    std::vector<room> out;
    out.reserve(room_counts.size());
    for (const auto& [r, n] : room_counts) out.push_back(r);
    return out;
  }

  std::string encode_body(const json::value& v, const payload& p) const {
    if (p.attachments.empty()) return to_json(v);
    std::vector<std::string> att;
    for (const auto& b : p.attachments) att.push_back(b.bytes);
    return protocol::msgpack::encode(v, att);
  }
};

void redis::shared_link::shutdown() {
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

void redis::shared_link::route(std::string_view ch, std::string_view pat, std::string_view msg) {
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

// --- redis_adapter ------------------------------------------------------------------------------

adapter_factory redis_adapter::factory(redis_adapter_options opts) {
  auto ep = redis::parse_url(opts.url);
  if (!ep) throw std::invalid_argument("not a redis:// URL: " + opts.url);
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
  {
    std::lock_guard lk(link->mu);
    link->by_pattern[impl_->channel + "*"] = impl_;
    link->by_channel[impl_->request_channel] = impl_;
    link->by_channel[impl_->response_channel] = impl_;
    link->by_channel[impl_->specific_response_channel] = impl_;
  }
  link->sub->psubscribe({impl_->channel + "*"});
  link->sub->subscribe(
      {impl_->request_channel, impl_->response_channel, impl_->specific_response_channel});
}

redis_adapter::~redis_adapter() {
  {
    std::lock_guard lk(impl_->alive_mu);
    impl_->self = nullptr;
  }
  auto& link = *impl_->link;
  {
    std::lock_guard lk(link.mu);
    link.by_pattern.erase(impl_->channel + "*");
    link.by_channel.erase(impl_->request_channel);
    link.by_channel.erase(impl_->response_channel);
    link.by_channel.erase(impl_->specific_response_channel);
  }
  link.sub->punsubscribe({impl_->channel + "*"});
  link.sub->unsubscribe(
      {impl_->request_channel, impl_->response_channel, impl_->specific_response_channel});
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
  std::lock_guard lk(impl_->rooms_mu);
  for (const auto& r : rooms) {
    if (std::find(before.begin(), before.end(), r) != before.end()) continue;
    before.push_back(r);
    impl_->room_counts[r]++;
  }
}

void redis_adapter::del(std::size_t w, const std::string& sid, const room& r) {
  auto before = socket_rooms(w, sid);
  in_memory_adapter::del(w, sid, r);
  if (std::find(before.begin(), before.end(), r) == before.end()) return;
  std::lock_guard lk(impl_->rooms_mu);
  if (auto it = impl_->room_counts.find(r); it != impl_->room_counts.end() && --it->second == 0)
    impl_->room_counts.erase(it);
}

void redis_adapter::del_all(std::size_t w, const std::string& sid) {
  auto before = socket_rooms(w, sid);
  in_memory_adapter::del_all(w, sid);
  std::lock_guard lk(impl_->rooms_mu);
  for (const auto& r : before)
    if (auto it = impl_->room_counts.find(r); it != impl_->room_counts.end() && --it->second == 0)
      impl_->room_counts.erase(it);
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
    const auto rid = random_id(6);
    json::object req{{"uid", impl_->uid},
                     {"requestId", rid},
                     {"type", broadcast_req},
                     {"packet", packet_to_json(*p)},
                     {"opts", options_to_json(opts)}};
    auto msg = protocol::msgpack::encode(json::value(std::move(req)), attachments_of(*p));
    auto a = std::make_shared<impl::ack_pending>();
    a->client_count = client_count;
    a->on_response = on_response;
    const auto t = opts.flags.timeout.value_or(impl_->link->opts.requests_timeout);
    impl_->on_strand([self = impl_, rid, a, msg = std::move(msg), t]() mutable {
      // Answers keep coming until the broadcast's timeout; then the entry is dropped.
      a->timer = std::make_unique<asio::steady_timer>(*self->link->strand, t);
      a->timer->async_wait([self, rid](boost::system::error_code ec) {
        if (!ec) self->ack_requests.erase(rid);
      });
      self->ack_requests.emplace(rid, a);
      self->publish(self->request_channel, std::move(msg));
    });
  }
  in_memory_adapter::broadcast_with_ack(std::move(p), std::move(opts), std::move(client_count),
                                        std::move(on_response));
}

void redis_adapter::server_count(std::function<void(std::size_t)> done) {
  impl_->server_count(std::move(done));
}

void redis_adapter::sockets(std::vector<room> rooms,
                            std::function<void(std::vector<std::string>)> done) {
  auto self = impl_;
  in_memory_adapter::sockets(
      rooms, [self, rooms, done = std::move(done)](std::vector<std::string> local) mutable {
        self->server_count([self, rooms = std::move(rooms), done = std::move(done),
                            local = std::move(local)](std::size_t n) mutable {
          if (n <= 1) return done(std::move(local));
          const auto rid = random_id(6);
          auto p = std::make_shared<impl::pending>();
          p->type = sockets_req;
          p->num_sub = n;
          p->ids = std::move(local);
          auto* raw = p.get();
          p->finish = [raw, done = std::move(done)]() mutable {
            auto ids = std::move(raw->ids);
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            done(std::move(ids));
          };
          json::object req{{"uid", self->uid},
                           {"requestId", rid},
                           {"type", sockets_req},
                           {"rooms", rooms_to_json(rooms)}};
          self->start_request(rid, std::move(p), to_json(req), "sockets");
        });
      });
}

void redis_adapter::fetch_sockets(broadcast_options opts,
                                  std::function<void(std::vector<socket_info>)> done) {
  if (opts.flags.local) return in_memory_adapter::fetch_sockets(std::move(opts), std::move(done));
  auto self = impl_;
  auto o = std::make_shared<broadcast_options>(opts);
  in_memory_adapter::fetch_sockets(
      std::move(opts), [self, o, done = std::move(done)](std::vector<socket_info> local) mutable {
        self->server_count(
            [self, o, done = std::move(done), local = std::move(local)](std::size_t n) mutable {
              if (n <= 1) return done(std::move(local));
              const auto rid = random_id(6);
              auto p = std::make_shared<impl::pending>();
              p->type = remote_fetch;
              p->num_sub = n;
              p->infos = std::move(local);
              auto* raw = p.get();
              p->finish = [raw, done = std::move(done)]() mutable { done(std::move(raw->infos)); };
              json::object req{{"uid", self->uid},
                               {"requestId", rid},
                               {"type", remote_fetch},
                               {"opts", json::object{{"rooms", rooms_to_json(o->rooms)},
                                                     {"except", rooms_to_json(o->except)}}}};
              self->start_request(rid, std::move(p), to_json(req), "fetch_sockets");
            });
      });
}

namespace {
std::string membership_request(const std::string& uid, int type, const broadcast_options& o) {
  json::object req{{"uid", uid},
                   {"type", type},
                   {"opts", json::object{{"rooms", rooms_to_json(o.rooms)},
                                         {"except", rooms_to_json(o.except)}}}};
  return to_json(req);
}
}  // namespace

void redis_adapter::add_sockets(broadcast_options opts, std::vector<room> rooms) {
  if (!opts.flags.local) {
    json::value v = json::parse(membership_request(impl_->uid, remote_join, opts));
    v.get_object()["rooms"] = rooms_to_json(rooms);
    impl_->publish(impl_->request_channel, to_json(v));
  }
  in_memory_adapter::add_sockets(std::move(opts), std::move(rooms));
}

void redis_adapter::del_sockets(broadcast_options opts, std::vector<room> rooms) {
  if (!opts.flags.local) {
    json::value v = json::parse(membership_request(impl_->uid, remote_leave, opts));
    v.get_object()["rooms"] = rooms_to_json(rooms);
    impl_->publish(impl_->request_channel, to_json(v));
  }
  in_memory_adapter::del_sockets(std::move(opts), std::move(rooms));
}

void redis_adapter::disconnect_sockets(broadcast_options opts, bool close) {
  if (!opts.flags.local) {
    json::value v = json::parse(membership_request(impl_->uid, remote_disconnect, opts));
    v.get_object()["close"] = close;
    impl_->publish(impl_->request_channel, to_json(v));
  }
  in_memory_adapter::disconnect_sockets(std::move(opts), close);
}

void redis_adapter::server_side_emit(payload p) {
  json::object req{{"uid", impl_->uid}, {"type", server_side_emit_req}, {"data", p.args}};
  impl_->publish(impl_->request_channel, impl_->encode_body(json::value(std::move(req)), p));
}

void redis_adapter::server_side_emit_with_ack(payload p, broadcast_ack_callback cb) {
  auto self = impl_;
  self->server_count([self, p = std::move(p), cb = std::move(cb)](std::size_t n) mutable {
    if (n <= 1) return cb({}, {});
    const auto rid = random_id(6);
    auto req = std::make_shared<impl::pending>();
    req->type = server_side_emit_req;
    req->num_sub = n - 1;
    req->msg_count = 0;
    auto* raw = req.get();
    req->finish = [raw, cb = std::move(cb)]() mutable {
      const bool all = raw->responses.size() >= raw->num_sub;
      cb(all ? boost::system::error_code{} : make_error_code(error::timeout),
         std::move(raw->responses));
    };
    json::object o{
        {"uid", self->uid}, {"requestId", rid}, {"type", server_side_emit_req}, {"data", p.args}};
    self->start_request(rid, std::move(req), self->encode_body(json::value(std::move(o)), p),
                        "server_side_emit");
  });
}

void redis_adapter::start_all_rooms(std::function<void(std::set<room>)> done) {
  auto self = impl_;
  self->server_count([self, done = std::move(done)](std::size_t n) mutable {
    auto local = self->local_rooms();
    std::set<room> mine(local.begin(), local.end());
    if (n <= 1) return done(std::move(mine));
    const auto rid = random_id(6);
    auto p = std::make_shared<impl::pending>();
    p->type = all_rooms_req;
    p->num_sub = n;
    p->rooms = std::move(mine);
    auto* raw = p.get();
    p->finish = [raw, done = std::move(done)]() mutable { done(std::move(raw->rooms)); };
    json::object req{{"uid", self->uid}, {"requestId", rid}, {"type", all_rooms_req}};
    self->start_request(rid, std::move(p), to_json(req), "all_rooms");
  });
}

}  // namespace sio
