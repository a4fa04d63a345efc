#include "detail.hpp"
#include "request_route.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <functional>

#include <openssl/ssl.h>

namespace sio::engineio::detail {
namespace {

// A header name is an RFC 9110 token.
bool valid_header_name(std::string_view n) noexcept {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return !n.empty() && std::all_of(n.begin(), n.end(), [&](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || extra.find(ch) != std::string_view::npos;
  });
}

// What the initial_headers / headers hooks add to the response to `info` (initial: no sid);
// entries that are not valid headers are dropped, and a hook that throws adds nothing.
response_headers hook_headers(const endpoint_options& o, const request_info& info) {
  response_headers h;
  if (!o.initial_headers && !o.headers) return h;
  const auto sid = info.query.find("sid");
  try {
    if (o.initial_headers && (sid == info.query.end() || sid->second.empty()))
      o.initial_headers(h, info);
    if (o.headers) o.headers(h, info);
  } catch (...) {
    return {};
  }
  std::erase_if(h, [](const auto& kv) {
    return !valid_header_name(kv.first) || invalid_header_value(kv.second);
  });
  return h;
}

// The status line and header fields of `res` as Beast's serializer writes them, into `out`.
void serialize_head(const http::response<http::string_body>& res, std::string& out) {
  out.clear();
  const unsigned v = res.version();
  out.append("HTTP/")
      .append(1, static_cast<char>('0' + v / 10))
      .append(1, '.')
      .append(1, static_cast<char>('0' + v % 10))
      .append(1, ' ');
  const unsigned code = res.result_int();
  const char digits[3] = {static_cast<char>('0' + code / 100 % 10),
                          static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  out.append(digits, 3).append(1, ' ').append(res.reason()).append("\r\n");
  for (const auto& f : res)
    out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
  out.append("\r\n");
}

std::string serialize_cookie(const cookie_options& c, std::string_view id) {
  std::string s = c.name + "=" + std::string(id);
  if (!c.path.empty()) s += "; Path=" + c.path;
  if (c.http_only) s += "; HttpOnly";
  if (!c.same_site.empty()) s += "; SameSite=" + c.same_site;
  return s;
}

void apply_cors(const cors_options& cors, std::string_view origin,
                http::response<http::string_body>& res) {
  if (!cors.enabled) return;
  if (allows_any_origin(cors)) {
    res.set(http::field::access_control_allow_origin, "*");  // never with credentials (attach)
  } else {
    for (const auto& o : cors.origins) {
      if (o == origin) {
        res.set(http::field::access_control_allow_origin, origin);
        break;
      }
    }
    res.set(http::field::vary, "Origin");
  }
  if (cors.credentials) res.set(http::field::access_control_allow_credentials, "true");
}

void start_websocket(server_impl& srv, worker& w, const endpoint& ep, tcp::socket sock, tcp proto,
                     std::unique_ptr<tls_stream> tls, address_slot slot,
                     http::request<http::string_body> req, request_info info,
                     std::optional<std::string> sid) {
  auto ws = std::make_shared<ws_transport>(srv, w, std::move(sock), proto, std::move(tls),
                                           std::move(slot), ep.opts);
  std::string new_id;
  std::string headers;
  if (!sid) {
    new_id = srv.generate_id();
    if (ep.opts.cookie)
      headers.append("Set-Cookie: ")
          .append(serialize_cookie(*ep.opts.cookie, new_id))
          .append("\r\n");
  }
  for (const auto& [name, value] : hook_headers(ep.opts, info))
    headers.append(name).append(": ").append(value).append("\r\n");
  ws->accept(req, headers,
             [ws, &srv, &w, &ep, info = std::move(info), sid = std::move(sid),
              new_id = std::move(new_id)](error_code ec) mutable {
               if (ec || srv.stopping) return;  // a bad upgrade was answered with 400
               if (!ep.mounted()) {
                 ws->start_reading();
                 ws->close(false);
                 return;
               }
               if (sid) {
                 const auto entry = srv.lookup(*sid);
                 const auto s = entry && entry->worker == w.index ? entry->s.lock() : nullptr;
                 if (!s) {
                   ws->start_reading();
                   ws->close(false);
                   return;
                 }
                 s->on_ws_probe(ws);
                 return;
               }
               auto s = std::make_shared<session>(srv, w, ep, std::move(new_id), std::move(info),
                                                  eio::transport_kind::websocket);
               srv.add_session(s);
               s->open_websocket(ws);
             });
}

// The allow_request hook's verdict: nullopt allows; otherwise the refusal's text, empty for the
// default "Forbidden" (also when the hook throws).
std::optional<std::string> refusal(const endpoint& ep, const request_info& info) {
  if (!ep.opts.allow_request) return std::nullopt;
  try {
    return ep.opts.allow_request(info);
  } catch (...) {
    return std::string();
  }
}

struct ssl_free {
  void operator()(SSL* s) const noexcept { SSL_free(s); }
};
using ssl_ptr = std::unique_ptr<SSL, ssl_free>;

// The TLS state of `tls` alone, to be carried to another worker: asio's stream is bound to its
// socket's io_context, the SSL object is not. Taken between requests, when no TLS bytes are
// buffered on either side (a client sends nothing before the 101).
ssl_ptr detach_ssl(std::unique_ptr<tls_stream> tls) {
  SSL* ssl = tls->native_handle();
  SSL_up_ref(ssl);
  tls.reset();
  return ssl_ptr(ssl);
}

}  // namespace

http_connection::http_connection(server_impl& srv, worker& w, tcp::socket s,
                                 const tcp::endpoint& peer, address_slot slot)
    : srv_(srv),
      w_(w),
      live_(w),
      slot_(std::move(slot)),
      stream_(std::move(s)),
      timer_{.owner = this,
             .fire =
                 [](void* o) {
                   if (auto c = static_cast<http_connection*>(o)->weak_from_this().lock())
                     c->close_socket();
                 }},
      remote_(peer) {
  srv_.connections.fetch_add(1);
}

http_connection::~http_connection() {
  w_.deadlines.disarm(timer_);  // already disarmed (closed) unless dying on its own worker
  srv_.connections.fetch_sub(1);
  std::lock_guard lock(w_.conn_mtx);
  w_.connections.erase(this);
}

void http_connection::start() {
  {
    std::lock_guard lock(w_.conn_mtx);
    w_.connections.emplace(this, weak_from_this());
  }
  error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
  if (auto ctx = srv_.tls_context()) return start_tls(std::move(ctx));
  do_read();
}

void http_connection::start_tls(std::shared_ptr<asio::ssl::context> ctx) {
  // The handshake (and the detection before it) must finish within the header timeout.
  arm_timer(srv_.opts.header_timeout);
  beast::async_detect_ssl(
      stream_, buffer_, [self = shared_from_this(), ctx = std::move(ctx)](error_code ec, bool tls) {
        self->on_detected(ec, tls, ctx);
      });
}

void http_connection::on_detected(error_code ec, bool tls,
                                  const std::shared_ptr<asio::ssl::context>& ctx) {
  if (closed_) return;
  if (ec) return close_socket();
  if (!tls) return fail_raw(400, "This port speaks HTTPS");
  tls_ = std::make_unique<tls_stream>(stream_.release_socket(), *ctx);
  tls_->async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                        [self = shared_from_this()](error_code ec2, std::size_t used) {
                          if (self->closed_) return;
                          // A failed handshake concerns this connection only.
                          if (ec2) return self->close_socket();
                          self->buffer_.consume(used);
                          self->do_read();
                        });
}

request_info http_connection::current_info() {
  return make_request_info(head_, remote_, srv_.proxies, tls_ != nullptr);
}

http::request<http::string_body>& http_connection::request() {
  if (!req_built_) {
    req_ = head_.to_request();
    req_built_ = true;
  }
  return req_;
}

template <class F>
void http_connection::with_session(const std::shared_ptr<session>& s, F f) {
  asio::post(s->executor(), [s, f = std::move(f)]() mutable { f(*s); });
}

void http_connection::arm_timer(std::chrono::steady_clock::duration d) {
  // A deadline in the worker's FIFOs: re-arming it per request allocates nothing and leaves no
  // cancelled wait behind.
  w_.deadlines.arm(timer_, d);
}

void http_connection::close_socket() {
  if (closed_) return;
  closed_ = true;
  w_.deadlines.disarm(timer_);
  if (!post_session_.expired()) end_post(true);  // a POST body cut short
  if (waiting_) {
    if (auto s = pending_.lock())
      with_session(s, [p = this](session& ss) { ss.on_poll_aborted(p); });
  }
  error_code ec;
  socket().shutdown(tcp::socket::shutdown_both, ec);
  socket().close(ec);
}

void http_connection::shutdown() {
  shutdown_ = true;
  if (!waiting_) close_socket();
}

void http_connection::do_read() {
  if (closed_) return;
  if (shutdown_) return close_socket();
  if (!first_ && buffer_.size() == 0) return await_request();
  read_head();
}

void http_connection::await_request() {
  // An idle keep-alive connection waits up to idle_timeout for the next request; its head then
  // gets header_timeout from its first bytes, as the first request's does.
  arm_timer(srv_.opts.idle_timeout);
  read_available([](http_connection& self, error_code ec, std::size_t n) {
    if (self.closed_) return;
    if (ec) return self.close_socket();
    self.buffer_.commit(n);
    self.read_head();
  });
}

template <class F>
void http_connection::read_available(F then, std::size_t chunk) {
  auto done = [self = shared_from_this(), then](error_code ec, std::size_t n) {
    then(*self, ec, n);
  };
  if (tls_) return tls_->async_read_some(buffer_.prepare(chunk), std::move(done));
  // On the socket itself: Beast's tcp_stream layers cost more than the read.
  stream_.socket().async_read_some(buffer_.prepare(chunk), std::move(done));
}

void http_connection::read_head() {
  if (shutdown_) return close_socket();
  head_.clear();
  req_built_ = false;
  head_checked_ = false;
  parser_.emplace(head_);
  parser_->header_limit(static_cast<std::uint32_t>(srv_.opts.max_header_bytes));
  // The route (and its limit) is known after the head; until then the largest limit applies.
  std::uint64_t limit = srv_.opts.max_app_body_bytes;
  for (const auto& ep : srv_.endpoints)
    limit = std::max<std::uint64_t>(limit, ep->opts.max_payload);
  parser_->body_limit(limit);
  arm_timer(srv_.opts.header_timeout);
  parse();
}

void http_connection::parse() {
  while (buffer_.size() != 0) {
    error_code ec;
    const auto used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) break;
    if (ec) return parse_failed(ec);
    if (parser_->is_header_done() && !head_checked_) {
      head_checked_ = true;
      if (!on_header()) return;
    }
    if (parser_->is_done()) return on_body();
    if (used == 0) break;
  }
  // The head in 2 KB reads (as an idle connection's); a body in reads of up to what is left of it.
  std::size_t chunk = 2048;
  if (head_checked_) {
    const auto cl = parser_->content_length_remaining();
    chunk = std::clamp<std::uint64_t>(cl ? *cl : 16 * 1024, chunk, 64 * 1024);
  }
  read_available(
      [](http_connection& self, error_code ec, std::size_t n) {
        if (self.closed_) return;
        if (ec) return self.read_failed(ec);
        self.buffer_.commit(n);
        self.parse();
      },
      chunk);
}

