// A Socket.IO client speaking the wire protocol over WebSocket (engineio_client.hpp's ws_client),
// for the integration tests that drive servers of a cluster: connect (with CONNECT auth), read
// packets with their binary attachments (pings answered), send packets, close.
#pragma once

#include "engineio_client.hpp"

#include <gtest/gtest.h>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace sio::test {

class sio_client {
 public:
  explicit sio_client(std::uint16_t port, header_list headers = {}, const std::string& auth = {}) {
    EXPECT_EQ(ws_.connect(port, "/socket.io/?EIO=4&transport=websocket", std::move(headers)), 101u);
    EXPECT_EQ(ws_.read_text().substr(0, 1), "0");
    ws_.write("40" + auth);
    // A recovered session's missed packets come before the CONNECT answer (as Node writes them).
    auto connect = read_packet();
    while (connect.text.starts_with("2") || connect.text.starts_with("5")) {
      early_.push_back(std::move(connect));
      connect = read_packet();
    }
    EXPECT_EQ(connect.text.substr(0, 1), "0") << connect.text;
    auto v = boost::json::parse(connect.text.substr(1));
    id_ = std::string(v.at("sid").as_string());
    // With connection state recovery: the private session id.
    if (const auto* pid = v.as_object().if_contains("pid"); pid && pid->is_string())
      pid_ = std::string(pid->get_string());
  }
  const std::string& id() const { return id_; }
  const std::string& pid() const { return pid_; }

  // The next Socket.IO text packet (pings answered), with its binary attachments.
  struct packet {
    std::string text;
    std::vector<std::string> binaries;
  };
  packet next() {
    if (early_.empty()) return read_packet();
    auto p = std::move(early_.front());
    early_.pop_front();
    return p;
  }
  // The next event packet's JSON array.
  boost::json::array next_event() {
    auto p = next();
    if (p.text.empty()) return {};
    auto pos = p.text.find('[');
    return boost::json::parse(p.text.substr(pos)).as_array();
  }
  void send(const std::string& packet) { ws_.write("4" + packet); }
  // Closes the WebSocket (a "transport close" for the server: a recoverable disconnection).
  void close() { ws_.close(); }

 private:
  packet read_packet() {
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

  ws_client ws_;
  std::string id_, pid_;
  std::deque<packet> early_;
};

}  // namespace sio::test
