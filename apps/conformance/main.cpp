// sio-conformance-server: the server the official protocol test suites run against.
//   /engine.io/  Engine.IO v4, configured as docs/engine.io-protocol's test-suite section says
//                (pingInterval 300, pingTimeout 200, maxPayload 1e6, CORS "*"), echoing every
//                message (text and binary) back.
//   /socket.io/  Socket.IO v5, configured as docs/socket.io-protocol's test-suite section says
//                (same engine settings, connectTimeout 1000): "/" and "/custom" emit "auth" on
//                connection, "message" is echoed as "message-back", "message-with-ack" acked with
//                its arguments; plus the test-only namespace "/test" whose hooks are specified by
//                tests/interop/reference-server.mjs (the same server on the Node.js packages).
//                --recovery MS turns on connection state recovery with a window of MS
//                milliseconds (off by default: the protocol suites expect plain CONNECT answers).
// --ping-interval MS --ping-timeout MS change both endpoints' heartbeat, --connect-timeout MS the
// time a new session has to send its CONNECT (1000 by default).
// --tls-cert FILE --tls-key FILE serve both over TLS (https/wss); SIGHUP reloads them.
// The per-address limits are off (the suites connect from one address as fast as they can);
// --handshakes-per-second N --handshake-burst N turn the handshake limit on, --trust-proxy
// ADDRESS (repeatable) trusts a proxy's X-Forwarded-For (tests/interop/socketio_limits.test.mjs).
// --metrics PATH serves the Prometheus text format at PATH; --metrics-port N on 127.0.0.1:N instead
// of the server's port (tests/interop/metrics.test.mjs).
// --parser msgpack: Socket.IO packets as socket.io-msgpack-parser writes them (default: json).
// --per-message-deflate accepts WebSocket permessage-deflate on both endpoints with Node's
// perMessageDeflate defaults (threshold 1024); --server-no-context-takeover asks every client for
// it too (tests/interop/permessage_deflate.test.mjs).
//
// Usage: sio-conformance-server [--port N] [--workers N] [--recovery MS]
//                               [--ping-interval MS] [--ping-timeout MS] [--connect-timeout MS]
//                               [--tls-cert FILE --tls-key FILE]
//                               [--handshakes-per-second N --handshake-burst N]
//                               [--trust-proxy ADDRESS]... [--metrics PATH] [--metrics-port N]
//                               [--parser json|msgpack]
//                               [--per-message-deflate [--server-no-context-takeover]]
#include <sio/engineio/server.hpp>
#include <sio/sio.hpp>
#ifdef SIO_CONFORMANCE_HAVE_MSGPACK
#include <sio/server/msgpack_parser.hpp>
#endif

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Echoes every Engine.IO message back on the same session.
class echo_handler final : public sio::engineio::handler {
 public:
  void on_open(const sio::engineio::connection_ptr&) override {}
  void on_message(sio::engineio::connection& c, std::string_view text) override {
    c.send(sio::engineio::make_text(std::string(text)));
  }
  void on_binary(sio::engineio::connection& c, std::string_view bytes) override {
    c.send(sio::engineio::make_binary(std::string(bytes)));
  }
  void on_close(sio::engineio::connection&, sio::engineio::close_reason) override {}
};

sio::engineio::endpoint_options engine_io_test_options(
    std::chrono::milliseconds ping_interval, std::chrono::milliseconds ping_timeout,
    std::optional<sio::engineio::per_message_deflate_options> deflate) {
  sio::engineio::endpoint_options o;
  o.per_message_deflate = std::move(deflate);
  o.path = "/engine.io/";
  o.ping_interval = ping_interval;
  o.ping_timeout = ping_timeout;
  o.max_payload = 1'000'000;
  o.cors.enabled = true;
  o.cors.origins = {"*"};
  return o;
}

using namespace std::chrono_literals;

// Renumbers the binary placeholders inside `v` by `offset` (when payloads are merged).
void shift_placeholders(boost::json::value& v, std::int64_t offset) {
  if (auto* o = v.if_object()) {
    if (o->size() == 2 && o->contains("_placeholder")) {
      if (auto* n = o->if_contains("num"); n && n->is_int64()) *n = n->as_int64() + offset;
      return;
    }
    for (auto& kv : *o) shift_placeholders(kv.value(), offset);
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a) shift_placeholders(e, offset);
  }
}

