#include <sio/server/broadcast_operator.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/socket.hpp>

#include "../common/recycling_allocator.hpp"
#include "detail.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace sio {

namespace pt = protocol::socketio;

namespace {
// Stands in an entry of socket::handlers_ while that handler runs (see dispatch_event).
struct running_handler {
  event_handler* h;
  void operator()(socket& s, payload& p, ack& a) const { (*h)(s, p, a); }
};

payload to_payload(pt::packet& p) {
  payload out;
  if (auto* a = p.data.if_array()) out.args.swap(*a);  // cheaper than a move assignment
  out.attachments.reserve(p.attachments.size());
  for (auto& b : p.attachments) out.attachments.emplace_back(std::move(b));
  return out;
}

void move_attachments(payload& from, pt::packet& to) {
  to.attachments.reserve(from.attachments.size());
  for (auto& b : from.attachments) to.attachments.push_back(std::move(b.bytes));
}

// An ack answered by a callback.
// Node's RECOVERABLE_DISCONNECT_REASONS: the client did not leave on purpose.
bool is_recoverable(disconnect_reason r) noexcept {
  switch (r) {
    case disconnect_reason::transport_error:
    case disconnect_reason::transport_close:
    case disconnect_reason::forced_close:
    case disconnect_reason::ping_timeout:
    case disconnect_reason::server_shutting_down:
    case disconnect_reason::forced_server_close:
      return true;
    default:
      return false;
  }
}
}  // namespace

// Answers with an ACK packet on the socket's worker, if it is still connected.
struct socket::ack_state final : ack::state {
  std::weak_ptr<socket> s;
  std::uint64_t id = 0;

  void deliver(payload p) override {
    auto sock = s.lock();
    if (!sock) return;
    auto run = [sock, id = id, p = std::move(p)]() mutable {
      if (!sock->connected()) return;
      pt::packet pk;
      pk.type = pt::packet_type::ack;
      pk.nsp = sock->nsp().name();
      pk.id = id;
      move_attachments(p, pk);
      pk.data.emplace_array().swap(p.args);
      sock->send_packet(std::move(pk));
    };
    sock->srv().pool->dispatch(sock->worker_, std::move(run));
  }
};

void socket_emitter::emit_payload(std::string_view event, payload p) const {
  s_->send_event(event, std::move(p), f_, {});
}

socket::socket(detail::socket_init&& init)
    : id_(std::move(init.id)),
      engine_id_(std::move(init.engine_id)),
      nsp_(std::move(init.nsp)),
      client_(std::move(init.cl)),
      worker_(static_cast<std::uint32_t>(init.worker)),
      handshake_(std::move(init.handshake)) {}

socket::~socket() = default;

detail::server_state& socket::srv() const noexcept {
  return *nsp_->srv_;
}

bool socket::on_worker() const noexcept {
  return srv().pool->current() == worker_;
}

socket::listeners& socket::lst() {
  if (!lst_) lst_ = std::make_unique<listeners>();
  return *lst_;
}

socket::handler_entry* socket::find_handler(std::string_view event) noexcept {
  for (auto& e : handlers_)
    if (e.event == event) return &e;
  return nullptr;
}

socket& socket::on_event(std::string event, event_handler h) {
  if (!on_worker()) {
    srv().pool->post(worker_,
                     [s = shared_from_this(), e = std::move(event), h = std::move(h)]() mutable {
                       s->on_event(std::move(e), std::move(h));
                     });
    return *this;
  }
  if (auto* e = find_handler(event)) {
    e->fn = std::move(h);  // also while it runs: the running one finishes, then is dropped
  } else {
    // Grown by small steps: most sockets register a few handlers once.
    const auto n = handlers_.size();
    if (n == handlers_.capacity()) handlers_.reserve(n + 1 + n / 4);
    handlers_.push_back(handler_entry{std::move(event), std::move(h)});
  }
  return *this;
}

socket& socket::off(std::string_view event) {
  if (auto* e = find_handler(event)) handlers_.erase(handlers_.begin() + (e - handlers_.data()));
  return *this;
}

socket& socket::on_any(any_handler h) {
  lst().any.push_back(std::move(h));
  return *this;
}
socket& socket::on_any_outgoing(any_outgoing_handler h) {
  lst().any_outgoing.push_back(std::move(h));
  return *this;
}
socket& socket::use(packet_middleware m) {
  lst().middlewares.push_back(std::move(m));
  return *this;
}
socket& socket::on_error(error_handler h) {
  lst().error_handlers.push_back(std::move(h));
  return *this;
}
socket& socket::on_disconnecting(disconnect_handler h) {
  lst().disconnecting.push_back(std::move(h));
  return *this;
}
socket& socket::on_disconnect(disconnect_handler h) {
  lst().disconnect.push_back(std::move(h));
  return *this;
}

