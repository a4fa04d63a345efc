#include "socket_core.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <exception>
#include <utility>

namespace sio::client::detail {

namespace {
namespace pt = protocol::socketio;

// The acknowledgement the server asked for with an event: answered through the strand.
struct server_ack final : sio::ack::state {
  server_ack(std::weak_ptr<socket_core> s, std::uint64_t id) : s_(std::move(s)), id_(id) {}
  void deliver(payload p) override {
    if (auto s = s_.lock())
      s->run(
          [id = id_, p = std::move(p)](socket_core& c) mutable { c.send_ack(id, std::move(p)); });
  }

 private:
  std::weak_ptr<socket_core> s_;
  std::uint64_t id_;
};

payload to_payload(boost::json::array args, std::vector<std::string> attachments) {
  payload p;
  p.args = std::move(args);
  p.attachments.reserve(attachments.size());
  for (auto& b : attachments) p.attachments.emplace_back(std::move(b));
  return p;
}

pt::packet plain_packet(pt::packet_type t, const std::string& nsp) {
  pt::packet p;
  p.type = t;
  p.nsp = nsp;
  return p;
}
}  // namespace

void socket_core::log(std::string_view line) const {
  if (auto m = manager.lock()) m->log(line);
}

std::shared_ptr<manager_core> socket_core::mgr() const {
  auto m = manager.lock();
  return m && !m->destroyed ? m : nullptr;
}

namespace {
// Runs a user handler: what it throws is logged, never unwinds the strand.
template <class F>
void guarded(const socket_core& s, F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const std::exception& e) {
    s.log(std::string("client: a handler of ") + s.nsp + " threw: " + e.what());
  } catch (...) {
    s.log("client: a handler of " + s.nsp + " threw");
  }
}

// Calls copies of the handlers: a handler may add or remove handlers meanwhile.
template <class H, class... A>
void call_all(const socket_core& s, const std::vector<std::shared_ptr<H>>& hs, A&&... a) {
  if (hs.empty()) return;
  auto copy = hs;
  for (auto& h : copy)
    if (*h) guarded(s, [&] { (*h)(a...); });
}
}  // namespace

socket_core::socket_core(std::shared_ptr<manager_core> m, std::string nsp, socket_options options)
    : manager(m), nsp(std::move(nsp)), options(std::move(options)) {}

void socket_core::set_id(std::string v) {
  std::lock_guard lock(id_mu);
  id = std::move(v);
}

// --- connecting -------------------------------------------------------------------------------

void socket_core::connect() {
  auto m = mgr();
  if (!m || connected) return;
  active = true;
  if (!m->reconnecting()) m->open();
  if (m->opened()) on_open();
}

void socket_core::on_open() {
  if (!active || connect_sent_) return;
  connect_sent_ = true;
  const auto gen = ++connect_generation_;
  if (!options.auth_fn) return send_connect(options.auth);
  auto answer = [w = weak_from_this(), gen](boost::json::object auth) {
    if (auto s = w.lock())
      s->run([gen, auth = std::move(auth)](socket_core& c) mutable {
        if (gen == c.connect_generation_ && c.connect_sent_ && !c.connected)
          c.send_connect(std::move(auth));
      });
  };
  guarded(*this, [&] { options.auth_fn(std::move(answer)); });
}

void socket_core::send_connect(boost::json::object auth) {
  auto m = mgr();
  if (!m) return;
  auto p = plain_packet(pt::packet_type::connect, nsp);
  // As the JS client: pid and offset first, the auth's own keys over them.
  boost::json::object data;
  if (pid_) {
    data["pid"] = *pid_;
    if (last_offset_) data["offset"] = *last_offset_;
  }
  for (auto& kv : auth) data[kv.key()] = std::move(kv.value());
  if (!data.empty()) p.data = std::move(data);
  m->write(std::move(p));
}

void socket_core::on_connected(std::string sid, std::optional<std::string> pid) {
  set_id(std::move(sid));
  recovered = pid && pid_ && *pid == *pid_;
  pid_ = std::move(pid);
  connected = true;
  // Events that came before CONNECT, then what was emitted meanwhile, then "connect" (JS).
  auto received = std::exchange(receive_buffer_, {});
  for (auto& in : received) dispatch(std::move(in.event), std::move(in.args), in.ack_id);
  auto pending = std::exchange(send_buffer_, {});
  std::size_t sent = 0;
  for (; connected && sent < pending.size(); ++sent) send(std::move(pending[sent]));
  // A handler disconnected meanwhile: what was not sent stays first in the buffer.
  send_buffer_.insert(send_buffer_.begin(), std::make_move_iterator(pending.begin() + sent),
                      std::make_move_iterator(pending.end()));
  if (connected) call_all(*this, on_connect);
}

