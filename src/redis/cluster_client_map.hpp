// Internal: the pure parts of Redis Cluster routing (no I/O): the CLUSTER SLOTS reply read into
// slot ranges, and MOVED / ASK redirections read from an error reply.
#pragma once

#include <sio/redis/client.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::redis::detail {

inline constexpr std::size_t slot_count = 16384;

// host:port, the key of a node.
std::string node_address(std::string_view host, std::uint16_t port);
// host and port of "host:port" (the last colon splits, so [v6] hosts keep theirs); nullopt when
// the port is not a number in 1..65535.
std::optional<std::pair<std::string, std::uint16_t>> split_address(std::string_view addr);

struct slot_range {
  std::uint16_t first = 0, last = 0;  // inclusive
  std::string primary;                // host:port
  std::vector<std::string> replicas;  // host:port each
};

// The ranges of a CLUSTER SLOTS reply; a node announced with no host ("" or "?") is on
// `asked_host`, the host of the node that answered. nullopt when the reply has not that shape.
std::optional<std::vector<slot_range>> parse_cluster_slots(const reply& r,
                                                           std::string_view asked_host);

// An error reply "MOVED <slot> <host:port>" or "ASK <slot> <host:port>" (an empty host is the
// host of the node that answered).
struct redirection {
  bool ask = false;
  std::uint16_t slot = 0;
  std::string address;
};
std::optional<redirection> parse_redirection(std::string_view error, std::string_view asked_host);

// The error replies after which a command may succeed if sent again a little later.
bool is_transient_cluster_error(std::string_view error);

}  // namespace sio::redis::detail
