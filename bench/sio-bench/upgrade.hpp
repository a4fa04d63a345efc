// The pieces of the default connect path (Engine.IO over HTTP long-polling, then the WebSocket
// upgrade) that need no socket: the packets of a polling payload, and the order of the upgrade.
#pragma once

#include <sio/protocol/engineio.hpp>

#include <string_view>

namespace sio::bench {

// Calls f(packet) for every text packet of a polling payload (packets joined by the record
// separator; binary ones, "b<base64>", skipped) until f returns false.
template <class F>
void for_each_polling_packet(std::string_view body, F f) {
  namespace eio = sio::protocol::engineio;
  while (!body.empty()) {
    const auto end = body.find(eio::record_separator);
    const auto rec = body.substr(0, end);
    if (!rec.empty() && rec.front() != eio::binary_prefix && !f(rec)) return;
    if (end == std::string_view::npos) return;
    body.remove_prefix(end + 1);
  }
}

// The client's side of the upgrade, as browsers' engine.io-client does it: the polling GET stays
// held while the WebSocket probe ("2probe" -> "3probe") runs; once the probe is answered, polling
// pauses (no new GET) and "5" goes out only when the held GET has come back (the server releases
// it with a noop).
class upgrade_sequence {
 public:
  enum class next { nothing, poll, upgrade };

  void poll_sent() noexcept { polling_ = true; }
  // A GET came back: poll again, or (probe answered) send the upgrade.
  next poll_returned() noexcept {
    polling_ = false;
    return probed_ ? take_upgrade() : next::poll;
  }
  // "3probe" arrived on the WebSocket.
  next probe_answered() noexcept {
    probed_ = true;
    return polling_ ? next::nothing : take_upgrade();
  }
  bool upgraded() const noexcept { return upgraded_; }

 private:
  next take_upgrade() noexcept {
    if (upgraded_) return next::nothing;
    upgraded_ = true;
    return next::upgrade;
  }

  bool polling_ = false;
  bool probed_ = false;
  bool upgraded_ = false;
};

}  // namespace sio::bench
