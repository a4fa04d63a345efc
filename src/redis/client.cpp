#include <sio/redis/client.hpp>

#include "log_sink.hpp"
#include "shutdown.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <set>

namespace sio::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using tls_stream = asio::ssl::stream<tcp::socket&>;

namespace {

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sio.redis"; }
  std::string message(int ev) const override {
    switch (static_cast<error>(ev)) {
      case error::not_connected:
        return "not connected to Redis";
      case error::queue_full:
        return "Redis offline queue full";
      case error::stopped:
        return "Redis client stopped";
      case error::protocol:
        return "Redis protocol error";
    }
    return "unknown Redis error";
  }
};

reply convert(const redisReply* r) {
  reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = reply::kind::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = reply::kind::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = reply::kind::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = reply::kind::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = reply::kind::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = reply::kind::nil;
  }
  return out;
}

bool is_push(const reply& r) {
  if (r.type != reply::kind::array || r.elements.empty() ||
      r.elements[0].type != reply::kind::string)
    return false;
  const auto& k = r.elements[0].str;
  return k == "message" || k == "pmessage" || k == "smessage" || k == "subscribe" ||
         k == "psubscribe" || k == "ssubscribe" || k == "unsubscribe" || k == "punsubscribe" ||
         k == "sunsubscribe";
}

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const category c;
  return c;
}

void append_command(std::string& out, const std::vector<std::string>& args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const auto& a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

namespace {

// Decodes %XX escapes (a password may hold '@', ':' or '/'); nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || p != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

constexpr std::string_view plain_scheme = "redis://";
constexpr std::string_view tls_scheme = "rediss://";

}  // namespace

std::string redact_url(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto start = scheme + 3;
  const auto slash = url.find('/', start);
  const auto at = url.substr(0, slash).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  const auto colon = url.substr(0, at).find(':', start);
  if (colon == std::string_view::npos) {  // redis://password@host
    return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at));
  }
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::optional<endpoint> parse_url(std::string_view url) {
  endpoint e;
  if (url.starts_with(tls_scheme)) {
    e.tls = true;
    url.remove_prefix(tls_scheme.size());
  } else if (url.starts_with(plain_scheme)) {
    url.remove_prefix(plain_scheme.size());
  } else {
    return std::nullopt;
  }
  if (auto slash = url.find('/'); slash != std::string_view::npos) {
    auto db = url.substr(slash + 1);
    url = url.substr(0, slash);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), e.db);
      if (ec != std::errc() || p != db.data() + db.size() || e.db < 0) return std::nullopt;
    }
  }
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    auto cred = url.substr(0, at);
    url = url.substr(at + 1);
    std::optional<std::string> user, password;
    if (auto colon = cred.find(':'); colon != std::string_view::npos) {
      user = percent_decode(cred.substr(0, colon));
      password = percent_decode(cred.substr(colon + 1));
    } else {
      user = std::string();
      password = percent_decode(cred);
    }
    if (!user || !password) return std::nullopt;
    e.username = std::move(*user);
    e.password = std::move(*password);
  }
  std::string_view host = url, port;
  if (!url.empty() && url.front() == '[') {  // [v6]:port
    auto close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = url.substr(1, close - 1);
    auto rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (!host.empty()) e.host = std::string(host);
  if (!port.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535)
      return std::nullopt;
    e.port = static_cast<std::uint16_t>(v);
  }
  return e;
}

struct client::impl : std::enable_shared_from_this<client::impl> {
  impl(asio::io_context& ioc, client_options o)
      : io(std::make_unique<io_objects>(ioc)), opts(std::move(o)), backoff(opts.reconnect_min) {}

  ~impl() {
    if (reader) redisReaderFree(reader);
  }

  struct io_objects {
    explicit io_objects(asio::io_context& ioc)
        : strand(asio::make_strand(ioc)), socket(strand), resolver(strand), timer(strand) {}
    asio::strand<asio::io_context::executor_type> strand;
    tcp::socket socket;
    tcp::resolver resolver;
    asio::steady_timer timer;
    // rediss://: the TLS layer over `socket`, new for each connection (the previous one is
    // replaced only on the next connection, when its aborted operations have completed).
    std::unique_ptr<tls_stream> tls;
  };
  std::unique_ptr<io_objects> io;  // released when the io_context goes (see shutdown.hpp)
  std::atomic<bool> dead{false};
  client_options opts;
  std::shared_ptr<asio::ssl::context> tls_ctx;  // rediss://: made on the first connection
  redisReader* reader = nullptr;

