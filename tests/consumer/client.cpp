// A client program that uses sio's C++ client (sio::client) from outside its source tree, built
// with the consumer (tests/consumer/run.sh) and run by check.mjs against main.cpp's server:
//   client http://127.0.0.1:<port>
// Connects to namespace /consumer with auth {token: "let-me-in"}, emits "greet" {name: "cpp"}
// with an acknowledgement (5 s timeout), waits for both the answer {reply: "hello cpp"} and the
// "greeted" broadcast naming its own socket id, disconnects, and prints "client ok" (exit 0).
// Anything else exits 1 with the reason.
#include <sio/client/manager.hpp>
#include <sio/client/socket.hpp>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <future>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: client http://127.0.0.1:<port>\n";
    return 2;
  }
  std::promise<std::string> result;  // empty: success; else the reason of the failure
  int pending = 2;                   // the answer and the broadcast (on the client's strand)
  auto done = [&](std::string failure) {
    if (pending < 0) return;
    if (!failure.empty() || --pending == 0) {
      pending = -1;
      result.set_value(std::move(failure));
    }
  };

  // Declared before the manager, so it outlives the handlers that use it (the manager's
  // destructor releases them).
  std::shared_ptr<sio::client::socket> s;
  sio::client::manager io(argv[1], {.reconnection = false, .auto_connect = false});
  s = io.socket("/consumer", {.auth = {{"token", "let-me-in"}}});
  s->on("greeted", [&](boost::json::value m) {
    const auto& o = m.as_object();
    if (o.at("name").as_string() == "cpp" && o.at("from").as_string() == s->id()) done("");
  });
  s->on_connect_error([&](const sio::connect_error& e) { done("connect_error: " + e.message); });
  s->on_connect([&] {
    s->timeout(5s).emit_with_ack(
        "greet", sio::make_payload(boost::json::object{{"name", "cpp"}}),
        [&](boost::system::error_code ec, sio::payload answer) {
          if (ec) return done("greet: " + ec.message());
          const auto text = boost::json::serialize(answer.args);
          done(text == R"([{"reply":"hello cpp"}])" ? "" : "answer " + text);
        });
  });
  s->connect();

  auto outcome = result.get_future();
  if (outcome.wait_for(20s) != std::future_status::ready) {
    std::cerr << "client: no answer within 20 s\n";
    return 1;
  }
  const auto failure = outcome.get();
  s->disconnect();
  io.close();
  if (!failure.empty()) {
    std::cerr << "client: " << failure << "\n";
    return 1;
  }
  std::cout << "client ok" << std::endl;
  return 0;
}