void http_connection::read_failed(error_code ec) {
  // As Beast's read: the end of the stream inside a request is a partial message.
  if (ec == asio::error::eof) {
    if (parser_->got_some()) {
      parser_->put_eof(ec);
      if (!ec) ec = http::error::partial_message;  // put_eof completes no request
    } else {
      ec = http::error::end_of_stream;
    }
  }
  parse_failed(ec);
}

void http_connection::parse_failed(error_code ec) {
  if (head_checked_) {  // in the body
    if (ec != http::error::body_limit) return close_socket();
    end_post(false);
    auto res = make_response(http::status::payload_too_large, "", "", version_);
    res.keep_alive(false);
    return write(std::move(res));
  }
  if (ec == http::error::header_limit) return fail_raw(431, "");
  if (ec == http::error::body_limit) return fail_raw(413, "");
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec == asio::error::bad_descriptor)
    return close_socket();
  fail_raw(400, "");
}

bool http_connection::on_header() {
  first_ = false;
  arm_timer(srv_.opts.header_timeout);  // the body must follow promptly too
  version_ = head_.version();
  keep_alive_ = parser_->keep_alive();
  ep_ = nullptr;
  for (const auto& ep : srv_.endpoints) {
    if (ep->mounted() && under_endpoint(head_.target(), ep->path)) {
      ep_ = ep.get();
      break;
    }
  }
  origin_.assign(head_[http::field::origin]);
  params_ = ep_ ? eio::parse_route_params(head_.target()) : eio::route_params{};
  const std::uint64_t limit = ep_ ? ep_->opts.max_payload : srv_.opts.max_app_body_bytes;
  if (const auto cl = parser_->content_length(); cl && *cl > limit) {
    // Refused before reading a single byte of the body.
    auto res = make_response(http::status::payload_too_large, "", "", version_);
    res.keep_alive(false);
    write(std::move(res));
    return false;
  }
  parser_->body_limit(limit);
  if (ep_ && head_.method() == http::verb::post) begin_post();
  return true;
}

