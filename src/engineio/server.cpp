#include "detail.hpp"

#include <sio/engineio/random_id.hpp>

#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>

namespace sio::engineio {

std::string_view to_string(close_reason r) noexcept {
  switch (r) {
    case close_reason::transport_close:
      return "transport close";
    case close_reason::transport_error:
      return "transport error";
    case close_reason::ping_timeout:
      return "ping timeout";
    case close_reason::parse_error:
      return "parse error";
    case close_reason::forced_close:
      return "forced close";
    case close_reason::server_shutdown:
      return "server shutting down";
  }
  return "transport error";
}

namespace detail {
namespace {
thread_local std::size_t tls_worker = static_cast<std::size_t>(-1);
thread_local const server_impl* tls_server = nullptr;

// Stops a worker's io_context once its connections are gone (or at the deadline).
struct drain_wait : std::enable_shared_from_this<drain_wait> {
  drain_wait(worker& wk, std::chrono::steady_clock::time_point d)
      : w(wk), timer(wk.ctx), deadline(d) {}
  void check() {
    if (w.live.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      w.ctx.stop();
      return;
    }
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([self = shared_from_this()](error_code) { self->check(); });
  }
  worker& w;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point deadline;
};
}  // namespace

server_impl::server_impl(server_options o)
    : opts(std::move(o)),
      proxies(opts.trust_proxy),
      per_address(opts.max_connections_per_address),
      handshakes(opts.handshakes_per_second, static_cast<double>(opts.handshake_burst),
                 opts.handshake_tracked_addresses) {
  std::size_t n = opts.workers;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < n; ++i) {
    auto w = std::make_unique<worker>();
    w->index = i;
    w->flush_delay = opts.write_delay;
    workers.push_back(std::move(w));
  }
}

server_impl::~server_impl() {
  for (auto& w : workers) w->ctx.shutdown();
  // The sessions still open end here, while their workers exist (their destructors disarm the
  // workers' deadlines), and outside the table's lock.
  sid_table open;
  {
    std::lock_guard lock(table_mtx);
    open.swap(table);
  }
}

std::optional<handshake_refusal> server_impl::refuse_handshake(const request_info& info) {
  if (const auto wait = handshakes.take(info.remote_address, std::chrono::steady_clock::now()))
    return handshake_refusal{http::status::too_many_requests, "Too many handshakes", *wait};
  std::lock_guard lock(table_mtx);
  if (table.size() >= opts.max_connections)
    return handshake_refusal{http::status::service_unavailable, "Too many connections"};
  return std::nullopt;
}

std::optional<address_slot> server_impl::admit(const tcp::endpoint& peer) {
  if (connections.load() >= opts.max_connections) return std::nullopt;
  if (opts.max_connections_per_address == 0 || proxies.contains(peer.address()))
    return address_slot{};
  return per_address.acquire(peer.address().to_string());
}

std::size_t sid_hash::operator()(const std::shared_ptr<session>& s) const noexcept {
  return (*this)(s->id());
}

std::string_view sid_equal::key(const std::shared_ptr<session>& s) noexcept {
  return s->id();
}

std::optional<table_entry> server_impl::lookup(std::string_view sid) {
  std::lock_guard lock(table_mtx);
  const auto it = table.find(sid);
  if (it == table.end()) return std::nullopt;
  const auto& s = *it;
  return table_entry{s, s->worker_index(), s->ep().index};
}

void server_impl::add_session(std::shared_ptr<session> s) {
  std::lock_guard lock(table_mtx);
  table.insert(std::move(s));
}

void server_impl::remove_session(std::string_view sid) {
  sid_table::node_type gone;  // released after the lock: it may hold the last reference
  std::lock_guard lock(table_mtx);
  if (const auto it = table.find(sid); it != table.end()) gone = table.extract(it);
}

std::vector<std::shared_ptr<session>> server_impl::sessions_of(const worker& w,
                                                               const endpoint* ep) {
  std::vector<std::shared_ptr<session>> ss;
  std::lock_guard lock(table_mtx);
  for (const auto& s : table)
    if (s->worker_index() == w.index && (!ep || &s->ep() == ep)) ss.push_back(s);
  return ss;
}

std::string server_impl::generate_id() {
  for (;;) {
    auto id = random_id(base64id_length);
    std::lock_guard lock(table_mtx);
    if (!table.contains(std::string_view(id))) return id;
  }
}

std::shared_ptr<asio::ssl::context> server_impl::tls_context() {
  std::lock_guard lock(tls_mtx);
  return tls_ctx;
}

error_code server_impl::load_tls() {
  if (!opts.tls) return make_error_code(std::errc::operation_not_supported);
  error_code ec;
  auto ctx = make_tls_context(*opts.tls, ec);
  if (ec) return ec;
  std::lock_guard lock(tls_mtx);
  tls_ctx = std::move(ctx);
  return {};
}

void server_impl::do_accept() {
  if (stopping || !acceptor) return;
  worker& w = *workers[next_worker];
  next_worker = (next_worker + 1) % workers.size();
  // The peer's address comes with accept() itself (no getpeername per connection).
  acceptor->async_accept(w.ctx, accept_peer, [this, &w](error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || stopping) return;
    if (out_of_resources(ec)) return back_off_accept(ec);
    accept_backoff = {};
    if (!ec) hand_over(w, std::move(s), accept_peer);
    do_accept();
  });
}