  bool started = false;
  bool stopped = false;
  bool up = false;  // TCP connected and hello commands sent
  bool ever_up = false;
  bool reported_up = false;
  bool writing = false;
  std::chrono::milliseconds backoff;
  // What a command written awaits: its reply, or (SSUBSCRIBE / SUNSUBSCRIBE) the push confirming
  // its channel, or an error reply (MOVED: the channel's slot is not served there) in its place.
  // SUBSCRIBE and PSUBSCRIBE await only pushes.
  struct awaited {
    enum class kind : std::uint8_t { reply, ssubscribe, sunsubscribe };
    reply_handler cb;
    kind k = kind::reply;
    std::string channel;  // of an SSUBSCRIBE / SUNSUBSCRIBE
    bool confirms(kind push, const std::string& ch) const { return k == push && channel == ch; }
  };
  std::string queued;              // commands not yet written
  std::deque<awaited> queued_cbs;  // one per command in `queued`, but (P)SUBSCRIBE
  std::string inflight;
  std::deque<awaited> sent_cbs;  // commands written, awaiting a reply
  std::set<std::string> channels, patterns, schannels;
  std::size_t pending_sub_acks = 0;
  std::vector<std::function<void()>> ready_waiters;
  message_handler on_msg;
  smessage_handler on_smsg;
  sdropped_handler on_sdrop;
  std::function<void(bool)> on_st;
  std::array<char, 16384> rbuf{};
  std::string last_error;

  void log(const std::string& s) {
    const std::string line =
        opts.name + " " + opts.server.host + ":" + std::to_string(opts.server.port) + ": " + s;
    log_to(opts.log, line);
  }

  bool ready() const { return up && pending_sub_acks == 0; }

  // Calls f with the stream the connection speaks RESP on: TLS, or the TCP socket.
  template <class F>
  void with_stream(F&& f) {
    if (opts.server.tls) return f(*io->tls);
    f(io->socket);
  }

  void do_start() {
    if (started || stopped) return;
    started = true;
    connect();
  }

  void connect() {
    if (stopped) return;
    io->resolver.async_resolve(
        opts.server.host, std::to_string(opts.server.port),
        [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type r) {
          if (self->stopped) return;
          if (ec) return self->failed("resolve: " + ec.message());
          asio::async_connect(self->io->socket, r,
                              [self](boost::system::error_code ec, const tcp::endpoint&) {
                                if (self->stopped) return;
                                if (ec) return self->failed("connect: " + ec.message());
                                if (self->opts.server.tls) return self->start_tls();
                                self->on_connected();
                              });
        });
  }

  boost::system::error_code make_tls_context() {
    boost::system::error_code ec;
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    if (!opts.tls.verify) {
      ctx->set_verify_mode(asio::ssl::verify_none, ec);
    } else {
      ctx->set_verify_mode(asio::ssl::verify_peer, ec);
      if (!ec && opts.tls.ca_file.empty()) ctx->set_default_verify_paths(ec);
      if (!ec && !opts.tls.ca_file.empty()) ctx->load_verify_file(opts.tls.ca_file, ec);
    }
    if (!ec) tls_ctx = std::move(ctx);
    return ec;
  }