void http_connection::begin_post() {
  // The session learns of a POST as soon as its head arrives, so that two at once are refused
  // (as the reference server does) even though bodies are read here, off the session's worker.
  const auto& sid = params_.sid;
  if (!sid || sid->empty()) return;
  const auto entry = srv_.lookup(*sid);
  if (!entry) return;
  post_session_ = entry->s;
  if (auto s = entry->s.lock()) with_session(s, [p = this](session& ss) { ss.on_post_begin(p); });
}

void http_connection::end_post(bool close_session) {
  if (auto s = post_session_.lock())
    with_session(s, [p = this, close_session](session& ss) { ss.on_post_end(p, close_session); });
  post_session_.reset();
}

void http_connection::on_body() {
  w_.deadlines.disarm(timer_);
  handle_request();
}

void http_connection::handle_request() {
  if (ep_ && !ep_->mounted()) ep_ = nullptr;  // detached while the body was read
  if (ep_) return handle_engine(*ep_);
  handle_app();
}

const http_handler* http_connection::app_handler() const {
  if (!srv_.app_routes.empty()) {
    const std::string_view target = head_.target();
    const auto route = srv_.app_routes.find(std::string(target.substr(0, target.find('?'))));
    if (route != srv_.app_routes.end()) return &route->second;
  }
  return srv_.app ? &srv_.app : nullptr;
}

