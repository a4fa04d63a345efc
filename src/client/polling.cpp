// The HTTP long-polling transport (engine.io-client's transports/polling): one GET in flight that
// the server answers when it has packets, and POSTs of the queued packets as one payload, never
// two at once. Each direction keeps its own keep-alive connection.
#include "transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <optional>
#include <type_traits>

namespace sio::client::detail {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

struct http_result {
  error_code ec;
  std::string message;  // what on_error reports when the request fails before the handshake
  std::string detail;   // the cause
  unsigned status = 0;
  std::string body;
};

// One keep-alive HTTP connection, one request at a time.
class http_channel {
 public:
  virtual ~http_channel() = default;
  virtual net::awaitable<http_result> request(http::verb method, std::string target,
                                              std::string body) = 0;
  // Ends the connection (a request in flight fails).
  virtual void close() = 0;
};

template <class Stream>
class http_channel_impl final : public http_channel {
 public:
  explicit http_channel_impl(std::shared_ptr<transport_context> ctx) : ctx_(std::move(ctx)) {}

  net::awaitable<http_result> request(http::verb method, std::string target,
                                      std::string body) override {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, ctx_->host_header());
    for (const auto& [name, value] : ctx_->options->extra_headers) req.set(name, value);
    req.keep_alive(true);
    if (method == http::verb::post) {
      req.set(http::field::content_type, "text/plain;charset=UTF-8");
      req.body() = std::move(body);
    }
    req.prepare_payload();
    // A kept-alive connection the server closed in the meantime is replaced once.
    for (int attempt = 0;; ++attempt) {
      const bool reused = s_.has_value();
      if (!reused) {
        emplace();
        auto r = co_await open_stream(*s_, *ctx_);
        if (closed_) {  // closed while connecting: the request is not sent
          reset();
          co_return http_result{net::error::operation_aborted, "xhr poll error", "closed"};
        }
        if (!r) {
          reset();
          co_return http_result{r.ec, r.specific ? r.message : "xhr poll error", r.message};
        }
      }
      auto [wec, wn] = co_await http::async_write(*s_, req, awaitable_tuple);
      if (wec) {
        reset();
        if (reused && attempt == 0 && !closed_) continue;
        co_return http_result{wec, "xhr poll error", "HTTP request: " + wec.message()};
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(ctx_->options->max_message_size);
      auto [rec, rn] = co_await http::async_read(*s_, buffer_, parser, awaitable_tuple);
      if (rec) {
        reset();
        if (reused && attempt == 0 && rn == 0 && !closed_ &&
            (rec == http::error::end_of_stream || rec == net::error::connection_reset))
          continue;
        co_return http_result{rec, "xhr poll error", "HTTP response: " + rec.message()};
      }
      auto res = parser.release();
      if (!res.keep_alive()) reset();
      const unsigned status = res.result_int();
      http_result out{{}, {}, {}, status, std::move(res.body())};
      if (status != 200) {
        out.ec = make_error_code(boost::system::errc::protocol_error);
        out.message = "xhr poll error";
        out.detail = "HTTP " + std::to_string(status) + ": " + out.body.substr(0, 200);
      }
      co_return out;
    }
  }

  void close() override {
    closed_ = true;
    if (s_) {
      error_code ignored;
      beast::get_lowest_layer(*s_).socket().close(ignored);
    }
  }

 private:
  void emplace() {
    if constexpr (std::is_same_v<Stream, plain_stream>)
      s_.emplace(ctx_->strand);
    else
      s_.emplace(ctx_->strand, *ctx_->tls);
  }
  // Only between operations: a TLS stream must outlive what is in flight on it.
  void reset() {
    s_.reset();
    buffer_.clear();
  }