bool server_impl::out_of_resources(error_code ec) noexcept {
  namespace errc = boost::system::errc;
  return ec == errc::too_many_files_open || ec == errc::too_many_files_open_in_system ||
         ec == errc::no_buffer_space || ec == errc::not_enough_memory;
}

void server_impl::back_off_accept(error_code ec) {
  // Out of descriptors or memory, the pending connection stays in the backlog and accept would
  // fail again at once: wait (100 ms, doubling up to 1 s) while the open connections are served.
  using std::chrono::milliseconds;
  accept_backoff = std::min<std::chrono::milliseconds>(
      accept_backoff.count() == 0 ? milliseconds(100) : accept_backoff * 2, milliseconds(1000));
  std::fprintf(stderr, "sio: accept failed (%s); retrying in %lld ms\n", ec.message().c_str(),
               static_cast<long long>(accept_backoff.count()));
  accept_timer->expires_after(accept_backoff);
  accept_timer->async_wait([this](error_code e) {
    if (!e) do_accept();
  });
}

void server_impl::hand_over(worker& w, tcp::socket s, const tcp::endpoint& peer) {
  auto slot = admit(peer);
  if (!slot) {
    error_code ignored;
    s.close(ignored);
    return;
  }
  asio::post(w.ctx, [this, &w, s = std::move(s), peer, slot = std::move(*slot)]() mutable {
    if (stopping) return;
    std::make_shared<http_connection>(*this, w, std::move(s), peer, std::move(slot))->start();
  });
}

void server_impl::shutdown_worker(worker& w) {
  // Close every session this worker owns, then every idle HTTP connection, then wait (bounded) for
  // the last writes to finish before stopping the io_context.
  for (auto& s : sessions_of(w)) s->shutdown();
  std::vector<std::shared_ptr<http_connection>> cs;
  {
    std::lock_guard lock(w.conn_mtx);
    for (auto& [k, c] : w.connections)
      if (auto p = c.lock()) cs.push_back(std::move(p));
  }
  for (auto& c : cs) c->shutdown();
  cs.clear();
  std::make_shared<drain_wait>(w, std::chrono::steady_clock::now() + std::chrono::seconds(2))
      ->check();
}

void server_impl::run_worker(worker& w) {
  tls_worker = w.index;
  tls_server = this;
  for (;;) {
    try {
      w.ctx.run();
      break;
    } catch (...) {
      // A handler must never unwind the io_context; keep serving.
    }
  }
  std::lock_guard lock(run_mtx);
  w.running = false;
  run_cv.notify_all();
}

void server_impl::run_on_each_worker(const std::function<void(std::size_t)>& f) {
  const std::size_t n = workers.size();
  const std::size_t self = tls_server == this ? tls_worker : n;
  auto done = std::make_shared<std::vector<char>>(n, 0);  // under run_mtx
  std::vector<std::size_t> posted, here;
  {
    std::lock_guard lock(run_mtx);
    for (std::size_t i = 0; i < n; ++i) {
      if (i == self || !workers[i]->running) {
        here.push_back(i);
        continue;
      }
      posted.push_back(i);
      // `f` outlives the wait below; a worker that stops first never runs this.
      asio::post(workers[i]->ctx, [this, done, i, &f] {
        try {
          f(i);
        } catch (...) {
        }
        std::lock_guard lock(run_mtx);
        (*done)[i] = 1;
        run_cv.notify_all();
      });
    }
  }
  for (const auto i : here) f(i);
  std::unique_lock lock(run_mtx);
  for (const auto i : posted) {
    run_cv.wait(lock, [&] { return (*done)[i] || !workers[i]->running; });
    if ((*done)[i]) continue;
    // The worker stopped before reaching it: nothing runs there any more.
    lock.unlock();
    f(i);
    lock.lock();
  }
}

