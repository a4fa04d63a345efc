// socket.io-client's fixture, as packages/socket.io-client/test/support/server.ts of the
// socketio/socket.io repository configures it: pingInterval 2000, connection state recovery, an
// allowRequest that answers after 10 ms (so that a client timeout of 0 fires before the
// handshake), the namespaces /foo /timeout_socket /valid /asd /abc /no, a main-namespace
// middleware refusing handshakes whose query has `fail`, and the events of the main namespace
// (plus closeTransport and sendInvalidPacket, see transport_events).
#include "fixtures.hpp"

#include <sio/protocol/socketio.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

namespace client_fixture {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// `new Date()` as JSON.stringify writes it: ISO 8601 in UTC with milliseconds.
std::string now_iso8601() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count() % 1000));
  return buf;
}

json::object table_object(const sio::handshake_info::string_table& t) {
  json::object o;
  for (const auto& [k, v] : t) o[k] = v;
  return o;
}

// Node's socket.handshake, as JSON.
json::object handshake_json(const sio::socket& s) {
  const auto& h = s.handshake();
  return {{"headers", table_object(h.headers())},
          {"time", h.time()},
          {"address", h.address()},
          {"xdomain", h.xdomain()},
          {"secure", h.secure()},
          {"issued", h.issued()},
          {"url", h.url()},
          {"query", table_object(h.query())},
          {"auth", h.auth}};
}

// The first argument as a payload of its own (keeps the attachments it refers to).
sio::payload first_arg(const sio::payload& p) {
  sio::payload out;
  out.args.push_back(p.args.empty() ? json::value() : p.args[0]);
  out.attachments = p.attachments;
  return out;
}

bool is_binary(const json::value& v, const sio::payload& p) {
  const auto n = sio::protocol::socketio::placeholder_index(v);
  return n && *n < p.attachments.size();
}

// {hello: "lol", message: <binary>, goodbye: "gotcha"}, the mixed JSON/binary argument.
bool is_mixed_hello(const sio::payload& p) {
  if (p.args.empty() || !p.args[0].is_object()) return false;
  const auto& o = p.args[0].as_object();
  const auto* hello = o.if_contains("hello");
  const auto* message = o.if_contains("message");
  const auto* goodbye = o.if_contains("goodbye");
  return hello && *hello == "lol" && message && is_binary(*message, p) && goodbye &&
         *goodbye == "gotcha";
}

bool flag(const sio::socket& s, std::string_view name) {
  const auto* v = s.data.if_contains(name);
  return v && v->is_bool() && v->as_bool();
}

sio::binary asdfasdf() {
  return sio::binary(std::string("asdfasdf"));
}

void simple_events(sio::socket& s) {
  s.on("hi", [](sio::socket& s, const json::array&) { s.emit("hi"); });
  s.on("echo", [](sio::socket&, const sio::payload& p, sio::ack ack) { ack.send(first_arg(p)); });
  s.on("ack", [](sio::socket& s, const json::array&) {
    s.emit_with_ack(
        "ack", {}, [weak = s.weak_from_this()](boost::system::error_code ec, sio::payload r) {
          auto self = weak.lock();
          if (ec || !self || r.size() < 2) return;
          const auto* test =
              r.args[1].is_object() ? r.args[1].as_object().if_contains("test") : nullptr;
          if (r.args[0] == 5 && test && test->is_bool() && test->as_bool()) self->emit("got it");
        });
  });
  s.on("getAckDate", [](sio::socket&, const json::array&, sio::ack ack) { ack(now_iso8601()); });
  s.on("getDate", [](sio::socket& s, const json::array&) { s.emit("takeDate", now_iso8601()); });
  s.on("getDateObj", [](sio::socket& s, const json::array&) {
    s.emit("takeDateObj", json::object{{"date", now_iso8601()}});
  });
  s.on("getUtf8", [](sio::socket& s, const json::array&) {
    for (const char* text :
         {"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"})
      s.emit("takeUtf8", text);
  });
  s.on("false", [](sio::socket& s, const json::array&) { s.emit("false", false); });
  s.on("getHandshake",
       [](sio::socket& s, const json::array&, sio::ack ack) { ack(handshake_json(s)); });
  s.on("getId", [](sio::socket& s, const json::array&, sio::ack ack) { ack(s.id()); });
}