void http_connection::handle_app() {
  const auto* app = app_handler();
  if (!app) {
    return write(make_response(http::status::not_found, "text/plain", "Not Found", version_));
  }
  waiting_ = true;
  auto info = current_info();
  auto called = std::make_shared<std::atomic<bool>>(false);
  http_respond respond = [self = shared_from_this(), called](http_response res) {
    if (called->exchange(true)) return;
    self->respond(std::move(res));
  };
  try {
    (*app)(std::move(request()), info, respond);
  } catch (...) {
    respond(make_response(http::status::internal_server_error, "text/plain",
                          "Internal Server Error", version_));
  }
  if (!closed_) monitor();
}

void http_connection::handle_engine(const endpoint& ep) {
  const auto r = route_engine_request(head_, params_, ep.opts);
  if (r.what == engine_route::kind::preflight) {
    auto res = make_response(http::status::no_content, "", "", version_);
    res.set(http::field::access_control_allow_methods, ep.opts.cors.methods);
    if (!ep.opts.cors.allowed_headers.empty()) {
      res.set(http::field::access_control_allow_headers, ep.opts.cors.allowed_headers);
    } else if (const auto rh = head_[http::field::access_control_request_headers]; !rh.empty()) {
      res.set(http::field::access_control_allow_headers, rh);
      res.insert(http::field::vary, "Access-Control-Request-Headers");
    }
    return write(std::move(res));
  }
  if (r.upgrade) return handle_engine_upgrade(ep, r);
  handle_engine_http(ep, r);
}

void http_connection::report(eio::request_error e) noexcept {
  if (!ep_) return;
  try {
    ep_->h->on_request_error(w_.index, e);
  } catch (...) {
  }
}

void http_connection::engine_error(eio::request_error e, std::string_view msg) {
  report(e);
  auto res = make_error_response(e, msg);
  res.version(version_);
  write(std::move(res));
}

void http_connection::refuse(const handshake_refusal& r, bool websocket) {
  report(eio::request_error::forbidden);
  auto res =
      make_response(r.status, "application/json",
                    eio::encode_error_body(eio::request_error::forbidden, r.message), version_);
  if (r.retry_after.count() > 0)
    res.set(http::field::retry_after, std::to_string(r.retry_after.count()));
  res.keep_alive(false);         // a client being refused reconnects, or goes away
  if (websocket) ep_ = nullptr;  // as the other refused upgrades: no CORS
  write(std::move(res));
}

