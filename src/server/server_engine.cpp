// The server constructors that involve an engineio::server, kept apart so that programs using
// only server(workers, options) (session tests) do not link the engine.
#include <sio/engineio/server.hpp>
#include <sio/server/server.hpp>

#include "detail.hpp"

namespace sio {

namespace {
class engine_pool final : public worker_pool {
 public:
  explicit engine_pool(engineio::server& e) : e_(e) {}
  std::size_t size() const noexcept override { return e_.worker_count(); }
  boost::asio::io_context& context(std::size_t i) noexcept override { return e_.worker(i); }
  std::size_t current() const noexcept override { return e_.current_worker(); }

 private:
  engineio::server& e_;
};

engineio::endpoint_options endpoint_of(const server_options& o) {
  engineio::endpoint_options e;
  e.path = o.path;
  e.ping_interval = o.ping_interval;
  e.ping_timeout = o.ping_timeout;
  e.max_payload = o.max_payload;
  e.polling = o.polling;
  e.websocket = o.websocket;
  e.cors = o.cors;
  e.allow_request = o.allow_request;
  e.allow_request_async = o.allow_request_async;
  e.cookie = o.cookie;
  e.initial_headers = o.initial_headers;
  e.headers = o.headers;
  e.max_send_queue = o.max_send_queue;
  return e;
}

// An engine owned by the server (start/run/stop drive it) or attached (stop closes our clients
// only; the application runs the engine).
struct link final : server::engine_link {
  std::unique_ptr<engineio::server> owned;
  engineio::server* e = nullptr;

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
  engineio::server* engine() noexcept override { return e; }
};
}  // namespace

server::server(server_options opts) {
  engineio::server_options so;
  so.address = opts.address;
  so.port = opts.port;
  so.workers = opts.workers;
  auto l = std::make_unique<link>();
  l->owned = std::make_unique<engineio::server>(so);
  l->e = l->owned.get();
  auto ep = endpoint_of(opts);
  init(std::make_shared<engine_pool>(*l->e), std::move(opts));
  l->e->attach(std::move(ep), handler_);
  engine_ = std::move(l);
}

server::server(engineio::server& engine, server_options opts) {
  auto l = std::make_unique<link>();
  l->e = &engine;
  auto ep = endpoint_of(opts);
  init(std::make_shared<engine_pool>(engine), std::move(opts));
  engine.attach(std::move(ep), handler_);
  engine_ = std::move(l);
}

}  // namespace sio
