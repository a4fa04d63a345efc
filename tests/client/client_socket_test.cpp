// sio::client::manager and sio::client::socket against an in-process sio::server on loopback
// (1 and 4 workers): namespaces, auth, connect_error, events and binary both ways, acks both ways
// with timeouts and completion tokens, once/off/on_any, volatile, the send buffer, server-side
// disconnects, reconnection, connection state recovery, and lifetimes and threads (disconnect()
// and the manager's destruction from handlers and other threads, many threads emitting).
#include <sio/client/manager.hpp>
#include <sio/server/server.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace client = sio::client;
namespace json = boost::json;

constexpr auto wait_limit = 20s;  // a bound on waiting, never a timing being asserted

// What handlers saw, in order, for the test thread to wait on.
class journal {
 public:
  void add(std::string line) {
    {
      std::lock_guard lock(m_);
      lines_.push_back(std::move(line));
    }
    cv_.notify_all();
  }
  // Waits until `line` was added `n` times (false after wait_limit).
  bool wait(const std::string& line, std::size_t n = 1) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, wait_limit, [&] { return count_locked(line) >= n; });
  }
  std::size_t count(const std::string& line) const {
    std::lock_guard lock(m_);
    return count_locked(line);
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(m_);
    return lines_;
  }
  // The lines that start with `prefix`, in order.
  std::vector<std::string> with_prefix(const std::string& prefix) const {
    std::lock_guard lock(m_);
    std::vector<std::string> v;
    for (const auto& l : lines_)
      if (l.starts_with(prefix)) v.push_back(l);
    return v;
  }

 private:
  std::size_t count_locked(const std::string& line) const {
    return static_cast<std::size_t>(std::count(lines_.begin(), lines_.end(), line));
  }
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

// A port nothing listens on (bound, then released).
std::uint16_t closed_port() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// The error emit_with_ack completes with (clear: answered).
boost::system::error_code error_of(const client::emitter& e, std::string_view event,
                                   sio::payload p = {}) {
  std::promise<boost::system::error_code> done;
  e.emit_with_ack(event, std::move(p),
                  [&done](boost::system::error_code ec, sio::payload) { done.set_value(ec); });
  return done.get_future().get();
}

class ClientSocket : public testing::TestWithParam<std::size_t> {
 protected:
  void start(std::optional<sio::recovery_options> recovery = std::nullopt) {
    sio::server_options o;
    o.http.address = "127.0.0.1";
    o.http.port = 0;
    o.http.workers = GetParam();
    o.connection_state_recovery = recovery;
    io_ = std::make_unique<sio::server>(std::move(o));
    io_->on_connection([this](sio::socket& s) { server_socket(s); });
    io_->of("/chat").on_connection([this](sio::socket& s) { server_socket(s); });
  }
  void listen() { io_->start(); }
  void TearDown() override {
    if (io_) io_->stop();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(io_->port()); }
  client::manager_options options() const {
    client::manager_options o;
    o.reconnection_delay = 10ms;
    o.reconnection_delay_max = 50ms;
    return o;
  }

