// sio::server: the Socket.IO v5 server (Node's `Server`). It speaks over an Engine.IO endpoint:
// its own engineio::server (server(options)), an existing one (server(engine, options), e.g. to
// share the port with the application's HTTP routes), or none at all (server(workers, options):
// tests and custom embedding drive engine_handler() themselves).
//
// Threading: `workers` threads, each running its own io_context; a client's connection and its
// sockets live on one of them. Every public member is safe from any thread. A socket's handlers run
// on its worker, never concurrently with each other; handlers of different sockets may run in
// parallel on different workers: use `.http = {.workers = 1}` for Node's single-threaded model.
// With an engine (owned or attached), the server and the engine may be destroyed in either order,
// running or not (see ~server); engine-less, destroy it after the io_contexts you run stopped.
#pragma once

#include <sio/engineio/connection.hpp>
#include <sio/engineio/server.hpp>
#include <sio/server/adapter.hpp>
#include <sio/server/broadcast_operator.hpp>
#include <sio/server/flag_builder.hpp>
#include <sio/server/metrics.hpp>
#include <sio/server/namespace.hpp>
#include <sio/server/parser.hpp>
#include <sio/server/recovery.hpp>
#include <sio/server/socket.hpp>
#include <sio/server/types.hpp>
#include <sio/server/worker_pool.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace sio {

namespace detail {
struct server_state;
}

// Options of a Socket.IO server. The engine's own option structs are members, so every engine
// setting is reachable here:
//   sio::server io{{.http = {.port = 3000}, .engine = {.cors = {.enabled = true}}}};
struct server_options {
  // The HTTP server (address, port, workers, limits, trust_proxy), when the server owns its
  // engineio::server. An attached server leaves it to the engine it attaches to.
  engineio::server_options http;
  // The Engine.IO endpoint (path "/socket.io/", CORS, heartbeat, max_payload, transports,
  // upgrades, allow_request, cookie, send queue), with the Node.js server's defaults.
  engineio::endpoint_options engine;
  // Socket.IO.
  std::chrono::milliseconds connect_timeout{45000};  // close a client that joins no namespace
  // The packet codec, shared by every connection (Node's `parser`): default json_parser (with
  // max_attachments), or msgpack_parser (sio/server/msgpack_parser.hpp), or your own (parser.hpp).
  // The clients must use the same one.
  std::shared_ptr<const sio::parser> parser;
  std::size_t max_attachments = 10;  // of the default parser
  // Largest auth object of a CONNECT packet, as encoded JSON bytes. A CONNECT whose auth is
  // larger gets CONNECT_ERROR {"message":"Auth payload too large"}: no socket is created and the
  // connection stays usable for other namespaces. Default 8 KiB.
  std::size_t max_auth_bytes = 8 * 1024;
  adapter_factory adapter;                    // default: in_memory_adapter
  std::function<std::string()> id_generator;  // socket ids; default: 20 chars from a CSPRNG
  std::function<void(std::string_view)> log;  // errors (throwing handlers...); default: stderr
  // Connection state recovery (Node's connectionStateRecovery): off unless set. With no adapter
  // factory the namespaces then use session_aware_adapter.
  std::optional<recovery_options> connection_state_recovery;
  // What this server's answers to other servers' fetch_sockets requests leave out of each
  // socket's handshake (e.g. {.headers = {"cookie", "authorization"}, .auth = true} keeps
  // credentials off the cluster's wire). Default: nothing is left out, as Node's adapters.
  socket_redaction remote_socket_redaction;
  // Counting (on by default) and the Prometheus endpoint (off by default): see metrics.hpp.
  metrics_options metrics;
};

class server : public flag_builder<server, broadcast_operator> {
 public:
  using middleware = namespace_::middleware;
  using connection_handler = namespace_::connection_handler;

