// sio::redis::client against a private redis-server: AUTH with a password and with an ACL user
// (credentials from the URL, percent-decoded), TLS (rediss://) verified against a CA made at run
// time with the openssl command-line tool, refused without that CA, accepted unverified when
// asked; URL parsing and redaction.
#include <sio/redis/client.hpp>
#include <sio/redis/redis_adapter.hpp>

#include "redis_server.hpp"
#include "test_certs.hpp"

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>

#include <future>
#include <mutex>
#include <thread>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using sio::test::free_port;
using sio::test::redis_server;

// A client on its own io_context thread, with its log lines kept.
class test_client {
 public:
  test_client(const std::string& url, sio::redis::tls_settings tls = {}) {
    auto ep = sio::redis::parse_url(url);
    EXPECT_TRUE(ep) << url;
    sio::redis::client_options co;
    if (ep) co.server = *ep;
    co.tls = std::move(tls);
    co.reconnect_min = 50ms;
    co.reconnect_max = 200ms;
    co.log = [this](std::string_view line) {
      std::lock_guard lock(mtx_);
      log_ += std::string(line) + "\n";
    };
    c_ = sio::redis::client::create(ioc_, std::move(co));
    c_->start();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~test_client() {
    c_->stop();
    guard_.reset();
    ioc_.stop();
    thread_.join();
  }

  // The reply to one command (kind error for a Redis error); a transport error fails the test.
  sio::redis::reply call(std::vector<std::string> args) {
    std::promise<sio::redis::reply> p;
    c_->command(std::move(args), [&p](boost::system::error_code ec, sio::redis::reply r) {
      EXPECT_FALSE(ec) << ec.message();
      p.set_value(std::move(r));
    });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready) << log();
    return f.get();
  }

  std::string log() {
    std::lock_guard lock(mtx_);
    return log_;
  }
  // Waits until the log holds `text` (a failed connection logs and retries).
  bool logged(std::string_view text) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (log().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }
  bool connected() const { return c_->connected(); }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{ioc_.get_executor()};
  std::shared_ptr<sio::redis::client> c_;
  std::thread thread_;
  std::mutex mtx_;
  std::string log_;
};

std::string text(const sio::redis::reply& r) {
  return r.str;
}

TEST(RedisAuth, PasswordOnly) {
  redis_server redis(free_port(), {"--requirepass", "s3cret"});
  const auto base = "127.0.0.1:" + std::to_string(redis.port());
  {
    test_client c("redis://:s3cret@" + base);
    EXPECT_EQ(text(c.call({"PING"})), "PONG");
  }
  {
    test_client c("redis://:wrong@" + base);
    EXPECT_TRUE(c.logged("AUTH failed")) << c.log();
    const auto r = c.call({"PING"});
    EXPECT_EQ(r.type, sio::redis::reply::kind::error);
    EXPECT_EQ(c.log().find("wrong"), std::string::npos) << "the log shows the password";
  }
}

TEST(RedisAuth, AclUserWithEscapedPassword) {
  redis_server redis(free_port(), {"--user", "default", "off", "--user", "alice", "on",
                                   ">p@ss:w/rd", "~*", "&*", "+@all"});
  test_client c("redis://alice:p%40ss%3Aw%2Frd@127.0.0.1:" + std::to_string(redis.port()) + "/3");
  EXPECT_EQ(text(c.call({"ACL", "WHOAMI"})), "alice");
  EXPECT_EQ(text(c.call({"SET", "k", "v"})), "OK");
  EXPECT_NE(text(c.call({"CLIENT", "INFO"})).find(" db=3 "), std::string::npos);
}

// redis-server arguments: TLS only on `port`, with the test certificates.
std::vector<std::string> tls_server_args(const sio::test::test_certs& certs, std::uint16_t port) {
  return {"--port",
          "0",
          "--tls-port",
          std::to_string(port),
          "--tls-cert-file",
          certs.path("server.pem"),
          "--tls-key-file",
          certs.path("server.key"),
          "--tls-ca-cert-file",
          certs.path("ca.pem"),
          "--tls-auth-clients",
          "no"};
}

TEST(RedisTls, VerifiedAgainstTheCa) {
  sio::test::test_certs files;
  const auto port = free_port();
  redis_server redis(port, tls_server_args(files, port));
  test_client c("rediss://127.0.0.1:" + std::to_string(port), {.ca_file = files.path("ca.pem")});
  EXPECT_EQ(text(c.call({"PING"})), "PONG");
  EXPECT_EQ(text(c.call({"SET", "k", std::string(100000, 'x')})), "OK");  // several records
  EXPECT_EQ(text(c.call({"GET", "k"})).size(), 100000u);
}

TEST(RedisTls, WithAuth) {
  sio::test::test_certs files;
  const auto port = free_port();
  auto args = tls_server_args(files, port);
  args.insert(args.end(), {"--requirepass", "tls-s3cret"});
  redis_server redis(port, args);
  test_client c("rediss://:tls-s3cret@127.0.0.1:" + std::to_string(port),
                {.ca_file = files.path("ca.pem")});
  EXPECT_EQ(text(c.call({"PING"})), "PONG");
}

TEST(RedisTls, UntrustedCertificateIsRefusedUnlessVerificationIsOff) {
  sio::test::test_certs files;
  const auto port = free_port();
  redis_server redis(port, tls_server_args(files, port));
  const auto url = "rediss://127.0.0.1:" + std::to_string(port);
  {
    test_client c(url);  // the system's trust store does not know the test CA
    EXPECT_TRUE(c.logged("TLS handshake")) << c.log();
    EXPECT_FALSE(c.connected());
  }
  {
    test_client c(url, {.verify = false});
    EXPECT_EQ(text(c.call({"PING"})), "PONG");
  }
}

TEST(RedisUrl, SchemesAndCredentials) {
  auto e = sio::redis::parse_url("rediss://user:p%40ss@redis.example:6380/1");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->username, "user");
  EXPECT_EQ(e->password, "p@ss");
  EXPECT_EQ(e->host, "redis.example");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 1);
  e = sio::redis::parse_url("redis://127.0.0.1");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->tls);
  EXPECT_FALSE(sio::redis::parse_url("redis://:bad%4@h"));
}

TEST(RedisUrl, RedactsPasswords) {
  EXPECT_EQ(sio::redis::redact_url("redis://user:pw@h:1/2"), "redis://user:***@h:1/2");
  EXPECT_EQ(sio::redis::redact_url("rediss://:pw@h"), "rediss://:***@h");
  EXPECT_EQ(sio::redis::redact_url("redis://pw@h"), "redis://***@h");
  EXPECT_EQ(sio::redis::redact_url("redis://h:6379/0"), "redis://h:6379/0");
  try {
    sio::redis_adapter::factory({.url = "redis://u:hunter2@h:notaport"});
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
  }
}

}  // namespace