void server_impl::close_sessions(worker& w, const endpoint& ep) {
  for (auto& s : sessions_of(w, &ep)) s->shutdown();
}

bool allows_any_origin(const cors_options& c) noexcept {
  return c.origins.empty() || (c.origins.size() == 1 && c.origins.front() == "*");
}

request_info make_request_info(const request_head& req, const tcp::endpoint& remote,
                               const trusted_proxies& proxies, bool tls) {
  request_info info;
  info.url = std::string(req.target());
  info.remote_port = remote.port();
  info.secure = tls;
  if (proxies.empty()) {
    info.remote_address = remote.address().to_string();
  } else {
    // Every X-Forwarded-For field joined in order, and the first X-Forwarded-Proto (names compared
    // without case), as Beast's fields give them.
    std::string forwarded_for;
    std::optional<std::string_view> forwarded_proto;
    req.for_each_field([&](std::string_view name, std::string_view value) {
      if (beast::iequals(name, "X-Forwarded-For")) {
        if (!forwarded_for.empty()) forwarded_for += ", ";
        forwarded_for += value;
      } else if (!forwarded_proto && beast::iequals(name, "X-Forwarded-Proto")) {
        forwarded_proto = value;
      }
    });
    info.remote_address = proxies.client_address(remote.address(), forwarded_for);
    info.secure = tls || proxies.forwarded_secure(remote.address(), forwarded_proto.value_or(""));
  }
  string_table::builder headers;
  std::string name;
  req.for_each_field([&](std::string_view field_name, std::string_view value) {
    name.assign(field_name);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers.add(name, value);
  });
  info.headers = headers.build(string_table::duplicates::join);
  info.query = string_table::from(eio::parse_query(req.target()));
  info.issued_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return info;
}

http::response<http::string_body> make_response(http::status st, std::string_view content_type,
                                                std::string body, unsigned version) {
  http::response<http::string_body> res{st, version};
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http::response<http::string_body> make_error_response(eio::request_error e, std::string_view msg) {
  return make_response(static_cast<http::status>(eio::http_status(e)), "application/json",
                       eio::encode_error_body(e, msg));
}

}  // namespace detail

// --- server --------------------------------------------------------------------------------------

struct server::impl : detail::server_impl {
  using detail::server_impl::server_impl;
};

