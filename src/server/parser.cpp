#include <sio/server/parser.hpp>

#include <utility>

namespace sio {
namespace pt = protocol::socketio;

namespace {

// A packet waiting for its binary attachments: the only state the JSON parser keeps.
struct json_state final : parser_state {
  explicit json_state(pt::decoder d) : dec(std::move(d)) {}
  pt::decoder dec;
};

}  // namespace

void json_parser::encode(pt::packet& p, std::vector<engineio::message_ptr>& out) const {
  std::string text;
  pt::encode_text(p, text);
  out.reserve(out.size() + 1 + p.attachments.size());
  out.push_back(engineio::make_text(std::move(text)));
  for (auto& a : p.attachments) out.push_back(engineio::make_binary(std::move(a)));
  p.attachments.clear();
}

parser::decode_result json_parser::decode(bool binary, std::string_view data,
                                          std::unique_ptr<parser_state>& state) const {
  const auto feed = [&](pt::decoder& d) { return binary ? d.on_binary(data) : d.on_text(data); };
  if (state) {
    auto& d = static_cast<json_state&>(*state).dec;
    auto r = feed(d);
    if (!d.pending()) state.reset();  // r (the completed packet) does not point into the decoder
    return r;
  }
  // Most packets need no attachment: decode them without keeping a decoder.
  pt::decoder d(limits_);
  auto r = feed(d);
  if (d.pending()) state = std::make_unique<json_state>(std::move(d));
  return r;
}

}  // namespace sio
