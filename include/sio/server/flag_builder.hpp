// The emit modifiers of Node's API (.volatile, .compress(), .timeout(), .local), written once for
// every emitter: socket.volatile_().emit(...), io.to("r").timeout(5s).emit_with_ack(...),
// io.local().emit(...). Each modifier returns a new emitter (a value); the object it is called on
// is unchanged.
//
//   volatile_()   the packet may be dropped when a client's transport cannot write it now.
//   compress(b)   on a WebSocket that agreed permessage-deflate (the engine's
//                 endpoint_options::per_message_deflate, off by default as in Node), a packet of
//                 at least the threshold goes compressed unless b is false; over polling, a
//                 response goes gzip/deflate-encoded when one of its packets has it (the engine's
//                 http_compression), as in Node. A broadcast carries it
//                 to every receiver, and cluster adapters to the other nodes (which may be Node.js
//                 servers), so code written for Node keeps its meaning.
//   timeout(t)    emit_with_ack fails with sio::error::timeout when answers are missing after t.
//   local()       (broadcasts only) this server's sockets only, not the other nodes of a cluster.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <optional>

namespace sio {

struct broadcast_flags {
  bool volatile_ = false;
  bool compress = true;  // see compress() above
  bool local = false;    // this node only (meaningful for cluster adapters)
  std::optional<std::chrono::milliseconds> timeout;
};

// The modifiers an emitter offers (a bit set).
enum class flag_set : unsigned {
  volatile_ = 1,
  compress = 2,
  timeout = 4,
  local = 8,
  socket = volatile_ | compress | timeout,
  broadcast = volatile_ | compress | timeout | local,
};
constexpr flag_set operator|(flag_set a, flag_set b) noexcept {
  return static_cast<flag_set>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

// CRTP base: Derived provides `broadcast_flags flags() const` (its current flags) and
// `Result with_flags(broadcast_flags) const` (an emitter with those flags), both reachable from
// this base (public, or private with this base a friend).
template <class Derived, class Result = Derived, flag_set Offered = flag_set::broadcast>
class flag_builder {
  static constexpr bool offers(flag_set f) noexcept {
    return (static_cast<unsigned>(Offered) & static_cast<unsigned>(f)) != 0;
  }

 public:
  Result volatile_() const requires(offers(flag_set::volatile_)) {
    auto f = self().flags();
    f.volatile_ = true;
    return self().with_flags(f);
  }
  Result compress(bool c) const requires(offers(flag_set::compress)) {
    auto f = self().flags();
    f.compress = c;
    return self().with_flags(f);
  }
  Result timeout(std::chrono::milliseconds t) const requires(offers(flag_set::timeout)) {
    auto f = self().flags();
    f.timeout = t;
    return self().with_flags(f);
  }
  Result local() const requires(offers(flag_set::local)) {
    auto f = self().flags();
    f.local = true;
    return self().with_flags(f);
  }

 private:
  const Derived& self() const noexcept { return static_cast<const Derived&>(*this); }
};

}  // namespace sio
