// sio::engineio::server: an HTTP (Beast) and WebSocket (RFC 6455, its own) server on Asio that
// hosts one or more Engine.IO endpoints (each at its own path with its own options and handler)
// and, for every other path, the application's own HTTP handler.
//
// Threading: `workers` threads, each running its own io_context (shared-nothing). A TCP connection
// and the Engine.IO session it opens stay on one worker for life; a polling request that arrives on
// another worker is handed to the session's owner by sid. All public member functions are safe to
// call from any thread.
#pragma once

#include <sio/engineio/connection.hpp>
#include <sio/protocol/permessage_deflate.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sio::engineio {

struct cors_options {
  bool enabled = false;
  // Allowed origins; empty or "*" alone allows any origin (Access-Control-Allow-Origin: *).
  std::vector<std::string> origins;
  // Access-Control-Allow-Credentials: true. Needs an explicit list of origins: with any origin
  // (empty or "*") server::attach throws std::invalid_argument, since no Origin is ever reflected.
  // (It throws the same for per_message_deflate settings out of zlib's ranges.)
  bool credentials = false;
  std::string methods = "GET,HEAD,PUT,PATCH,POST,DELETE";
  std::string allowed_headers;  // empty: reflect Access-Control-Request-Headers
};

struct cookie_options {
  std::string name = "io";
  std::string path = "/";
  bool http_only = true;
  std::string same_site = "Lax";
};

// Verdict of the allow_request hook: nullopt allows; a value refuses with HTTP 403 and
// {"code":4,"message":"Forbidden"} (or the given message as context).
using allow_request_fn = std::function<std::optional<std::string>(const request_info&)>;
// The same verdict given later (Node's allowRequest(req, callback)), e.g. after a database
// lookup: the hook calls `done` exactly once, from any thread. Runs on the request's worker.
using allow_request_done = std::function<void(std::optional<std::string>)>;
using allow_request_async_fn = std::function<void(const request_info&, allow_request_done done)>;

// Extra headers of an Engine.IO response, {name, value} (Set-Cookie may repeat). A name or value
// holding CR or LF is dropped.
using response_headers = std::vector<std::pair<std::string, std::string>>;
// Node's "initial_headers" / "headers" events: adds headers to a response, given its request.
using headers_fn = std::function<void(response_headers&, const request_info&)>;

// Compression of long-polling responses (Node's httpCompression option): a response body of at
// least `threshold` bytes is sent gzip- or deflate-encoded (Content-Encoding), whichever the
// request's Accept-Encoding prefers (gzip on a tie), when one of its packets was sent with
// compression (send_flags::compress, the default). Each worker keeps one zlib stream per coding
// (about 256 KiB each, made on first use) and resets it for every response. WebSocket frames:
// per_message_deflate.
struct http_compression_options {
  bool enabled = true;           // false: Node's httpCompression: false
  std::size_t threshold = 1024;  // bytes; smaller bodies are sent as they are
  // zlib's compression level, 0 (store) to 9 (smallest); -1 is zlib's default (6), as Node's. Any
  // other value makes server::attach throw std::invalid_argument.
  int level = -1;
};

// WebSocket permessage-deflate (RFC 7692): Node's perMessageDeflate options (threshold,
// server/client_no_context_takeover, server/client_max_window_bits, zlib level and memLevel) and
// the bound on connections keeping compression contexts (see protocol/permessage_deflate.hpp).
using per_message_deflate_options = protocol::permessage_deflate::options;