  // The server's side: events the tests use.
  void server_socket(sio::socket& s) {
    server.add("connection " + s.nsp().name() + " " + s.id() + (s.recovered() ? " recovered" : ""));
    s.on("hello",
         [](sio::socket& s, std::string name, int n) { s.emit("reply", name + "!", n + 1); });
    s.on("echo", [](sio::socket& s, const sio::payload& p) { s.emit("echoed", p); });
    s.on("sum", [](sio::socket&, int a, int b, sio::ack ack) { ack(a + b); });
    s.on("silent", [](sio::socket&, sio::ack) {});
    s.on("record", [this](sio::socket&, std::string what) { server.add("record " + what); });
    s.on("count", [this](sio::socket&, int) { server.add("count"); });
    s.on("ask", [this](sio::socket& s, std::string q) {
      s.emit_with_ack("question", sio::make_payload(q), 5s,
                      [this](boost::system::error_code ec, sio::payload p) {
                        server.add(ec ? "answer error" : "answer " + p.get<std::string>(0));
                      });
    });
    s.on("ticks", [](sio::socket& s) {
      for (int i = 1; i <= 3; ++i) s.emit("tick", i);
      s.emit("done");
    });
    s.on("kick", [](sio::socket& s) { s.disconnect(); });
    s.on("drop", [](sio::socket& s) {
      if (auto* c = s.conn()) c->close();
    });
    // Closes the connection, then broadcasts while the client is away.
    s.on("drop then broadcast", [this](sio::socket& s, std::string event, int n) {
      if (auto* c = s.conn()) c->close();
      io_->emit(event, n);
    });
    s.on("broadcast", [this](sio::socket&, std::string event, int n) { io_->emit(event, n); });
    s.on_disconnect([this](sio::socket& s, sio::disconnect_reason r) {
      server.add("disconnect " + s.nsp().name() + " " + std::string(sio::to_string(r)));
    });
  }

  journal server;
  journal seen;
  std::unique_ptr<sio::server> io_;
};

TEST_P(ClientSocket, ConnectsToTheMainNamespaceAndAnother) {
  start();
  listen();
  client::manager m(url(), options());
  auto main = m.socket("/");
  auto chat = m.socket("/chat");
  EXPECT_EQ(m.socket("/chat"), chat);  // one socket per namespace while it exists
  main->on_connect([this] { seen.add("connect /"); });
  chat->on_connect([this] { seen.add("connect /chat"); });
  ASSERT_TRUE(seen.wait("connect /"));
  ASSERT_TRUE(seen.wait("connect /chat"));
  EXPECT_TRUE(server.wait("connection / " + main->id()));
  EXPECT_TRUE(server.wait("connection /chat " + chat->id()));
  EXPECT_TRUE(main->connected());
  EXPECT_TRUE(main->active());
  EXPECT_FALSE(main->recovered());
  EXPECT_NE(main->id(), chat->id());
  EXPECT_TRUE(m.is_open());
  EXPECT_FALSE(m.engine_id().empty());
  EXPECT_TRUE(m.current_transport().has_value());
}

TEST_P(ClientSocket, SendsAuthAsAValueAndFromACallback) {
  start();
  io_->use([this](sio::socket& s, sio::next next) {
    server.add("auth / " + json::serialize(s.handshake().auth));
    next();
  });
  io_->of("/chat").use([this](sio::socket& s, sio::next next) {
    server.add("auth /chat " + json::serialize(s.handshake().auth));
    next();
  });
  listen();
  client::manager m(url(), options());
  auto main = m.socket("/", {.auth = {{"token", "abc"}}});
  // The callback answers later, from another thread.
  auto chat = m.socket("/chat", {.auth_fn = [](std::function<void(json::object)> answer) {
                         std::thread([answer] { answer({{"token", "xyz"}}); }).detach();
                       }});
  EXPECT_TRUE(server.wait(R"(auth / {"token":"abc"})"));
  EXPECT_TRUE(server.wait(R"(auth /chat {"token":"xyz"})"));
}

TEST_P(ClientSocket, ConnectErrorCarriesMessageAndDataAndLeavesTheSocketInactive) {
  start();
  io_->of("/chat").use([](sio::socket&, sio::next next) {
    next(sio::connect_error{"not authorized", json::value{{"code", 42}}});
  });
  listen();
  client::manager m(url(), options());
  auto chat = m.socket("/chat");
  chat->on_connect_error([this](const sio::connect_error& e) {
    seen.add("connect_error " + e.message + " " + (e.data ? json::serialize(*e.data) : "-"));
  });
  ASSERT_TRUE(seen.wait(R"(connect_error not authorized {"code":42})"));
  EXPECT_FALSE(chat->active());
  EXPECT_FALSE(chat->connected());
  // The socket connects again when asked to (the refusal is the middleware's, every time).
  chat->connect();
  EXPECT_TRUE(seen.wait(R"(connect_error not authorized {"code":42})", 2));
}

