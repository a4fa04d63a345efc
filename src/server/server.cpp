#include <sio/server/server.hpp>

#include "detail.hpp"

#include <algorithm>

namespace sio {

namespace detail {

std::shared_ptr<namespace_> server_state::get_or_create(std::string_view name) {
  std::lock_guard lk(mu);
  auto it = nsps.find(std::string(name));
  if (it != nsps.end()) return it->second;
  auto n = std::make_shared<namespace_>(shared_from_this(), std::string(name));
  nsps.emplace(std::string(name), n);
  return n;
}

std::shared_ptr<namespace_> server_state::find_for_connect(std::string_view name,
                                                           const boost::json::object& auth) {
  std::vector<std::shared_ptr<namespace_>> ps;
  {
    std::lock_guard lk(mu);
    if (auto it = nsps.find(std::string(name)); it != nsps.end()) return it->second;
    ps = parents;
  }
  // User predicates run outside the lock.
  for (auto& p : ps) {
    bool match = false;
    try {
      match = p->parent_of_(name, auth);
    } catch (const std::exception& e) {
      log(std::string("namespace predicate threw: ") + e.what());
    }
    if (!match) continue;
    std::lock_guard lk(mu);
    if (auto it = nsps.find(std::string(name)); it != nsps.end()) return it->second;
    auto child = p->create_child(std::string(name));
    nsps.emplace(std::string(name), child);
    return child;
  }
  return nullptr;
}

metrics_snapshot server_state::snapshot() const {
  metrics_snapshot m;
  if (!metrics) return m;
  for (std::size_t w = 0; w < metrics->workers(); ++w)
    m.workers.push_back(metrics->block(w).read());
  m.other_threads = metrics->block(metrics->workers()).read();
  std::lock_guard lk(mu);
  for (const auto& [name, n] : nsps)
    m.namespaces.push_back({name, n->local_socket_count(), n->get_adapter().local_room_count()});
  std::sort(m.namespaces.begin(), m.namespaces.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return m;
}

void server_state::request_done(adapter_request t, std::chrono::steady_clock::time_point start,
                                bool timed_out) noexcept {
  if (!metrics) return;
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  metrics->request_done(pool->current(), t,
                        static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0)), timed_out);
}

void request_timer::done(bool timed_out) const noexcept {
  st_->request_done(type_, start_, timed_out);
}

namespace {
// Waits `period` on worker w, records how late the wait ended, again while `st` lives.
void check_lag(const std::weak_ptr<server_state>& st, std::size_t w,
               std::shared_ptr<boost::asio::steady_timer> t, std::chrono::milliseconds period) {
  t->expires_after(period);
  auto* timer = t.get();
  timer->async_wait([st, w, t = std::move(t), period](boost::system::error_code ec) mutable {
    auto s = st.lock();
    if (ec || !s || s->stopped) return;
    const auto late = std::chrono::steady_clock::now() - t->expiry();
    s->metrics->loop_lag(w, std::chrono::duration_cast<std::chrono::nanoseconds>(late).count());
    check_lag(st, w, std::move(t), period);
  });
}
}  // namespace

void server_state::start_lag_checks(std::chrono::milliseconds period) {
  if (!metrics) return;
  for (std::size_t w = 0; w < workers.size(); ++w) {
    auto t = std::make_shared<boost::asio::steady_timer>(pool->context(w));
    workers[w].lag_timer = t;
    check_lag(weak_from_this(), w, std::move(t), period);
  }
}

void server_state::teardown_worker(std::size_t w) {
  if (auto t = workers[w].lag_timer.lock()) t->cancel();
  auto clients = std::move(workers[w].clients);
  workers[w].clients.clear();
  for (auto& [c, cl] : clients) cl->abandon();
  std::vector<std::shared_ptr<namespace_>> ns;
  {
    std::lock_guard lk(mu);
    for (auto& [name, n] : nsps) ns.push_back(n);
    ns.insert(ns.end(), parents.begin(), parents.end());
  }
  // A socket is in a shard only while its client is in `clients`: abandoned with it above.
  for (auto& n : ns) {
    auto socks = std::move(n->shards_[w].sockets);
    n->shards_[w].sockets.clear();
    n->shards_[w].count.store(0, std::memory_order_relaxed);
  }
}

void server_state::teardown_here() {
  for (std::size_t w = 0; w < workers.size(); ++w) teardown_worker(w);
  teardown();
}

void server_state::teardown() {
  stopped = true;
  std::unordered_map<std::string, std::shared_ptr<namespace_>> ns;
  std::vector<std::shared_ptr<namespace_>> ps;
  {
    std::lock_guard lk(mu);
    ns = std::move(nsps);
    ps = std::move(parents);
    nsps.clear();
    parents.clear();
  }
  for (auto& [name, n] : ns) n->abandon();
  for (auto& p : ps) p->abandon();
}

}  // namespace detail

// The Engine.IO handler: routes each connection's callbacks to its client (on its worker).
class server::handler final : public engineio::handler {
 public:
  explicit handler(std::shared_ptr<detail::server_state> st) : st_(std::move(st)) {}

