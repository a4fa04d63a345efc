// The query parameters an Engine.IO server routes a request on (EIO, transport, sid), read from a
// request target in one pass without building a query_map, and the handshake checks on them. The
// values are the ones parse_query gives (decoded, the last of a repeated name). Pure, as
// engineio.hpp.
#pragma once

#include <sio/protocol/engineio.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sio::protocol::engineio {

struct route_params {
  std::optional<std::string> eio;
  std::optional<std::string> transport;
  std::optional<std::string> sid;
};
route_params parse_route_params(std::string_view target);

// Validation of those parameters in the order the reference server checks them, for a request
// that does not carry a sid: nullopt when the request may open a session. is_supported_version:
// EIO=4 exactly.
std::optional<request_error> check_transport(const route_params& p, const handshake_check& c);
std::optional<request_error> check_handshake(const route_params& p, const handshake_check& c);
bool is_supported_version(const route_params& p) noexcept;

}  // namespace sio::protocol::engineio
