// Glue between sio::engineio::server's application routes and the demo server's REST API and
// static files: Beast request in, apps::reply out. /api/... goes to the given API handler;
// GET/HEAD of anything else to the front end.
#pragma once

#include "accounts_api.hpp"
#include "static_files.hpp"

#include <sio/engineio/server.hpp>

#include <functional>

namespace apps {

// Handles one request whose path starts with /api; `done` runs exactly once, on any thread.
using api_handler = std::function<void(api_request req, reply_fn done)>;

// Converts an apps::reply for a request (keep-alive, version, HEAD) into a Beast response.
sio::engineio::http_response to_http(reply r, const sio::engineio::http_request& req);

// The handler to pass to engineio::server::on_request. `files` must outlive it.
sio::engineio::http_handler make_http_handler(api_handler api, const static_files& files);

}  // namespace apps
