// The binary scenarios of the official socket.io-client suite's test/connection.ts (ArrayBuffer and
// Blob alike: the C++ client has one binary type, sio::binary), on the C++ client over each
// transport arrangement (polling only, WebSocket only, polling upgraded to WebSocket), against the
// suite's fixture on Node and on sio (scenario_support.hpp).
#include "scenario_support.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace {

using namespace sio::test;
namespace sc = sio::client;
namespace json = boost::json;

class binaries : public scenario_test {};

struct transports {
  const char* name;
  std::vector<sc::transport> list;
};

const std::vector<transports>& arrangements() {
  static const std::vector<transports> all{
      {"polling", {sc::transport::polling}},
      {"websocket", {sc::transport::websocket}},
      {"upgrade", {sc::transport::polling, sc::transport::websocket}}};
  return all;
}

sc::manager_options over(const transports& t) {
  auto o = scenario_options();
  o.transports = t.list;
  return o;
}

sio::binary bytes(std::string s) {
  return sio::binary(std::move(s));
}

// {hello: "lol", message: <binary>, goodbye: "gotcha"}: the message is an attachment of `p`,
// referred to by its placeholder.
json::object mixed(sio::payload& p, std::string bytes_of_message) {
  namespace proto = sio::protocol::socketio;
  p.attachments.push_back(sio::binary(std::move(bytes_of_message)));
  json::object placeholder{{proto::placeholder_key, true},
                           {proto::placeholder_num_key, p.attachments.size() - 1}};
  return {{"hello", "lol"}, {"message", std::move(placeholder)}, {"goodbye", "gotcha"}};
}

// "should get binary data (as an ArrayBuffer)" and "should get base64 data as a last resort"
// (getbin: binary here, never base64)
TEST_P(binaries, receives_binary) {
  for (const auto& t : arrangements()) {
    recorder log;
    sc::manager io(url(), over(t));
    auto s = io.socket("/");
    for (const char* event : {"doge", "takebin"})
      s->on(event, [&log, event](sio::binary b) { log.add(event + (" " + b.bytes)); });
    s->emit("doge");
    s->emit("getbin");
    ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 2; })) << t.name;
    EXPECT_EQ(log.entries(), (std::vector<std::string>{"doge asdfasdf", "takebin asdfasdf"}))
        << t.name;
  }
}

// "should send binary data (as an ArrayBuffer)" and "(as a Blob)"
TEST_P(binaries, sends_binary) {
  for (const auto& t : arrangements()) {
    recorder log;
    sc::manager io(url(), over(t));
    auto s = io.socket("/");
    s->on("buffack", [&] { log.add("buffack"); });
    s->on("back", [&] { log.add("back"); });
    s->emit("buffa", bytes("asdfasdf"));
    s->emit("blob", bytes("hello world"));
    ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 2; })) << t.name;
    EXPECT_EQ(log.entries(), (std::vector<std::string>{"buffack", "back"})) << t.name;
  }
}

// "should send binary data (as an ArrayBuffer) mixed with json" and "(as a Blob) mixed with json"
TEST_P(binaries, sends_binary_inside_json) {
  for (const auto& t : arrangements()) {
    recorder log;
    sc::manager io(url(), over(t));
    auto s = io.socket("/");
    s->on("jsonbuff-ack", [&] { log.add("jsonbuff-ack"); });
    s->on("jsonblob-ack", [&] { log.add("jsonblob-ack"); });
    sio::payload buff;
    buff.args.push_back(mixed(buff, "howdy"));
    s->emit_payload("jsonbuff", std::move(buff));
    sio::payload blob;
    blob.args.push_back(mixed(blob, "EEEEEEEEE"));
    s->emit_payload("jsonblob", std::move(blob));
    ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 2; })) << t.name;
    EXPECT_EQ(log.entries(), (std::vector<std::string>{"jsonbuff-ack", "jsonblob-ack"})) << t.name;
  }
}

// "should send events with ArrayBuffers in the correct order" and "with Blobs"
TEST_P(binaries, sends_binary_events_in_order) {
  for (const auto& t : arrangements()) {
    recorder log;
    sc::manager io(url(), over(t));
    auto s = io.socket("/");
    s->on("abuff2-ack", [&] { log.add("abuff2-ack"); });
    s->on("blob3-ack", [&] { log.add("blob3-ack"); });
    s->emit("abuff1", bytes("abuff1"));
    s->emit("abuff2", "please arrive second");
    s->emit("blob1", bytes("BLOBBLOB"));
    s->emit("blob2", "second");
    s->emit("blob3", bytes("BLOBBLOB"));
    ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 2; })) << t.name;
    EXPECT_EQ(log.entries(), (std::vector<std::string>{"abuff2-ack", "blob3-ack"})) << t.name;
  }
}

// The echo of a binary argument (socket.ts "echo" with an ack) comes back as the same bytes.
TEST_P(binaries, echoes_binary_in_an_ack) {
  for (const auto& t : arrangements()) {
    recorder log;
    sc::manager io(url(), over(t));
    auto s = io.socket("/");
    std::string all(256, '\0');
    for (int i = 0; i < 256; ++i) all[i] = static_cast<char>(i);
    s->emit_with_ack("echo", sio::make_payload(bytes(all)),
                     [&](boost::system::error_code ec, sio::payload p) {
                       const auto* b = p.binary_at(0);
                       log.add(!ec && b && b->bytes == all ? "same bytes" : "other");
                     });
    ASSERT_TRUE(log.wait_until([](auto& e) { return !e.empty(); })) << t.name;
    EXPECT_EQ(log.entries(), std::vector<std::string>{"same bytes"}) << t.name;
  }
}

INSTANTIATE_TEST_SUITE_P(scenarios, binaries, testing::ValuesIn(scenario_servers()),
                         scenario_server_name);

}  // namespace
