// The Admin UI's wire shapes (@socket.io/admin-ui 0.5.x): what the admin namespace emits to the
// UI, built from plain values so that each shape is testable without a server, and the bcrypt
// password check of its basic authentication.
//
// Thread-safety: free functions are reentrant; an event_buffer is not (guard it).
#pragma once

#include <sio/server/adapter.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace sio::admin_ui {

// True when `password` matches `bcrypt_hash` ("$2a$", "$2b$" or "$2y$" hashes, as bcryptjs
// writes them), checked by libxcrypt's crypt_r. False for any other hash or an empty password.
bool check_password(std::string_view password, std::string_view bcrypt_hash);

// The key of socket data under which the instrumented namespaces keep the client id and the
// transport (as the Node server does); serialize_socket moves them out of "data".
inline constexpr std::string_view admin_data_key = "_admin";

// A socket as the UI lists it: {id, clientId, transport, nsp, data, handshake {address, headers,
// query, issued, secure, time, url, xdomain}, rooms}. The address is the CF-Connecting-IP or
// X-Forwarded-For header when present, else the handshake's; the auth object is left out, and so
// are the headers named in `hidden_headers` (lower-case names).
boost::json::object serialize_socket(const socket_info& s,
                                     std::span<const std::string> hidden_headers = {});

// One namespace in server_stats.
struct namespace_count {
  std::string name;
  std::size_t sockets = 0;
};

// What server_stats reports of one server.
struct server_stats {
  std::string server_id;
  std::string hostname;
  std::int64_t pid = 0;
  double uptime_seconds = 0;
  std::size_t clients = 0;          // Engine.IO connections
  std::size_t polling_clients = 0;  // of which on HTTP long-polling
  std::vector<namespace_count> namespaces;
  boost::json::array aggregated_events;  // event_buffer::take()
};

// {serverId, hostname, pid, uptime, clientsCount, pollingClientsCount, aggregatedEvents,
// namespaces: [{name, socketsCount}]}.
boost::json::object serialize_stats(const server_stats& s);

// Counts of events per second and type (the UI's charts: "rawConnection", "rawDisconnection"
// with the reason as subType, "packetsIn", "packetsOut", "bytesIn", "bytesOut"), drained at each
// server_stats.
class event_buffer {
 public:
  // Counts `count` events of `type` (and `sub_type`, may be empty) at `now_ms` (ms since epoch,
  // rounded down to the second).
  void push(std::string_view type, std::string_view sub_type, std::int64_t now_ms,
            std::uint64_t count = 1);
  // [{timestamp, type, subType?, count}] since the last call, then empties the buffer.
  boost::json::array take();
  std::size_t size() const noexcept { return counts_.size(); }

 private:
  std::map<std::tuple<std::int64_t, std::string, std::string>, std::uint64_t> counts_;
};

}  // namespace sio::admin_ui