void socket_core::on_error(std::string_view message) {
  if (!active || connected) return;
  connect_sent_ = false;
  const sio::connect_error e{std::string(message), std::nullopt};
  call_all(*this, on_connect_error, e);
}

void socket_core::on_connect_error_packet(const boost::json::value& data) {
  deactivate();
  sio::connect_error e;
  if (const auto* o = data.if_object()) {
    if (const auto* m = o->if_contains("message"); m && m->is_string())
      e.message = std::string(m->get_string());
    if (const auto* d = o->if_contains("data")) e.data = *d;
  } else if (const auto* s = data.if_string()) {
    e.message = std::string(*s);
  }
  call_all(*this, on_connect_error, e);
}

void socket_core::deactivate() {
  active = false;
  connect_sent_ = false;
  if (auto m = mgr()) m->socket_inactive();
}

void socket_core::disconnect() {
  const bool was = connected;
  active = false;  // before the packet leaves: who sees the server's side sees this too
  if (was)
    if (auto m = mgr()) m->write(plain_packet(pt::packet_type::disconnect, nsp));
  deactivate();
  if (was) closed(disconnect_reason::io_client_disconnect);
}

void socket_core::on_close(disconnect_reason r) {
  if (active) closed(r);
}

void socket_core::closed(disconnect_reason r) {
  const bool was = connected.exchange(false);
  set_id({});
  connect_sent_ = false;
  if (was) call_all(*this, on_disconnect, r);
  fail_acks(error::disconnected, true);
}

void socket_core::close_all() {
  const bool was = connected.exchange(false);
  if (was)
    if (auto m = manager.lock()) m->write(plain_packet(pt::packet_type::disconnect, nsp));
  active = false;
  connect_sent_ = false;
  set_id({});
  if (was) call_all(*this, on_disconnect, disconnect_reason::io_client_disconnect);
  send_buffer_.clear();
  receive_buffer_.clear();
  fail_acks(error::closed, false);
  // Released last, after the state is consistent: a handler's captures may own this socket.
  auto ev = std::exchange(events, {});
  auto a = std::exchange(any, {});
  auto ao = std::exchange(any_outgoing, {});
  auto c = std::exchange(on_connect, {});
  auto ce = std::exchange(on_connect_error, {});
  auto d = std::exchange(on_disconnect, {});
}

// --- incoming packets -------------------------------------------------------------------------

void socket_core::on_packet(pt::packet p) {
  if (!active) return;
  switch (p.type) {
    case pt::packet_type::connect: {
      const auto* o = p.data.if_object();
      const auto* sid = o ? o->if_contains("sid") : nullptr;
      if (!sid || !sid->is_string()) {
        on_connect_error_packet(boost::json::object{
            {"message", "the server answered CONNECT without a session id (not Socket.IO v5)"}});
        return;
      }
      std::optional<std::string> pid;
      if (const auto* v = o->if_contains("pid"); v && v->is_string())
        pid = std::string(v->get_string());
      on_connected(std::string(sid->get_string()), std::move(pid));
      return;
    }
    case pt::packet_type::event:
    case pt::packet_type::binary_event:
      return on_event(std::move(p));
    case pt::packet_type::ack:
    case pt::packet_type::binary_ack:
      return on_ack(std::move(p));
    case pt::packet_type::disconnect:
      deactivate();
      return closed(disconnect_reason::io_server_disconnect);
    case pt::packet_type::connect_error:
      return on_connect_error_packet(p.data);
  }
}

void socket_core::on_event(pt::packet p) {
  auto* data = p.data.if_array();
  if (!data || data->empty()) return;
  std::string event;
  if (auto* s = (*data)[0].if_string())
    event = std::string(*s);
  else if ((*data)[0].is_number())
    event = boost::json::serialize((*data)[0]);
  else
    return log("client: an event without a name on " + nsp + " was dropped");
  data->erase(data->begin());
  auto args = to_payload(std::move(*data), std::move(p.attachments));
  if (connected) return dispatch(std::move(event), std::move(args), p.id);
  if (receive_buffer_.size() >= options.max_buffered_packets)
    return log("client: an event received before CONNECT on " + nsp + " was dropped (buffer full)");
  receive_buffer_.push_back({std::move(event), std::move(args), p.id});
}

