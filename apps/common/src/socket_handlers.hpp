// What the apps' Socket.IO event handlers share: the acknowledgement of a refused event, an
// event's first argument, and a guard that answers the acknowledgement when a handler throws.
#pragma once

#include <sio/sio.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <iostream>
#include <string_view>

namespace apps {

// {"success": false, "error": error}: the acknowledgement of a refused event.
boost::json::value failure(std::string_view error);

// The event's first argument (null when it has none).
const boost::json::value& first_arg(const boost::json::array& args);

// Runs the body `f` of app `app`'s handler of `event`; an unexpected exception is logged
// ("<app>: <event>: <what>") and answers the acknowledgement with "Internal error" instead of
// unwinding into the server (which would drop the socket).
template <class F>
void guarded(std::string_view app, std::string_view event, sio::ack& ack, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    std::cerr << app << ": " << event << ": " << e.what() << '\n';
    ack(failure("Internal error"));
  }
}

}  // namespace apps
