// sio::redis::client: one Redis connection driven by Asio, for the Redis adapter and emitter.
// Commands are written as RESP by hand and replies read with hiredis's pure reply reader
// (redisReader), so there is no second event loop: the socket, its timers and every callback
// live on one strand of the io_context given at creation.
//
// The connection keeps itself up: when Redis goes away it logs why, fails the commands that were
// waiting for a reply, and reconnects with exponential backoff (reconnect_min .. reconnect_max),
// then re-authenticates, re-selects the database and re-subscribes every channel, pattern and
// sharded channel.
// Commands issued while disconnected are queued up to `max_offline_bytes` (then refused with
// error::queue_full), like node-redis's offline queue.
//
// Thread-safety: every public member may be called from any thread (it posts to the strand).
// Callbacks (replies, messages, state changes) run on the strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sio::redis {

enum class error {
  not_connected = 1,  // the connection dropped before the reply arrived
  queue_full,         // the offline queue is full
  stopped,            // the client was stopped
  protocol,           // Redis sent something the reader could not parse
};
const boost::system::error_category& error_category() noexcept;
inline boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// redis://[[user]:password@]host[:port][/db], or rediss://... for TLS. User and password are
// percent-decoded; with a password the client sends AUTH [user] password on every connection.
struct endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string username;
  std::string password;
  int db = 0;
  bool tls = false;  // rediss://
};
// Parses a redis:// or rediss:// URL; nullopt when it is not one.
std::optional<endpoint> parse_url(std::string_view url);
// `url` with its password replaced by "***" (redis://user:***@host:port), for logs and errors.
std::string redact_url(std::string_view url);

// TLS of a rediss:// connection (TLS 1.2+; the server's certificate is verified against the CA
// and must name the URL's host).
struct tls_settings {
  std::string ca_file;  // PEM CA certificates; empty: the system's default trust store
  bool verify = true;   // false: accept any certificate (testing only)

  bool operator==(const tls_settings&) const = default;
};

struct reply {
  enum class kind : std::uint8_t { string, status, error, integer, nil, array };
  kind type = kind::nil;
  std::string str;  // string, status, error
  std::int64_t integer = 0;
  std::vector<reply> elements;
};

struct client_options {
  endpoint server;
  tls_settings tls;  // used when server.tls
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::size_t max_offline_bytes = 16 * 1024 * 1024;
  std::string name = "redis";                 // prefix of log lines
  std::function<void(std::string_view)> log;  // default: stderr
};

class client : public std::enable_shared_from_this<client> {
 public:
  using reply_handler = std::function<void(boost::system::error_code, reply)>;
  // channel, pattern ("" for a plain subscription), payload
  using message_handler =
      std::function<void(std::string_view channel, std::string_view pattern, std::string_view)>;

  static std::shared_ptr<client> create(boost::asio::io_context& ioc, client_options opts);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Connects (and keeps reconnecting until stop()).
  void start();
  // Closes the connection; pending and later commands fail with error::stopped. Idempotent.
  void stop();

  // Sends one command; `cb` (optional) gets its reply (a Redis error is a reply of kind error).
  void command(std::vector<std::string> args, reply_handler cb = {});
  // Sends MULTI, `commands`, EXEC back to back (nothing of another caller in between); `cb` gets
  // EXEC's reply: the commands' replies in an array (nil or an error when the transaction failed).
  void transaction(std::vector<std::vector<std::string>> commands, reply_handler cb = {});

  // Subscriptions (the connection is then in subscriber mode: use another client for commands).
  void subscribe(std::vector<std::string> channels);
  void psubscribe(std::vector<std::string> patterns);
  void unsubscribe(std::vector<std::string> channels);
  void punsubscribe(std::vector<std::string> patterns);
  void on_message(message_handler h);

  // Sharded subscriptions (Redis 7 SSUBSCRIBE), kept across reconnections like subscribe. Each
  // channel goes in an SSUBSCRIBE (SUNSUBSCRIBE) of its own, so channels of different hash slots
  // may be given together; a refusal (MOVED) ends that channel only.
  void ssubscribe(std::vector<std::string> channels);
  void sunsubscribe(std::vector<std::string> channels);
  // channel, payload of every SMESSAGE
  using smessage_handler = std::function<void(std::string_view channel, std::string_view)>;
  void on_smessage(smessage_handler h);
  // Called when Redis ends a sharded subscription this client did not end: the channel's slot
  // moved to another node (Redis sends an `sunsubscribe` push; `why` is empty) or SSUBSCRIBE was
  // refused (`why` is the error, e.g. MOVED). The channel is no longer kept.
  using sdropped_handler = std::function<void(std::string_view channel, std::string_view why)>;
  void on_sdropped(sdropped_handler h);
  // Called with true each time the connection is up (and every subscription confirmed), with
  // false each time it is lost.
  void on_state(std::function<void(bool up)> h);
  // Runs `f` once the connection is up and every subscription so far is confirmed (now if so).
  void when_ready(std::function<void()> f);

  bool connected() const noexcept;

  struct impl;

 private:
  explicit client(std::shared_ptr<impl> i) : impl_(std::move(i)) {}
  std::shared_ptr<impl> impl_;
};

// "*N\r\n$len\r\narg\r\n..." appended to out.
void append_command(std::string& out, const std::vector<std::string>& args);

}  // namespace sio::redis

template <>
struct boost::system::is_error_code_enum<sio::redis::error> : std::true_type {};
