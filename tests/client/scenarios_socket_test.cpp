// The official socket.io-client suite's test/socket.ts and test/connection-state-recovery.ts, on
// the C++ client, against the suite's fixture on Node and on sio (scenario_support.hpp).
#include "scenario_support.hpp"

#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <future>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

using namespace sio::test;
namespace sc = sio::client;
namespace json = boost::json;
namespace asio = boost::asio;

class sockets : public scenario_test {};

std::string ack_text(boost::system::error_code ec, const sio::payload& p) {
  if (ec) return "error " + ec.message();
  return p.empty() ? "answer" : "answer " + json_text(p.args[0]);
}

// Emits with an ack and records its outcome as ack_text().
void ask(sc::socket& s, recorder& log, const std::string& event, sio::payload p = {}) {
  s.emit_with_ack(event, std::move(p), [&log](boost::system::error_code ec, sio::payload a) {
    log.add(ack_text(ec, a));
  });
}

bool nonempty(const std::vector<std::string>& e) {
  return !e.empty();
}

// The "(promise)" forms: asio::use_future(error_of) gives a future of the ack's error_code. With
// asio::use_future alone an error is thrown by future::get(), from an exception_ptr made on
// Asio's own thread; libstdc++ counts that exception's references in code ThreadSanitizer does
// not instrument, and it reports the exception's release there as a data race (a false one).
boost::system::error_code error_of(boost::system::error_code ec, const sio::payload&) {
  return ec;
}

// The handshake the fixture's "/abc" namespace sends on connection.
json::object abc_handshake(sc::manager& io, sc::socket_options so = {}) {
  std::promise<json::object> got;
  auto s = io.socket("/abc", std::move(so));
  s->once("handshake", [&](json::object h) { got.set_value(std::move(h)); });
  auto f = got.get_future();
  if (f.wait_for(10s) != std::future_status::ready) throw std::runtime_error("no handshake");
  auto h = f.get();
  s->disconnect();
  return h;
}

std::string query_value(const json::object& handshake, std::string_view key) {
  const auto& q = handshake.at("query").as_object();
  const auto* v = q.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "<none>";
}

// "should have an accessible socket id equal to the server-side socket id (default namespace)"
// and "(custom namespace)"
TEST_P(sockets, has_the_servers_socket_id) {
  for (const char* nsp : {"/", "/foo"}) {
    recorder log;
    sc::manager io(url(), options());
    auto s = io.socket(nsp);
    ask(*s, log, "getId");
    ASSERT_TRUE(log.wait_until(nonempty)) << nsp;
    ASSERT_FALSE(s->id().empty());
    EXPECT_EQ(log.entries(), std::vector<std::string>{"answer \"" + s->id() + "\""}) << nsp;
    EXPECT_NE(s->id(), io.engine_id()) << nsp;
  }
}

// "clears socket.id upon disconnection"
TEST_P(sockets, clears_the_id_on_disconnection) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->on_connect([&] { s->disconnect(); });
  s->on_disconnect([&](sc::disconnect_reason) { log.add(s->id().empty() ? "no id" : "id"); });
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"no id"});
}

// "doesn't fire an error event if we force disconnect in opening state"
TEST_P(sockets, no_error_after_disconnecting_while_opening) {
  recorder log;
  auto o = options();
  o.timeout = 100ms;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  s->disconnect();
  io.on_error([&](std::string_view) { log.add("error"); });
  quiet_window(300ms);
  EXPECT_TRUE(log.entries().empty());
  EXPECT_FALSE(s->active());
}

// "fire a connect_error event when the connection cannot be established"
TEST_P(sockets, connect_error_when_the_server_is_unreachable) {
  recorder log;
  auto o = options();
  o.timeout = 100ms;
  o.auto_connect = false;
  sc::manager io(closed_url(), o);
  auto s = io.socket("/");
  s->on_connect_error([&](const sio::connect_error&) { log.add("connect_error"); });
  s->connect();
  EXPECT_TRUE(log.wait("connect_error"));
}

// "fire a connect_error event on open timeout (polling)" and "(websocket)"
TEST_P(sockets, connect_error_on_open_timeout) {
  for (auto t : {sc::transport::polling, sc::transport::websocket}) {
    recorder log;
    auto o = options();
    o.transports = {t};
    o.timeout = 0ms;
    o.auto_connect = false;
    sc::manager io(url(), o);
    auto s = io.socket("/");
    s->on_connect_error([&](const sio::connect_error& e) { log.add(e.message); });
    s->on_connect([&] { log.add("connect"); });
    s->connect();
    ASSERT_TRUE(log.wait_until(nonempty)) << sc::to_string(t);
    EXPECT_EQ(log.entries().front(), "timeout") << sc::to_string(t);
  }
}

