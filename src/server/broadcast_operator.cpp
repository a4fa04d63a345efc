#include <sio/server/broadcast_operator.hpp>
#include <sio/server/namespace.hpp>

#include "detail.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace sio {

namespace pt = protocol::socketio;

namespace {
void add_unique(std::vector<room>& list, std::string_view r) {
  if (std::find(list.begin(), list.end(), r) == list.end()) list.emplace_back(r);
}

pt::packet make_event(std::string_view event, const std::string& nsp, payload p) {
  if (pt::is_reserved_event(event))
    throw std::invalid_argument("\"" + std::string(event) + "\" is a reserved event name");
  pt::packet pk;
  pk.type = pt::packet_type::event;
  pk.nsp = nsp;
  boost::json::array data;
  data.reserve(1 + p.args.size());
  data.emplace_back(event);
  for (auto& v : p.args) data.push_back(std::move(v));
  pk.data = std::move(data);
  pk.attachments.reserve(p.attachments.size());
  for (auto& b : p.attachments) pk.attachments.push_back(std::move(b.bytes));
  return pk;
}

// Completion state of a broadcast with acknowledgements (Node's BroadcastOperator.emit with ack).
struct ack_collector {
  std::mutex mu;
  broadcast_ack_callback cb;
  std::vector<payload> responses;
  std::size_t expected_clients = 0;
  std::size_t expected_servers = SIZE_MAX;
  std::size_t actual_servers = 0;
  bool done = false;
  std::unique_ptr<boost::asio::steady_timer> timer;
  worker_pool* pool = nullptr;
  std::size_t timer_worker = 0;
  // The callback never runs once the server's destruction began (an attached engine may keep
  // running the timer's worker after it).
  std::shared_ptr<const detail::server_state> srv;

  // Called with mu held; returns the callback to run (outside the lock) when complete.
  static broadcast_ack_callback check(const std::shared_ptr<ack_collector>& c) {
    if (c->done || c->expected_servers != c->actual_servers ||
        c->responses.size() != c->expected_clients)
      return {};
    c->done = true;
    if (c->timer) c->pool->post(c->timer_worker, [c] { c->timer->cancel(); });
    return std::move(c->cb);
  }
};
}  // namespace

broadcast_operator broadcast_operator::with_room(const std::vector<room>& list,
                                                 std::string_view r) const {
  broadcast_operator b = *this;
  add_unique(&list == &opts_.rooms ? b.opts_.rooms : b.opts_.except, r);
  return b;
}

broadcast_operator broadcast_operator::to(std::initializer_list<std::string_view> rs) const {
  broadcast_operator b = *this;
  for (auto r : rs) add_unique(b.opts_.rooms, r);
  return b;
}

broadcast_operator broadcast_operator::to(const std::vector<room>& rs) const {
  broadcast_operator b = *this;
  for (const auto& r : rs) add_unique(b.opts_.rooms, r);
  return b;
}

broadcast_operator broadcast_operator::except(std::initializer_list<std::string_view> rs) const {
  broadcast_operator b = *this;
  for (auto r : rs) add_unique(b.opts_.except, r);
  return b;
}

broadcast_operator broadcast_operator::volatile_() const {
  broadcast_operator b = *this;
  b.opts_.flags.volatile_ = true;
  return b;
}
broadcast_operator broadcast_operator::compress(bool c) const {
  broadcast_operator b = *this;
  b.opts_.flags.compress = c;
  return b;
}
broadcast_operator broadcast_operator::local() const {
  broadcast_operator b = *this;
  b.opts_.flags.local = true;
  return b;
}
broadcast_operator broadcast_operator::timeout(std::chrono::milliseconds t) const {
  broadcast_operator b = *this;
  b.opts_.flags.timeout = t;
  return b;
}

void broadcast_operator::emit_payload(std::string_view event, payload p) const {
  auto targets = nsp_->targets();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    auto pk = make_event(event, t->name(), i + 1 == targets.size() ? std::move(p) : p);
    t->get_adapter().broadcast(make_outgoing(std::move(pk)), opts_);
  }
}

