// --ws-client sio: sio-bench's clients on sio's own Socket.IO client (sio::client), to show what
// the full client costs next to the lean one (memory per connected client, CPU per message).
// Each simulated client is one sio::client::manager on its worker's io_context (so its handlers
// run on the worker's thread, as the other clients' completions do), WebSocket only, with
// reconnection off: a lost connection is counted, not hidden. The wire is the same as the lean
// client's (bench/README.md, "The bench contract"); the library encodes and decodes it.
#include "bench.hpp"

#include <sio/client/manager.hpp>
#include <sio/client/socket.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value_to.hpp>

namespace sio::bench {

namespace {

// The numbers an answer carries, or nullopt when it is not an unsigned integer.
std::optional<std::uint64_t> number(const boost::json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
  return std::nullopt;
}

// "r<k>", the room of the bench contract (appended: GCC 12 misreads "r" + std::to_string as an
// overlapping copy).
std::string room_name(std::uint32_t k) {
  std::string name = "r";
  name += std::to_string(k);
  return name;
}

class sio_client final : public client {
 public:
  sio_client(worker& w, std::uint32_t index, role r, std::uint32_t room)
      : client(w, index, r, room, {}) {}

  void start() override {
    phase_ = phase::connecting;
    connect_start_ = now_ns();
    sio::client::manager_options o;
    o.path = sh_.cfg.path;
    o.transports = {sio::client::transport::websocket};
    o.reconnection = false;
    o.auto_connect = false;
    manager_.emplace(w_.ioc.get_executor(), "http://" + target_.host_header, std::move(o));
    socket_ = manager_->socket("/");
    socket_->on_connect([this] {
      if (phase_ != phase::connecting) return;
      phase_ = phase::connected;
      w_.c.received_total.add();
      w_.on_connect_done(*this, true);
    });
    socket_->on_connect_error([this](const sio::connect_error&) { fail(true); });
    socket_->on_disconnect([this](sio::client::disconnect_reason) { fail(false); });
    if (role_ == role::receiver) {
      socket_->on("fanout", [this](const boost::json::array& args) { on_fanout(args); });
    }
    socket_->connect();
  }

 private:
  bool push(const out_msg& m) override {
    if (closing()) return true;
    switch (m.kind) {
      case msg_kind::echo: {
        const auto id = m.a;
        socket_->emit_with_ack_payload(
            "echo", sio::make_payload(m.a, m.t, sh_.pad), {},
            [this, id](boost::system::error_code ec, sio::payload answer) {
              if (!ec) on_echo(id, answer);
            });
        return true;
      }
      case msg_kind::join:
        socket_->emit_with_ack_payload(
            "join", sio::make_payload(boost::json::object{{"room", room_name(m.room)}}), {},
            [this](boost::system::error_code ec, sio::payload) {
              if (ec) return;
              w_.c.received_total.add();
              join_answered();
            });
        return true;
      case msg_kind::fanout:
        socket_->emit("fanout",
                      boost::json::object{{"room", room_name(m.room)},
                                          {"payload", boost::json::array{m.a, m.b, m.t, sh_.pad}}});
        return true;
      case msg_kind::sio_connect:
      case msg_kind::pong:
        return true;  // the library's own business
    }
    return true;
  }

  void on_echo(std::uint64_t id, const sio::payload& answer) {
    w_.c.received_total.add();
    const auto& a = answer.args;
    const auto seq = a.size() == 3 ? number(a[0]) : std::nullopt;
    const auto t = a.size() == 3 ? number(a[1]) : std::nullopt;
    if (!seq || !t || !a[2].is_string()) return w_.c.protocol_errors.add();
    echo_answered(id, *seq, *t, !sh_.cfg.verify || a[2].get_string() == sh_.pad);
  }

  void on_fanout(const boost::json::array& args) {
    w_.c.received_total.add();
    const auto* p = args.size() == 1 ? args[0].if_array() : nullptr;
    if (!p || p->size() != 4 || !(*p)[3].is_string()) return w_.c.protocol_errors.add();
    const auto rseq = number((*p)[0]), gseq = number((*p)[1]), t = number((*p)[2]);
    if (!rseq || !gseq || !t) return w_.c.protocol_errors.add();
    fanout_received(*rseq, *gseq, *t, !sh_.cfg.verify || (*p)[3].get_string() == sh_.pad);
  }

  void close_transport() override {
    if (manager_) manager_->close();
  }

  // Declared first, so destroyed last: the manager's destructor releases the handlers.
  std::shared_ptr<sio::client::socket> socket_;
  std::optional<sio::client::manager> manager_;
};

}  // namespace

std::shared_ptr<client> make_sio_client(worker& w, std::uint32_t index, client::role r,
                                        std::uint32_t room) {
  return std::make_shared<sio_client>(w, index, r, room);
}

}  // namespace sio::bench