void socket::add_ack(std::uint64_t id, pending_ack pa) {
  if (!acks_) acks_ = std::make_unique<ack_map>();
  if (acks_->insert_or_assign(id, std::move(pa)).second)
    srv().count(worker_, &detail::counter_block::acks_added);
}

void socket::send_event(std::string_view event, payload p, broadcast_flags f, ack_callback cb) {
  detail::check_event_name(event);
  if (!on_worker()) {
    srv().pool->post(worker_, [s = shared_from_this(), e = std::string(event), p = std::move(p), f,
                               cb = std::move(cb)]() mutable {
      s->send_event(e, std::move(p), f, std::move(cb));
    });
    return;
  }
  if (!connected() && (cb || !rec_)) {
    if (cb) cb(make_error_code(error::disconnected), {});
    return;
  }
  auto pk = detail::event_packet(event, nsp_->name(), std::move(p));
  if (cb) {
    const auto id = nsp_->next_ack_id();
    pk.id = id;
    pending_ack pa{std::move(cb), nullptr, nullptr};
    if (f.timeout) {
      pa.timer =
          std::make_unique<boost::asio::steady_timer>(srv().pool->context(worker_), *f.timeout);
      pa.timer->async_wait([w = weak_from_this(), id](boost::system::error_code ec) {
        if (ec) return;
        if (auto s = w.lock()) s->ack_timeout(id);
      });
    }
    add_ack(id, std::move(pa));
  }
  if (!rec_) return deliver(nsp_->encode_packet(std::move(pk)), f.volatile_, f.compress);
  // Node routes socket.emit through the adapter to the room of this id: logged for recovery, and
  // once disconnected it reaches the socket that recovered this id, wherever that one lives.
  broadcast_options o;
  o.rooms.push_back(id_);
  o.flags = f;
  auto out = nsp_->encode(std::move(pk), o);
  if (connected() && !nsp_->adapter_->routes_socket_emits())
    deliver(out, f.volatile_, f.compress);
  else
    nsp_->adapter_->broadcast(std::move(out), std::move(o));
}

void socket::ack_timeout(std::uint64_t id) {
  if (!acks_) return;
  auto it = acks_->find(id);
  if (it == acks_->end()) return;
  auto cb = std::move(it->second.cb);
  acks_->erase(it);
  srv().count(worker_, &detail::counter_block::acks_settled);
  if (!cb) return;
  try {
    cb(make_error_code(error::timeout), {});
  } catch (const std::exception& e) {
    fail("ack callback threw", &e);
  } catch (...) {
    fail("ack callback threw", nullptr);
  }
}

void socket::deliver(const outgoing_ptr& p, bool volatile_, bool compress) {
  deliver(p, p->frames, volatile_, compress);
}

void socket::deliver(const outgoing_ptr& p, std::span<const engineio::message_ptr> frames,
                     bool volatile_, bool compress) {
  if (!connected() || !client_) return;
  // Already sent among the missed packets of the session this socket recovered.
  if (rec_ && p->log_seq != 0 && p->log_seq <= rec_->replayed_seq) return;
  if (lst_ && !lst_->any_outgoing.empty()) {
    const auto& pk = p->packet;
    const auto* a = pk.data.if_array();
    if (a && !a->empty() && a->front().is_string() &&
        (pk.type == pt::packet_type::event || pk.type == pt::packet_type::binary_event)) {
      const std::string_view name = a->front().get_string();
      std::span<const boost::json::value> args(a->data() + 1, a->size() - 1);
      for (std::size_t i = 0; lst_ && i < lst_->any_outgoing.size(); ++i) {
        auto h = lst_->any_outgoing[i];
        try {
          h(*this, name, args);
        } catch (const std::exception& e) {
          srv().log(std::string("on_any_outgoing listener threw: ") + e.what());
        } catch (...) {
          srv().log("on_any_outgoing listener threw");
        }
      }
    }
  }
  if (client_) client_->write(frames, volatile_, compress);
}

void socket::send_packet(pt::packet p) {
  if (client_) client_->send_packet(std::move(p));
}

void socket::register_sink(std::uint64_t id, std::shared_ptr<const ack_sink> sink) {
  if (!connected()) return;
  add_ack(id, pending_ack{nullptr, std::move(sink), nullptr});
}

void socket::on_packet(pt::packet& p) {
  switch (p.type) {
    case pt::packet_type::event:
    case pt::packet_type::binary_event:
      on_event_packet(p);
      break;
    case pt::packet_type::ack:
    case pt::packet_type::binary_ack:
      on_ack_packet(p);
      break;
    case pt::packet_type::disconnect:
      on_close(disconnect_reason::client_namespace_disconnect);
      break;
    default:
      break;
  }
}

