#include <sio/server/broadcast_operator.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/socket.hpp>

#include "detail.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace sio {

namespace pt = protocol::socketio;

struct ack::state {
  std::weak_ptr<socket> s;
  std::uint64_t id = 0;
  std::atomic<bool> sent{false};
};

namespace {
payload to_payload(pt::packet& p) {
  payload out;
  if (auto* a = p.data.if_array()) out.args = std::move(*a);
  out.attachments.reserve(p.attachments.size());
  for (auto& b : p.attachments) out.attachments.emplace_back(std::move(b));
  return out;
}

void move_attachments(payload& from, pt::packet& to) {
  to.attachments.reserve(from.attachments.size());
  for (auto& b : from.attachments) to.attachments.push_back(std::move(b.bytes));
}
}  // namespace

void ack::send(payload p) const {
  if (!st_ || st_->sent.exchange(true, std::memory_order_acq_rel)) return;
  auto s = st_->s.lock();
  if (!s) return;
  auto run = [s, id = st_->id, p = std::move(p)]() mutable {
    if (!s->connected()) return;
    pt::packet pk;
    pk.type = pt::packet_type::ack;
    pk.nsp = s->nsp().name();
    pk.id = id;
    move_attachments(p, pk);
    pk.data = std::move(p.args);
    s->send_packet(std::move(pk));
  };
  s->srv_->pool->dispatch(s->worker_, std::move(run));
}

void socket_emitter::emit_payload(std::string_view event, payload p) const {
  s_->send_event(event, std::move(p), f_, {});
}

void socket_emitter::emit_with_ack(std::string_view event, payload p, ack_callback cb) const {
  s_->send_event(event, std::move(p), f_, std::move(cb));
}

socket::socket(detail::socket_init&& init)
    : id_(std::move(init.id)),
      engine_id_(std::move(init.engine_id)),
      nsp_(std::move(init.nsp)),
      srv_(std::move(init.srv)),
      client_(std::move(init.cl)),
      worker_(init.worker),
      handshake_(std::move(init.handshake)) {}

socket::~socket() = default;

bool socket::on_worker() const noexcept {
  return srv_->pool->current() == worker_;
}

socket& socket::on_event(std::string event, event_handler h) {
  if (!on_worker()) {
    srv_->pool->post(worker_,
                     [s = shared_from_this(), e = std::move(event), h = std::move(h)]() mutable {
                       s->on_event(std::move(e), std::move(h));
                     });
    return *this;
  }
  handlers_.insert_or_assign(std::move(event), std::make_shared<event_handler>(std::move(h)));
  return *this;
}

socket& socket::off(std::string_view event) {
  if (auto it = handlers_.find(std::string(event)); it != handlers_.end()) handlers_.erase(it);
  return *this;
}

socket& socket::on_any(any_handler h) {
  any_.push_back(std::move(h));
  return *this;
}
socket& socket::on_any_outgoing(any_outgoing_handler h) {
  any_outgoing_.push_back(std::move(h));
  return *this;
}
socket& socket::use(packet_middleware m) {
  middlewares_.push_back(std::move(m));
  return *this;
}
socket& socket::on_error(error_handler h) {
  error_handlers_.push_back(std::move(h));
  return *this;
}
socket& socket::on_disconnecting(disconnect_handler h) {
  disconnecting_.push_back(std::move(h));
  return *this;
}
socket& socket::on_disconnect(disconnect_handler h) {
  disconnect_.push_back(std::move(h));
  return *this;
}

void socket::send_event(std::string_view event, payload p, broadcast_flags f, ack_callback cb) {
  if (pt::is_reserved_event(event))
    throw std::invalid_argument("\"" + std::string(event) + "\" is a reserved event name");
  if (!on_worker()) {
    srv_->pool->post(worker_, [s = shared_from_this(), e = std::string(event), p = std::move(p), f,
                               cb = std::move(cb)]() mutable {
      s->send_event(e, std::move(p), f, std::move(cb));
    });
    return;
  }
  if (!connected()) {
    if (cb) cb(make_error_code(error::disconnected), {});
    return;
  }
  pt::packet pk;
  pk.type = pt::packet_type::event;
  pk.nsp = nsp_->name();
  boost::json::array data;
  data.reserve(1 + p.args.size());
  data.emplace_back(event);
  for (auto& v : p.args) data.push_back(std::move(v));
  pk.data = std::move(data);
  move_attachments(p, pk);
  if (cb) {
    const auto id = nsp_->next_ack_id();
    pk.id = id;
    pending_ack pa{std::move(cb), nullptr, nullptr};
    if (f.timeout) {
      pa.timer =
          std::make_unique<boost::asio::steady_timer>(srv_->pool->context(worker_), *f.timeout);
      pa.timer->async_wait([w = weak_from_this(), id](boost::system::error_code ec) {
        if (ec) return;
        if (auto s = w.lock()) s->ack_timeout(id);
      });
    }
    acks_.insert_or_assign(id, std::move(pa));
  }
  deliver(make_outgoing(std::move(pk)), f.volatile_, f.compress);
}

void socket::ack_timeout(std::uint64_t id) {
  auto it = acks_.find(id);
  if (it == acks_.end()) return;
  auto cb = std::move(it->second.cb);
  acks_.erase(it);
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
  if (!connected() || !client_) return;
  if (!any_outgoing_.empty()) {
    const auto& pk = p->packet;
    const auto* a = pk.data.if_array();
    if (a && !a->empty() && a->front().is_string() &&
        (pk.type == pt::packet_type::event || pk.type == pt::packet_type::binary_event)) {
      const std::string_view name = a->front().get_string();
      std::span<const boost::json::value> args(a->data() + 1, a->size() - 1);
      for (std::size_t i = 0; i < any_outgoing_.size(); ++i) {
        auto h = any_outgoing_[i];
        try {
          h(*this, name, args);
        } catch (const std::exception& e) {
          srv_->log(std::string("on_any_outgoing listener threw: ") + e.what());
        } catch (...) {
          srv_->log("on_any_outgoing listener threw");
        }
      }
    }
  }
  if (client_) client_->write(*p, volatile_, compress);
}

