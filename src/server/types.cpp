#include <sio/protocol/js_date.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/parser.hpp>
#include <sio/server/types.hpp>

#include "detail.hpp"

#include <cstdio>
#include <stdexcept>

namespace sio {

namespace {
namespace pt = protocol::socketio;

class error_category_impl : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sio"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::timeout:
        return "operation has timed out";
      case error::disconnected:
        return "socket has been disconnected";
      case error::server_stopped:
        return "server stopped";
    }
    return "unknown sio error";
  }
};
}  // namespace

namespace {
const std::shared_ptr<const engineio::request_info>& empty_request() {
  static const auto empty = std::make_shared<const engineio::request_info>();
  return empty;
}
}  // namespace

handshake_info::handshake_info() : req_(empty_request()) {}

handshake_info::handshake_info(std::shared_ptr<const engineio::request_info> req,
                               boost::json::object a)
    : auth(std::move(a)), req_(req ? std::move(req) : empty_request()) {}

std::string handshake_info::time() const {
  return protocol::js_date_string(issued());
}

std::string_view to_string(disconnect_reason r) noexcept {
  switch (r) {
    case disconnect_reason::transport_close:
      return "transport close";
    case disconnect_reason::transport_error:
      return "transport error";
    case disconnect_reason::ping_timeout:
      return "ping timeout";
    case disconnect_reason::parse_error:
      return "parse error";
    case disconnect_reason::forced_close:
      return "forced close";
    case disconnect_reason::server_shutting_down:
      return "server shutting down";
    case disconnect_reason::forced_server_close:
      return "forced server close";
    case disconnect_reason::server_namespace_disconnect:
      return "server namespace disconnect";
    case disconnect_reason::client_namespace_disconnect:
      return "client namespace disconnect";
  }
  return "unknown";
}

const boost::system::error_category& error_category() noexcept {
  static const error_category_impl cat;
  return cat;
}

outgoing_ptr make_outgoing(const parser& parser, protocol::socketio::packet p,
                           std::uint64_t log_seq) {
  auto out = std::make_shared<outgoing_packet>();
  out->log_seq = log_seq;
  const auto attachments = p.attachments.size();
  parser.encode(p, out->frames);
  if (p.attachments.empty()) out->attachment_frames = attachments;
  out->packet = std::move(p);
  return out;
}

outgoing_ptr make_outgoing(protocol::socketio::packet p, std::uint64_t log_seq) {
  static const json_parser json;
  return make_outgoing(json, std::move(p), log_seq);
}

namespace detail {

disconnect_reason to_disconnect_reason(engineio::close_reason r) noexcept {
  switch (r) {
    case engineio::close_reason::transport_close:
      return disconnect_reason::transport_close;
    case engineio::close_reason::transport_error:
      return disconnect_reason::transport_error;
    case engineio::close_reason::ping_timeout:
      return disconnect_reason::ping_timeout;
    case engineio::close_reason::parse_error:
      return disconnect_reason::parse_error;
    case engineio::close_reason::forced_close:
      return disconnect_reason::forced_close;
    case engineio::close_reason::server_shutdown:
      return disconnect_reason::server_shutting_down;
  }
  return disconnect_reason::transport_close;
}

void default_log(std::string_view msg) {
  std::fprintf(stderr, "sio: %.*s\n", static_cast<int>(msg.size()), msg.data());
}

}  // namespace detail
}  // namespace sio
