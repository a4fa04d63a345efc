// Internal: the options of one Redis connection of an adapter or client, from its own options
// (any struct with tls, reconnect_min, reconnect_max and log).
#pragma once

#include <sio/redis/client.hpp>

#include <string>

namespace sio::redis {

template <class Options>
client_options connection_options(const endpoint& ep, const Options& o, std::string name) {
  client_options co;
  co.server = ep;
  co.tls = o.tls;
  co.reconnect_min = o.reconnect_min;
  co.reconnect_max = o.reconnect_max;
  co.name = std::move(name);
  co.log = o.log;
  return co;
}

}  // namespace sio::redis
