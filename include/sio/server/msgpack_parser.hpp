// The server's MessagePack parser, wire-compatible with socket.io-msgpack-parser 3.x (Node's
// `parser: require("socket.io-msgpack-parser")`): each packet is one binary Engine.IO message
// holding a MessagePack map {type, nsp, data, id}; binary arguments are msgpack bin inside `data`
// (protocol::msgpack_parser has the encoding and its validation). A text message is an error.
//
//   sio::server io{{.parser = std::make_shared<sio::msgpack_parser>()}};
//
// Header-only over sio_msgpack: link sio::msgpack (it needs msgpuck, like the Redis adapter).
// Thread-safety: as every parser (parser.hpp).
#pragma once

#include <sio/protocol/error.hpp>
#include <sio/protocol/msgpack_parser.hpp>
#include <sio/server/parser.hpp>

#include <string>
#include <utility>

namespace sio {

class msgpack_parser final : public parser {
 public:
  explicit msgpack_parser(protocol::msgpack_parser::decoder_limits limits = {}) : limits_(limits) {}

  void encode(protocol::socketio::packet& p,
              std::vector<engineio::message_ptr>& out) const override {
    std::string bytes;
    bytes.reserve(64 + p.nsp.size());
    protocol::msgpack_parser::encode(p, bytes);
    out.push_back(engineio::make_binary(std::move(bytes)));
  }
  decode_result decode(bool binary, std::string_view data,
                       std::unique_ptr<parser_state>&) const override {
    if (!binary) return protocol::error::unexpected_text;
    auto p = protocol::msgpack_parser::decode(data, limits_);
    if (!p) return p.error();
    return std::optional<protocol::socketio::packet>(std::move(*p));
  }

 private:
  protocol::msgpack_parser::decoder_limits limits_;
};

}  // namespace sio