void socket::on_event_packet(pt::packet& p) {
  auto pl = to_payload(p);
  if (pl.args.empty()) return;  // the decoder refuses this; be defensive
  std::string name;
  if (const auto& first = pl.args.front(); first.is_string())
    name = std::string(first.get_string());
  else
    name = boost::json::serialize(first);
  pl.args.erase(pl.args.begin());
  ack a;
  if (p.id) {
    auto st = std::allocate_shared<ack_state>(detail::recycling_allocator<ack_state>());
    st->s = weak_from_this();
    st->id = *p.id;
    a = ack(std::move(st));
  }
  for (std::size_t i = 0; lst_ && i < lst_->any.size() && connected(); ++i) {
    auto h = lst_->any[i];
    try {
      h(*this, name, pl);
    } catch (const std::exception& e) {
      return fail("on_any listener threw", &e);
    } catch (...) {
      return fail("on_any listener threw", nullptr);
    }
  }
  if (!lst_ || lst_->middlewares.empty()) return dispatch_event(name, pl, a);
  run_middlewares(0,
                  std::make_shared<std::pair<std::string, payload>>(std::move(name), std::move(pl)),
                  std::move(a));
}

void socket::run_middlewares(std::size_t i, std::shared_ptr<std::pair<std::string, payload>> ev,
                             ack a) {
  if (!connected()) return;
  if (!lst_ || i >= lst_->middlewares.size()) return dispatch_event(ev->first, ev->second, a);
  auto m = lst_->middlewares[i];
  next n([w = weak_from_this(), i, ev, a](std::optional<connect_error> err) mutable {
    auto s = w.lock();
    if (!s) return;
    s->srv().pool->dispatch(s->worker_, [s, i, ev, a, err = std::move(err)]() mutable {
      if (!s->connected()) return;
      if (!err) return s->run_middlewares(i + 1, std::move(ev), std::move(a));
      for (std::size_t k = 0; s->lst_ && k < s->lst_->error_handlers.size(); ++k) {
        auto h = s->lst_->error_handlers[k];
        try {
          h(*s, *err);
        } catch (const std::exception& e) {
          return s->fail("error listener threw", &e);
        } catch (...) {
          return s->fail("error listener threw", nullptr);
        }
      }
    });
  });
  try {
    m(*this, ev->first, ev->second, std::move(n));
  } catch (const std::exception& e) {
    fail("packet middleware threw", &e);
  } catch (...) {
    fail("packet middleware threw", nullptr);
  }
}

void socket::dispatch_event(const std::string& name, payload& args, ack& a) {
  if (!connected()) return;
  auto* e = find_handler(name);
  if (!e) return;
  if (const auto* m = e->fn.target<running_handler>()) {
    // Re-entered (e.g. a middleware continuation run inline by the handler): call it there.
    return call_handler(*m->h, name, args, a);
  }
  // The handler may replace or remove itself, or register others (moving the list): it runs
  // from this frame, its entry holding a marker, and goes back there only if the entry still
  // holds that marker (not replaced, not removed) when it returns.
  event_handler h = std::move(e->fn);
  e->fn = running_handler{&h};
  call_handler(h, name, args, a);
  for (auto& r : handlers_) {
    if (const auto* m = r.fn.target<running_handler>(); m && m->h == &h) {
      r.fn = std::move(h);
      break;
    }
  }
}

void socket::call_handler(event_handler& h, const std::string& name, payload& args, ack& a) {
  try {
    h(*this, args, a);
  } catch (const detail::argument_error& e) {
    refuse_arguments(name, e, a);
  } catch (const std::exception& e) {
    fail("handler of \"" + name + "\" threw", &e);
  } catch (...) {
    fail("handler of \"" + name + "\" threw", nullptr);
  }
}

void socket::refuse_arguments(const std::string& name, const detail::argument_error& e, ack& a) {
  if (!detail::answer_error(e, a))
    srv().log("socket " + id_ + ": event \"" + name + "\" dropped: " + e.what());
}

void socket::on_ack_packet(pt::packet& p) {
  if (!p.id || !acks_) return;
  auto it = acks_->find(*p.id);
  if (it == acks_->end()) return;
  auto pa = std::move(it->second);
  acks_->erase(it);
  srv().count(worker_, &detail::counter_block::acks_settled);
  if (pa.timer) pa.timer->cancel();
  auto pl = to_payload(p);
  try {
    if (pa.sink)
      (*pa.sink)(std::move(pl));
    else if (pa.cb)
      pa.cb({}, std::move(pl));
  } catch (const std::exception& e) {
    fail("ack callback threw", &e);
  } catch (...) {
    fail("ack callback threw", nullptr);
  }
}