// args[i] of `p` as a payload of its own (keeps the attachments its placeholders refer to).
sio::payload arg_payload(const sio::payload& p, std::size_t i) {
  sio::payload out;
  out.args.push_back(i < p.args.size() ? p.args[i] : boost::json::value());
  out.attachments = p.attachments;
  return out;
}

// One reply argument: `obj` with `key` holding `values`, attachments merged in.
sio::payload reply_with(boost::json::object obj, std::string_view key,
                        const std::vector<sio::payload>& parts, bool first_only) {
  sio::payload out;
  boost::json::array values;
  for (const auto& part : parts) {
    const auto offset = static_cast<std::int64_t>(out.attachments.size());
    auto shift = [&](boost::json::value v) {
      shift_placeholders(v, offset);
      return v;
    };
    if (first_only) {
      values.push_back(shift(part.args.empty() ? boost::json::value() : part.args[0]));
    } else {
      for (const auto& a : part.args) values.push_back(shift(a));
    }
    out.attachments.insert(out.attachments.end(), part.attachments.begin(), part.attachments.end());
  }
  obj[key] = std::move(values);
  out.args.push_back(std::move(obj));
  return out;
}

boost::json::value error_text(boost::system::error_code ec) {
  if (!ec) return nullptr;
  return boost::json::value(ec.message());
}

// Room names from a string or an array of strings.
std::vector<std::string> room_list(const boost::json::value& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.emplace_back(v.as_string());
  if (v.is_array())
    for (const auto& e : v.as_array())
      if (e.is_string()) out.emplace_back(e.as_string());
  return out;
}

sio::broadcast_operator to_rooms(sio::broadcast_operator b, const boost::json::value& rooms) {
  return b.to(room_list(rooms));
}

void protocol_suite_handlers(sio::socket& s) {
  s.emit("auth", s.handshake().auth);
  s.on("message", [](sio::socket& s, const sio::payload& p) { s.emit("message-back", p); });
  s.on("message-with-ack", [](sio::socket&, const sio::payload& p, sio::ack a) { a(p); });
}

