// What the engine does with an HTTP request, decided from its head alone: whether it is for an
// endpoint, and for an endpoint's request what the Node.js server does before it looks a session up
// or asks allow_request (CORS preflight, transport, method, Origin, sid, protocol version). No
// socket and no server state: http_connection acts on the decision, and the HTTP fuzz target
// checks it. Private to sio_engineio.
#pragma once

#include <sio/engineio/server.hpp>
#include <sio/protocol/engineio.hpp>
#include <sio/protocol/engineio_route.hpp>

#include "request_head.hpp"

#include <cstdint>
#include <string_view>

namespace sio::engineio::detail {

// The Node.js server refuses an Origin header with characters invalid in a header value.
bool invalid_header_value(std::string_view v) noexcept;

// True when the path of request target `target` is under endpoint path `path` (trailing slash
// included).
bool under_endpoint(std::string_view target, std::string_view path) noexcept;

struct engine_route {
  enum class kind : std::uint8_t {
    preflight,  // a CORS preflight: 204 with the allowed methods and headers
    refuse,     // `error`: its Engine.IO error response, or a raw 400 for an upgrade request
    session,    // a request of the session `sid`: a poll, a POST, or the upgrade of its transport
    handshake,  // a new session: allow_request decides, then the protocol version
  };
  kind what = kind::refuse;
  bool upgrade = false;  // a WebSocket upgrade request
  protocol::engineio::request_error error = protocol::engineio::request_error::bad_request;
  protocol::engineio::transport_kind transport = protocol::engineio::transport_kind::polling;
  std::string_view sid;            // session: a view into the parameters given
  bool supported_version = false;  // handshake: EIO=4
};

// The route of a request for the endpoint with options `o`; `q`: its target's parameters.
engine_route route_engine_request(const request_head& req,
                                  const protocol::engineio::route_params& q,
                                  const endpoint_options& o);

}  // namespace sio::engineio::detail