// Options of one Engine.IO endpoint, with the Node.js server's defaults.
struct endpoint_options {
  std::string path = "/socket.io/";
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{20000};
  std::chrono::milliseconds upgrade_timeout{10000};
  std::size_t max_payload = 1'000'000;
  bool polling = true;
  bool websocket = true;
  bool allow_upgrades = true;
  cors_options cors;
  // Handshakes (requests without a sid), polling and WebSocket: allow_request decides at once;
  // allow_request_async, when set, decides later and replaces it.
  allow_request_fn allow_request;
  allow_request_async_fn allow_request_async;
  std::optional<cookie_options> cookie;  // sticky-session cookie, off by default
  // Called on the request's worker before a response is written: initial_headers for the
  // handshake response (polling 200 or WebSocket 101 without a sid), then headers for it and for
  // every other successful response of a session (polling 200, the 101 of an upgrade).
  headers_fn initial_headers;
  headers_fn headers;
  std::size_t max_send_queue = 4096;  // messages queued per session before it is closed
  // Unset (the default, as Node's perMessageDeflate: false): no WebSocket extension is accepted.
  // Set: a client's permessage-deflate offer is accepted as the `ws` package accepts it (a
  // malformed or unacceptable offer gets 400, as there), messages of at least `threshold` bytes
  // sent with send_flags::compress go compressed, and compressed client messages are inflated up
  // to max_payload (one that inflates past it closes the connection with 1009).
  std::optional<per_message_deflate_options> per_message_deflate;
  http_compression_options http_compression;
};

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;
// Responds to an application request; may be called from any thread, exactly once.
using http_respond = std::function<void(http_response)>;
// The application's own routes (paths outside every Engine.IO endpoint). Runs on a worker.
using http_handler = std::function<void(http_request&&, const request_info&, http_respond)>;

// Native TLS (https and wss on the server's port). TLS 1.2 and 1.3 only.
struct tls_options {
  std::string cert_file;  // PEM: the server certificate, then any intermediate certificates
  std::string key_file;   // PEM: its private key (unencrypted)
  // TLS 1.2 cipher list (OpenSSL syntax); TLS 1.3 uses OpenSSL's default suites. The default
  // allows only forward-secret AEAD suites.
  std::string ciphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
      "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

  bool operator==(const tls_options&) const = default;
};

struct server_options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;   // 0: an ephemeral port (see server::port())
  std::size_t workers = 0;  // 0: std::thread::hardware_concurrency()
  // HTTP hardening limits.
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_app_body_bytes = 1'000'000;
  // A request head must arrive in this time (from the connection's start for the first request,
  // from its first bytes for the next ones), and then its body in as much again; it also bounds
  // the wait for the peer's side of a WebSocket closing handshake.
  std::chrono::milliseconds header_timeout{10000};
  // A keep-alive connection between requests; the next request's head then has header_timeout
  // from its first bytes.
  std::chrono::milliseconds idle_timeout{120000};
  // After an answer sent before the request was read to its end (413 for a body over the limit,
  // 431, 400 for a malformed head), the server stops sending and reads and discards what the
  // client still sends, for at most linger_timeout and linger_bytes, then closes: the client reads
  // the answer instead of a connection reset (RFC 9112 section 9.6, nginx's lingering close).
  std::chrono::milliseconds linger_timeout{5000};
  std::size_t linger_bytes = 8 * 1024 * 1024;
  // Bounds both the open TCP connections (one over it is closed at once) and the Engine.IO
  // sessions, polling ones included even between their requests (a handshake over it gets HTTP
  // 503 and {"code":4,"message":"Too many connections"}).
  std::size_t max_connections = 100'000;
  // Open TCP connections per peer address; one over it is closed at once, before a byte is read.
  // Peers listed in trust_proxy are exempt (a load balancer carries many users). The count is the
  // server's, whatever worker each connection lands on. 0: no limit.
  std::size_t max_connections_per_address = 1024;
  // Engine.IO handshakes (requests without a sid, polling or WebSocket) per client address
  // (request_info::remote_address: after trust_proxy), a token bucket of handshake_burst tokens
  // (at least 1) refilled at handshakes_per_second. A handshake over it gets HTTP 429 with
  // Retry-After and {"code":4,"message":"Too many handshakes"}. 0 per second: no limit.
  double handshakes_per_second = 50;
  std::size_t handshake_burst = 100;
  // Client addresses the handshake limit tracks at once: beyond it the least recently seen is
  // forgotten (it starts again with a full bucket); an address whose bucket refilled is dropped.
  std::size_t handshake_tracked_addresses = 65536;
  // Proxies whose X-Forwarded-For and X-Forwarded-Proto headers are believed (request_info's
  // remote_address and secure): addresses ("10.0.0.1", "::1"), CIDR ranges ("10.0.0.0/8"), or
  // "loopback", "linklocal", "uniquelocal". Empty (the default): both headers are ignored. The
  // client's address is the right-most X-Forwarded-For hop that is not trusted itself. An invalid
  // entry makes the server's constructor throw std::invalid_argument.
  std::vector<std::string> trust_proxy;
  // Set: every connection on the port speaks TLS (request_info::secure is true), and a client that
  // speaks plain HTTP to it gets 400 and is closed. Unset (the default): plain TCP.
  std::optional<tls_options> tls;
  // WebSocket writes: a worker writes each connection's queued frames with one sendmsg at the end
  // of a turn of its event loop. Above zero, frames queued within write_delay of the worker's last
  // write wait until write_delay after it, so that the messages of the next turns leave in the
  // same sendmsg: fewer system calls per message under load (broadcasts to large rooms), for at
  // most write_delay of added latency; a worker that has not written for write_delay writes at
  // the end of the turn. 0 (the default): always at the end of the turn.
  std::chrono::microseconds write_delay{0};

  bool operator==(const server_options&) const = default;
};

