// A Socket.IO client speaking the wire protocol over WebSocket (raw packets in and out), for the
// cluster adapter integration tests.
#pragma once

#include "engineio_client.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>
#include <vector>

namespace sio::test {

// A Socket.IO client speaking the wire protocol over WebSocket.
class sio_client {
 public:
  explicit sio_client(std::uint16_t port, header_list headers = {}, const std::string& auth = {}) {
    EXPECT_EQ(ws_.connect(port, "/socket.io/?EIO=4&transport=websocket", std::move(headers)), 101u);
    EXPECT_EQ(ws_.read_text().substr(0, 1), "0");
    ws_.write("40" + auth);
    auto connect = ws_.read_text();
    EXPECT_EQ(connect.substr(0, 2), "40") << connect;
    auto v = boost::json::parse(connect.substr(2));
    id_ = std::string(v.at("sid").as_string());
  }
  const std::string& id() const { return id_; }

  // The next Socket.IO text packet (pings answered), with its binary attachments.
  struct packet {
    std::string text;
    std::vector<std::string> binaries;
  };
  packet next() {
    for (;;) {
      auto f = ws_.read();
      if (!f) return {};
      if (f->binary) continue;
      if (f->data == "2") {
        ws_.write("3");
        continue;
      }
      packet p{f->data.substr(1), {}};
      // 45<n>-...: read n binary frames.
      if (p.text.size() > 1 && (p.text[0] == '5' || p.text[0] == '6')) {
        const auto n = std::stoul(p.text.substr(1, p.text.find('-') - 1));
        for (std::size_t i = 0; i < n; ++i) {
          auto b = ws_.read();
          if (!b) return {};
          p.binaries.push_back(b->data);
        }
      }
      return p;
    }
  }
  // The next event packet's JSON array.
  boost::json::array next_event() {
    auto p = next();
    if (p.text.empty()) return {};
    auto pos = p.text.find('[');
    return boost::json::parse(p.text.substr(pos)).as_array();
  }
  void send(const std::string& packet) { ws_.write("4" + packet); }

 private:
  ws_client ws_;
  std::string id_;
};

}  // namespace sio::test