TEST_P(ClientSocket, EmitsBothWaysWithTypedHandlers) {
  start();
  listen();
  auto o = options();
  o.log = [this](std::string_view line) { seen.add("log " + std::string(line)); };
  client::manager m(url(), o);
  auto s = m.socket();
  // A handler that throws is logged; the next handler and the connection carry on.
  s->on("reply", [](std::string, int) { throw std::runtime_error("boom"); });
  s->on("reply", [this](std::string name, int n) { seen.add(name + " " + std::to_string(n)); });
  s->emit("hello", "world", 41);
  EXPECT_TRUE(seen.wait("world! 42"));
  // An argument that does not convert skips the handler; the next event still arrives.
  s->emit("hello", 1, "x");
  s->emit("hello", "again", 1);
  EXPECT_TRUE(seen.wait("again! 2"));
  EXPECT_FALSE(seen.with_prefix("log client: a handler of \"reply\" on / threw: boom").empty());
}

TEST_P(ClientSocket, SendsAndReceivesBinary) {
  start();
  listen();
  client::manager m(url(), options());
  auto s = m.socket();
  s->on("echoed", [this](std::string label, sio::binary b, sio::binary v) {
    seen.add(label + " " + b.bytes + " " + std::to_string(v.size()));
  });
  const std::vector<std::byte> bytes{std::byte{0}, std::byte{1}, std::byte{255}};
  s->emit("echo", "bin", sio::binary(std::string("\x01\x02\x03", 3)), bytes);
  EXPECT_TRUE(seen.wait(std::string("bin \x01\x02\x03 3", 9)));
}

TEST_P(ClientSocket, AcksBothWays) {
  start();
  listen();
  client::manager m(url(), options());
  auto s = m.socket();
  s->on("question", [](std::string q, sio::ack ack) { ack("yes to " + q); });
  s->emit_with_ack("sum", sio::make_payload(2, 3),
                   [this](boost::system::error_code ec, sio::payload p) {
                     seen.add(ec ? "sum error" : "sum " + std::to_string(p.get<int>(0)));
                   });
  EXPECT_TRUE(seen.wait("sum 5"));
  s->emit("ask", "coffee");
  EXPECT_TRUE(server.wait("answer yes to coffee"));
}

TEST_P(ClientSocket, EmitWithAckTimesOutAndTakesCompletionTokens) {
  start();
  listen();
  client::manager m(url(), options());
  auto s = m.socket();
  // Errors are read through a callback: an exception crossing threads in a future is a false
  // positive of ThreadSanitizer (libstdc++'s exception_ptr counts are not instrumented).
  EXPECT_EQ(error_of(s->timeout(20ms), "silent"), client::error::timeout);
  auto sum = s->emit_with_ack("sum", sio::make_payload(20, 22), 10s, boost::asio::use_future);
  EXPECT_EQ(sum.get().get<int>(0), 42);
  // The socket's default timeout (ack_timeout) applies when the emit gives none.
  client::manager m2(url(), options());
  auto t = m2.socket("/chat", {.ack_timeout = 20ms});
  std::promise<boost::system::error_code> done;
  t->emit_with_ack("silent", {},
                   [&done](boost::system::error_code ec, sio::payload) { done.set_value(ec); });
  EXPECT_EQ(done.get_future().get(), client::error::timeout);
}

TEST_P(ClientSocket, OnceOffAndOnAny) {
  start();
  listen();
  client::manager m(url(), options());
  auto s = m.socket();
  s->once("tick", [this](int n) { seen.add("once " + std::to_string(n)); });
  s->on("tick", [this](int n) { seen.add("on " + std::to_string(n)); });
  s->on_any([this](std::string_view event, const sio::payload& p) {
    seen.add("any " + std::string(event) + " " + std::to_string(p.size()));
  });
  s->on("done", [this] { seen.add("done"); });
  s->emit("ticks");
  ASSERT_TRUE(seen.wait("done"));
  EXPECT_EQ(seen.with_prefix("once "), std::vector<std::string>{"once 1"});
  EXPECT_EQ(seen.with_prefix("on "), (std::vector<std::string>{"on 1", "on 2", "on 3"}));
  EXPECT_EQ(seen.count("any tick 1"), 3u);
  s->off("tick");
  s->off_any();
  s->emit("ticks");
  ASSERT_TRUE(seen.wait("done", 2));
  EXPECT_EQ(seen.with_prefix("on ").size(), 3u);
  EXPECT_EQ(seen.count("any tick 1"), 3u);
}

