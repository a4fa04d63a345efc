// Internal: readings of Redis replies shared by the adapters.
#pragma once

#include <sio/redis/client.hpp>

#include <cstddef>

namespace sio::redis {

// The subscriber count of a PUBSUB NUMSUB / SHARDNUMSUB reply for one channel ([channel, n]);
// 0 for any other reply.
inline std::size_t subscriber_count(const reply& r) noexcept {
  if (r.type != reply::kind::array || r.elements.size() != 2) return 0;
  const auto& n = r.elements[1];
  return n.type == reply::kind::integer && n.integer > 0 ? static_cast<std::size_t>(n.integer) : 0;
}

}  // namespace sio::redis