void http_connection::handle_engine_http(const endpoint& ep, const engine_route& r) {
  if (r.what == engine_route::kind::refuse) return engine_error(r.error);
  if (r.what == engine_route::kind::session) {
    const auto entry = srv_.lookup(r.sid);
    if (!entry || entry->endpoint != ep.index) return engine_error(eio::request_error::unknown_sid);
    post_session_.reset();  // the session gets the body now: on_post ends the POST there
    waiting_ = true;
    pending_ = entry->s;
    dispatch(*srv_.workers[entry->worker], entry->s, r.transport);
    monitor();
    return;
  }
  auto info = current_info();
  if (const auto no = srv_.refuse_handshake(info)) return refuse(*no, false);
  const bool supported = r.supported_version;
  decide(ep, std::move(info), true,
         [this, &ep, supported](std::optional<std::string> verdict, request_info info) {
           if (verdict) return engine_error(eio::request_error::forbidden, *verdict);
           if (!supported) return engine_error(eio::request_error::unsupported_protocol_version);
           open_polling(ep, std::move(info));
         });
}

void http_connection::dispatch(worker& ow, const std::weak_ptr<session>& ws,
                               eio::transport_kind t) {
  // Posted to the session's worker, even when it is this one: calls from the session's
  // connections then keep the order of the worker's queue (the abort of a poll, a POST's begin and
  // end are posted too).
  auto run = [self = shared_from_this(), ws, t, method = head_.method(),
              binary = head_.method() == http::verb::post &&
                       head_[http::field::content_type] == "application/octet-stream",
              body = std::move(head_.body())]() mutable {
    const auto s = ws.lock();
    if (!s) {
      // Binary bodies are not part of Engine.IO v4: refused (400), and the session closed.
      return self->respond(binary ? make_response(http::status::bad_request, "", "")
                                  : make_error_response(eio::request_error::unknown_sid));
    }
    if (binary) return s->on_binary_post(self);
    if (method == http::verb::get) return s->on_get(self, t);
    if (method == http::verb::post) return s->on_post(self, t, std::move(body));
    s->on_other_method(self, t);
  };
  asio::post(ow.ctx, std::move(run));
}

void http_connection::decide(const endpoint& ep, request_info info, bool watch,
                             verdict_handler then) {
  if (!ep.opts.allow_request_async) {
    auto verdict = refusal(ep, info);
    return then(std::move(verdict), std::move(info));
  }
  // Decided later: the continuation runs on this connection's worker, unless the connection
  // closed or the server began to stop meanwhile. `watch` keeps reading so that a client that goes
  // away is noticed (not for an upgrade, whose socket is handed over as it is).
  waiting_ = true;
  auto req = std::make_shared<request_info>(std::move(info));
  auto called = std::make_shared<std::atomic<bool>>(false);
  allow_request_done done = [self = shared_from_this(), req, called,
                             then = std::move(then)](std::optional<std::string> verdict) {
    if (called->exchange(true)) return;
    asio::post(self->stream_.get_executor(), [self, req, then, verdict = std::move(verdict)] {
      if (self->closed_) return;
      if (self->srv_.stopping) return self->close_socket();
      self->waiting_ = false;
      then(verdict, std::move(*req));
    });
  };
  try {
    ep.opts.allow_request_async(*req, done);
  } catch (...) {
    done(std::string());
  }
  if (watch && !closed_) monitor();
}

void http_connection::open_polling(const endpoint& ep, request_info info) {
  auto s = std::make_shared<session>(srv_, w_, ep, srv_.generate_id(), std::move(info),
                                     eio::transport_kind::polling);
  srv_.add_session(s);
  waiting_ = true;
  pending_ = s;
  std::string cookie;
  if (ep.opts.cookie) cookie = serialize_cookie(*ep.opts.cookie, s->id());
  s->open_polling(shared_from_this(), std::move(cookie));
  if (!closed_) monitor();
}

