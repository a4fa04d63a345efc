#include "socket_core.hpp"

#include <sio/client/socket.hpp>

#include <boost/asio/post.hpp>

#include <string>
#include <utility>

namespace sio::client {

namespace {
using detail::socket_core;

const char* reason_text(disconnect_reason r) noexcept {
  switch (r) {
    case disconnect_reason::io_server_disconnect:
      return "io server disconnect";
    case disconnect_reason::io_client_disconnect:
      return "io client disconnect";
    case disconnect_reason::ping_timeout:
      return "ping timeout";
    case disconnect_reason::transport_close:
      return "transport close";
    case disconnect_reason::transport_error:
      return "transport error";
    case disconnect_reason::parse_error:
      return "parse error";
  }
  return "transport close";
}

struct client_error_category final : boost::system::error_category {
  const char* name() const noexcept override { return "sio.client"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::timeout:
        return "operation has timed out";
      case error::disconnected:
        return "socket has been disconnected";
      case error::buffer_full:
        return "send buffer full";
      case error::closed:
        return "the manager is closed";
    }
    return "unknown client error";
  }
};

template <class H>
void add_handler(socket_core& c, std::vector<std::shared_ptr<H>> socket_core::*list, H h) {
  c.run([list, h = std::make_shared<H>(std::move(h))](socket_core& s) mutable {
    (s.*list).push_back(std::move(h));
  });
}
}  // namespace

std::string_view to_string(disconnect_reason r) noexcept {
  return reason_text(r);
}

bool reconnects_after(disconnect_reason r) noexcept {
  return r != disconnect_reason::io_server_disconnect &&
         r != disconnect_reason::io_client_disconnect;
}

const boost::system::error_category& error_category() noexcept {
  static const client_error_category c;
  return c;
}

socket::socket(std::shared_ptr<detail::socket_core> core) : core_(std::move(core)) {}

socket::~socket() {
  // Posted, never run inline: this may be a handler's capture released by the socket itself.
  auto m = core_->manager.lock();
  if (!m || m->destroyed) return;
  boost::asio::post(m->strand, [c = core_, m] {
    if (m->destroyed) return;
    c->disconnect();
    m->forget(c);
  });
}

const std::string& socket::nsp() const noexcept {
  return core_->nsp;
}

std::string socket::id() const {
  std::lock_guard lock(core_->id_mu);
  return core_->id;
}

bool socket::connected() const noexcept {
  return core_->connected;
}
bool socket::active() const noexcept {
  return core_->active;
}
bool socket::recovered() const noexcept {
  return core_->recovered;
}

boost::asio::any_io_executor socket::get_executor() const noexcept {
  auto m = core_->manager.lock();
  return m ? boost::asio::any_io_executor(m->strand) : boost::asio::any_io_executor();
}

void socket::connect() {
  core_->run([](socket_core& s) { s.connect(); });
}

void socket::disconnect() {
  core_->run([](socket_core& s) { s.disconnect(); });
}

socket& socket::on_event(std::string event, event_handler h, bool once) {
  core_->run([ev = std::move(event), h = std::move(h), once](socket_core& s) mutable {
    s.events[ev].push_back(std::make_shared<socket_core::event_entry>(std::move(h), once));
  });
  return *this;
}

socket& socket::off(std::string_view event) {
  core_->run([ev = std::string(event)](socket_core& s) {
    if (auto it = s.events.find(ev); it != s.events.end()) s.events.erase(it);
  });
  return *this;
}

socket& socket::off_all() {
  core_->run([](socket_core& s) { s.events.clear(); });
  return *this;
}

socket& socket::on_any(any_handler h) {
  add_handler(*core_, &socket_core::any, std::move(h));
  return *this;
}

socket& socket::off_any() {
  core_->run([](socket_core& s) { s.any.clear(); });
  return *this;
}

socket& socket::on_any_outgoing(any_handler h) {
  add_handler(*core_, &socket_core::any_outgoing, std::move(h));
  return *this;
}

socket& socket::on_connect(connect_handler h) {
  add_handler(*core_, &socket_core::on_connect, std::move(h));
  return *this;
}

socket& socket::on_connect_error(connect_error_handler h) {
  add_handler(*core_, &socket_core::on_connect_error, std::move(h));
  return *this;
}

socket& socket::on_disconnect(disconnect_handler h) {
  add_handler(*core_, &socket_core::on_disconnect, std::move(h));
  return *this;
}

void socket::emit_payload(std::string_view event, sio::payload p, emit_flags f) {
  sio::detail::check_event_name(event);
  core_->run([ev = std::string(event), p = std::move(p), f](socket_core& s) mutable {
    s.emit(std::move(ev), std::move(p), f, {});
  });
}

void socket::emit_with_ack_payload(std::string_view event, sio::payload p, emit_flags f,
                                   ack_callback cb) {
  sio::detail::check_event_name(event);
  core_->run([ev = std::string(event), p = std::move(p), f, cb](
                 socket_core& s) mutable { s.emit(std::move(ev), std::move(p), f, std::move(cb)); },
             [cb] {
               if (cb) cb(make_error_code(error::closed), {});
             });
}

}  // namespace sio::client
