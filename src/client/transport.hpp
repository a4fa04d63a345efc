// The pieces of the client's Engine.IO connection below the engine's state machine: what every
// transport shares (the request targets and headers, TLS, the proxy), the connector that opens a
// TCP, proxied or TLS stream, and the two transports (HTTP long-polling, WebSocket).
//
// Threading: everything here runs on the engine's strand. A transport keeps itself alive while
// an operation is in flight and reports through `transport_events`, which the engine clears (the
// transport then ends silently).
#pragma once

#include "engine.hpp"

#include <sio/protocol/engineio.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::client::detail {

namespace eio = sio::protocol::engineio;

// An HTTP proxy reached with CONNECT.
struct proxy_endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string authorization;  // "Basic <base64>", or empty
};

// What the engine and its transports share; immutable once the engine opens, and owned jointly
// so that a transport that outlives the engine (a closing write) still has it.
struct transport_context {
  boost::asio::any_io_executor strand;
  server_url url;
  // Shared with the manager (or a copy): a closing transport may outlive the manager.
  std::shared_ptr<const manager_options> options;
  std::shared_ptr<boost::asio::ssl::context> tls;  // https and wss only
  std::optional<proxy_endpoint> proxy;
  std::uint64_t request_count = 0;  // makes the `t` parameter unique

  // <path>?<url query>&<options.query>&EIO=4&transport=..[&sid=..][&t=..]
  std::string target(transport kind, std::string_view sid);
  // host[:port], brackets around an IPv6 address.
  std::string host_header() const;
  std::string_view server_name() const;
};

struct tls_context_cache {
  std::shared_ptr<boost::asio::ssl::context> context;  // made with these options
  tls_options made_with;
};

// Builds the TLS context of a secure URL (peer verification as tls_options says) and parses the
// proxy URL. Throws std::runtime_error with a message for the user (a bad CA file, proxy URL).
std::shared_ptr<transport_context> make_transport_context(boost::asio::any_io_executor strand,
                                                          const engine_config& config);

// --- connector -----------------------------------------------------------------------------------

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::asio::ssl::stream<plain_stream>;

// The outcome of opening a connection: the error and the words for the user.
struct connect_result {
  boost::system::error_code ec;
  std::string message;  // empty on success
  // A proxy or TLS failure: reported in these words rather than as the transport's error.
  bool specific = false;
  explicit operator bool() const noexcept { return !ec; }
};

// Resolves and connects `s` to the server, or through the proxy with CONNECT.
boost::asio::awaitable<connect_result> open_stream(plain_stream& s, transport_context& ctx);
// The same, then the TLS handshake with SNI and (unless turned off) peer and host verification.
boost::asio::awaitable<connect_result> open_stream(tls_stream& s, transport_context& ctx);

// --- transports ----------------------------------------------------------------------------------

// How a transport ended.
enum class failure_kind { closed, error, parse };
struct transport_failure {
  failure_kind kind = failure_kind::error;
  // Before the handshake: what on_error reports ("xhr poll error", "websocket error", or the TLS
  // or proxy failure in words).
  std::string message;
  std::string detail;  // the cause, for manager_options::log
};

class transport_base;

// How long a closing transport may take to write its last packets before it is cut.
inline constexpr std::chrono::seconds shutdown_limit{10};

// Where a transport reports (the engine). Calls come on the strand, from the transport's own
// operations, never from inside a call the sink made.
class transport_sink {
 public:
  virtual ~transport_sink() = default;
  virtual void on_packet(transport_base& t, eio::packet p) = 0;
  // The transport ended; it reports nothing more.
  virtual void on_failure(transport_base& t, transport_failure f) = 0;
  // A write finished: the transport is writable again.
  virtual void on_drain(transport_base& t) = 0;
  // WebSocket opened with a sid: the probe's outcome (true: "3probe" came back). Reading stays
  // stopped until start_reading().
  virtual void on_probe(transport_base& t, bool ok) = 0;
  // Polling paused: no request in flight.
  virtual void on_paused(transport_base& t) = 0;
};

class transport_base {
 public:
  virtual ~transport_base() = default;
  virtual transport kind() const noexcept = 0;
  // Starts the transport: the handshake when no sid is set, else joins the session (polling's
  // next requests; WebSocket: the probe, reported by on_probe).
  virtual void open() = 0;
  virtual bool writable() const noexcept = 0;
  // Writes the packets (one polling request, or one frame each). Only when writable().
  virtual void send(std::vector<eio::packet> packets) = 0;
  // Writes the packets after any write in flight, then ends the connection; reports nothing.
  // Aborted after shutdown_limit when the server does not take them.
  virtual void shutdown(std::vector<eio::packet> last) = 0;
  // Ends at once; reports nothing.
  virtual void abort() = 0;
  // Polling: stops asking for data, reports on_paused once no request is in flight.
  virtual void pause() {}
  // WebSocket after a successful probe: reads the session's packets from now on.
  virtual void start_reading() {}

  // The session id, once the handshake gave it (the next requests carry it).
  void set_sid(std::string sid) { sid_ = std::move(sid); }
  void set_sink(std::weak_ptr<transport_sink> s) { sink_ = std::move(s); }

 protected:
  template <class F>
  void report(F&& f) {
    if (auto s = sink_.lock()) std::forward<F>(f)(*s);
  }
  void report_failure(failure_kind kind, std::string message, std::string detail) {
    auto s = sink_.lock();
    sink_.reset();
    if (s) s->on_failure(*this, transport_failure{kind, std::move(message), std::move(detail)});
  }

  std::weak_ptr<transport_sink> sink_;
  std::string sid_;
};

// co_await op(..., awaitable_tuple) gives (error_code, result...) instead of throwing.
inline constexpr auto awaitable_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// Runs a coroutine on `ex`; it holds what it uses alive itself.
template <class F>
void spawn(const boost::asio::any_io_executor& ex, F f) {
  boost::asio::co_spawn(ex, std::move(f), [](const std::exception_ptr&) {});
}

std::shared_ptr<transport_base> make_polling_transport(std::shared_ptr<transport_context> ctx);
std::shared_ptr<transport_base> make_websocket_transport(std::shared_ptr<transport_context> ctx);

}  // namespace sio::client::detail
