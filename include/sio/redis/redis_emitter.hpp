// sio::redis_emitter: emits to the clients of a Socket.IO cluster from a process that is not a
// server (a worker, a cron job), like @socket.io/redis-emitter. It publishes what the Redis adapter
// (sio's or Node's) of every node listens to.
//
//   boost::asio::io_context ioc;
//   sio::redis_emitter io(ioc, {.url = "redis://127.0.0.1:6379"});
//   io.to("room1").except("room2").emit("hello", 1, "two");
//   io.of("/admin").emit("stats", stats);
//   io.server_side_emit("ping", 1);
//   io.sockets_join("everyone");
//   io.flush([] { /* everything above reached Redis */ });   // or co_await io.flush(use_awaitable)
//   ioc.run();
//
// An emitter is a value (to/except/of return new ones) sharing one Redis connection; commands
// issued before the connection is up are queued (see redis::client). Thread-safety: every member
// may be called from any thread.
#pragma once

#include <sio/redis/client.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/completion.hpp>
#include <sio/server/flag_builder.hpp>
#include <sio/server/types.hpp>

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sio {

struct redis_emitter_options {
  std::string url = "redis://127.0.0.1:6379";
  std::string key = "socket.io";
  std::function<void(std::string_view)> log;  // default: stderr
  redis::tls_settings tls;                    // for a rediss:// URL
};

class redis_emitter
    : public flag_builder<redis_emitter, redis_emitter, flag_set::volatile_ | flag_set::compress> {
 public:
  // Throws std::invalid_argument on a bad URL.
  redis_emitter(boost::asio::io_context& ioc, redis_emitter_options opts = {});

  redis_emitter of(std::string_view nsp) const;
  redis_emitter to(std::string_view room) const;
  redis_emitter in(std::string_view room) const { return to(room); }
  redis_emitter except(std::string_view room) const;
  // volatile_() and compress(c) come from flag_builder (compress is carried to the servers).

  template <class... A>
  void emit(std::string_view event, A&&... a) const {
    emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  // Throws std::invalid_argument for a reserved event name.
  void emit_payload(std::string_view event, payload p) const;
  void sockets_join(std::vector<room> rooms) const;
  void sockets_join(std::string_view r) const { sockets_join(std::vector<room>{room(r)}); }
  void sockets_leave(std::vector<room> rooms) const;
  void sockets_leave(std::string_view r) const { sockets_leave(std::vector<room>{room(r)}); }
  void disconnect_sockets(bool close = false) const;
  template <class... A>
  void server_side_emit(std::string_view event, A&&... a) const {
    server_side_emit_payload(event, make_payload(std::forward<A>(a)...));
  }
  void server_side_emit_payload(std::string_view event, payload p) const;

  // Completes once every command issued so far was answered (any completion token; a plain
  // callback runs on the connection's strand).
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void()) Token>
  auto flush(Token&& token) const {
    return detail::initiate<>(std::forward<Token>(token), [self = *this](std::function<void()> cb) {
      self.start_flush(std::move(cb));
    });
  }
  // Closes the connection (queued commands are dropped).
  void close() const;

 private:
  struct shared;
  friend class flag_builder<redis_emitter, redis_emitter, flag_set::volatile_ | flag_set::compress>;
  redis_emitter(std::shared_ptr<shared> s, std::string nsp)
      : s_(std::move(s)), nsp_(std::move(nsp)) {}
  broadcast_flags flags() const noexcept { return opts_.flags; }
  redis_emitter with_flags(broadcast_flags f) const;
  void start_flush(std::function<void()> done) const;
  std::string broadcast_channel() const;
  std::string request_channel() const;

  std::shared_ptr<shared> s_;
  std::string nsp_ = "/";
  broadcast_options opts_;
};

}  // namespace sio
