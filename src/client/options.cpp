#include <sio/client/options.hpp>

namespace sio::client {

std::string_view to_string(transport t) noexcept {
  return t == transport::websocket ? "websocket" : "polling";
}

}  // namespace sio::client
