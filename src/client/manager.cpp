#include "manager_core.hpp"

#include <sio/client/manager.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>
#include <utility>

namespace sio::client {

// The own thread: its function holds the runner, so the io_context outlives every handler it
// runs, and ends when the io_context runs out of work.
struct manager::runner {
  boost::asio::io_context ioc{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      ioc.get_executor()};
  std::thread thread;
};

manager::manager(std::string url, manager_options options) {
  auto parsed = detail::parse_url(url);
  auto r = std::make_shared<runner>();
  core_ = std::make_shared<detail::manager_core>(r->ioc.get_executor(), std::move(parsed),
                                                 std::move(options), r);
  r->thread = std::thread([r] {
    for (;;) {
      try {
        r->ioc.run();
        return;
      } catch (...) {  // handlers catch what users throw; nothing else may end the thread
      }
    }
  });
  runner_ = std::move(r);
}

manager::manager(boost::asio::any_io_executor executor, std::string url, manager_options options)
    : core_(std::make_shared<detail::manager_core>(std::move(executor), detail::parse_url(url),
                                                   std::move(options), nullptr)) {}

manager::~manager() {
  core_->run([c = core_] { c->shutdown(); });
  if (!runner_) return;
  runner_->work.reset();
  if (runner_->thread.get_id() == std::this_thread::get_id())
    runner_->thread.detach();
  else
    runner_->thread.join();
}

std::shared_ptr<client::socket> manager::socket(std::string nsp, socket_options options) {
  return core_->socket(std::move(nsp), std::move(options));
}

void manager::open() {
  core_->run([c = core_] { c->open(); });
}

void manager::close() {
  core_->run([c = core_] {
    if (!c->destroyed) c->close_all();
  });
}

bool manager::is_open() const noexcept {
  return core_->is_open;
}

std::optional<transport> manager::current_transport() const {
  std::lock_guard lock(core_->mirror_mu);
  return core_->current;
}

std::string manager::engine_id() const {
  std::lock_guard lock(core_->mirror_mu);
  return core_->engine_id;
}

boost::asio::any_io_executor manager::get_executor() const noexcept {
  return core_->strand;
}

namespace {
template <class H>
void set_handler(const std::shared_ptr<detail::manager_core>& c, H detail::manager_core::*member,
                 H h) {
  c->run([c, member, h = std::move(h)]() mutable {
    if (!c->destroyed) c.get()->*member = std::move(h);
  });
}
}  // namespace

manager& manager::on_open(std::function<void()> h) {
  set_handler(core_, &detail::manager_core::on_open, std::move(h));
  return *this;
}
manager& manager::on_close(std::function<void(std::string_view)> h) {
  set_handler(core_, &detail::manager_core::on_close, std::move(h));
  return *this;
}
manager& manager::on_error(std::function<void(std::string_view)> h) {
  set_handler(core_, &detail::manager_core::on_error, std::move(h));
  return *this;
}
manager& manager::on_ping(std::function<void()> h) {
  set_handler(core_, &detail::manager_core::on_ping, std::move(h));
  return *this;
}
manager& manager::on_reconnect_attempt(std::function<void(unsigned)> h) {
  set_handler(core_, &detail::manager_core::on_reconnect_attempt, std::move(h));
  return *this;
}
manager& manager::on_reconnect(std::function<void(unsigned)> h) {
  set_handler(core_, &detail::manager_core::on_reconnect, std::move(h));
  return *this;
}
manager& manager::on_reconnect_error(std::function<void(std::string_view)> h) {
  set_handler(core_, &detail::manager_core::on_reconnect_error, std::move(h));
  return *this;
}
manager& manager::on_reconnect_failed(std::function<void()> h) {
  set_handler(core_, &detail::manager_core::on_reconnect_failed, std::move(h));
  return *this;
}
manager& manager::on_upgrade(std::function<void(transport)> h) {
  set_handler(core_, &detail::manager_core::on_upgrade, std::move(h));
  return *this;
}

}  // namespace sio::client