// The test-only namespace "/test" (see tests/interop/reference-server.mjs for the contract).
void test_namespace(sio::namespace_& test) {
  test.use([](sio::socket& s, sio::next next) {
    if (const auto* fail = s.handshake().auth.if_contains("fail")) {
      return next(sio::connect_error{"unauthorized", boost::json::object{{"reason", *fail}}});
    }
    next();
  });
  test.on_connection([&test](sio::socket& s) {
    s.emit("auth", s.handshake().auth);
    s.on("message", [](sio::socket& s, const sio::payload& p) { s.emit("message-back", p); });
    s.on("join", [](sio::socket& s, const boost::json::array& a, sio::ack ack) {
      if (!a.empty()) s.join(room_list(a[0]));
      if (ack.requested()) ack();
    });
    s.on("leave", [](sio::socket& s, const boost::json::array& a, sio::ack ack) {
      if (!a.empty() && a[0].is_string()) s.leave(a[0].as_string());
      if (ack.requested()) ack();
    });
    s.on("broadcast-to", [&test](sio::socket&, const sio::payload& p, sio::ack ack) {
      if (p.size() < 2) return;
      to_rooms(test.all(), p.args[0]).emit("broadcast", arg_payload(p, 1));
      if (ack.requested()) ack();
    });
    s.on("broadcast-from", [](sio::socket& s, const sio::payload& p, sio::ack ack) {
      if (p.size() < 2) return;
      to_rooms(s.broadcast(), p.args[0]).emit("broadcast", arg_payload(p, 1));
      if (ack.requested()) ack();
    });
    s.on("broadcast-except", [&test](sio::socket&, const sio::payload& p, sio::ack ack) {
      if (p.size() < 2) return;
      auto b = test.all();
      for (const auto& r : room_list(p.args[0])) b = b.except(r);
      b.emit("broadcast", arg_payload(p, 1));
      if (ack.requested()) ack();
    });
    s.on("broadcast-all", [&test](sio::socket&, const sio::payload& p, sio::ack ack) {
      test.emit("broadcast", arg_payload(p, 0));
      if (ack.requested()) ack();
    });
    s.on("broadcast-with-ack", [&test](sio::socket&, const sio::payload& p, sio::ack ack) {
      if (p.size() < 3 || !p.args[2].is_number()) return;
      const auto ms = std::chrono::milliseconds(p.args[2].to_number<std::int64_t>());
      to_rooms(test.all(), p.args[0])
          .timeout(ms)
          .emit_with_ack("ask", arg_payload(p, 1),
                         [ack](boost::system::error_code ec, std::vector<sio::payload> responses) {
                           if (!ack.requested()) return;
                           ack(reply_with({{"err", error_text(ec)}}, "responses", responses, true));
                         });
    });
    s.on("server-ask", [](sio::socket& s, const sio::payload& p, sio::ack ack) {
      if (p.size() < 2 || !p.args[1].is_number()) return;
      const auto ms = std::chrono::milliseconds(p.args[1].to_number<std::int64_t>());
      s.timeout(ms).emit_with_ack(
          "server-ask", arg_payload(p, 0), [ack](boost::system::error_code ec, sio::payload r) {
            if (!ack.requested()) return;
            std::vector<sio::payload> parts;
            if (!ec) parts.push_back(std::move(r));
            ack(reply_with({{"err", error_text(ec)}}, "args", parts, false));
          });
    });
    s.on("compress-back", [](sio::socket& s, const sio::payload& p) {
      if (p.size() < 2 || !p.args[0].is_bool()) return;
      s.compress(p.args[0].as_bool()).emit("compress-back", arg_payload(p, 1));
    });
    s.on("broadcast-compress", [&test](sio::socket&, const sio::payload& p, sio::ack ack) {
      if (p.size() < 2 || !p.args[0].is_bool()) return;
      test.compress(p.args[0].as_bool()).emit("broadcast", arg_payload(p, 1));
      if (ack.requested()) ack();
    });
    s.on("volatile-burst", [](sio::socket& s, const boost::json::array& a) {
      const auto count = !a.empty() && a[0].is_number() ? a[0].to_number<std::int64_t>() : 0;
      for (std::int64_t i = 0; i < count; ++i) s.volatile_().emit("volatile", i);
      s.emit("burst-end", count);
    });
    s.on("disconnect-me", [](sio::socket& s, const boost::json::array& a) {
      s.disconnect(!a.empty() && a[0].is_bool() && a[0].as_bool());
    });
    s.on("close-transport", [](sio::socket& s, const boost::json::array&) {
      if (auto* c = s.conn()) c->close();
    });
    s.on("handshake", [](sio::socket& s, const boost::json::array&, sio::ack ack) {
      ack(boost::json::object{{"secure", s.handshake().secure()}});
    });
    s.on("stored-sessions", [&test](sio::socket&, const boost::json::array&, sio::ack ack) {
      const auto* a = dynamic_cast<const sio::session_aware_adapter*>(&test.get_adapter());
      ack(a ? a->session_count() : 0);
    });
  });
}

struct args {
  std::uint16_t port = 3000;
  std::size_t workers = 0;
  std::optional<std::chrono::milliseconds> recovery;
  // Both endpoints' heartbeat: the protocol suites' 300 + 200 ms unless told otherwise (a test
  // with hundreds of clients in one Node.js process, or on a loaded machine, needs a wider budget).
  std::chrono::milliseconds ping_interval{300};
  std::chrono::milliseconds ping_timeout{200};
  std::chrono::milliseconds connect_timeout{1000};  // the protocol suite's
  std::optional<sio::engineio::tls_options> tls;
  // Per-address handshake limit and trusted proxies (off unless given: the suites need neither).
  double handshakes_per_second = 0;
  std::size_t handshake_burst = 100;
  std::vector<std::string> trust_proxy;
  // The Prometheus endpoint (off unless given): its path, and a port of its own (0: the same).
  std::optional<sio::prometheus_options> metrics;
  bool msgpack = false;  // --parser msgpack
  // WebSocket permessage-deflate on both endpoints (off unless given).
  std::optional<sio::engineio::per_message_deflate_options> deflate;
};