TEST_P(ClientSocket, BuffersWhileDisconnectedDropsVolatileAndBoundsTheBuffer) {
  start();
  listen();
  auto o = options();
  o.auto_connect = false;
  client::manager m(url(), o);
  auto s = m.socket("/", {.max_buffered_packets = 2});
  s->volatile_().emit("record", "volatile");  // not connected: dropped, never buffered
  s->emit("record", "first");
  s->emit("record", "second");
  std::promise<boost::system::error_code> full;
  s->emit_with_ack("record", sio::make_payload("third"),
                   [&full](boost::system::error_code ec, sio::payload) { full.set_value(ec); });
  EXPECT_EQ(full.get_future().get(), client::error::buffer_full);
  EXPECT_FALSE(s->active());
  s->on_connect([this] { seen.add("connect"); });
  s->connect();
  ASSERT_TRUE(seen.wait("connect"));
  s->emit("record", "after");
  ASSERT_TRUE(server.wait("record after"));
  EXPECT_EQ(server.with_prefix("record "),
            (std::vector<std::string>{"record first", "record second", "record after"}));
}

TEST_P(ClientSocket, ServerSideDisconnectDoesNotReconnect) {
  start();
  listen();
  client::manager m(url(), options());
  std::atomic<int> attempts{0};
  m.on_reconnect_attempt([&attempts](unsigned) { ++attempts; });
  auto s = m.socket();
  s->on_disconnect(
      [this](client::disconnect_reason r) { seen.add("disconnect " + std::string(to_string(r))); });
  s->emit("kick");
  ASSERT_TRUE(seen.wait("disconnect io server disconnect"));
  EXPECT_FALSE(s->active());
  EXPECT_FALSE(s->connected());
  EXPECT_FALSE(client::reconnects_after(client::disconnect_reason::io_server_disconnect));
  EXPECT_EQ(attempts, 0);
}

TEST_P(ClientSocket, ReconnectsAfterTheServerClosesTheConnection) {
  start();
  listen();
  client::manager m(url(), options());
  m.on_reconnect([this](unsigned attempt) { seen.add("reconnect"); });
  m.on_close([this](std::string_view reason) { seen.add("close " + std::string(reason)); });
  auto s = m.socket();
  auto chat = m.socket("/chat");
  s->on_connect([this] { seen.add("connect /"); });
  chat->on_connect([this] { seen.add("connect /chat"); });
  s->on_disconnect(
      [this](client::disconnect_reason r) { seen.add("disconnect " + std::string(to_string(r))); });
  ASSERT_TRUE(seen.wait("connect /"));
  ASSERT_TRUE(seen.wait("connect /chat"));
  s->emit("drop");
  ASSERT_TRUE(seen.wait("disconnect transport close"));
  EXPECT_TRUE(seen.wait("reconnect"));
  // Every active socket joins again.
  EXPECT_TRUE(seen.wait("connect /", 2));
  EXPECT_TRUE(seen.wait("connect /chat", 2));
  EXPECT_EQ(seen.count("close transport close"), 1u);
}

