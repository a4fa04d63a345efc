// sio::session_aware_adapter: the in-memory adapter with connection state recovery (Node's
// SessionAwareAdapter). The server uses it instead of in_memory_adapter when
// server_options::connection_state_recovery is set and no adapter factory is given.
//
// Per namespace it keeps the sessions of sockets that disconnected for a recoverable reason and a
// log of the EVENTs emitted (broadcasts and direct socket emits, without ack id, not volatile),
// each with its offset, its rooms/except and its encoded frames, so that a missed packet is sent
// again with the same bytes. Entries expire after max_disconnection_duration (checked when touched,
// and by one periodic sweep on worker 0); past max_sessions / max_packets the oldest go first. A
// session is restored at most once: two clients never share a socket id.
//
// Thread-safety: as every adapter. The sessions and the log are shared by the workers (a client
// may come back on another worker) behind one mutex, held for the map and deque work only.
#pragma once

#include <sio/server/adapter.hpp>
#include <sio/server/recovery.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace sio {

class session_aware_adapter : public in_memory_adapter {
 public:
  session_aware_adapter(adapter_host& nsp, recovery_options opts);
  ~session_aware_adapter() override;

  outgoing_ptr encode_event(protocol::socketio::packet p, const broadcast_options& opts) override;
  void persist_session(persisted_session s) override;
  void restore_session(std::string pid, std::string offset, restore_handler done) override;

  // What is kept right now (expired entries may linger until touched or swept).
  std::size_t session_count() const;
  std::size_t packet_count() const;

 private:
  struct store;
  struct sweeper;
  std::shared_ptr<store> st_;  // the sweep sees it through a weak pointer
};

}  // namespace sio