// "doesn't fire a connect_error event when the connection is already established"
TEST_P(sockets, no_connect_error_once_connected) {
  recorder log;
  auto o = options();
  o.reconnection_delay = 10ms;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  s->on_connect_error([&](const sio::connect_error&) { log.add("connect_error"); });
  s->on_connect([&] {
    log.add("connect");
    if (log.count("connect") == 1) s->emit("closeTransport");
  });
  ASSERT_TRUE(log.wait("connect", 2));
  EXPECT_EQ(log.count("connect_error"), 0u);
}

// "should change socket.id upon reconnection" (no event received: nothing to recover)
TEST_P(sockets, changes_id_on_reconnection) {
  recorder log;
  auto o = options();
  o.reconnection_delay = 10ms;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  std::string first;
  io.on_reconnect_attempt([&](unsigned) { log.add(s->id().empty() ? "no id" : "id"); });
  s->on_connect([&] {
    if (first.empty()) {
      first = s->id();
      s->emit("closeTransport");
    } else {
      log.add(s->id() != first && !s->id().empty() ? "new id" : "same id");
    }
  });
  ASSERT_TRUE(log.wait_until([](auto& e) { return !e.empty() && e.back() != "no id"; }));
  EXPECT_EQ(log.entries(), (std::vector<std::string>{"no id", "new id"}));
  EXPECT_FALSE(s->recovered());
}

// "query option": "should accept an object (default namespace)", "should accept a query string
// (default namespace)"
TEST_P(sockets, sends_the_query_on_the_default_namespace) {
  {
    recorder log;
    auto o = options();
    o.query = {{"e", "f"}};
    sc::manager io(url(), o);
    auto s = io.socket("/");
    s->emit_with_ack("getHandshake", {}, [&](boost::system::error_code ec, sio::payload p) {
      log.add(ec || p.empty() ? "error" : query_value(p.args[0].as_object(), "e"));
    });
    ASSERT_TRUE(log.wait_until(nonempty));
    EXPECT_EQ(log.entries(), std::vector<std::string>{"f"});
  }
  {
    recorder log;
    sc::manager io(url("/?c=d"), options());
    auto s = io.socket("/");
    s->emit_with_ack("getHandshake", {}, [&](boost::system::error_code ec, sio::payload p) {
      log.add(ec || p.empty() ? "error" : query_value(p.args[0].as_object(), "c"));
    });
    ASSERT_TRUE(log.wait_until(nonempty));
    EXPECT_EQ(log.entries(), std::vector<std::string>{"d"});
  }
}

// "query option": "should accept an object", "should accept a query string", "should properly
// encode the parameters" (namespace /abc)
TEST_P(sockets, sends_the_query_on_a_custom_namespace) {
  {
    auto o = options();
    o.query = {{"a", "b"}};
    sc::manager io(url(), o);
    EXPECT_EQ(query_value(abc_handshake(io), "a"), "b");
  }
  {
    sc::manager io(url("/?b=c&d=e"), options());
    const auto h = abc_handshake(io);
    EXPECT_EQ(query_value(h, "b"), "c");
    EXPECT_EQ(query_value(h, "d"), "e");
  }
  {
    auto o = options();
    o.query = {{"&a", "&=?a"}};
    sc::manager io(url(), o);
    EXPECT_EQ(query_value(abc_handshake(io), "&a"), "&=?a");
  }
}

// "auth option": "should accept an object", "should accept an function"
TEST_P(sockets, sends_the_auth) {
  {
    sc::manager io(url(), options());
    const auto h = abc_handshake(io, {.auth = {{"a", "b"}, {"c", "d"}}});
    EXPECT_EQ(json_text(h.at("auth")), R"({"a":"b","c":"d"})");
    EXPECT_EQ(query_value(h, "a"), "<none>");
  }
  {
    sc::manager io(url(), options());
    sc::socket_options so;
    so.auth_fn = [](std::function<void(json::object)> answer) { answer({{"e", "f"}}); };
    const auto h = abc_handshake(io, so);
    EXPECT_EQ(json_text(h.at("auth")), R"({"e":"f"})");
    EXPECT_EQ(query_value(h, "e"), "<none>");
  }
}