args parse_args(int argc, char** argv) {
  args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << arg << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--port") {
      a.port = static_cast<std::uint16_t>(std::stoul(value()));
    } else if (arg == "--workers") {
      a.workers = std::stoul(value());
    } else if (arg == "--recovery") {
      a.recovery = std::chrono::milliseconds(std::stoul(value()));
    } else if (arg == "--ping-interval") {
      a.ping_interval = std::chrono::milliseconds(std::stoul(value()));
    } else if (arg == "--ping-timeout") {
      a.ping_timeout = std::chrono::milliseconds(std::stoul(value()));
    } else if (arg == "--connect-timeout") {
      a.connect_timeout = std::chrono::milliseconds(std::stoul(value()));
    } else if (arg == "--tls-cert") {
      if (!a.tls) a.tls.emplace();
      a.tls->cert_file = value();
    } else if (arg == "--tls-key") {
      if (!a.tls) a.tls.emplace();
      a.tls->key_file = value();
    } else if (arg == "--handshakes-per-second") {
      a.handshakes_per_second = std::stod(value());
    } else if (arg == "--handshake-burst") {
      a.handshake_burst = std::stoul(value());
    } else if (arg == "--trust-proxy") {
      a.trust_proxy.push_back(value());
    } else if (arg == "--metrics") {
      if (!a.metrics) a.metrics.emplace();
      a.metrics->path = value();
    } else if (arg == "--metrics-port") {
      if (!a.metrics) a.metrics.emplace();
      a.metrics->port = static_cast<std::uint16_t>(std::stoul(value()));
    } else if (arg == "--parser") {
      const auto name = value();
      if (name != "json" && name != "msgpack") {
        std::cerr << "unknown parser " << name << " (json or msgpack)\n";
        std::exit(2);
      }
      a.msgpack = name == "msgpack";
    } else if (arg == "--per-message-deflate") {
      if (!a.deflate) a.deflate.emplace();
    } else if (arg == "--server-no-context-takeover") {
      if (!a.deflate) a.deflate.emplace();
      a.deflate->server_no_context_takeover = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: sio-conformance-server [--port N] [--workers N] [--recovery MS]"
                   " [--ping-interval MS] [--ping-timeout MS] [--connect-timeout MS]"
                   " [--tls-cert FILE --tls-key FILE]"
                   " [--handshakes-per-second N --handshake-burst N] [--trust-proxy ADDRESS]..."
                   " [--metrics PATH] [--metrics-port N] [--parser json|msgpack]"
                   " [--per-message-deflate [--server-no-context-takeover]]\n";
      std::exit(0);
    } else {
      std::cerr << "unknown argument " << arg << "\n";
      std::exit(2);
    }
  }
  return a;
}

std::optional<sio::recovery_options> recovery_of(const args& a) {
  if (!a.recovery) return std::nullopt;
  return sio::recovery_options{.max_disconnection_duration = *a.recovery};
}

std::shared_ptr<const sio::parser> parser_of(const args& a) {
  if (!a.msgpack) return nullptr;  // the default: JSON
#ifdef SIO_CONFORMANCE_HAVE_MSGPACK
  return std::make_shared<sio::msgpack_parser>();
#else
  std::cerr << "--parser msgpack: not built (needs sio_msgpack)\n";
  std::exit(2);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  const auto a = parse_args(argc, argv);
  // The protocol suites open hundreds of connections and sessions a second from one address:
  // no per-address limits unless asked.
  sio::engineio::server srv{{.address = "0.0.0.0",
                             .port = a.port,
                             .workers = a.workers,
                             .max_connections_per_address = 0,
                             .handshakes_per_second = a.handshakes_per_second,
                             .handshake_burst = a.handshake_burst,
                             .trust_proxy = a.trust_proxy,
                             .tls = a.tls}};

  srv.attach(engine_io_test_options(a.ping_interval, a.ping_timeout, a.deflate),
             std::make_shared<echo_handler>());

  sio::server io{srv,
                 {.engine = {.path = "/socket.io/",
                             .ping_interval = a.ping_interval,
                             .ping_timeout = a.ping_timeout,
                             .max_payload = 1'000'000,
                             .cors = {.enabled = true, .origins = {"*"}},
                             .per_message_deflate = a.deflate},
                  .connect_timeout = a.connect_timeout,
                  .parser = parser_of(a),
                  .connection_state_recovery = recovery_of(a),
                  .metrics = {.prometheus = a.metrics}}};
  io.on_connection(protocol_suite_handlers);
  io.of("/custom").on_connection(protocol_suite_handlers);
  test_namespace(io.of("/test"));

  srv.start();
  std::cout << "sio-conformance-server listening on port " << srv.port() << std::endl;

  // Block until SIGINT/SIGTERM, then stop gracefully; SIGHUP reloads the TLS certificate.
  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM, SIGHUP);
  std::function<void()> wait = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig != SIGHUP) return srv.stop();
      if (const auto err = srv.reload_tls()) {
        std::cout << "TLS reload failed: " << err.message() << std::endl;
      } else {
        std::cout << "TLS reloaded" << std::endl;
      }
      wait();
    });
  };
  wait();
  signals_ctx.run();
  return 0;
}