TEST_P(ClientSocket, CloseLeavesEveryNamespaceAndCompletesPendingAcks) {
  start();
  listen();
  client::manager m(url(), options());
  m.on_close([this](std::string_view reason) { seen.add("close " + std::string(reason)); });
  auto s = m.socket();
  auto chat = m.socket("/chat");
  s->on_connect([this] { seen.add("connect /"); });
  chat->on_connect([this] { seen.add("connect /chat"); });
  s->on_disconnect([this](client::disconnect_reason r) {
    seen.add("disconnect / " + std::string(to_string(r)));
  });
  ASSERT_TRUE(seen.wait("connect /"));
  ASSERT_TRUE(seen.wait("connect /chat"));
  std::promise<boost::system::error_code> pending;
  s->emit_with_ack("silent", {}, [&pending](boost::system::error_code ec, sio::payload) {
    pending.set_value(ec);
  });
  m.close();
  EXPECT_EQ(pending.get_future().get(), client::error::closed);
  EXPECT_TRUE(seen.wait("disconnect / io client disconnect"));
  EXPECT_TRUE(seen.wait("close forced close"));
  EXPECT_TRUE(server.wait("disconnect / client namespace disconnect"));
  EXPECT_TRUE(server.wait("disconnect /chat client namespace disconnect"));
  EXPECT_FALSE(s->active());
  EXPECT_FALSE(chat->active());
  EXPECT_FALSE(m.is_open());
}

TEST_P(ClientSocket, GivesUpAfterTheLastReconnectionAttempt) {
  const auto port = closed_port();
  auto o = options();
  o.reconnection_attempts = 2;
  client::manager m("http://127.0.0.1:" + std::to_string(port), o);
  m.on_reconnect_attempt([this](unsigned n) { seen.add("attempt " + std::to_string(n)); });
  m.on_reconnect_error([this](std::string_view) { seen.add("reconnect_error"); });
  m.on_reconnect_failed([this] { seen.add("failed"); });
  auto s = m.socket();
  s->on_connect_error([this](const sio::connect_error&) { seen.add("connect_error"); });
  ASSERT_TRUE(seen.wait("failed"));
  EXPECT_TRUE(seen.wait("reconnect_error", 2));  // the last one follows "failed" (as JS)
  EXPECT_EQ(seen.with_prefix("attempt "), (std::vector<std::string>{"attempt 1", "attempt 2"}));
  EXPECT_EQ(seen.count("connect_error"), 3u);
  EXPECT_TRUE(s->active());  // as the JS client: still waiting for a connect() or open()
  EXPECT_FALSE(s->connected());
}

TEST_P(ClientSocket, RecoversTheSessionAndTheMissedEvents) {
  start(sio::recovery_options{});
  listen();
  client::manager m(url(), options());
  auto s = m.socket();
  s->on("news", [this](int n) { seen.add("news " + std::to_string(n)); });
  s->on_connect([this, s] {
    seen.add(std::string("connect") + (s->recovered() ? " recovered " : " ") + s->id());
  });
  s->emit("broadcast", "news", 1);  // an offset to come back from
  ASSERT_TRUE(seen.wait("news 1"));
  const auto id = s->id();
  ASSERT_FALSE(id.empty());
  // "news 2" is sent while the client is away: delivered when it comes back.
  s->emit("drop then broadcast", "news", 2);
  ASSERT_TRUE(seen.wait("connect recovered " + id));
  EXPECT_TRUE(seen.wait("news 2"));
  EXPECT_TRUE(server.wait("connection / " + id + " recovered"));
  EXPECT_TRUE(s->recovered());
  EXPECT_EQ(s->id(), id);
  EXPECT_EQ(seen.count("news 1"), 1u);
}

TEST_P(ClientSocket, DisconnectsFromItsOwnHandlerAndFromAnotherThread) {
  start();
  listen();
  client::manager m(url(), options());
  auto a = m.socket("/");
  // The handler owns its socket: released when the manager goes, not leaked.
  a->on_connect([this, a] {
    seen.add("connect /");
    a->disconnect();
    seen.add(a->connected() ? "still connected" : "left /");
  });
  a->on_disconnect([this](client::disconnect_reason r) {
    seen.add("disconnect / " + std::string(to_string(r)));
  });
  ASSERT_TRUE(seen.wait("left /"));
  EXPECT_TRUE(seen.wait("disconnect / io client disconnect"));
  EXPECT_TRUE(server.wait("disconnect / client namespace disconnect"));
  auto b = m.socket("/chat");
  b->on_connect([this] { seen.add("connect /chat"); });
  ASSERT_TRUE(seen.wait("connect /chat"));
  std::thread([b] { b->disconnect(); }).join();
  EXPECT_TRUE(server.wait("disconnect /chat client namespace disconnect"));
  EXPECT_FALSE(b->active());
}

