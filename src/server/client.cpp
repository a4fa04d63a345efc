#include "../common/recycling_allocator.hpp"
#include "detail.hpp"

#include <boost/json/serializer.hpp>

#include <algorithm>
#include <array>

namespace sio::detail {

namespace pt = protocol::socketio;
using counter_block = detail::counter_block;

namespace {

// Text capacity reserved up front for a packet sent to one connection: an ACK or CONNECT of a
// usual size is written in one allocation (larger ones grow as usual).
constexpr std::size_t direct_packet_reserve = 128;

// True when the JSON text of `v` is longer than `limit` bytes; serializes at most limit + one
// chunk to find out.
bool encoded_longer_than(const boost::json::value& v, std::size_t limit) {
  boost::json::serializer sr;
  sr.reset(&v);
  std::array<char, 4096> chunk;
  std::size_t n = 0;
  while (!sr.done()) {
    n += sr.read(chunk.data(), chunk.size()).size();
    if (n > limit) return true;
  }
  return false;
}
}  // namespace

client::client(std::shared_ptr<server_state> st, engineio::connection_ptr c)
    : st_(std::move(st)), conn_(std::move(c)), worker_(conn_->worker_index()) {}

void client::start() {
  connect_timer_ = std::make_unique<boost::asio::steady_timer>(st_->pool->context(worker_),
                                                               st_->opts.connect_timeout);
  connect_timer_->async_wait([w = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    auto c = w.lock();
    if (c && c->nsps_.empty() && !c->closed_) c->close(disconnect_reason::forced_server_close);
  });
}

std::shared_ptr<socket> client::find(std::string_view nsp) const noexcept {
  for (const auto& s : nsps_)
    if (s->nsp_->name() == nsp) return s;
  return nullptr;
}

void client::decode(bool binary, std::string_view data) {
  auto r = st_->opts.parser->decode(binary, data, parser_state_);
  if (!r) return close(disconnect_reason::parse_error);
  if (auto& p = *r) on_packet(*p);
}

void client::on_text(std::string_view text) {
  if (closed_) return;
  decode(false, text);
}

void client::on_binary(std::string_view bytes) {
  if (closed_) return;
  decode(true, bytes);
}

void client::on_packet(pt::packet& p) {
  auto s = find(p.nsp);
  if (!s && p.type == pt::packet_type::connect) {
    if (std::find(pending_.begin(), pending_.end(), p.nsp) != pending_.end())
      return close(disconnect_reason::forced_server_close);
    if (encoded_longer_than(p.data, st_->opts.max_auth_bytes))
      return refuse_connect(p.nsp, "Auth payload too large");
    boost::json::object auth;
    if (auto* o = p.data.if_object()) auth = std::move(*o);
    auto nsp = st_->find_for_connect(p.nsp, auth);
    if (!nsp) return refuse_connect(p.nsp, "Invalid namespace");
    pending_.push_back(p.nsp);
    nsp->add(shared_from_this(), std::move(auth));
  } else if (s && p.type != pt::packet_type::connect && p.type != pt::packet_type::connect_error) {
    s->on_packet(p);
  } else {
    close(disconnect_reason::forced_server_close);  // invalid state, as Node
  }
}

void client::refuse_connect(const std::string& nsp, std::string_view message) {
  pt::packet e;
  e.type = pt::packet_type::connect_error;
  e.nsp = nsp;
  e.data = boost::json::object{{"message", message}};
  send_packet(std::move(e));
}

std::vector<engineio::message_ptr> worker_handles(std::span<const engineio::message_ptr> frames) {
  std::vector<engineio::message_ptr> out;
  out.reserve(frames.size());
  for (const auto& f : frames)
    out.emplace_back(f.get(), [keep = f](const engineio::message*) noexcept {});
  return out;
}

void client::write(std::span<const engineio::message_ptr> frames, bool volatile_, bool compress) {
  if (closed_ || overflowed_) return;
  bool first = true;
  for (const auto& f : frames) {
    auto r =
        conn_->send(f, engineio::send_flags{.volatile_ = volatile_ && first, .compress = compress});
    first = false;
    if (r == engineio::send_result::queued) {
      st_->count(worker_, &counter_block::packets_out);
      st_->count(worker_, &counter_block::bytes_out, f->data.size());
      continue;
    }
    if (r == engineio::send_result::overflow) {
      st_->count(worker_, &counter_block::overflows);
      // The engine closes the session; leave now with a clear reason, outside this call chain.
      overflowed_ = true;
      st_->log("client " + std::string(conn_->id()) +
               ": send queue overflow, disconnecting (transport error)");
      boost::asio::post(st_->pool->context(worker_), [self = shared_from_this()] {
        self->close(disconnect_reason::transport_error);
      });
    }
    return;  // dropped (volatile) or closed
  }
}

void client::send_packet(pt::packet p) {
  if (closed_) return;
  if (!st_->json_parser) {
    // No outgoing_packet: no one else shares these frames. The list's capacity is reused (taken,
    // then given back, so that a send from within write() gets a list of its own).
    thread_local std::vector<engineio::message_ptr> spare;
    auto frames = std::move(spare);
    frames.clear();
    st_->opts.parser->encode(p, frames);
    write(frames, false, true);
    frames.clear();
    spare = std::move(frames);
    return;
  }
  if (!p.attachments.empty()) return write(*make_outgoing(std::move(p)), false, true);
  // One text frame, written without an outgoing_packet around it: no one else shares it.
  std::string text;
  text.reserve(direct_packet_reserve);
  pt::encode_text(p, text);
  const engineio::message_ptr m = std::allocate_shared<const engineio::message>(
      recycling_allocator<engineio::message>(), engineio::message{false, std::move(text)});
  write({&m, 1}, false, true);
}

void client::add_socket(std::shared_ptr<socket> s) {
  nsps_.push_back(std::move(s));
  connect_timer_.reset();  // cancels its wait
}

void client::remove_socket(const std::string& nsp) noexcept {
  auto it = std::find_if(nsps_.begin(), nsps_.end(),
                         [&](const auto& s) { return s->nsp_->name() == nsp; });
  if (it != nsps_.end()) nsps_.erase(it);
}

void client::remove_pending(const std::string& nsp) noexcept {
  auto it = std::find(pending_.begin(), pending_.end(), nsp);
  if (it != pending_.end()) pending_.erase(it);
  if (pending_.empty()) std::vector<std::string>().swap(pending_);  // keep no memory when idle
}

void client::close(disconnect_reason r) {
  if (closed_) return;
  close_sockets(r);
  conn_->close();
}

void client::close_sockets(disconnect_reason r) {
  closed_ = true;
  connect_timer_.reset();
  parser_state_.reset();
  pending_.clear();
  auto socks = std::move(nsps_);
  nsps_.clear();
  for (auto& s : socks) s->on_close(r);
}

void client::disconnect_all() {
  if (closed_) return;
  auto socks = nsps_;
  for (auto& s : socks) s->disconnect(false);
  close(disconnect_reason::forced_server_close);
}

void client::on_engine_close(engineio::close_reason r) {
  if (closed_) return;
  close_sockets(to_disconnect_reason(r));
}

void client::abandon() {
  closed_ = true;
  for (auto& s : nsps_) s->abandon();
  nsps_.clear();
  pending_.clear();
}

}  // namespace sio::detail