  void start_tls() {
    if (!tls_ctx) {
      if (const auto ec = make_tls_context()) return failed("TLS setup: " + ec.message());
    }
    io->tls = std::make_unique<tls_stream>(io->socket, *tls_ctx);
    const auto& host = opts.server.host;
    boost::system::error_code not_ip;
    asio::ip::make_address(host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(io->tls->native_handle(), host.c_str());  // SNI
    if (opts.tls.verify) io->tls->set_verify_callback(asio::ssl::host_name_verification(host));
    io->tls->async_handshake(asio::ssl::stream_base::client,
                             [self = shared_from_this()](boost::system::error_code ec) {
                               if (self->stopped) return;
                               if (ec) return self->failed("TLS handshake: " + ec.message());
                               self->on_connected();
                             });
  }

  void failed(const std::string& why) {
    boost::system::error_code ignored;
    io->socket.close(ignored);
    const bool was_up = up;
    up = false;
    connected_flag = false;
    writing = false;
    inflight.clear();
    pending_sub_acks = 0;
    // Commands already on the wire will never be answered.
    auto lost = std::move(sent_cbs);
    sent_cbs.clear();
    for (auto& a : lost)
      if (a.cb) a.cb(make_error_code(error::not_connected), {});
    if (stopped) return;
    if (was_up || why != last_error)
      log((was_up ? "connection lost (" : "cannot connect (") + why + "); retrying in " +
          std::to_string(backoff.count()) + " ms");
    last_error = why;
    if (reported_up) {
      reported_up = false;
      if (on_st) on_st(false);
    }
    io->timer.expires_after(backoff);
    backoff = std::min(backoff * 2, opts.reconnect_max);
    io->timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->stopped) self->connect();
    });
  }

  void on_connected() {
    boost::system::error_code ignored;
    io->socket.set_option(tcp::no_delay(true), ignored);
    if (reader) redisReaderFree(reader);
    reader = redisReaderCreate();
    up = true;
    connected_flag = true;
    backoff = opts.reconnect_min;
    const auto subs = channels.size() + patterns.size() + schannels.size();
    log(ever_up ? "reconnected" +
                      (subs ? ", resubscribing " + std::to_string(subs) + " channels/patterns"
                            : std::string())
                : std::string("connected"));
    ever_up = true;
    last_error.clear();
    // Hello commands go before whatever was queued meanwhile.
    std::string hello;
    std::deque<awaited> hello_cbs;
    auto check = [self = shared_from_this()](const char* what) {
      return [self, what](boost::system::error_code ec, reply r) {
        if (!ec && r.type == reply::kind::error) self->log(std::string(what) + " failed: " + r.str);
      };
    };
    if (!opts.server.password.empty()) {
      if (opts.server.username.empty())
        append_command(hello, {"AUTH", opts.server.password});
      else
        append_command(hello, {"AUTH", opts.server.username, opts.server.password});
      hello_cbs.push_back({check("AUTH")});
    }
    if (opts.server.db != 0) {
      append_command(hello, {"SELECT", std::to_string(opts.server.db)});
      hello_cbs.push_back({check("SELECT")});
    }
    if (!channels.empty()) {
      std::vector<std::string> cmd{"SUBSCRIBE"};
      cmd.insert(cmd.end(), channels.begin(), channels.end());
      append_command(hello, cmd);
      pending_sub_acks += channels.size();
    }
    if (!patterns.empty()) {
      std::vector<std::string> cmd{"PSUBSCRIBE"};
      cmd.insert(cmd.end(), patterns.begin(), patterns.end());
      append_command(hello, cmd);
      pending_sub_acks += patterns.size();
    }
    for (const auto& c : schannels) {
      append_command(hello, {"SSUBSCRIBE", c});
      hello_cbs.push_back({{}, awaited::kind::ssubscribe, c});
      ++pending_sub_acks;
    }
    queued.insert(0, hello);
    for (auto it = hello_cbs.rbegin(); it != hello_cbs.rend(); ++it)
      queued_cbs.push_front(std::move(*it));
    read();
    flush();
    if (ready()) became_ready();
  }

  void became_ready() {
    auto waiters = std::move(ready_waiters);
    ready_waiters.clear();
    if (!reported_up) {
      reported_up = true;
      if (on_st) on_st(true);
    }
    for (auto& w : waiters) w();
  }

  void flush() {
    if (!up || writing || queued.empty()) return;
    writing = true;
    inflight = std::move(queued);
    queued.clear();
    for (auto& cb : queued_cbs) sent_cbs.push_back(std::move(cb));
    queued_cbs.clear();
    with_stream([&](auto& s) {
      asio::async_write(s, asio::buffer(inflight),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          if (self->stopped || !self->up) return;
                          self->writing = false;
                          self->inflight.clear();
                          if (ec) return self->failed("write: " + ec.message());
                          self->flush();
                        });
    });
  }

  void read() {
    with_stream([&](auto& s) {
      s.async_read_some(asio::buffer(rbuf),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                          self->on_read(ec, n);
                        });
    });
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
    if (stopped || !up) return;
    if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
    if (ec) return failed(ec == asio::error::eof ? "closed by server" : ec.message());
    if (redisReaderFeed(reader, rbuf.data(), n) != REDIS_OK)
      return failed("reader: " + std::string(reader->errstr));
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
        return failed("protocol error: " + std::string(reader->errstr));
      }
      if (!raw) break;
      reply r = convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      dispatch(std::move(r));
      if (stopped || !up) return;
    }
    read();
  }

  void dispatch(reply r) {
    if (is_push(r)) {
      const auto& k = r.elements[0].str;
      if (k == "message" && r.elements.size() == 3) {
        if (on_msg) on_msg(r.elements[1].str, {}, r.elements[2].str);
      } else if (k == "pmessage" && r.elements.size() == 4) {
        if (on_msg) on_msg(r.elements[2].str, r.elements[1].str, r.elements[3].str);
      } else if (k == "smessage" && r.elements.size() == 3) {
        if (on_smsg) on_smsg(r.elements[1].str, r.elements[2].str);
      } else if (k == "subscribe" || k == "psubscribe") {
        sub_confirmed();
      } else if (k == "ssubscribe" && r.elements.size() >= 2) {
        if (confirms(awaited::kind::ssubscribe, r.elements[1].str)) {
          sent_cbs.pop_front();
          sub_confirmed();
        }
      } else if (k == "sunsubscribe" && r.elements.size() >= 2) {
        if (confirms(awaited::kind::sunsubscribe, r.elements[1].str))
          sent_cbs.pop_front();
        else
          sdropped(r.elements[1].str, {});  // Redis ended it: the slot moved away
      }
      return;
    }
    if (sent_cbs.empty()) return;  // e.g. the reply of an unsubscribe confirmation
    auto a = std::move(sent_cbs.front());
    sent_cbs.pop_front();
    switch (a.k) {
      case awaited::kind::ssubscribe:
        sdropped(a.channel, r.type == reply::kind::error ? r.str : "unexpected reply");
        return sub_confirmed();
      case awaited::kind::sunsubscribe:
        return;  // refused (MOVED): no subscription there either
      case awaited::kind::reply:
        if (a.cb) a.cb({}, std::move(r));
    }
  }

  void sub_confirmed() {
    if (pending_sub_acks > 0 && --pending_sub_acks == 0 && up) became_ready();
  }

  bool confirms(awaited::kind push, const std::string& channel) const {
    return !sent_cbs.empty() && sent_cbs.front().confirms(push, channel);
  }

  // Redis ended a sharded subscription (`why` empty) or refused SSUBSCRIBE (`why`: the error).
  void sdropped(const std::string& channel, const std::string& why) {
    if (schannels.erase(channel) == 0) return;
    log(why.empty() ? "sharded subscription to " + channel + " ended by the server"
                    : "SSUBSCRIBE " + channel + " refused: " + why);
    if (on_sdrop) on_sdrop(channel, why);
  }

  // A command refused (the client stopped, or down with its offline queue full): `cb` is told.
  bool refused(reply_handler& cb) {
    if (!stopped && (up || queued.size() <= opts.max_offline_bytes)) return false;
    if (cb) cb(make_error_code(stopped ? error::stopped : error::queue_full), {});
    return true;
  }

  void enqueue(const std::vector<std::string>& args, reply_handler cb) {
    if (refused(cb)) return;
    append_command(queued, args);
    queued_cbs.push_back({std::move(cb)});
    flush();
  }

  // One SSUBSCRIBE or SUNSUBSCRIBE per channel (a command's channels must share a slot).
  void ssub(std::vector<std::string> names, bool add) {
    for (auto& n : names) {
      if (add ? !schannels.insert(n).second : schannels.erase(n) == 0) continue;
      if (!up) continue;  // sent on (re)connection
      append_command(queued, {add ? "SSUBSCRIBE" : "SUNSUBSCRIBE", n});
      queued_cbs.push_back(
          {{}, add ? awaited::kind::ssubscribe : awaited::kind::sunsubscribe, std::move(n)});
      if (add) ++pending_sub_acks;
    }
    flush();
  }

  void enqueue_transaction(const std::vector<std::vector<std::string>>& commands,
                           reply_handler cb) {
    if (refused(cb)) return;
    append_command(queued, {"MULTI"});
    queued_cbs.emplace_back();
    for (const auto& c : commands) {
      append_command(queued, c);
      queued_cbs.emplace_back();  // QUEUED
    }
    append_command(queued, {"EXEC"});
    queued_cbs.push_back({std::move(cb)});
    flush();
  }

  void sub(const char* cmd, std::set<std::string>& set, std::vector<std::string> names, bool add) {
    std::vector<std::string> args{cmd};
    for (auto& n : names) {
      if (add ? set.insert(n).second : set.erase(n) > 0) args.push_back(std::move(n));
    }
    if (args.size() == 1 || !up) return;  // sent on (re)connection
    append_command(queued, args);
    if (add) pending_sub_acks += args.size() - 1;
    flush();
  }

  void do_stop() {
    if (stopped) return;
    stopped = true;
    boost::system::error_code ignored;
    io->timer.cancel();
    io->resolver.cancel();
    io->socket.close(ignored);
    up = false;
    connected_flag = false;
    auto a = std::move(sent_cbs);
    auto b = std::move(queued_cbs);
    sent_cbs.clear();
    queued_cbs.clear();
    for (auto& x : a)
      if (x.cb) x.cb(make_error_code(error::stopped), {});
    for (auto& x : b)
      if (x.cb) x.cb(make_error_code(error::stopped), {});
    ready_waiters.clear();
    on_msg = nullptr;
    on_smsg = nullptr;
    on_sdrop = nullptr;
    on_st = nullptr;
  }

  std::atomic<bool> connected_flag{false};

  // From the io_context's destructor: drop every handler and I/O object, never call back.
  void shutdown_io() {
    dead = true;
    stopped = true;
    up = false;
    connected_flag = false;
    sent_cbs.clear();
    queued_cbs.clear();
    ready_waiters.clear();
    on_msg = nullptr;
    on_smsg = nullptr;
    on_sdrop = nullptr;
    on_st = nullptr;
    io.reset();
  }
};

