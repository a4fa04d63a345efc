#include <sio/protocol/error.hpp>

#include <string>

namespace sio::protocol {
namespace {

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sio.protocol"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::empty_packet:
        return "empty packet";
      case error::unknown_packet_type:
        return "unknown packet type";
      case error::invalid_base64:
        return "invalid base64";
      case error::payload_too_large:
        return "payload too large";
      case error::invalid_handshake_query:
        return "invalid handshake query";
      case error::invalid_namespace:
        return "invalid namespace";
      case error::invalid_ack_id:
        return "invalid ack id";
      case error::invalid_json:
        return "invalid JSON";
      case error::json_too_deep:
        return "JSON nested too deeply";
      case error::invalid_payload:
        return "invalid payload";
      case error::invalid_event_name:
        return "invalid event name";
      case error::reserved_event_name:
        return "reserved event name";
      case error::invalid_attachment_count:
        return "invalid attachment count";
      case error::invalid_placeholder:
        return "invalid binary placeholder";
      case error::unexpected_binary:
        return "unexpected binary attachment";
      case error::unexpected_text:
        return "text packet while attachments are pending";
      case error::invalid_packet:
        return "invalid packet object";
    }
    return "unknown sio.protocol error";
  }
};

}  // namespace

const boost::system::error_category& protocol_category() noexcept {
  static const category c;
  return c;
}

}  // namespace sio::protocol