void http_connection::handle_engine_upgrade(const endpoint& ep, const engine_route& r) {
  if (r.what == engine_route::kind::refuse) return fail_raw(400, eio::message(r.error));
  // A client may not send anything before the 101: bytes after the upgrade request are junk.
  if (buffer_.size() != 0) return fail_raw(400, "Bad request");
  if (r.what == engine_route::kind::session) {
    const auto entry = srv_.lookup(r.sid);
    if (!entry || entry->endpoint != ep.index) return fail_raw(400, "Session ID unknown");
    // The session has its request already: this one is read only by the header hooks.
    const bool hooks = ep.opts.headers || ep.opts.initial_headers;
    return upgrade_to_websocket(ep, entry, hooks ? current_info() : request_info{});
  }
  auto info = current_info();
  if (const auto no = srv_.refuse_handshake(info)) return refuse(*no, true);
  const bool supported = r.supported_version;
  decide(ep, std::move(info), false,
         [this, &ep, supported](std::optional<std::string> verdict, request_info info) {
           if (verdict)
             return fail_raw(400, verdict->empty() ? eio::message(eio::request_error::forbidden)
                                                   : std::string_view(*verdict));
           if (!supported)
             return fail_raw(400, eio::message(eio::request_error::unsupported_protocol_version));
           upgrade_to_websocket(ep, std::nullopt, std::move(info));
         });
}

void http_connection::upgrade_to_websocket(const endpoint& ep, std::optional<table_entry> entry,
                                           request_info info) {
  // This connection object is done: the socket moves to a ws_transport on the session's worker.
  closed_ = true;
  w_.deadlines.disarm(timer_);
  std::optional<std::string> sid;
  if (entry) sid = params_.sid;
  worker& target = entry ? *srv_.workers[entry->worker] : w_;
  if (&target == &w_) {
    tcp::socket sock = tls_ ? tcp::socket(w_.ctx) : stream_.release_socket();
    return start_websocket(srv_, w_, ep, std::move(sock), remote_.protocol(), std::move(tls_),
                           std::move(slot_), std::move(request()), std::move(info), std::move(sid));
  }
  // The socket's protocol is its peer address's family (no getsockname).
  const auto proto = remote_.protocol();
  error_code ec;
  const auto fd = socket().release(ec);
  if (ec) return;
  ssl_ptr ssl = tls_ ? detach_ssl(std::move(tls_)) : nullptr;
  asio::post(target.ctx, [&srv = srv_, &target, &ep, fd, proto, ssl = std::move(ssl),
                          slot = std::move(slot_), req = std::move(request()),
                          info = std::move(info), sid = std::move(sid)]() mutable {
    tcp::socket s(target.ctx);
    error_code ec2;
    s.assign(proto, fd, ec2);
    if (ec2) return;
    std::unique_ptr<tls_stream> tls;
    if (ssl) {
      tls = std::make_unique<tls_stream>(std::move(s), ssl.release());  // owns the SSL now
      s = tcp::socket(target.ctx);
    }
    start_websocket(srv, target, ep, std::move(s), proto, std::move(tls), std::move(slot),
                    std::move(req), std::move(info), std::move(sid));
  });
}

void http_connection::fail_raw(unsigned status, std::string_view body) {
  auto res = make_response(static_cast<http::status>(status), body.empty() ? "" : "text/html",
                           std::string(body), version_);
  res.keep_alive(false);
  ep_ = nullptr;  // raw: no CORS
  write(std::move(res));
}

void http_connection::respond(http::response<http::string_body> res, bool compress) {
  // On the connection's own worker (always with one worker) the response is written at once: a
  // write only starts I/O, whose completion never runs inside this call. Compression happens
  // there too, with that worker's zlib streams.
  if (w_.ctx.get_executor().running_in_this_thread()) {
    if (waiting_) write(std::move(res), compress);
    return;
  }
  asio::post(stream_.get_executor(),
             [self = shared_from_this(), res = std::move(res), compress]() mutable {
               if (!self->waiting_) return;
               self->write(std::move(res), compress);
             });
}

void http_connection::encode_body(http::response<http::string_body>& res, bool compress) {
  if (!ep_) return;
  const auto& o = ep_->opts.http_compression;
  const auto coding =
      polling_coding(o, compress, res.body().size(), head_[http::field::accept_encoding]);
  if (coding == content_coding::identity) return;
  std::string encoded;
  // zlib fails only without memory: the body then goes as it is.
  if (!w_.compressor.compress(coding, o.level, res.body(), encoded)) return;
  res.body() = std::move(encoded);
  res.set(http::field::content_encoding, to_string(coding));
  res.content_length(res.body().size());
}