class server {
 public:
  // Throws std::invalid_argument for an invalid trust_proxy entry.
  explicit server(server_options opts = {});
  // Stops (see stop()), then tells every attached handler (handler::on_detach).
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Mount an Engine.IO endpoint. Call before start(). The server keeps `h` until it is destroyed.
  // Throws std::invalid_argument when opts.cors has credentials with any origin (see
  // cors_options) or opts.http_compression.level is not a zlib level.
  void attach(endpoint_options opts, std::shared_ptr<handler> h);
  // Unmount the endpoints served by `h`: their sessions close (h.on_close with server_shutdown),
  // their paths are routed as if never mounted, then h.on_detach() runs. When this returns, `h`
  // gets no other callback. Blocks until every running worker has let go (see
  // run_on_each_worker). Idempotent; not from one of h's own callbacks.
  void detach(const std::shared_ptr<handler>& h);
  // Requests to every other path. Without one, they get 404.
  void on_request(http_handler h);
  // Requests whose path (the target without its query) is exactly `path` go to `h` instead of the
  // on_request handler. Call before start(); a second call for a path replaces the first.
  void on_request(std::string path, http_handler h);

  // Bind and listen, start the workers. Throws boost::system::system_error when the port cannot
  // be bound or the TLS certificate or key cannot be loaded, std::runtime_error when the CSPRNG
  // that session ids are drawn from cannot be seeded.
  void start();
  // start() and block until stop().
  void run();
  // Graceful stop: stop accepting, close every session (server_shutdown), join the workers.
  // Idempotent; safe from any thread, including a worker (then it does not join that thread).
  void stop();

  std::uint16_t port() const noexcept;  // the bound port, after start()
  std::size_t worker_count() const noexcept;
  boost::asio::io_context& worker(std::size_t i) noexcept;
  // Index of the worker running the calling thread, or worker_count() if none.
  std::size_t current_worker() const noexcept;
  // Runs f(i) once for every worker i and returns when all have run: on worker i's thread while
  // it runs, else (before start(), after stop()) on the calling thread. From a worker, that
  // worker's share runs inline; two workers must not wait for each other this way at once.
  void run_on_each_worker(const std::function<void(std::size_t)>& f);
  std::size_t session_count() const noexcept;
  // Reloads the TLS certificate and key from server_options::tls's files (e.g. on SIGHUP): new
  // connections use them, open ones keep theirs. On failure the previous certificate stays in use
  // and the error (an OpenSSL or system error) is returned. Without TLS, returns
  // std::errc::operation_not_supported. Any thread.
  boost::system::error_code reload_tls();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sio::engineio