// Beyond the official fixture, for clients that cannot reach into their own transport as the JS
// suite does (socket.io.engine.close(), engine.emit("data", "bad")): the server closes the
// Engine.IO connection without a DISCONNECT (the client sees "transport close" and reconnects;
// the session stays recoverable), or sends a message that is no Socket.IO packet (the client
// closes with "parse error").
void transport_events(sio::socket& s) {
  s.on("closeTransport", [](sio::socket& s, const json::array&) {
    if (auto* c = s.conn()) c->close();
  });
  s.on("sendInvalidPacket", [](sio::socket& s, const json::array&) {
    if (auto* c = s.conn()) c->send(sio::engineio::make_text("bad"));
  });
}

void binary_events(sio::socket& s) {
  s.on("doge", [](sio::socket& s, const json::array&) { s.emit("doge", asdfasdf()); });
  s.on("getbin", [](sio::socket& s, const json::array&) { s.emit("takebin", asdfasdf()); });
  s.on("buffa", [](sio::socket& s, const sio::payload& p) {
    if (p.is_binary(0)) s.emit("buffack");
  });
  s.on("blob", [](sio::socket& s, const sio::payload& p) {
    if (p.is_binary(0)) s.emit("back");
  });
  s.on("jsonbuff", [](sio::socket& s, const sio::payload& p) {
    if (is_mixed_hello(p)) s.emit("jsonbuff-ack");
  });
  s.on("jsonblob", [](sio::socket& s, const sio::payload& p) {
    if (is_mixed_hello(p)) s.emit("jsonblob-ack");
  });
}

// Events that must arrive in the order they were sent (state kept in socket.data).
void ordered_events(sio::socket& s) {
  s.on("abuff1", [](sio::socket& s, const sio::payload& p) {
    if (p.is_binary(0)) s.data["abuff1"] = true;
  });
  s.on("abuff2", [](sio::socket& s, const sio::payload&) {
    if (flag(s, "abuff1")) s.emit("abuff2-ack");
  });
  s.on("blob1", [](sio::socket& s, const sio::payload& p) {
    if (p.is_binary(0)) s.data["blob1"] = true;
  });
  s.on("blob2", [](sio::socket& s, const sio::payload& p) {
    if (flag(s, "blob1") && !p.empty() && p.args[0] == "second") s.data["blob2"] = true;
  });
  s.on("blob3", [](sio::socket& s, const sio::payload& p) {
    if (p.is_binary(0) && flag(s, "blob1") && flag(s, "blob2")) s.emit("blob3-ack");
  });
}

void main_namespace(sio::server& io) {
  io.use([](sio::socket& s, sio::next next) {
    if (s.handshake().query().contains("fail"))
      return next(sio::connect_error{"Auth failed (main namespace)"});
    next();
  });
  io.on_connection([](sio::socket& s) {
    simple_events(s);
    transport_events(s);
    binary_events(s);
    ordered_events(s);
  });
}

void other_namespaces(sio::server& io) {
  io.of("/foo").on_connection([](sio::socket& s) {
    s.on("getId", [](sio::socket& s, const json::array&, sio::ack ack) { ack(s.id()); });
  });
  for (const char* name : {"/timeout_socket", "/valid", "/asd"})
    io.of(name).on_connection([](sio::socket&) {});
  io.of("/abc").on_connection([](sio::socket& s) { s.emit("handshake", handshake_json(s)); });
  io.of("/no").use([](sio::socket&, sio::next next) {
    next(sio::connect_error{"Auth failed (custom namespace)"});
  });
}

// Allows every handshake after 10 ms, on a timer of the request's worker.
void allow_later(sio::engineio::server& engine, sio::engineio::allow_request_done done) {
  const auto w = engine.current_worker();
  auto timer = std::make_shared<boost::asio::steady_timer>(
      engine.worker(w < engine.worker_count() ? w : 0), 10ms);
  timer->async_wait(
      [timer, done = std::move(done)](boost::system::error_code) { done(std::nullopt); });
}

sio::server_options options(sio::engineio::server& engine,
                            std::shared_ptr<const sio::parser> parser) {
  sio::server_options o;
  o.parser = std::move(parser);
  o.engine.path = "/socket.io/";
  o.engine.ping_interval = 2000ms;
  o.engine.allow_request_async = [&engine](const sio::engineio::request_info&,
                                           sio::engineio::allow_request_done done) {
    allow_later(engine, std::move(done));
  };
  o.connection_state_recovery.emplace();  // Node's connectionStateRecovery: {}
  return o;
}

}  // namespace

std::unique_ptr<sio::server> mount_socket_io_client(sio::engineio::server& engine,
                                                    std::shared_ptr<const sio::parser> parser) {
  auto io = std::make_unique<sio::server>(engine, options(engine, std::move(parser)));
  main_namespace(*io);
  other_namespaces(*io);
  return io;
}

}  // namespace client_fixture