// "should fire an error event on middleware failure from custom namespace"
TEST_P(sockets, connect_error_from_a_namespace_middleware) {
  recorder log;
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/no");
  s->on_connect_error([&](const sio::connect_error& e) { log.add(e.message); });
  s->connect();
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"Auth failed (custom namespace)"});
}

// "should not try to reconnect after a middleware failure" (the connection is closed under it
// through another namespace, then reconnects)
TEST_P(sockets, no_reconnection_after_a_middleware_failure) {
  recorder log;
  auto o = options();
  o.reconnection_delay = 10ms;
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto no = io.socket("/no");
  auto main = io.socket("/");
  no->on_connect_error([&](const sio::connect_error&) { log.add("connect_error"); });
  main->on_connect([&] { log.add("connect"); });
  no->connect();
  main->connect();
  ASSERT_TRUE(log.wait("connect_error") && log.wait("connect"));
  main->emit("closeTransport");
  ASSERT_TRUE(log.wait("connect", 2));
  ask(*main, log, "getId");  // answered after what the server got before it
  ASSERT_TRUE(log.wait_until([](auto& e) { return e.back().starts_with("answer"); }));
  EXPECT_EQ(log.count("connect_error"), 1u);
  EXPECT_FALSE(no->active());
}

// "should properly disconnect then reconnect"
TEST_P(sockets, disconnects_then_reconnects) {
  recorder log;
  auto o = options();
  o.transports = {sc::transport::websocket};
  sc::manager io(url(), o);
  auto s = io.socket("/");
  s->on_disconnect([&](sc::disconnect_reason) { log.add("disconnect"); });
  s->on_connect([&] {
    log.add("connect");
    if (log.count("connect") == 1) {
      s->disconnect();
      s->connect();
    }
  });
  ASSERT_TRUE(log.wait("connect", 2));
  EXPECT_EQ(log.entries(), (std::vector<std::string>{"connect", "disconnect", "connect"}));
}

// "should throw on reserved event"
TEST_P(sockets, throws_on_a_reserved_event) {
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/no");
  try {
    s->emit("disconnecting", "goodbye");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"disconnecting\" is a reserved event name"),
              std::string::npos);
  }
}

// "should emit events in order"
TEST_P(sockets, emits_in_order) {
  recorder log;
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  s->on_connect([&] { ask(*s, log, "echo", sio::make_payload("second")); });
  ask(*s, log, "echo", sio::make_payload("first"));
  s->connect();
  ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 2; }));
  EXPECT_EQ(log.entries(), (std::vector<std::string>{R"(answer "first")", R"(answer "second")"}));
}

// "should emit an event and wait for the acknowledgement" (a future as the completion token)
TEST_P(sockets, emit_with_ack_completes_a_future) {
  sc::manager io(url(), options());
  auto s = io.socket("/");
  auto answer = s->emit_with_ack("echo", sio::make_payload(123), asio::use_future);
  ASSERT_EQ(answer.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(json_text(answer.get().args), "[123]");
}

// "volatile packets": "should discard a volatile packet when the socket is not connected"
TEST_P(sockets, volatile_dropped_while_not_connected) {
  recorder log;
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  s->volatile_().emit_with_ack("getId", {}, [&](boost::system::error_code ec, sio::payload) {
    if (!ec) log.add("volatile answered");
  });
  ask(*s, log, "getId");
  s->connect();
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.count("volatile answered"), 0u);
}

// "volatile packets": "should discard a volatile packet when the pipe is not ready" (the answer
// to a later emit comes after the volatile's would have)
TEST_P(sockets, volatile_dropped_while_the_transport_writes) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->on_connect([&] {
    ask(*s, log, "getId");
    s->volatile_().emit_with_ack("getId", {}, [&](boost::system::error_code ec, sio::payload) {
      if (!ec) log.add("volatile answered");
    });
    ask(*s, log, "getId");
  });
  ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() >= 2; }));
  EXPECT_EQ(log.count("volatile answered"), 0u);
}

// "volatile packets": "should send a volatile packet when the socket is connected and the pipe
// is ready" (tried every 200 ms until one is answered)
TEST_P(sockets, volatile_sent_when_the_transport_is_ready) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  for (int i = 0; i < 50 && log.count("answered") == 0; ++i) {
    s->volatile_().emit_with_ack("getId", {}, [&](boost::system::error_code ec, sio::payload) {
      if (!ec) log.add("answered");
    });
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_GE(log.count("answered"), 1u);
}