void http_connection::decorate(http::response<http::string_body>& res) {
  if (!ep_) return;
  apply_cors(ep_->opts.cors, origin_, res);
  const auto& o = ep_->opts;
  // The hooks see successful responses only (as Node's events: not errors, not preflights).
  if (res.result() != http::status::ok || (!o.initial_headers && !o.headers)) return;
  for (auto& [name, value] : hook_headers(o, current_info())) res.insert(name, value);
}

void http_connection::write(http::response<http::string_body> res, bool compress) {
  if (closed_) return;
  if (!post_session_.expired()) end_post(false);  // answered here: the session never sees it
  waiting_ = false;
  pending_.reset();
  encode_body(res, compress);
  decorate(res);
  res.version(version_);
  const bool close = !res.keep_alive() || !keep_alive_ || shutdown_;
  res.keep_alive(!close);
  if (!reading_) arm_timer(srv_.opts.idle_timeout);
  writing_ = true;
  if (res.chunked()) {  // an application's chunked response: Beast encodes the chunks
    auto sp = std::make_shared<http::response<http::string_body>>(std::move(res));
    return with_stream([&](auto& s) {
      http::async_write(s, *sp, [self = shared_from_this(), sp, close](error_code ec, std::size_t) {
        self->on_write(ec, close);
      });
    });
  }
  // Head and body leave in one gathered write straight on the socket: Beast's serializer and
  // tcp_stream cost more than the rest of a polling request together.
  serialize_head(res, out_head_);
  out_body_ = std::move(res.body());
  const std::array<asio::const_buffer, 2> bufs{asio::buffer(out_head_), asio::buffer(out_body_)};
  auto done = [self = shared_from_this(), close](error_code ec, std::size_t) {
    self->out_body_ = std::string();
    self->on_write(ec, close);
  };
  if (tls_) return asio::async_write(*tls_, bufs, std::move(done));
  asio::async_write(stream_.socket(), bufs, std::move(done));
}

void http_connection::on_write(error_code ec, bool close) {
  writing_ = false;
  if (closed_) return;
  if (ec) return close_socket();
  if (close) return request_unread() ? linger() : close_socket();
  if (reading_) {
    arm_timer(srv_.opts.idle_timeout);  // the monitor read now waits for the next request
    return;
  }
  do_read();
}

bool http_connection::request_unread() const {
  return !parser_ || !parser_->is_done();
}

void http_connection::linger() {
  // An early answer (413, 431, 400, ...) while the client may still be sending its request: stop
  // sending, then read and discard within linger_timeout and linger_bytes before closing, so that
  // the client gets to read the answer instead of a reset (RFC 9112 section 9.6). Over TLS the TCP
  // side stays open under the TLS stream: only decrypted bytes are discarded.
  if (!tls_) {
    error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  buffer_.clear();
  lingered_ = 0;
  arm_timer(srv_.opts.linger_timeout);
  discard();
}

void http_connection::discard() {
  with_stream([&](auto& s) {
    s.async_read_some(buffer_.prepare(16 * 1024),
                      [self = shared_from_this()](error_code ec, std::size_t n) {
                        if (self->closed_) return;
                        self->lingered_ += n;
                        if (ec || self->lingered_ >= self->srv_.opts.linger_bytes)
                          return self->close_socket();
                        self->discard();
                      });
  });
}

void http_connection::monitor() {
  // While a response is owed, keep reading so that a client that goes away is noticed (the
  // reference server closes the session when a held poll is aborted). Bytes that arrive early
  // stay in the buffer for the next request.
  if (closed_ || reading_) return;
  reading_ = true;
  read_available([](http_connection& self, error_code ec, std::size_t n) {
    self.reading_ = false;
    if (self.closed_) return;
    if (ec) return self.close_socket();
    self.buffer_.commit(n);
    if (self.buffer_.size() > self.srv_.opts.max_header_bytes) return self.close_socket();
    if (self.waiting_) return self.monitor();
    if (self.writing_) return;  // on_write goes on with the next request
    self.do_read();
  });
}

}  // namespace sio::engineio::detail