  std::shared_ptr<transport_context> ctx_;
  std::optional<Stream> s_;
  beast::flat_buffer buffer_;
  bool closed_ = false;
};

std::unique_ptr<http_channel> make_channel(const std::shared_ptr<transport_context>& ctx) {
  if (ctx->url.secure) return std::make_unique<http_channel_impl<tls_stream>>(ctx);
  return std::make_unique<http_channel_impl<plain_stream>>(ctx);
}

class polling_transport final : public transport_base,
                                public std::enable_shared_from_this<polling_transport> {
 public:
  explicit polling_transport(std::shared_ptr<transport_context> ctx)
      : ctx_(std::move(ctx)),
        get_(make_channel(ctx_)),
        post_(make_channel(ctx_)),
        deadline_(ctx_->strand) {}

  transport kind() const noexcept override { return transport::polling; }

  // The handshake, or (again after a pause) the long poll.
  void open() override {
    paused_ = false;
    if (!polling_ && !ended_)
      spawn(ctx_->strand, [self = shared_from_this()] { return self->poll(); });
  }

  bool writable() const noexcept override { return !writing_ && !ended_ && !sid_.empty(); }

  void send(std::vector<eio::packet> packets) override {
    writing_ = true;
    spawn(ctx_->strand, [self = shared_from_this(), packets = std::move(packets)]() mutable {
      return self->write(std::move(packets));
    });
  }

  void shutdown(std::vector<eio::packet> last) override {
    // The poll in flight stays: cutting it would end the session before the packets arrive (the
    // server answers it once the close packet is in).
    sink_.reset();
    ended_ = true;
    if (sid_.empty()) return abort();
    deadline_.expires_after(shutdown_limit);
    deadline_.async_wait([w = weak_from_this()](error_code ec) {
      if (auto self = w.lock(); self && !ec) self->abort();
    });
    last_ = std::move(last);
    if (!writing_) send(std::move(*std::exchange(last_, std::nullopt)));
  }

  void abort() override {
    sink_.reset();
    ended_ = true;
    last_.reset();
    deadline_.cancel();
    get_->close();
    post_->close();
  }

  void pause() override {
    paused_ = true;
    check_paused();
  }

 private:
  void fail(failure_kind kind, std::string message, std::string detail) {
    if (ended_) return;
    abort_keeping_sink();
    report_failure(kind, std::move(message), std::move(detail));
  }
  void abort_keeping_sink() {
    ended_ = true;
    get_->close();
    post_->close();
  }

  void check_paused() {
    if (!paused_ || polling_ || writing_ || ended_) return;
    // Reported from a fresh handler: the engine may be in the call that paused.
    net::post(ctx_->strand, [self = shared_from_this()] {
      if (self->paused_ && !self->polling_ && !self->writing_ && !self->ended_)
        self->report([&](transport_sink& s) { s.on_paused(*self); });
    });
  }

  net::awaitable<void> poll() {
    auto self = shared_from_this();
    polling_ = true;
    while (!ended_ && !paused_) {
      auto r = co_await get_->request(http::verb::get, ctx_->target(transport::polling, sid_), {});
      if (ended_) break;
      if (r.ec) {
        fail(failure_kind::error, std::move(r.message), std::move(r.detail));
        break;
      }
      auto packets = eio::decode_payload(r.body, ctx_->options->max_message_size);
      if (!packets) {
        fail(failure_kind::parse, "parse error", "undecodable polling payload");
        break;
      }
      for (auto& p : *packets) {
        if (ended_) break;
        report([&](transport_sink& s) { s.on_packet(*self, std::move(p)); });
      }
      if (sid_.empty() && !ended_) {
        fail(failure_kind::error, "xhr poll error", "the handshake response had no open packet");
        break;
      }
    }
    polling_ = false;
    check_paused();
  }

  net::awaitable<void> write(std::vector<eio::packet> packets) {
    auto self = shared_from_this();
    std::string body;
    for (const auto& p : packets) eio::append_payload_record(body, p.type, p.data, p.binary);
    auto r = co_await post_->request(http::verb::post, ctx_->target(transport::polling, sid_),
                                     std::move(body));
    writing_ = false;
    if (last_) {  // shutting down: the closing request follows what was in flight
      auto last = std::move(*std::exchange(last_, std::nullopt));
      if (!r.ec) co_return send(std::move(last));
    }
    if (ended_) {
      if (!sink_.lock()) abort();  // the closing request is done
      co_return;
    }
    if (r.ec) co_return fail(failure_kind::error, "xhr post error", std::move(r.detail));
    report([&](transport_sink& s) { s.on_drain(*self); });
    check_paused();
  }

  std::shared_ptr<transport_context> ctx_;
  std::unique_ptr<http_channel> get_;
  std::unique_ptr<http_channel> post_;
  std::optional<std::vector<eio::packet>> last_;  // shutdown(): written after the POST in flight
  bool polling_ = false;                          // a GET is in flight
  bool writing_ = false;                          // a POST is in flight
  bool paused_ = false;
  bool ended_ = false;
  net::steady_timer deadline_;  // bounds shutdown()
};

}  // namespace

std::shared_ptr<transport_base> make_polling_transport(std::shared_ptr<transport_context> ctx) {
  return std::make_shared<polling_transport>(std::move(ctx));
}

}  // namespace sio::client::detail
