// Internal: how many local sockets (every worker's) are in each room of one namespace, for the
// adapters that must know when this node joins or leaves a room as a whole (ALL_ROOMS answers,
// per-room subscriptions).
//
// Thread-safety: any thread (one mutex around the map).
#pragma once

#include <sio/server/types.hpp>

#include <functional>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

namespace sio::redis {

class room_counts {
 public:
  // A room's count went 0 -> 1 (true) or 1 -> 0 (false). Called under the lock, in the order of
  // the transitions: keep it short.
  using transition = std::function<void(const room&, bool created)>;

  // A socket that was in `before` joined `rooms` (rooms it was in already are not counted again).
  void joined(std::vector<room> before, std::span<const room> rooms, const transition& t = {});
  // A socket left `rooms` (each one it was in).
  void left(std::span<const room> rooms, const transition& t = {});
  // The rooms with at least one local member.
  std::vector<room> list() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<room, std::size_t> counts_;
};

}  // namespace sio::redis