TEST_P(ClientSocket, ManagerDestroyedFromItsOwnHandler) {
  start();
  listen();
  auto m = std::make_unique<client::manager>(url(), options());
  auto s = m->socket();
  s->emit_with_ack("silent", {}, [this](boost::system::error_code ec, sio::payload) {
    seen.add("ack " + ec.message());
  });
  s->on_connect([this, &m, s] {
    m.reset();  // on the manager's own thread: it detaches and the thread ends by itself
    seen.add("destroyed");
  });
  ASSERT_TRUE(seen.wait("destroyed"));
  EXPECT_TRUE(seen.wait("ack the manager is closed"));
  EXPECT_TRUE(server.wait("disconnect / client namespace disconnect"));
  // A socket outliving its manager is inert.
  EXPECT_FALSE(s->connected());
  s->emit("hello", "nobody", 1);
  EXPECT_EQ(error_of(s->timeout(10s), "sum", sio::make_payload(1, 2)), client::error::closed);
}

TEST_P(ClientSocket, ManagerDestroyedFromAnotherThreadAndOnACallersExecutor) {
  start();
  listen();
  {
    auto m = std::make_unique<client::manager>(url(), options());
    auto s = m->socket();
    s->on_connect([this] { seen.add("connect"); });
    ASSERT_TRUE(seen.wait("connect"));
    std::thread([&m] { m.reset(); }).join();
    EXPECT_FALSE(s->active());
  }
  // On the caller's io_context, destroyed from a handler; run() returns when nothing is left.
  boost::asio::io_context ioc;
  auto m = std::make_unique<client::manager>(ioc.get_executor(), url(), options());
  auto s = m->socket("/chat");
  s->on_connect([&m, this] {
    m.reset();
    seen.add("destroyed");
  });
  ioc.run();
  EXPECT_EQ(seen.count("destroyed"), 1u);
  EXPECT_FALSE(s->connected());
}

TEST_P(ClientSocket, ManagerDestroyedWhileAReconnectionIsPending) {
  auto o = options();
  o.reconnection_delay = 60s;
  o.reconnection_delay_max = 60s;
  auto m =
      std::make_unique<client::manager>("http://127.0.0.1:" + std::to_string(closed_port()), o);
  m->on_error([this](std::string_view) { seen.add("error"); });
  auto s = m->socket();
  ASSERT_TRUE(seen.wait("error"));
  m.reset();  // the 60 s timer is cancelled: the destructor returns at once
  EXPECT_FALSE(s->active());
}

TEST_P(ClientSocket, ManyThreadsEmitAtOnce) {
  start();
  listen();
  client::manager m(url(), options());
  auto s = m.socket();
  constexpr int threads = 4;
  constexpr int per_thread = 100;
  std::atomic<int> answered{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        s->emit("count", i);
        s->emit_with_ack("sum", sio::make_payload(t, i),
                         [&](boost::system::error_code ec, sio::payload p) {
                           if (!ec) ++answered;
                           if (answered == threads * per_thread) seen.add("all answered");
                         });
        if (i % 10 == 0) {
          s->on("noise", [](int) {});
          s->off("noise");
          (void)s->connected();
          (void)s->id();
          (void)m.engine_id();
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_TRUE(seen.wait("all answered"));
  EXPECT_TRUE(server.wait("count", threads * per_thread));
}

INSTANTIATE_TEST_SUITE_P(Workers, ClientSocket, testing::Values(1, 4),
                         [](const auto& info) { return "w" + std::to_string(info.param); });

}  // namespace