void socket_core::dispatch(std::string event, payload args, std::optional<std::uint64_t> ack_id) {
  sio::ack a =
      ack_id ? sio::ack(std::make_shared<server_ack>(weak_from_this(), *ack_id)) : sio::ack();
  // With recovery on, the server appends each event's offset as its last argument (JS client).
  std::optional<std::string> offset;
  if (pid_ && !args.args.empty())
    if (const auto* s = args.args.back().if_string()) offset = std::string(*s);
  call_all(*this, any, std::string_view(event), args);
  if (auto it = events.find(event); it != events.end()) {
    auto list = it->second;
    std::erase_if(it->second, [](const auto& e) { return e->once; });
    if (it->second.empty()) events.erase(it);
    for (std::size_t i = 0; i < list.size(); ++i) {
      payload p = i + 1 == list.size() ? std::move(args) : args;
      auto& fn = list[i]->fn;
      if (!fn) continue;
      try {
        fn(p, a);
      } catch (const sio::detail::argument_error& e) {
        if (!sio::detail::answer_error(e, a))
          log("client: event \"" + event + "\" on " + nsp + " dropped: " + e.what());
      } catch (const std::exception& e) {
        log("client: a handler of \"" + event + "\" on " + nsp + " threw: " + e.what());
      } catch (...) {
        log("client: a handler of \"" + event + "\" on " + nsp + " threw");
      }
    }
  }
  if (offset) last_offset_ = std::move(offset);
}

void socket_core::on_ack(pt::packet p) {
  if (!p.id) return;
  auto it = acks_.find(*p.id);
  if (it == acks_.end()) return log("client: an ack with an unknown id on " + nsp + " was dropped");
  auto cb = std::move(it->second.cb);
  acks_.erase(it);
  auto* data = p.data.if_array();
  auto args = to_payload(data ? std::move(*data) : boost::json::array{}, std::move(p.attachments));
  guarded(*this, [&] { cb({}, std::move(args)); });
}

// --- emitting ---------------------------------------------------------------------------------

void socket_core::emit(std::string event, payload p, emit_flags f, ack_callback cb) {
  auto m = mgr();
  if (!m) {
    if (cb) cb(make_error_code(error::closed), {});
    return;
  }
  outgoing o;
  o.event = event;
  if (!any_outgoing.empty()) o.args = p;
  o.packet = sio::detail::event_packet(event, nsp, std::move(p));
  std::optional<std::uint64_t> id;
  if (cb) {
    id = next_ack_id_++;
    o.packet.id = id;
    pending_ack pa{std::move(cb), nullptr};
    if (auto t = f.timeout ? f.timeout : options.ack_timeout) {
      pa.timer = std::make_unique<boost::asio::steady_timer>(m->strand, *t);
      pa.timer->async_wait([w = weak_from_this(), id = *id](boost::system::error_code ec) {
        if (auto s = w.lock(); s && !ec) s->ack_timeout(id);
      });
    }
    acks_.emplace(*id, std::move(pa));
  }
  // A volatile packet goes now or never (its ack, if any, waits as in the JS client).
  if (f.volatile_ && !m->writable()) return;
  if (connected) return send(std::move(o));
  if (send_buffer_.size() < options.max_buffered_packets)
    return send_buffer_.push_back(std::move(o));
  if (!id) return log("client: an emit on " + nsp + " was dropped (send buffer full)");
  auto it = acks_.find(*id);
  auto done = std::move(it->second.cb);
  acks_.erase(it);
  guarded(*this, [&] { done(make_error_code(error::buffer_full), {}); });
}

void socket_core::send(outgoing o) {
  auto m = mgr();
  if (!m) return;
  if (!any_outgoing.empty()) call_all(*this, any_outgoing, std::string_view(o.event), o.args);
  m->write(std::move(o.packet));
}

void socket_core::send_ack(std::uint64_t id, payload p) {
  auto m = mgr();
  if (!m || !connected) return;
  pt::packet pk = plain_packet(pt::packet_type::ack, nsp);
  pk.id = id;
  pk.data = std::move(p.args);
  for (auto& b : p.attachments) pk.attachments.push_back(std::move(b.bytes));
  m->write(std::move(pk));
}

void socket_core::ack_timeout(std::uint64_t id) {
  auto it = acks_.find(id);
  if (it == acks_.end()) return;
  auto cb = std::move(it->second.cb);
  acks_.erase(it);
  std::erase_if(send_buffer_, [id](const outgoing& o) { return o.packet.id == id; });
  guarded(*this, [&] { cb(make_error_code(error::timeout), {}); });
}

void socket_core::fail_acks(error e, bool keep_buffered) {
  std::vector<ack_callback> failed;
  for (auto it = acks_.begin(); it != acks_.end();) {
    const auto id = it->first;
    const bool keep =
        keep_buffered && std::any_of(send_buffer_.begin(), send_buffer_.end(),
                                     [id](const outgoing& o) { return o.packet.id == id; });
    if (keep) {
      ++it;
      continue;
    }
    failed.push_back(std::move(it->second.cb));
    it = acks_.erase(it);
  }
  for (auto& cb : failed) guarded(*this, [&] { cb(make_error_code(e), {}); });
}

}  // namespace sio::client::detail