void socket::fail(std::string_view what, const std::exception* e) {
  std::string msg = "socket " + id_ + " (" + nsp_->name() + "): " + std::string(what);
  if (e) msg += std::string(": ") + e->what();
  msg += "; disconnecting it";
  srv().log(msg);
  disconnect(false);
}

void socket::join(std::vector<room> rs) {
  if (!on_worker()) {
    srv().pool->post(worker_, [s = shared_from_this(), rs = std::move(rs)]() mutable {
      s->join(std::move(rs));
    });
    return;
  }
  if (!connected() || closing_) return;
  nsp_->adapter_->add_all(worker_, id_, rs);
}

void socket::leave(std::string_view r) {
  if (!on_worker()) {
    srv().pool->post(worker_, [s = shared_from_this(), r = std::string(r)] { s->leave(r); });
    return;
  }
  if (!connected()) return;
  nsp_->adapter_->del(worker_, id_, std::string(r));
}

std::vector<room> socket::rooms() const {
  return nsp_->adapter_->socket_rooms(worker_, id_);
}

broadcast_operator socket::broadcast() {
  broadcast_options o;
  o.except.push_back(id_);
  return broadcast_operator(nsp_, std::move(o));
}
broadcast_operator socket::to(std::string_view r) {
  return broadcast().to(r);
}
broadcast_operator socket::to(std::initializer_list<std::string_view> rs) {
  return broadcast().to(rs);
}
broadcast_operator socket::in(std::string_view r) {
  return broadcast().to(r);
}
broadcast_operator socket::except(std::string_view r) {
  return broadcast().except(r);
}

void socket::disconnect(bool close) {
  if (!on_worker()) {
    srv().pool->post(worker_, [s = shared_from_this(), close] { s->disconnect(close); });
    return;
  }
  if (!connected() || closing_) return;
  if (close) {
    if (auto c = client_) return c->disconnect_all();
  }
  pt::packet pk;
  pk.type = pt::packet_type::disconnect;
  pk.nsp = nsp_->name();
  pk.data = nullptr;
  send_packet(std::move(pk));
  on_close(disconnect_reason::server_namespace_disconnect);
}

engineio::connection* socket::conn() const noexcept {
  return client_ ? &client_->conn() : nullptr;
}

void socket::connected_by_server() {
  connected_.store(true, std::memory_order_release);
  pt::packet pk;
  pk.type = pt::packet_type::connect;
  pk.nsp = nsp_->name();
  if (rec_)
    pk.data = boost::json::object{{"sid", id_}, {"pid", rec_->pid}};
  else
    pk.data = boost::json::object{{"sid", id_}};
  send_packet(std::move(pk));
}

void socket::on_close(disconnect_reason r) {
  if (!connected() || closing_) return;
  closing_ = true;
  if (auto& m = srv().metrics) m->disconnected(worker_, r);
  auto self = shared_from_this();
  auto run = [&](std::vector<disconnect_handler> listeners::*hs, const char* what) {
    for (std::size_t i = 0; lst_ && i < ((*lst_).*hs).size(); ++i) {
      auto h = ((*lst_).*hs)[i];
      try {
        h(*this, r);
      } catch (const std::exception& e) {
        srv().log(std::string(what) + " handler threw: " + e.what());
      } catch (...) {
        srv().log(std::string(what) + " handler threw");
      }
    }
  };
  run(&listeners::disconnecting, "disconnecting");
  persist_session(r);
  nsp_->adapter_->del_all(worker_, id_);
  nsp_->remove(*this);
  if (client_) client_->remove_socket(nsp_->name());
  connected_.store(false, std::memory_order_release);
  if (auto acks = std::move(acks_)) {
    srv().count(worker_, &detail::counter_block::acks_settled, acks->size());
    for (auto& [id, pa] : *acks) {
      if (pa.timer) pa.timer->cancel();
      if (!pa.cb) continue;
      try {
        pa.cb(make_error_code(error::disconnected), {});
      } catch (const std::exception& e) {
        srv().log(std::string("ack callback threw: ") + e.what());
      } catch (...) {
        srv().log("ack callback threw");
      }
    }
  }
  run(&listeners::disconnect, "disconnect");
  drop_callbacks();
}

void socket::persist_session(disconnect_reason r) {
  if (!rec_ || !is_recoverable(r)) return;
  nsp_->adapter_->persist_session(persisted_session{id_, rec_->pid, rooms(), data});
}

void socket::drop_callbacks() noexcept {
  // Moved out first: destroying a callback may run code that looks at this socket.
  auto handlers = std::move(handlers_);
  handlers_.clear();
  auto lst = std::move(lst_);
  auto acks = std::move(acks_);
  auto c = std::move(client_);
}

void socket::abandon() {
  connected_.store(false, std::memory_order_release);
  drop_callbacks();
}

}  // namespace sio