  void on_open(const engineio::connection_ptr& c) override {
    if (st_->stopped.load()) return c->close();
    const auto w = c->worker_index();
    st_->count(
        w, is_websocket(*c) ? &counter_block::websocket_opened : &counter_block::polling_opened);
    auto cl = std::make_shared<detail::client>(st_, c);
    st_->workers[w].clients.emplace(c.get(), cl);
    cl->start();
  }
  void on_message(engineio::connection& c, std::string_view text) override {
    received(c, text.size());
    if (auto cl = find(c)) cl->on_text(text);
  }
  void on_binary(engineio::connection& c, std::string_view bytes) override {
    received(c, bytes.size());
    if (auto cl = find(c)) cl->on_binary(bytes);
  }
  void on_upgrade(engineio::connection& c) override {
    st_->count(c.worker_index(), &counter_block::upgraded);
  }
  void on_request_error(std::size_t w, protocol::engineio::request_error e) override {
    if (st_->metrics) st_->metrics->request_error(w, static_cast<std::size_t>(e));
  }
  void on_close(engineio::connection& c, engineio::close_reason r) override {
    auto& m = st_->workers[c.worker_index()].clients;
    auto it = m.find(&c);
    if (it == m.end()) return;
    auto cl = std::move(it->second);
    m.erase(it);
    st_->count(c.worker_index(),
               is_websocket(c) ? &counter_block::websocket_closed : &counter_block::polling_closed);
    cl->on_engine_close(r);
  }
  void on_detach() override { st_->detached = true; }

 private:
  using counter_block = detail::counter_block;
  static bool is_websocket(const engineio::connection& c) noexcept {
    return c.transport() == "websocket";
  }
  void received(engineio::connection& c, std::size_t bytes) noexcept {
    if (!st_->metrics) return;
    st_->metrics->add(c.worker_index(), &counter_block::packets_in);
    st_->metrics->add(c.worker_index(), &counter_block::bytes_in, bytes);
  }
  std::shared_ptr<detail::client> find(engineio::connection& c) {
    auto& m = st_->workers[c.worker_index()].clients;
    auto it = m.find(&c);
    return it == m.end() ? nullptr : it->second;
  }
  std::shared_ptr<detail::server_state> st_;
};

server::server(std::shared_ptr<worker_pool> workers, server_options opts) {
  init(std::move(workers), std::move(opts));
}

void server::init(std::shared_ptr<worker_pool> workers, server_options opts) {
  st_ = std::make_shared<detail::server_state>();
  st_->opts = std::move(opts);
  if (!st_->opts.parser) {
    st_->opts.parser = std::make_shared<json_parser>(
        protocol::socketio::decoder_limits{.max_attachments = st_->opts.max_attachments});
  }
  st_->json_parser = dynamic_cast<const json_parser*>(st_->opts.parser.get()) != nullptr;
  st_->pool = std::move(workers);
  st_->workers = std::vector<detail::server_state::worker>(st_->pool->size());
  if (st_->opts.metrics.enabled)
    st_->metrics = std::make_unique<detail::counters>(st_->pool->size());
  handler_ = std::make_shared<handler>(st_);
  st_->get_or_create("/");
}

server::~server() {
  st_->stopped = true;  // connections opening from now on are closed at once
  const bool done = engine_ && engine_->release(*st_, handler_);
  engine_.reset();
  if (done) {
    st_->teardown();
  } else {
    st_->teardown_here();
  }
}

std::shared_ptr<engineio::handler> server::engine_handler() const {
  return handler_;
}

namespace_& server::of(std::string_view name) {
  std::string n(name);
  if (n.empty() || n.front() != '/') n.insert(n.begin(), '/');
  return *st_->get_or_create(n);
}

namespace_& server::of(std::regex re) {
  return of([re = std::move(re)](std::string_view name, const boost::json::object&) {
    return std::regex_match(name.begin(), name.end(), re);
  });
}

namespace_& server::of(namespace_::matcher pred) {
  std::lock_guard lk(st_->mu);
  auto p = std::make_shared<namespace_>(st_, "/_" + std::to_string(st_->parents.size() + 1),
                                        std::move(pred));
  st_->parents.push_back(p);
  return *p;
}

broadcast_operator server::with_flags(broadcast_flags f) const {
  broadcast_options o;
  o.flags = f;
  return broadcast_operator(st_->get_or_create("/"), std::move(o));
}

void server::start() {
  if (engine_) engine_->start();
}

void server::run() {
  if (engine_) engine_->run();
}

void server::stop() {
  if (engine_ && engine_->stop()) return;
  if (st_->detached) return;  // the engine is gone, and every client with it
  // No engine of ours: close every client on its worker.
  auto st = st_;
  for (std::size_t w = 0; w < st->pool->size(); ++w) {
    st->pool->dispatch(w, [st, w] {
      std::vector<std::shared_ptr<detail::client>> cs;
      for (auto& [c, cl] : st->workers[w].clients) cs.push_back(cl);
      for (auto& cl : cs) cl->close(disconnect_reason::server_shutting_down);
    });
  }
}

std::uint16_t server::port() const noexcept {
  return engine_ && !st_->detached ? engine_->port() : 0;
}
std::uint16_t server::metrics_port() const noexcept {
  return engine_ ? engine_->metrics_port() : 0;
}
metrics_snapshot server::metrics() const {
  return st_->snapshot();
}

worker_pool& server::workers() noexcept {
  return *st_->pool;
}
engineio::server* server::engine() noexcept {
  return engine_ && !st_->detached ? engine_->engine() : nullptr;
}

}  // namespace sio
