#include <sio/server/broadcast_operator.hpp>
#include <sio/server/namespace.hpp>

#include "detail.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <utility>

namespace sio {

namespace {
void add_unique(std::vector<room>& list, std::string_view r) {
  if (std::find(list.begin(), list.end(), r) == list.end()) list.emplace_back(r);
}

// Completion state of a broadcast with acknowledgements (Node's BroadcastOperator.emit with ack):
// complete once every server reported its client count and every counted client answered, or
// when the timeout fires first.
struct ack_collector : std::enable_shared_from_this<ack_collector> {
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
  // The adapter's part (every server's client count) is timed until it is whole or times out.
  std::optional<detail::request_timer> counting;

  // Runs `change` under the lock, then completes if that made the collection whole.
  template <class F>
  void update(F&& change) {
    broadcast_ack_callback run;
    std::vector<payload> all;
    {
      std::lock_guard lk(mu);
      if (done) return;
      change();
      if (expected_servers != actual_servers) return;
      if (counting) std::exchange(counting, std::nullopt)->done();
      if (responses.size() != expected_clients) return;
      done = true;
      run = std::move(cb);
      all = std::move(responses);
    }
    if (timer) pool->post(timer_worker, [c = shared_from_this()] { c->timer->cancel(); });
    if (!srv->stopped) run({}, std::move(all));
  }

  // Completes with error::timeout and the answers so far.
  void expire() {
    broadcast_ack_callback run;
    std::vector<payload> partial;
    {
      std::lock_guard lk(mu);
      if (done) return;
      done = true;
      run = std::move(cb);
      partial = std::move(responses);
      if (counting) std::exchange(counting, std::nullopt)->done(true);
    }
    if (!srv->stopped) run(make_error_code(error::timeout), std::move(partial));
  }

  // Armed on the caller's worker (or worker 0): a steady_timer is used from one thread only.
  void arm(std::chrono::milliseconds t) {
    const auto cur = pool->current();
    timer_worker = cur < pool->size() ? cur : 0;
    timer = std::make_unique<boost::asio::steady_timer>(pool->context(timer_worker), t);
    pool->dispatch(timer_worker, [c = shared_from_this()] {
      c->timer->async_wait([c](boost::system::error_code ec) {
        if (!ec) c->expire();
      });
    });
  }
};

// Sums the server counts of every target namespace, then tells the collector once.
void count_servers(const std::vector<std::shared_ptr<namespace_>>& targets,
                   const std::shared_ptr<ack_collector>& c) {
  if (targets.empty()) return c->update([&] { c->expected_servers = 0; });
  struct tally {
    std::atomic<std::size_t> reported{0}, servers{0};
  };
  auto t = std::make_shared<tally>();
  const std::size_t n = targets.size();
  for (auto& nsp : targets) {
    nsp->get_adapter().server_count([c, t, n](std::size_t servers) {
      t->servers.fetch_add(servers, std::memory_order_relaxed);
      if (t->reported.fetch_add(1, std::memory_order_acq_rel) + 1 != n) return;
      c->update([&] { c->expected_servers = t->servers.load(std::memory_order_relaxed); });
    });
  }
}
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

broadcast_operator broadcast_operator::with_flags(broadcast_flags f) const {
  broadcast_operator b = *this;
  b.opts_.flags = f;
  return b;
}

void broadcast_operator::emit_payload(std::string_view event, payload p) const {
  auto targets = nsp_->targets();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    auto pk = detail::event_packet(event, t->name(), i + 1 == targets.size() ? std::move(p) : p);
    t->srv_->count_here(&detail::counter_block::broadcasts);
    t->get_adapter().broadcast(t->encode(std::move(pk), opts_), opts_);
  }
}

void broadcast_operator::start_emit_with_ack(std::string_view event, payload p,
                                             broadcast_ack_callback cb) const {
  auto targets = nsp_->targets();
  auto c = std::make_shared<ack_collector>();
  c->cb = std::move(cb);
  c->pool = &nsp_->workers();
  c->srv = nsp_->srv_;
  c->counting.emplace(nsp_->srv_, adapter_request::broadcast_ack);
  if (opts_.flags.timeout) c->arm(*opts_.flags.timeout);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto& t = targets[i];
    auto pk = detail::event_packet(event, t->name(), i + 1 == targets.size() ? std::move(p) : p);
    pk.id = t->next_ack_id();
    t->srv_->count_here(&detail::counter_block::broadcasts);
    t->get_adapter().broadcast_with_ack(
        t->encode_packet(std::move(pk)), opts_,
        [c](std::size_t n) {
          c->update([&] {
            c->expected_clients += n;
            c->actual_servers++;
          });
        },
        [c](payload r) { c->update([&] { c->responses.push_back(std::move(r)); }); });
  }
  // Every target namespace reports once per server.
  count_servers(targets, c);
}

void broadcast_operator::start_socket_ids(std::function<void(std::vector<std::string>)> cb) const {
  detail::request_timer timer(nsp_->srv_, adapter_request::socket_ids);
  nsp_->get_adapter().sockets(
      opts_.rooms, [srv = nsp_->srv_, timer, cb = std::move(cb)](std::vector<std::string> ids) {
        timer.done();
        if (!srv->stopped) cb(std::move(ids));
      });
}

void broadcast_operator::start_fetch_sockets(
    std::function<void(std::vector<remote_socket>)> cb) const {
  detail::request_timer timer(nsp_->srv_, adapter_request::fetch_sockets);
  nsp_->get_adapter().fetch_sockets(
      opts_, [nsp = nsp_, timer, cb = std::move(cb)](std::vector<socket_info> infos) {
        timer.done();
        if (nsp->srv_->stopped) return;  // the server is being destroyed
        std::vector<remote_socket> out;
        out.reserve(infos.size());
        for (auto& i : infos) out.emplace_back(nsp, std::move(i));
        cb(std::move(out));
      });
}

// As emit: on a dynamic namespace's parent, each of its children.
void broadcast_operator::sockets_join(std::initializer_list<std::string_view> rs) const {
  for (auto& t : nsp_->targets())
    t->get_adapter().add_sockets(opts_, std::vector<room>(rs.begin(), rs.end()));
}

void broadcast_operator::sockets_leave(std::initializer_list<std::string_view> rs) const {
  for (auto& t : nsp_->targets())
    t->get_adapter().del_sockets(opts_, std::vector<room>(rs.begin(), rs.end()));
}

void broadcast_operator::disconnect_sockets(bool close) const {
  for (auto& t : nsp_->targets()) t->get_adapter().disconnect_sockets(opts_, close);
}

}  // namespace sio