namespace detail {
namespace {
class shutdown_service final : public asio::execution_context::service {
 public:
  using key_type = shutdown_service;
  static asio::execution_context::id id;
  explicit shutdown_service(asio::execution_context& ctx) : service(ctx) {}
  void add(std::function<void()> f) {
    std::lock_guard lk(mu_);
    fns_.push_back(std::move(f));
  }

 private:
  void shutdown() override {
    std::vector<std::function<void()>> fns;
    {
      std::lock_guard lk(mu_);
      fns.swap(fns_);
    }
    for (auto& f : fns) f();
  }
  std::mutex mu_;
  std::vector<std::function<void()>> fns_;
};
asio::execution_context::id shutdown_service::id;
}  // namespace

void at_shutdown(asio::io_context& ioc, std::function<void()> f) {
  asio::use_service<shutdown_service>(ioc).add(std::move(f));
}
}  // namespace detail

std::shared_ptr<client> client::create(boost::asio::io_context& ioc, client_options opts) {
  auto i = std::make_shared<impl>(ioc, std::move(opts));
  detail::at_shutdown(ioc, [w = std::weak_ptr<impl>(i)] {
    if (auto i = w.lock()) i->shutdown_io();
  });
  return std::shared_ptr<client>(new client(std::move(i)));
}

