// libFuzzer target for the Socket.IO v5 decoder.
//
// Input: frames separated by 0x1e (a byte JSON text cannot hold unescaped); the first byte of a
// frame selects its kind (odd: binary attachment, even: text packet), the rest is the frame.
// Every frame goes into one decoder, which must never crash. Every packet it completes must
// survive encode -> decode -> encode unchanged (checks the encoder against the decoder).
#include <sio/protocol/socketio.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace sio::protocol::socketio;

// JSON.stringify writes a non-finite number as null, so an event named 1e400 (a number, hence
// valid, as in JS) is re-encoded with a null name that no decoder accepts.
bool non_finite_name(const packet& p) {
  const auto* a = p.data.if_array();
  if (!a || a->empty()) return false;
  const auto* d = a->front().if_double();
  return d && !std::isfinite(*d);
}

void check_round_trip(const packet& p) {
  const encoded first = encode(p);
  decoder d;
  auto r = d.on_text(first.text);
  if (!r) {
    if (non_finite_name(p)) return;
    std::abort();
  }
  for (const auto& b : first.binaries) {
    if (r->has_value()) std::abort();  // completed before its attachments
    r = d.on_binary(b);
    if (!r) std::abort();
  }
  if (!r->has_value() || d.pending()) std::abort();
  const packet& q = **r;
  if (q.type != p.type || q.nsp != p.nsp || q.id != p.id || q.attachments != p.attachments) {
    std::abort();
  }
  const encoded second = encode(q);
  if (second.text != first.text || second.binaries != first.binaries) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  decoder d({.max_attachments = 4, .max_depth = 16});
  std::size_t pos = 0;
  while (pos < input.size()) {
    auto end = input.find('\x1e', pos);
    if (end == std::string_view::npos) end = input.size();
    const auto frame = input.substr(pos, end - pos);
    pos = end + 1;
    if (frame.empty()) continue;
    const bool binary = (static_cast<unsigned char>(frame[0]) & 1) != 0;
    const auto body = frame.substr(1);
    auto r = binary ? d.on_binary(body) : d.on_text(body);
    if (!r) continue;  // refused: the caller would close the connection; the decoder is reset
    if (r->has_value()) check_round_trip(**r);
  }
  return 0;
}