void socket::send_packet(pt::packet p) {
  if (client_) client_->send_packet(std::move(p));
}

void socket::register_sink(std::uint64_t id, std::shared_ptr<const ack_sink> sink) {
  if (!connected()) return;
  acks_.insert_or_assign(id, pending_ack{nullptr, std::move(sink), nullptr});
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
    auto st = std::make_shared<ack::state>();
    st->s = weak_from_this();
    st->id = *p.id;
    a = ack(std::move(st));
  }
  for (std::size_t i = 0; i < any_.size() && connected(); ++i) {
    auto h = any_[i];
    try {
      h(*this, name, pl);
    } catch (const std::exception& e) {
      return fail("on_any listener threw", &e);
    } catch (...) {
      return fail("on_any listener threw", nullptr);
    }
  }
  if (middlewares_.empty()) return dispatch_event(name, pl, a);
  run_middlewares(0,
                  std::make_shared<std::pair<std::string, payload>>(std::move(name), std::move(pl)),
                  std::move(a));
}

void socket::run_middlewares(std::size_t i, std::shared_ptr<std::pair<std::string, payload>> ev,
                             ack a) {
  if (!connected()) return;
  if (i >= middlewares_.size()) return dispatch_event(ev->first, ev->second, a);
  auto m = middlewares_[i];
  next n([w = weak_from_this(), i, ev, a](std::optional<connect_error> err) mutable {
    auto s = w.lock();
    if (!s) return;
    s->srv_->pool->dispatch(s->worker_, [s, i, ev, a, err = std::move(err)]() mutable {
      if (!s->connected()) return;
      if (!err) return s->run_middlewares(i + 1, std::move(ev), std::move(a));
      for (std::size_t k = 0; k < s->error_handlers_.size(); ++k) {
        auto h = s->error_handlers_[k];
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
  auto it = handlers_.find(name);
  if (it == handlers_.end()) return;
  auto h = it->second;  // the handler may replace or remove itself
  try {
    (*h)(*this, args, a);
  } catch (const detail::argument_error& e) {
    srv_->log("event \"" + name + "\" dropped: invalid arguments: " + e.what());
  } catch (const std::exception& e) {
    fail("handler of \"" + name + "\" threw", &e);
  } catch (...) {
    fail("handler of \"" + name + "\" threw", nullptr);
  }
}

void socket::on_ack_packet(pt::packet& p) {
  if (!p.id) return;
  auto it = acks_.find(*p.id);
  if (it == acks_.end()) return;
  auto pa = std::move(it->second);
  acks_.erase(it);
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
  srv_->log(msg);
  disconnect(false);
}

void socket::join(std::vector<room> rs) {
  if (!on_worker()) {
    srv_->pool->post(worker_, [s = shared_from_this(), rs = std::move(rs)]() mutable {
      s->join(std::move(rs));
    });
    return;
  }
  if (!connected() || closing_) return;
  nsp_->adapter_->add_all(worker_, id_, rs);
}

void socket::leave(std::string_view r) {
  if (!on_worker()) {
    srv_->pool->post(worker_, [s = shared_from_this(), r = std::string(r)] { s->leave(r); });
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
    srv_->pool->post(worker_, [s = shared_from_this(), close] { s->disconnect(close); });
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
  pk.data = boost::json::object{{"sid", id_}};
  send_packet(std::move(pk));
}

void socket::on_close(disconnect_reason r) {
  if (!connected() || closing_) return;
  closing_ = true;
  auto self = shared_from_this();
  auto run = [&](std::vector<disconnect_handler>& hs, const char* what) {
    for (std::size_t i = 0; i < hs.size(); ++i) {
      auto h = hs[i];
      try {
        h(*this, r);
      } catch (const std::exception& e) {
        srv_->log(std::string(what) + " handler threw: " + e.what());
      } catch (...) {
        srv_->log(std::string(what) + " handler threw");
      }
    }
  };
  run(disconnecting_, "disconnecting");
  nsp_->adapter_->del_all(worker_, id_);
  nsp_->remove(*this);
  if (client_) client_->remove_socket(nsp_->name());
  connected_.store(false, std::memory_order_release);
  auto acks = std::move(acks_);
  acks_.clear();
  for (auto& [id, pa] : acks) {
    if (pa.timer) pa.timer->cancel();
    if (!pa.cb) continue;
    try {
      pa.cb(make_error_code(error::disconnected), {});
    } catch (const std::exception& e) {
      srv_->log(std::string("ack callback threw: ") + e.what());
    } catch (...) {
      srv_->log("ack callback threw");
    }
  }
  run(disconnect_, "disconnect");
  // Drop user callbacks (they may capture this socket) and the client (cycle).
  handlers_.clear();
  any_.clear();
  any_outgoing_.clear();
  middlewares_.clear();
  error_handlers_.clear();
  disconnecting_.clear();
  disconnect_.clear();
  client_.reset();
}

void socket::abandon() {
  connected_.store(false, std::memory_order_release);
  handlers_.clear();
  any_.clear();
  any_outgoing_.clear();
  middlewares_.clear();
  error_handlers_.clear();
  disconnecting_.clear();
  disconnect_.clear();
  acks_.clear();
  client_.reset();
}

}  // namespace sio
