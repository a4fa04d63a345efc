#include <sio/engineio/random_id.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/session_aware_adapter.hpp>

#include "detail.hpp"

namespace sio {

namespace pt = protocol::socketio;

namespace_::namespace_(std::shared_ptr<detail::server_state> srv, std::string name,
                       matcher parent_of)
    : srv_(std::move(srv)),
      name_(std::move(name)),
      parent_of_(std::move(parent_of)),
      shards_(srv_->pool->size()),
      middlewares_(std::make_shared<const std::vector<middleware>>()),
      handlers_(std::make_shared<const std::vector<connection_handler>>()),
      server_side_(std::make_shared<const server_side_map>()) {
  const auto& recovery = srv_->opts.connection_state_recovery;
  if (srv_->opts.adapter)
    adapter_ = srv_->opts.adapter(*this);
  else if (recovery)
    adapter_ = std::make_unique<session_aware_adapter>(*this, *recovery);
  else
    adapter_ = std::make_unique<in_memory_adapter>(*this);
}

namespace_::~namespace_() = default;

worker_pool& namespace_::workers() noexcept {
  return *srv_->pool;
}

namespace_& namespace_::use(middleware m) {
  std::lock_guard lk(mu_);
  auto v = std::make_shared<std::vector<middleware>>(*middlewares_);
  v->push_back(std::move(m));
  middlewares_ = std::move(v);
  return *this;
}

namespace_& namespace_::on_connection(connection_handler h) {
  std::lock_guard lk(mu_);
  auto v = std::make_shared<std::vector<connection_handler>>(*handlers_);
  v->push_back(std::move(h));
  handlers_ = std::move(v);
  return *this;
}

broadcast_operator namespace_::with_flags(broadcast_flags f) const {
  broadcast_options o;
  o.flags = f;
  return broadcast_operator(std::const_pointer_cast<namespace_>(shared_from_this()), std::move(o));
}

payload namespace_::server_side_args(std::string_view event, payload p) {
  payload args;
  args.args.reserve(1 + p.args.size());
  args.args.emplace_back(event);
  for (auto& v : p.args) args.args.push_back(std::move(v));
  args.attachments = std::move(p.attachments);
  return args;
}

void namespace_::server_side_emit_payload(std::string_view event, payload p) {
  detail::check_event_name(event);
  adapter_->server_side_emit(server_side_args(event, std::move(p)));
}

void namespace_::start_server_count(std::function<void(std::size_t)> cb) {
  adapter_->server_count([timer = detail::request_timer(srv_, adapter_request::server_count),
                          cb = std::move(cb)](std::size_t n) {
    timer.done();
    cb(n);
  });
}

void namespace_::start_server_side_emit_with_ack(payload args, broadcast_ack_callback cb) {
  adapter_->server_side_emit_with_ack(
      std::move(args), [timer = detail::request_timer(srv_, adapter_request::server_side_emit),
                        cb = std::move(cb)](boost::system::error_code ec, std::vector<payload> r) {
        timer.done(ec == error::timeout);
        cb(ec, std::move(r));
      });
}

namespace_& namespace_::add_server_side_handler(std::string event, server_side_handler h) {
  std::lock_guard lk(mu_);
  auto m = std::make_shared<server_side_map>(*server_side_);
  (*m)[std::move(event)] = std::move(h);
  server_side_ = std::move(m);
  return *this;
}

namespace_::server_side_handler namespace_::server_side_handler_of(const std::string& event) {
  std::shared_ptr<const server_side_map> own;
  {
    std::lock_guard lk(mu_);
    own = server_side_;
  }
  if (auto it = own->find(event); it != own->end()) return it->second;
  if (auto p = parent_.lock()) return p->server_side_handler_of(event);
  return {};
}

const socket_redaction& namespace_::remote_socket_redaction() const noexcept {
  return srv_->opts.remote_socket_redaction;
}

const recovery_options* namespace_::recovery() const noexcept {
  const auto& r = srv_->opts.connection_state_recovery;
  return r ? &*r : nullptr;
}

outgoing_ptr namespace_::encode_packet(pt::packet p, std::uint64_t log_seq) {
  return make_outgoing(*srv_->opts.parser, std::move(p), log_seq);
}

void namespace_::receive_server_side_emit(payload args, std::function<void(payload)> reply) {
  if (args.args.empty() || !args.args.front().is_string()) return;
  const std::string event(args.args.front().get_string());
  auto h = server_side_handler_of(event);
  if (!h) return;  // as Node: no listener, no answer
  args.args.erase(args.args.begin());
  ack a(std::move(reply));
  const auto what = "server-side event \"" + event + "\" (" + name_ + ")";
  try {
    h(args, a);
  } catch (const detail::argument_error& e) {
    if (!detail::answer_error(e, a)) srv_->log(what + " dropped: " + e.what());
  } catch (const std::exception& e) {
    srv_->log(what + ": handler threw: " + e.what());
  } catch (...) {
    srv_->log(what + ": handler threw");
  }
}

std::shared_ptr<socket> namespace_::local_socket(std::string_view id) {
  const auto w = srv_->pool->current();
  if (w >= shards_.size()) return nullptr;
  auto& m = shards_[w].sockets;
  auto it = m.find(id);
  return it == m.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<socket>> namespace_::local_sockets() {
  const auto w = srv_->pool->current();
  if (w >= shards_.size()) return {};
  std::vector<std::shared_ptr<socket>> out;
  out.reserve(shards_[w].sockets.size());
  for (const auto& [id, s] : shards_[w].sockets) out.push_back(s);
  return out;
}

std::vector<std::shared_ptr<namespace_>> namespace_::children() {
  if (!is_parent()) return {};
  std::lock_guard lk(mu_);
  return children_;
}

std::shared_ptr<namespace_> namespace_::create_child(std::string name) {
  auto child = std::make_shared<namespace_>(srv_, std::move(name));
  child->parent_ = weak_from_this();
  std::lock_guard lk(mu_);
  child->middlewares_ = middlewares_;
  children_.push_back(child);
  return child;
}

std::vector<std::shared_ptr<namespace_>> namespace_::targets() {
  if (!is_parent()) return {shared_from_this()};
  std::lock_guard lk(mu_);
  return children_;
}

outgoing_ptr namespace_::encode(pt::packet p, const broadcast_options& opts) {
  if (!srv_->opts.connection_state_recovery) return encode_packet(std::move(p));
  return adapter_->encode_event(std::move(p), opts);
}

void namespace_::add(const std::shared_ptr<detail::client>& c, boost::json::object auth) {
  const auto* pid = auth.if_contains("pid");
  const auto* offset = auth.if_contains("offset");
  if (!srv_->opts.connection_state_recovery || !pid || !pid->is_string() || !offset ||
      !offset->is_string())
    return create_socket(c, std::move(auth), std::nullopt);
  std::string p(pid->get_string()), o(offset->get_string());
  auto a = std::make_shared<boost::json::object>(std::move(auth));
  detail::request_timer timer(srv_, adapter_request::restore_session);
  adapter_->restore_session(
      std::move(p), std::move(o),
      [self = shared_from_this(), c, a, timer](std::optional<restored_session> r) mutable {
        timer.done();
        self->srv_->pool->dispatch(c->worker(), [self, c, a, r = std::move(r)]() mutable {
          self->create_socket(c, std::move(*a), std::move(r));
        });
      });
}

void namespace_::create_socket(const std::shared_ptr<detail::client>& c, boost::json::object auth,
                               std::optional<restored_session> restored) {
  if (!c->open()) {
    // Gone while its session was looked up: the session stays restorable.
    if (restored) adapter_->persist_session(std::move(restored->session));
    return;
  }
  detail::socket_init init;
  init.id = restored ? restored->session.sid : srv_->new_id();
  init.nsp = shared_from_this();
  init.cl = c;
  init.worker = c->worker();
  init.engine_id = std::string(c->conn().id());
  init.handshake = handshake_info(c->conn().shared_request(), std::move(auth));
  auto s = std::make_shared<socket>(std::move(init));
  const auto& recovery = srv_->opts.connection_state_recovery;
  if (recovery) {
    auto& st = *(s->rec_ = std::make_unique<socket::recovery_state>());
    if (restored) {
      st.pid = std::move(restored->session.pid);
      st.recovered = true;
      st.replayed_seq = restored->log_seq;
      st.rooms = std::move(restored->session.rooms);
      st.missed = std::move(restored->missed);
      s->data = std::move(restored->session.data);
    } else {
      st.pid = engineio::random_id(engineio::base64id_length);
    }
    if (st.recovered && recovery->skip_middlewares) return do_connect(s);
  }
  std::shared_ptr<const std::vector<middleware>> m;
  {
    std::lock_guard lk(mu_);
    m = middlewares_;
  }
  run_middlewares(std::move(s), std::move(m), 0);
}

void namespace_::run_middlewares(std::shared_ptr<socket> s,
                                 std::shared_ptr<const std::vector<middleware>> m, std::size_t i) {
  auto c = s->client_;
  if (!c || !c->open()) return give_back(*s);
  if (i >= m->size()) return do_connect(s);
  next n([self = shared_from_this(), s, m, i](std::optional<connect_error> err) mutable {
    const auto w = s->worker_;
    self->srv_->pool->dispatch(
        w, [self, s = std::move(s), m = std::move(m), i, err = std::move(err)]() mutable {
          auto c = s->client_;
          if (!c || !c->open()) return self->give_back(*s);
          if (!err) return self->run_middlewares(std::move(s), std::move(m), i + 1);
          self->give_back(*s);
          c->remove_pending(self->name_);
          s->client_.reset();
          boost::json::object data;
          data["message"] = err->message;
          if (err->data) data["data"] = std::move(*err->data);
          pt::packet pk;
          pk.type = pt::packet_type::connect_error;
          pk.nsp = self->name_;
          pk.data = std::move(data);
          c->send_packet(std::move(pk));
        });
  });
  try {
    (*m)[i](*s, n);
  } catch (const std::exception& e) {
    srv_->log(std::string("namespace middleware threw: ") + e.what());
    // Refuse like Node refuses an Error passed to next().
    n(connect_error{e.what(), std::nullopt});
  } catch (...) {
    n(connect_error{"middleware error", std::nullopt});
  }
}

void namespace_::do_connect(const std::shared_ptr<socket>& s) {
  auto c = s->client_;
  c->remove_pending(name_);
  auto& shard = shards_[s->worker_];
  shard.sockets.emplace(std::string_view(s->id_), s);
  shard.count.store(shard.sockets.size(), std::memory_order_relaxed);
  c->add_socket(s);
  if (s->recovered()) restore(s);
  adapter_->add_all(s->worker_, s->id_, std::span<const room>(&s->id_, 1));
  s->connected_by_server();
  std::shared_ptr<const std::vector<connection_handler>> own, inherited;
  {
    std::lock_guard lk(mu_);
    own = handlers_;
  }
  if (auto p = parent_.lock()) {
    std::lock_guard lk(p->mu_);
    inherited = p->handlers_;
  }
  for (const auto* list : {inherited.get(), own.get()}) {
    if (!list) continue;
    for (const auto& h : *list) {
      if (!s->connected()) return;
      try {
        h(*s);
      } catch (const std::exception& e) {
        return s->fail("connection handler threw", &e);
      } catch (...) {
        return s->fail("connection handler threw", nullptr);
      }
    }
  }
}

void namespace_::restore(const std::shared_ptr<socket>& s) {
  auto& st = *s->rec_;
  adapter_->add_all(s->worker_, s->id_, st.rooms);
  // Before CONNECT, as Node writes them (the client buffers them until it is connected).
  for (const auto& p : st.missed) s->client_->write(*p, false, true);
  std::vector<room>().swap(st.rooms);
  std::vector<outgoing_ptr>().swap(st.missed);
}

void namespace_::give_back(socket& s) {
  if (!s.recovered() || s.connected()) return;
  auto& st = *s.rec_;
  st.recovered = false;
  adapter_->persist_session(
      persisted_session{s.id_, std::move(st.pid), std::move(st.rooms), std::move(s.data)});
}

void namespace_::remove(const socket& s) {
  auto& shard = shards_[s.worker_];
  auto& m = shard.sockets;
  if (auto it = m.find(s.id_); it != m.end() && it->second.get() == &s) m.erase(it);
  shard.count.store(m.size(), std::memory_order_relaxed);
}

std::uint64_t namespace_::local_socket_count() const noexcept {
  std::uint64_t n = 0;
  for (const auto& sh : shards_) n += sh.count.load(std::memory_order_relaxed);
  return n;
}

void namespace_::abandon() {
  for (auto& sh : shards_) {
    for (auto& [id, s] : sh.sockets) s->abandon();
    sh.sockets.clear();
    sh.count.store(0, std::memory_order_relaxed);
  }
  std::lock_guard lk(mu_);
  children_.clear();
  middlewares_ = std::make_shared<const std::vector<middleware>>();
  handlers_ = std::make_shared<const std::vector<connection_handler>>();
  server_side_ = std::make_shared<const server_side_map>();
}

member_handle namespace_::member_of(std::size_t w, const std::string& sid) {
  if (w >= shards_.size()) return {};
  const auto& m = shards_[w].sockets;
  auto it = m.find(std::string_view(sid));
  return it == m.end() ? member_handle() : member_handle(it->second);
}

std::vector<std::shared_ptr<socket>> namespace_::resolve(member_span members) {
  std::vector<std::shared_ptr<socket>> out;
  out.reserve(members.size());
  for (const auto* h : members) {
    // Connected: not yet gone, nor dropped by a server teardown (which skips the adapter).
    auto s = std::static_pointer_cast<socket>(h->lock());
    if (s && s->connected()) out.push_back(std::move(s));
  }
  return out;
}

void namespace_::deliver(std::size_t, member_span members, const outgoing_ptr& p,
                         const delivery& d) {
  auto socks = resolve(members);
  std::vector<engineio::message_ptr> own;
  std::span<const engineio::message_ptr> frames = p->frames;
  if (socks.size() > 1 && srv_->pool->size() > 1) frames = own = detail::worker_handles(p->frames);
  for (auto& s : socks) {
    if (d.ack && p->packet.id) s->register_sink(*p->packet.id, d.ack);
    s->deliver(p, frames, d.volatile_, d.compress);
  }
}

void namespace_::collect(std::size_t, member_span members, std::vector<socket_info>& out) {
  auto socks = resolve(members);
  out.reserve(out.size() + socks.size());
  for (auto& s : socks)
    out.push_back(socket_info{s->id_, name_, s->handshake_, s->rooms(), s->data});
}

void namespace_::join(std::size_t, member_span members, const std::vector<room>& rooms) {
  for (auto& s : resolve(members)) s->join(rooms);
}

void namespace_::leave(std::size_t, member_span members, const std::vector<room>& rooms) {
  for (auto& s : resolve(members))
    for (const auto& r : rooms) s->leave(r);
}

void namespace_::disconnect(std::size_t, member_span members, bool close) {
  for (auto& s : resolve(members)) s->disconnect(close);
}

}  // namespace sio