// "onAny": "should call listener"
TEST_P(sockets, on_any_sees_incoming_events) {
  recorder log;
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/abc");
  s->on_any([&](std::string_view event, const sio::payload& args) {
    log.add(std::string(event) + (!args.empty() && args.args[0].is_object() ? " object" : ""));
  });
  s->connect();
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"handshake object"});
}

// "onAny": "should remove listener"
TEST_P(sockets, off_any_removes_the_listener) {
  recorder log;
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/abc");
  s->on_any([&](std::string_view, const sio::payload&) { log.add("removed listener"); });
  s->off_any();
  s->on_any([&](std::string_view event, const sio::payload&) { log.add(std::string(event)); });
  s->connect();
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"handshake"});
}

// "onAnyOutgoing": "should call listener" and "should call listener with binary data"
TEST_P(sockets, on_any_outgoing_sees_emits) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/abc");
  s->on_connect([&] {
    s->on_any_outgoing([&](std::string_view event, const sio::payload& args) {
      log.add(std::string(event) + " " + (args.is_binary(0) ? "binary" : json_text(args.args[0])));
    });
    s->emit("my-event", "123");
    s->emit("my-event", sio::binary(std::string("\x01\x02\x03")));
  });
  ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 2; }));
  EXPECT_EQ(log.entries(), (std::vector<std::string>{R"(my-event "123")", "my-event binary"}));
}

// "timeout": "should timeout after the given delay when socket is not connected"
TEST_P(sockets, ack_times_out_while_not_connected) {
  recorder log;
  auto o = options();
  o.auto_connect = false;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  s->timeout(50ms).emit_with_ack("event", {}, [&](boost::system::error_code ec, sio::payload) {
    log.add(ec == sc::error::timeout ? "timeout" : "other");
  });
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"timeout"});
}

// "timeout": "should timeout when the server does not acknowledge the event", and "(promise)"
TEST_P(sockets, ack_times_out_without_an_answer) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->timeout(50ms).emit_with_ack("unknown", {}, [&](boost::system::error_code ec, sio::payload) {
    log.add(ec == sc::error::timeout ? "timeout" : "other");
  });
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"timeout"});
  auto answer = s->timeout(50ms).emit_with_ack("unknown", {}, asio::use_future(error_of));
  ASSERT_EQ(answer.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(answer.get(), sc::error::timeout);
}

// "timeout": "should timeout when the server does not acknowledge the event in time" (completes
// once: the late answer is dropped)
TEST_P(sockets, ack_timeout_of_zero_completes_once) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->timeout(0ms).emit_with_ack(
      "echo", sio::make_payload(42),
      [&](boost::system::error_code ec, sio::payload p) { log.add("first " + ack_text(ec, p)); });
  ask(*s, log, "echo", sio::make_payload(43));  // answered after the first's answer
  ASSERT_TRUE(log.wait("answer 43"));
  EXPECT_EQ(log.entries(),
            (std::vector<std::string>{
                "first error " + make_error_code(sc::error::timeout).message(), "answer 43"}));
}

// "timeout": "should not timeout when the server does acknowledge the event", and "(promise)"
// (a timeout of 5 s instead of 50 ms: the emit is buffered until connected, and this machine may
// be slow)
TEST_P(sockets, ack_within_the_timeout) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->timeout(5s).emit_with_ack(
      "echo", sio::make_payload(42),
      [&](boost::system::error_code ec, sio::payload p) { log.add(ack_text(ec, p)); });
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"answer 42"});
  auto answer = s->timeout(5s).emit_with_ack("echo", sio::make_payload(42), asio::use_future);
  ASSERT_EQ(answer.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(json_text(answer.get().args), "[42]");
}

// "timeout": "should use the default timeout value"
TEST_P(sockets, ack_timeout_option) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/", {.ack_timeout = 50ms});
  s->emit_with_ack("unknown", {}, [&](boost::system::error_code ec, sio::payload) {
    log.add(ec == sc::error::timeout ? "timeout" : "other");
  });
  ASSERT_TRUE(log.wait_until(nonempty));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"timeout"});
}

