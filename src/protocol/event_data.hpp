// The check both Socket.IO decoders (socket.io-parser's text form and socket.io-msgpack-parser's)
// make of an EVENT's data. Private to sio's protocol sources.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

namespace sio::protocol::socketio {

// An EVENT's data as socket.io-parser accepts it: an array whose first element is an event name
// (a string that is not reserved) or a number. Otherwise invalid_payload (not an array),
// invalid_event_name (empty, or a first element of another kind) or reserved_event_name.
boost::system::error_code check_event_data(const boost::json::value& data) noexcept;

}  // namespace sio::protocol::socketio