  // Owns an engineio::server built from opts.http, serving opts.engine. Both engine constructors
  // throw std::invalid_argument for options the engine refuses (an invalid trust_proxy entry,
  // CORS credentials with any origin: see engineio::cors_options).
  explicit server(server_options opts = {});
  // Attaches the endpoint opts.engine to `engine` (call before engine.start()). The HTTP side is
  // the engine's own: a non-default opts.http throws std::invalid_argument.
  server(engineio::server& engine, server_options opts = {});
  // No engine: the caller feeds engine_handler() from connections living on `workers`; only the
  // Socket.IO options apply.
  server(std::shared_ptr<worker_pool> workers, server_options opts = {});
  // Owned engine: stops it (clients get "server shutting down"). Attached: detaches from the
  // engine, which may keep running (clients get "server shutting down"); after the engine was
  // destroyed: only releases. Engine-less: call once the workers stopped.
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // The Engine.IO handler of this server (what it attaches to an engine).
  std::shared_ptr<engineio::handler> engine_handler() const;

  // Namespaces. "/" exists from the start; of(name) creates on demand.
  namespace_& of(std::string_view name);
  namespace_& of(std::regex re);
  namespace_& of(namespace_::matcher pred);
  namespace_& sockets() { return of("/"); }

  // Main-namespace shortcuts (like Node, io.use applies to "/" only); volatile_/compress/local/
  // timeout come from flag_builder. See namespace.hpp and broadcast_operator.hpp.
  server& use(middleware m) {
    sockets().use(std::move(m));
    return *this;
  }
  server& on_connection(connection_handler h) {
    sockets().on_connection(std::move(h));
    return *this;
  }
  broadcast_operator to(std::string_view r) { return sockets().to(r); }
  broadcast_operator to(std::initializer_list<std::string_view> rs) { return sockets().to(rs); }
  broadcast_operator in(std::string_view r) { return sockets().to(r); }
  broadcast_operator except(std::string_view r) { return sockets().except(r); }
  template <class... A>
  void emit(std::string_view event, A&&... a) {
    sockets().emit(event, std::forward<A>(a)...);
  }
  template <class Token>
  auto emit_with_ack(std::string_view event, payload p, Token&& token) {
    return sockets().emit_with_ack(event, std::move(p), std::forward<Token>(token));
  }
  template <class Token>
  auto fetch_sockets(Token&& token) {
    return sockets().fetch_sockets(std::forward<Token>(token));
  }
  template <class Token>
  auto socket_ids(Token&& token) {
    return sockets().socket_ids(std::forward<Token>(token));
  }
  void sockets_join(std::string_view r) { sockets().sockets_join(r); }
  void sockets_leave(std::string_view r) { sockets().sockets_leave(r); }
  void disconnect_sockets(bool close = false) { sockets().disconnect_sockets(close); }
  template <class Token>
  auto server_count(Token&& token) {
    return sockets().server_count(std::forward<Token>(token));
  }
  template <class... A>
  void server_side_emit(std::string_view event, A&&... a) {
    sockets().server_side_emit(event, std::forward<A>(a)...);
  }
  template <class Token>
  auto server_side_emit_with_ack(std::string_view event, payload p, Token&& token) {
    return sockets().server_side_emit_with_ack(event, std::move(p), std::forward<Token>(token));
  }
  template <class F>
  server& on_server_side_emit(std::string event, F&& f) {
    sockets().on_server_side_emit(std::move(event), std::forward<F>(f));
    return *this;
  }

  // Owned engine: listen and run the workers (start), also block (run), stop and join (stop).
  // Attached or engine-less: stop() closes every client with "server shutting down".
  void start();
  void run();
  void stop();
  std::uint16_t port() const noexcept;
  // The figures now (see metrics.hpp); empty (no workers, no namespaces) when
  // options.metrics.enabled is false. Any thread.
  metrics_snapshot metrics() const;
  // The port of the Prometheus endpoint's own listener (prometheus_options::port), 0 without one.
  std::uint16_t metrics_port() const noexcept;
  worker_pool& workers() noexcept;
  engineio::server* engine() noexcept;

  struct engine_link;  // implementation detail (the engine this server owns or attached to)

 private:
  friend class flag_builder<server, broadcast_operator>;
  class handler;

  broadcast_flags flags() const noexcept { return {}; }
  broadcast_operator with_flags(broadcast_flags f) const;
  void init(std::shared_ptr<worker_pool> workers, server_options opts);

  std::shared_ptr<detail::server_state> st_;
  std::shared_ptr<engineio::handler> handler_;
  std::unique_ptr<engine_link> engine_;
};

}  // namespace sio
