// The server constructors that involve an engineio::server, kept apart so that programs using
// only server(workers, options) (session tests) do not link the engine.
#include <sio/engineio/server.hpp>
#include <sio/server/server.hpp>

#include "detail.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <stdexcept>

namespace sio {

namespace {
// How often each worker checks its event loop's lag.
constexpr std::chrono::milliseconds lag_check_period{500};

class engine_pool final : public worker_pool {
 public:
  explicit engine_pool(engineio::server& e) : e_(e) {}
  std::size_t size() const noexcept override { return e_.worker_count(); }
  boost::asio::io_context& context(std::size_t i) noexcept override { return e_.worker(i); }
  std::size_t current() const noexcept override { return e_.current_worker(); }

 private:
  engineio::server& e_;
};

// An engine owned by the server (start/run/stop drive it) or attached (stop closes our clients
// only; the application runs the engine).
struct link final : server::engine_link {
  std::unique_ptr<engineio::server> owned;
  engineio::server* e = nullptr;
  std::unique_ptr<engineio::server> metrics_listener;  // prometheus_options with a port

  void start() override {
    if (owned) owned->start();
  }
  void run() override {
    if (owned) owned->run();
  }
  bool stop() override {
    if (owned) owned->stop();
    return owned != nullptr;
  }
  std::uint16_t port() const noexcept override { return e->port(); }
  std::uint16_t metrics_port() const noexcept override {
    return metrics_listener ? metrics_listener->port() : 0;
  }
  engineio::server* engine() noexcept override { return e; }

  bool release(detail::server_state& st, const std::shared_ptr<engineio::handler>& h) override {
    metrics_listener.reset();
    if (owned) {
      owned.reset();  // stops it, joins its workers
      return false;
    }
    if (st.detached) return false;  // the engine is gone
    e->detach(h);
    e->run_on_each_worker([&st](std::size_t w) { st.teardown_worker(w); });
    return true;
  }
};
// Attaches the Socket.IO handler; when the engine refuses the endpoint (std::invalid_argument), the
// state made for it is torn down before the exception leaves the constructor.
void attach_handler(engineio::server& e, engineio::endpoint_options ep,
                    const std::shared_ptr<engineio::handler>& h, detail::server_state& st) {
  try {
    e.attach(std::move(ep), h);
  } catch (...) {
    st.teardown_here();  // not started: no worker runs its code
    throw;
  }
}

// Answers GET (and HEAD) with the Prometheus text of the server `st`, while it lives.
engineio::http_handler prometheus_handler(std::weak_ptr<detail::server_state> st) {
  namespace http = boost::beast::http;
  return [st = std::move(st)](engineio::http_request&& req, const engineio::request_info&,
                              engineio::http_respond respond) {
    engineio::http_response res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    const auto s = st.lock();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
    } else if (!s || s->stopped) {
      res.result(http::status::service_unavailable);
    } else {
      res.result(http::status::ok);
      res.set(http::field::content_type, prometheus_content_type);
      res.set(http::field::cache_control, "no-store");
      if (req.method() == http::verb::get)
        res.body() = render_prometheus(s->snapshot(), read_process_metrics());
    }
    res.prepare_payload();
    respond(std::move(res));
  };
}

// What every engine-backed server does once its handler is attached: the event-loop lag checks
// and, when asked for, the Prometheus endpoint (on the engine's port or a listener of its own,
// listening from here on). When that listener cannot listen, the handler is detached again, the
// state torn down, and the exception leaves the constructor.
void start_metrics(link& l, const std::shared_ptr<detail::server_state>& st,
                   const std::shared_ptr<engineio::handler>& h) {
  st->start_lag_checks(lag_check_period);
  const auto& prom = st->opts.metrics.prometheus;
  if (!prom) return;
  if (prom->port == 0) return l.e->on_request(prom->path, prometheus_handler(st));
  try {
    l.metrics_listener = std::make_unique<engineio::server>(
        engineio::server_options{.address = prom->address, .port = prom->port, .workers = 1});
    l.metrics_listener->on_request(prom->path, prometheus_handler(st));
    l.metrics_listener->start();
  } catch (...) {
    l.metrics_listener.reset();
    if (!l.owned) l.e->detach(h);
    st->teardown_here();  // not started: no worker runs its code
    throw;
  }
}
}  // namespace

server::server(server_options opts) {
  auto l = std::make_unique<link>();
  l->owned = std::make_unique<engineio::server>(opts.http);
  l->e = l->owned.get();
  auto ep = std::move(opts.engine);
  init(std::make_shared<engine_pool>(*l->e), std::move(opts));
  attach_handler(*l->e, std::move(ep), handler_, *st_);
  start_metrics(*l, st_, handler_);
  engine_ = std::move(l);
}

server::server(engineio::server& engine, server_options opts) {
  if (opts.http != engineio::server_options{})
    throw std::invalid_argument(
        "sio::server: options.http configures the engine a server owns; an attached server "
        "uses the HTTP settings of the engineio::server it attaches to");
  auto l = std::make_unique<link>();
  l->e = &engine;
  auto ep = std::move(opts.engine);
  init(std::make_shared<engine_pool>(engine), std::move(opts));
  attach_handler(engine, std::move(ep), handler_, *st_);
  start_metrics(*l, st_, handler_);
  engine_ = std::move(l);
}

}  // namespace sio
