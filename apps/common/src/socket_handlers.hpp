// What the apps' Socket.IO event handlers share: the acknowledgement of a refused event, an
// event's first argument, a guard that answers the acknowledgement when a handler throws, and the
// handler that calls an app's member function until the app stops.
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

// The handler of an event calling (app.*fn)(socket, first argument, ack); once `stopped()` is
// true it answers "Server is shutting down" instead.
template <class App, class Stopped>
auto member_handler(App& app, void (App::*fn)(sio::socket&, const boost::json::value&, sio::ack&),
                    Stopped stopped) {
  return [&app, fn, stopped](sio::socket& s, const boost::json::array& args, sio::ack& ack) {
    if (stopped()) return ack(failure("Server is shutting down"));
    (app.*fn)(s, first_arg(args), ack);
  };
}

}  // namespace apps