client::~client() {
  stop();
}

void client::start() {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_] { i->do_start(); });
}

void client::stop() {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_] { i->do_stop(); });
}

void client::command(std::vector<std::string> args, reply_handler cb) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, args = std::move(args), cb = std::move(cb)]() mutable {
                   i->enqueue(args, std::move(cb));
                 });
}

void client::transaction(std::vector<std::vector<std::string>> commands, reply_handler cb) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, commands = std::move(commands), cb = std::move(cb)]() mutable {
                   i->enqueue_transaction(commands, std::move(cb));
                 });
}

void client::subscribe(std::vector<std::string> channels) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, c = std::move(channels)]() mutable {
    i->sub("SUBSCRIBE", i->channels, std::move(c), true);
  });
}
void client::psubscribe(std::vector<std::string> patterns) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, c = std::move(patterns)]() mutable {
    i->sub("PSUBSCRIBE", i->patterns, std::move(c), true);
  });
}
void client::unsubscribe(std::vector<std::string> channels) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, c = std::move(channels)]() mutable {
    i->sub("UNSUBSCRIBE", i->channels, std::move(c), false);
  });
}
void client::punsubscribe(std::vector<std::string> patterns) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, c = std::move(patterns)]() mutable {
    i->sub("PUNSUBSCRIBE", i->patterns, std::move(c), false);
  });
}

void client::ssubscribe(std::vector<std::string> channels) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, c = std::move(channels)]() mutable { i->ssub(std::move(c), true); });
}
void client::sunsubscribe(std::vector<std::string> channels) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, c = std::move(channels)]() mutable { i->ssub(std::move(c), false); });
}
void client::on_smessage(smessage_handler h) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, h = std::move(h)]() mutable { i->on_smsg = std::move(h); });
}
void client::on_sdropped(sdropped_handler h) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, h = std::move(h)]() mutable { i->on_sdrop = std::move(h); });
}

void client::on_message(message_handler h) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, h = std::move(h)]() mutable { i->on_msg = std::move(h); });
}
void client::on_state(std::function<void(bool)> h) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, h = std::move(h)]() mutable { i->on_st = std::move(h); });
}
void client::when_ready(std::function<void()> f) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, f = std::move(f)]() mutable {
    if (i->stopped) return;
    if (i->ready())
      f();
    else
      i->ready_waiters.push_back(std::move(f));
  });
}

bool client::connected() const noexcept {
  return impl_->connected_flag.load();
}

}  // namespace sio::redis
