// Errors of the pure protocol codecs (Engine.IO and Socket.IO), as a boost::system category.
#pragma once

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace sio::protocol {

enum class error {
  // Engine.IO
  empty_packet = 1,
  unknown_packet_type,
  invalid_base64,
  payload_too_large,
  invalid_handshake_query,
  // Socket.IO
  invalid_namespace,
  invalid_ack_id,
  invalid_json,
  json_too_deep,
  invalid_payload,           // payload of the wrong shape for the packet type
  invalid_event_name,        // not a string or a number
  reserved_event_name,       // connect, connect_error, disconnect, disconnecting, newListener, ...
  invalid_attachment_count,  // missing/garbled "<n>-" or over the limit
  invalid_placeholder,       // {"_placeholder":true,"num":n} with n not an integer in range
  unexpected_binary,         // a binary frame with no attachments pending
  unexpected_text,           // a text packet while attachments are still pending
  invalid_packet,            // a MessagePack packet that is not a map with a valid type
};

const boost::system::error_category& protocol_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

}  // namespace sio::protocol

template <>
struct boost::system::is_error_code_enum<sio::protocol::error> : std::true_type {};
