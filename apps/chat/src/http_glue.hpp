// Glue between sio::engineio::server's application routes and the chat's REST API and static
// files: Beast request in, chat::reply out. /api/... goes to chat::api (Argon2id work on the
// given thread pool); GET/HEAD of anything else to the front end.
#pragma once

#include "api.hpp"
#include "static_files.hpp"

#include <sio/engineio/server.hpp>

#include <functional>
#include <optional>

namespace chat {

// Converts a chat::reply for a request (keep-alive, version, HEAD) into a Beast response.
sio::engineio::http_response to_http(reply r, const sio::engineio::http_request& req);

// Routes of other modules under /api, tried before chat::api: a reply, or nullopt when the
// target is not theirs.
using extra_api = std::function<std::optional<reply>(const api_request&)>;

// The handler to pass to engineio::server::on_request. `a` and `files` must outlive it.
sio::engineio::http_handler make_http_handler(api& a, const static_files& files,
                                              extra_api extra = {});

}  // namespace chat
