// libFuzzer: the RFC 6455 client frame decoder. The first byte sets the size of the pieces the rest
// is fed in, the second the message size limit; fed whole and in pieces, the events must agree and
// keep the decoder's promises (sizes within bounds, text and close reasons valid UTF-8, valid close
// codes, nothing after a close or an error).
#include <sio/protocol/utf8.hpp>
#include <sio/protocol/websocket.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace ws = sio::protocol::websocket;
using kind = ws::event::kind;

namespace {

struct seen {
  kind what;
  bool binary;
  std::uint16_t code;
  std::string payload;
  bool operator==(const seen&) const = default;
};

void check(const ws::event& e, std::size_t max_message) {
  switch (e.what) {
    case kind::message:
      if (e.payload.size() > max_message) std::abort();
      if (!e.binary && !sio::protocol::valid_utf8(e.payload)) std::abort();
      return;
    case kind::ping:
    case kind::pong:
      if (e.payload.size() > ws::max_control_payload) std::abort();
      return;
    case kind::close:
      if (e.code != ws::close_code::no_status && !ws::valid_close_code(e.code)) std::abort();
      if (!sio::protocol::valid_utf8(e.payload)) std::abort();
      return;
    case kind::error:
      if (e.code != ws::close_code::protocol_error && e.code != ws::close_code::invalid_payload &&
          e.code != ws::close_code::message_too_big)
        std::abort();
      return;
    case kind::need_more:
      return;
  }
}

// Feeds `wire` in pieces of `piece` bytes (each piece a buffer of its own, as reads are).
std::vector<seen> decode(const std::string& wire, std::size_t piece, std::size_t max_message) {
  ws::decoder d{max_message};
  std::vector<seen> out;
  std::vector<std::string> pieces;
  for (std::size_t at = 0; at < wire.size(); at += piece) {
    pieces.push_back(wire.substr(at, piece));
    d.feed(pieces.back().data(), pieces.back().size());
    for (auto e = d.next(); e.what != kind::need_more; e = d.next()) {
      if (!out.empty() && (out.back().what == kind::close || out.back().what == kind::error))
        std::abort();
      check(e, max_message);
      out.push_back({e.what, e.binary, e.code, std::string(e.payload)});
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  const std::size_t max_message = 1 + std::size_t{data[1]} * 32;
  const std::string wire(reinterpret_cast<const char*>(data + 2), size - 2);
  if (decode(wire, wire.size() + 1, max_message) != decode(wire, piece, max_message)) std::abort();
  return 0;
}
