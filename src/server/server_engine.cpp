// The server constructors that involve an engineio::server, kept apart so that programs using
// only server(workers, options) (session tests) do not link the engine.
#include <sio/engineio/server.hpp>
#include <sio/server/server.hpp>

#include "detail.hpp"

#include <stdexcept>

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

  bool release(detail::server_state& st, const std::shared_ptr<engineio::handler>& h) override {
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
}  // namespace

server::server(server_options opts) {
  auto l = std::make_unique<link>();
  l->owned = std::make_unique<engineio::server>(opts.http);
  l->e = l->owned.get();
  auto ep = std::move(opts.engine);
  init(std::make_shared<engine_pool>(*l->e), std::move(opts));
  attach_handler(*l->e, std::move(ep), handler_, *st_);
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
  engine_ = std::move(l);
}

}  // namespace sio
