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
  // Most packets need no attachment: they are decoded without keeping a decoder. One result
  // object for every path, so that it is built in place (this is every message's path).
  pt::decoder fresh(limits_);
  const bool had_state = state != nullptr;
  auto& d = had_state ? static_cast<json_state&>(*state).dec : fresh;
  decode_result r = binary ? d.on_binary(data) : d.on_text(data);
  if (had_state) {
    if (!d.pending()) state.reset();  // r (the completed packet) does not point into the decoder
  } else if (d.pending()) {
    state = std::make_unique<json_state>(std::move(fresh));
  }
  return r;
}

}  // namespace sio