void broadcast_operator::emit_with_ack(std::string_view event, payload p,
                                       broadcast_ack_callback cb) const {
  auto targets = nsp_->targets();
  auto c = std::make_shared<ack_collector>();
  c->cb = std::move(cb);
  auto& pool = nsp_->workers();
  c->pool = &pool;
  c->srv = nsp_->srv_;
  if (opts_.flags.timeout) {
    const auto cur = pool.current();
    c->timer_worker = cur < pool.size() ? cur : 0;
    c->timer = std::make_unique<boost::asio::steady_timer>(pool.context(c->timer_worker),
                                                           *opts_.flags.timeout);
    // Armed on the timer's worker: a steady_timer is used from one thread only.
    pool.dispatch(c->timer_worker, [c] {
      c->timer->async_wait([c](boost::system::error_code ec) {
        if (ec) return;
        broadcast_ack_callback run;
        std::vector<payload> partial;
        {
          std::lock_guard lk(c->mu);
          if (c->done) return;
          c->done = true;
          run = std::move(c->cb);
          partial = std::move(c->responses);
        }
        if (run && !c->srv->stopped) run(make_error_code(error::timeout), std::move(partial));
      });
    });
  }
  auto finish = [c](broadcast_ack_callback run) {
    if (!run || c->srv->stopped) return;
    std::vector<payload> all;
    {
      std::lock_guard lk(c->mu);
      all = std::move(c->responses);
    }
    run({}, std::move(all));
  };
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    auto pk = make_event(event, t->name(), i + 1 == targets.size() ? std::move(p) : p);
    pk.id = t->next_ack_id();
    t->get_adapter().broadcast_with_ack(
        make_outgoing(std::move(pk)), opts_,
        [c, finish](std::size_t n) {
          broadcast_ack_callback run;
          {
            std::lock_guard lk(c->mu);
            c->expected_clients += n;
            c->actual_servers++;
            run = ack_collector::check(c);
          }
          finish(std::move(run));
        },
        [c, finish](payload r) {
          broadcast_ack_callback run;
          {
            std::lock_guard lk(c->mu);
            if (c->done) return;
            c->responses.push_back(std::move(r));
            run = ack_collector::check(c);
          }
          finish(std::move(run));
        });
  }
  // Every target namespace reports once per server.
  const std::size_t per_target = targets.size();
  auto counted = std::make_shared<std::atomic<std::size_t>>(0);
  auto total = std::make_shared<std::atomic<std::size_t>>(0);
  if (per_target == 0) {
    broadcast_ack_callback run;
    {
      std::lock_guard lk(c->mu);
      c->expected_servers = 0;
      run = ack_collector::check(c);
    }
    return finish(std::move(run));
  }
  for (auto& t : targets) {
    t->get_adapter().server_count([c, finish, counted, total, per_target](std::size_t n) {
      total->fetch_add(n, std::memory_order_relaxed);
      if (counted->fetch_add(1, std::memory_order_acq_rel) + 1 != per_target) return;
      broadcast_ack_callback run;
      {
        std::lock_guard lk(c->mu);
        c->expected_servers = total->load(std::memory_order_relaxed);
        run = ack_collector::check(c);
      }
      finish(std::move(run));
    });
  }
}

void broadcast_operator::socket_ids(std::function<void(std::vector<std::string>)> cb) const {
  nsp_->get_adapter().sockets(opts_.rooms,
                              [srv = nsp_->srv_, cb = std::move(cb)](std::vector<std::string> ids) {
                                if (!srv->stopped) cb(std::move(ids));
                              });
}

void broadcast_operator::fetch_sockets(std::function<void(std::vector<remote_socket>)> cb) const {
  nsp_->get_adapter().fetch_sockets(
      opts_, [nsp = nsp_, cb = std::move(cb)](std::vector<socket_info> infos) {
        if (nsp->srv_->stopped) return;  // the server is being destroyed
        std::vector<remote_socket> out;
        out.reserve(infos.size());
        for (auto& i : infos) out.emplace_back(nsp, std::move(i));
        cb(std::move(out));
      });
}

void broadcast_operator::sockets_join(std::initializer_list<std::string_view> rs) const {
  nsp_->get_adapter().add_sockets(opts_, std::vector<room>(rs.begin(), rs.end()));
}

void broadcast_operator::sockets_leave(std::initializer_list<std::string_view> rs) const {
  nsp_->get_adapter().del_sockets(opts_, std::vector<room>(rs.begin(), rs.end()));
}

void broadcast_operator::disconnect_sockets(bool close) const {
  nsp_->get_adapter().disconnect_sockets(opts_, close);
}

}  // namespace sio