// "acknowledgement upon disconnection": "should ack with an error upon disconnection (promise)":
// the C++ client's emit_with_ack always completes, as emitWithAck does, timeout or not; the
// socket then reconnects and answers another emit
TEST_P(sockets, ack_without_timeout_fails_on_disconnection) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->on_connect([&] {
    log.add("connect");
    if (log.count("connect") > 1) return;
    s->emit_with_ack(
        "echo", sio::make_payload("a"),
        [&](boost::system::error_code ec, sio::payload p) { log.add("first " + ack_text(ec, p)); });
    s->disconnect();
  });
  ASSERT_TRUE(log.wait("connect"));
  s->connect();
  ASSERT_TRUE(log.wait("connect", 2));
  ask(*s, log, "echo", sio::make_payload("b"));
  ASSERT_TRUE(log.wait(R"(answer "b")"));
  const std::string disconnected =
      "first error " + make_error_code(sc::error::disconnected).message();
  EXPECT_EQ(log.entries(),
            (std::vector<std::string>{"connect", disconnected, "connect", R"(answer "b")"}));
}

// "acknowledgement upon disconnection": "should ack with an error upon disconnection (callback &
// timeout)", "(callback & ackTimeout)", "(promise & timeout)"
TEST_P(sockets, ack_with_timeout_fails_on_disconnection) {
  const std::string disconnected = "error " + make_error_code(sc::error::disconnected).message();
  {
    recorder log;
    sc::manager io(url(), options());
    auto s = io.socket("/");
    s->on_connect([&] {
      s->timeout(10s).emit_with_ack(
          "echo", sio::make_payload("a"),
          [&](boost::system::error_code ec, sio::payload p) { log.add(ack_text(ec, p)); });
      s->disconnect();
    });
    ASSERT_TRUE(log.wait_until(nonempty));
    EXPECT_EQ(log.entries(), std::vector<std::string>{disconnected});
  }
  {
    recorder log;
    sc::manager io(url(), options());
    auto s = io.socket("/", {.ack_timeout = 10s});
    s->on_connect([&] {
      ask(*s, log, "echo", sio::make_payload("a"));
      s->disconnect();
    });
    ASSERT_TRUE(log.wait_until(nonempty));
    EXPECT_EQ(log.entries(), std::vector<std::string>{disconnected});
  }
  {
    recorder log;
    sc::manager io(url(), options());
    auto s = io.socket("/");
    std::promise<std::future<boost::system::error_code>> answer;
    s->on_connect([&] {
      answer.set_value(s->timeout(10s).emit_with_ack("echo", sio::make_payload("a"),
                                                     asio::use_future(error_of)));
      s->disconnect();
    });
    auto f = answer.get_future();
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto a = f.get();
    ASSERT_EQ(a.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(a.get(), sc::error::disconnected);
  }
}

// "acknowledgement upon disconnection": "should not discard an unsent ack (callback)"
TEST_P(sockets, ack_of_a_buffered_emit_kept_while_disconnected) {
  recorder log;
  sc::manager io(url(), options());
  auto s = io.socket("/");
  s->on_connect([&] {
    if (!log.entries().empty()) return;
    log.add("connect");
    s->disconnect();
    ask(*s, log, "echo", sio::make_payload("a"));  // buffered, sent once connected again
    s->connect();
  });
  ASSERT_TRUE(log.wait(R"(answer "a")"));
}

// connection-state-recovery.ts: "should have an accessible socket id equal to the server-side
// socket id (default namespace)": the session (id) is recovered after the connection dropped
TEST_P(sockets, recovers_the_session_after_the_connection_dropped) {
  recorder log;
  auto o = options();
  o.reconnection_delay = 10ms;
  sc::manager io(url(), o);
  auto s = io.socket("/");
  EXPECT_FALSE(s->recovered());
  std::string first;
  s->on("hi", [&] {
    first = s->id();
    s->emit("closeTransport");
  });
  s->on_connect([&] {
    log.add("connect");
    if (log.count("connect") == 2)
      log.add(std::string(s->id() == first ? "same id" : "new id") +
              (s->recovered() ? " recovered" : " not recovered"));
  });
  s->emit("hi");  // an event from the server gives the client the offset recovery needs
  ASSERT_TRUE(log.wait_until([](auto& e) { return e.size() == 3; }));
  EXPECT_EQ(log.entries().back(), "same id recovered");
}

INSTANTIATE_TEST_SUITE_P(scenarios, sockets, testing::ValuesIn(scenario_servers()),
                         scenario_server_name);

}  // namespace