server::server(server_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

server::~server() {
  stop();
  std::vector<const handler*> told;
  for (auto& ep : impl_->endpoints) {
    if (ep->detached.exchange(true)) continue;
    if (std::find(told.begin(), told.end(), ep->h.get()) != told.end()) continue;
    told.push_back(ep->h.get());
    try {
      ep->h->on_detach();
    } catch (...) {
    }
  }
}

void server::attach(endpoint_options opts, std::shared_ptr<handler> h) {
  if (opts.cors.enabled && opts.cors.credentials && detail::allows_any_origin(opts.cors))
    throw std::invalid_argument(
        "cors: credentials need an explicit list of origins (not empty, not \"*\"): a "
        "credentialed request is never allowed from any origin");
  if (const auto& d = opts.per_message_deflate) {
    const auto bits_ok = [](int b) {
      return b == 0 || (b >= protocol::permessage_deflate::min_window_bits &&
                        b <= protocol::permessage_deflate::max_window_bits);
    };
    if (!bits_ok(d->server_max_window_bits) || !bits_ok(d->client_max_window_bits) ||
        d->level < -1 || d->level > 9 || d->mem_level < 1 || d->mem_level > 9)
      throw std::invalid_argument(
          "per_message_deflate: window bits 8..15 (or 0), level -1..9, mem_level 1..9");
  }
  if (opts.http_compression.level < -1 || opts.http_compression.level > 9)
    throw std::invalid_argument("http_compression: level must be -1 (zlib's default) to 9");
  auto ep = std::make_unique<detail::endpoint>();
  std::string path = opts.path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  path += '/';
  ep->path = std::move(path);
  ep->opts = std::move(opts);
  ep->h = std::move(h);
  ep->index = impl_->endpoints.size();
  impl_->endpoints.push_back(std::move(ep));
}

void server::detach(const std::shared_ptr<handler>& h) {
  auto& s = *impl_;
  std::vector<const detail::endpoint*> eps;
  for (auto& ep : s.endpoints)
    if (ep->h == h && !ep->detached.exchange(true)) eps.push_back(ep.get());
  if (eps.empty()) return;
  s.run_on_each_worker([&](std::size_t i) {
    for (const auto* ep : eps) s.close_sessions(*s.workers[i], *ep);
  });
  try {
    h->on_detach();
  } catch (...) {
  }
}

void server::on_request(http_handler h) {
  impl_->app = std::move(h);
}

void server::on_request(std::string path, http_handler h) {
  impl_->app_routes.insert_or_assign(std::move(path), std::move(h));
}

void server::start() {
  auto& s = *impl_;
  if (s.started) return;
  if (s.opts.tls) {
    if (const auto ec = s.load_tls()) throw boost::system::system_error(ec, "TLS certificate");
  }
  prepare_random_ids();  // session ids: the first handshake does not wait for the CSPRNG's setup
  if (s.started.exchange(true)) return;
  auto& w0 = *s.workers[0];
  const auto addr = detail::asio::ip::make_address(s.opts.address);
  detail::tcp::endpoint ep{addr, s.opts.port};
  s.acceptor.emplace(w0.ctx);
  s.accept_timer.emplace(w0.ctx);
  s.acceptor->open(ep.protocol());
  s.acceptor->set_option(detail::asio::socket_base::reuse_address(true));
  s.acceptor->bind(ep);
  s.acceptor->listen(detail::asio::socket_base::max_listen_connections);
  s.port = s.acceptor->local_endpoint().port();
  for (auto& w : s.workers) {
    w->guard.emplace(w->ctx.get_executor());
    {
      std::lock_guard lock(s.run_mtx);
      w->running = true;
    }
    w->thread = std::thread([&s, wp = w.get()] { s.run_worker(*wp); });
  }
  detail::asio::post(w0.ctx, [&s] { s.do_accept(); });
}

void server::run() {
  start();
  {
    std::unique_lock lock(impl_->stop_mtx);
    impl_->stopped_cv.wait(lock, [&] { return impl_->stopping.load(); });
  }
  stop();  // joins the workers (when stop() was first called from a worker, nobody else did)
}

void server::stop() {
  auto& s = *impl_;
  std::unique_lock lock(s.stop_mtx);
  if (!s.started) return;
  if (!s.stopping.exchange(true)) {
    detail::asio::post(s.workers[0]->ctx, [&s] {
      if (s.acceptor) {
        detail::error_code ec;
        s.acceptor->close(ec);
        s.accept_timer->cancel();
      }
    });
    for (auto& w : s.workers) {
      detail::asio::post(w->ctx, [&s, wp = w.get()] { s.shutdown_worker(*wp); });
      w->guard.reset();
    }
    s.stopped_cv.notify_all();
  }
  // A worker cannot join itself: it only starts the stop.
  if (current_worker() < s.workers.size()) return;
  if (s.stopped) return;
  if (s.joining) {
    s.stopped_cv.wait(lock, [&] { return s.stopped; });
    return;
  }
  s.joining = true;
  lock.unlock();
  for (auto& w : s.workers)
    if (w->thread.joinable()) w->thread.join();
  lock.lock();
  s.stopped = true;
  s.stopped_cv.notify_all();
}

std::uint16_t server::port() const noexcept {
  return impl_->port;
}
std::size_t server::worker_count() const noexcept {
  return impl_->workers.size();
}
boost::asio::io_context& server::worker(std::size_t i) noexcept {
  return impl_->workers[i]->ctx;
}
std::size_t server::current_worker() const noexcept {
  if (detail::tls_server == impl_.get()) return detail::tls_worker;
  return impl_->workers.size();
}
void server::run_on_each_worker(const std::function<void(std::size_t)>& f) {
  impl_->run_on_each_worker(f);
}
boost::system::error_code server::reload_tls() {
  return impl_->load_tls();
}
std::size_t server::session_count() const noexcept {
  std::lock_guard lock(impl_->table_mtx);
  return impl_->table.size();
}

}  // namespace sio::engineio
