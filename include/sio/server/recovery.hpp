// Connection state recovery (Node's `connectionStateRecovery`): a client that lost its connection
// comes back within a window with the same socket id, rooms and data, and receives the packets it
// missed. server_options::connection_state_recovery turns it on; the adapter of each namespace
// keeps the sessions and the packet log (session_aware_adapter in memory; see adapter.hpp for the
// seam).
//
// Thread-safety: plain values.
#pragma once

#include <sio/server/types.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace sio {

struct recovery_options {
  // How long a disconnected session and an emitted packet are kept (Node's default: 2 minutes).
  std::chrono::milliseconds max_disconnection_duration{120'000};
  // A recovered socket connects without running the namespace's middlewares (as Node).
  bool skip_middlewares = true;
  // Bounds per namespace: past them the oldest sessions and packets are dropped (a client whose
  // session or offset is gone connects as a fresh socket).
  std::size_t max_sessions = 100'000;
  std::size_t max_packets = 100'000;
};

// What a socket leaves behind when it disconnects for a recoverable reason.
struct persisted_session {
  std::string sid;  // the socket id, given back on recovery
  std::string pid;  // the private session id the client presents (CONNECT auth "pid")
  std::vector<room> rooms;
  boost::json::object data;
};

}  // namespace sio
