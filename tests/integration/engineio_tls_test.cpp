// sio::engineio::server with server_options::tls, over loopback with an Asio TLS client verifying
// a CA made at run time (test_certs.hpp): requests are secure, TLS 1.1 is refused, plain HTTP gets
// 400, reload_tls swaps the certificate for new connections only and keeps it on failure, and
// start() refuses files it cannot load.
#include <sio/engineio/server.hpp>

#include "test_certs.hpp"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
namespace eio = sio::engineio;

// A server whose application route answers "secure=<0|1>".
struct tls_server {
  explicit tls_server(const sio::test::test_certs& certs,
                      eio::server_options base = {.address = "127.0.0.1", .workers = 2})
      : srv(with_tls(std::move(base), certs)) {
    srv.on_request([](eio::http_request&&, const eio::request_info& info, eio::http_respond r) {
      eio::http_response res{http::status::ok, 11};
      res.body() = info.secure ? "secure=1" : "secure=0";
      res.prepare_payload();
      r(std::move(res));
    });
    srv.start();
  }
  static eio::server_options with_tls(eio::server_options o, const sio::test::test_certs& certs) {
    o.tls =
        eio::tls_options{.cert_file = certs.path("live.pem"), .key_file = certs.path("live.key")};
    return o;
  }
  eio::server srv;
};

// A keep-alive HTTPS client on its own io_context.
class https_client {
 public:
  https_client(std::uint16_t port, const std::string& ca_file, int max_version = 0)
      : ctx_(make_context(ca_file, max_version)), stream_(ioc_, ctx_) {
    stream_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    stream_.handshake(ssl::stream_base::client, ec_);
  }
  boost::system::error_code handshake_error() const { return ec_; }
  std::string get(const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buf_, res);
    return res.body();
  }
  // Writes within 10 s: the write's error, or asio::error::timed_out.
  boost::system::error_code write_for(std::string_view bytes) {
    boost::system::error_code out;
    bool done = false;
    asio::async_write(stream_, asio::buffer(bytes), [&](boost::system::error_code ec, std::size_t) {
      out = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(10));
    if (done) return out;
    boost::system::error_code ignored;
    stream_.next_layer().cancel(ignored);
    ioc_.restart();
    ioc_.run();
    return asio::error::timed_out;
  }
  unsigned read_status() {
    http::response<http::string_body> res;
    http::read(stream_, buf_, res);
    return res.result_int();
  }
  std::string protocol() { return SSL_get_version(stream_.native_handle()); }
  std::string peer_serial() {
    X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
    const long serial = ASN1_INTEGER_get(X509_get_serialNumber(cert));
    X509_free(cert);
    return std::to_string(serial);
  }

 private:
  // Configured before the stream exists: an SSL object copies its context's settings.
  static ssl::context make_context(const std::string& ca_file, int max_version) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.load_verify_file(ca_file);
    if (max_version != 0) {
      SSL_CTX_set_security_level(ctx.native_handle(), 0);  // let the client offer old versions
      SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
    }
    return ctx;
  }

  asio::io_context ioc_;
  ssl::context ctx_;
  ssl::stream<tcp::socket> stream_;
  boost::beast::flat_buffer buf_;
  boost::system::error_code ec_;
};

void use(const sio::test::test_certs& certs, const std::string& name) {
  namespace fs = std::filesystem;
  fs::copy_file(certs.path(name + ".pem"), certs.path("live.pem"),
                fs::copy_options::overwrite_existing);
  fs::copy_file(certs.path(name + ".key"), certs.path("live.key"),
                fs::copy_options::overwrite_existing);
}

TEST(EngineTls, RequestsAreSecure) {
  sio::test::test_certs certs;
  use(certs, "server");
  tls_server s(certs);
  https_client c(s.srv.port(), certs.path("ca.pem"));
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  EXPECT_EQ(c.protocol(), "TLSv1.3");
  EXPECT_EQ(c.get("/a"), "secure=1");
  EXPECT_EQ(c.get("/b"), "secure=1");  // keep-alive over the same TLS connection
}

TEST(EngineTls, Tls11IsRefusedTls12Accepted) {
  sio::test::test_certs certs;
  use(certs, "server");
  tls_server s(certs);
  EXPECT_TRUE(https_client(s.srv.port(), certs.path("ca.pem"), TLS1_1_VERSION).handshake_error());
  https_client v12(s.srv.port(), certs.path("ca.pem"), TLS1_2_VERSION);
  ASSERT_FALSE(v12.handshake_error()) << v12.handshake_error().message();
  EXPECT_EQ(v12.protocol(), "TLSv1.2");
  EXPECT_EQ(v12.get("/"), "secure=1");
}

TEST(EngineTls, UntrustedCertificateIsRefusedByTheClient) {
  sio::test::test_certs certs;
  sio::test::test_certs other;  // another CA
  use(certs, "server");
  tls_server s(certs);
  EXPECT_TRUE(https_client(s.srv.port(), other.path("ca.pem")).handshake_error());
}

TEST(EngineTls, PlainHttpGets400) {
  sio::test::test_certs certs;
  use(certs, "server");
  tls_server s(certs);
  asio::io_context ioc;
  tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), s.srv.port()});
  http::request<http::empty_body> req{http::verb::get, "/", 11};
  http::write(sock, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_FALSE(res.keep_alive());
}

TEST(EngineTls, AnEarlyAnswerIsFollowedByALingeringClose) {
  sio::test::test_certs certs;
  use(certs, "server");
  tls_server s(certs, {.address = "127.0.0.1",
                       .workers = 2,
                       .max_app_body_bytes = 1000,
                       .linger_timeout = std::chrono::minutes(1),
                       .linger_bytes = 1024 * 1024});
  https_client c(s.srv.port(), certs.path("ca.pem"));
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  ASSERT_FALSE(c.write_for("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" +
                           std::string(64 * 1024, 'x')));
  EXPECT_EQ(c.read_status(), 413u);
  // The server goes on reading (and discarding) what the client still sends.
  const std::string chunk(64 * 1024, 'y');
  for (int i = 0; i < 8; ++i) ASSERT_FALSE(c.write_for(chunk)) << "chunk " << i;
  EXPECT_EQ(https_client(s.srv.port(), certs.path("ca.pem")).get("/other"), "secure=1");
  // Past linger_bytes (long before linger_timeout) it closes: a write fails.
  boost::system::error_code ec;
  for (std::size_t sent = 0; !ec && sent < (64u << 20); sent += chunk.size())
    ec = c.write_for(chunk);
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, asio::error::timed_out);
}

TEST(EngineTls, ReloadKeepsOpenConnectionsAndFailedReloadKeepsTheCertificate) {
  sio::test::test_certs certs;
  certs.issue("next");
  use(certs, "server");
  tls_server s(certs);
  https_client before(s.srv.port(), certs.path("ca.pem"));
  ASSERT_FALSE(before.handshake_error());
  const auto first = before.peer_serial();

  use(certs, "next");
  EXPECT_FALSE(s.srv.reload_tls());
  EXPECT_EQ(before.get("/still"), "secure=1");
  https_client after(s.srv.port(), certs.path("ca.pem"));
  ASSERT_FALSE(after.handshake_error());
  const auto second = after.peer_serial();
  EXPECT_NE(first, second);

  // The key of "next" with the certificate of "server": refused, "next" stays in use.
  std::filesystem::copy_file(certs.path("server.pem"), certs.path("live.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(s.srv.reload_tls());
  https_client third(s.srv.port(), certs.path("ca.pem"));
  ASSERT_FALSE(third.handshake_error());
  EXPECT_EQ(third.peer_serial(), second);
}

TEST(EngineTls, StartRefusesMissingFilesAndReloadNeedsTls) {
  eio::server bad({.address = "127.0.0.1",
                   .workers = 1,
                   .tls = eio::tls_options{.cert_file = "missing.pem", .key_file = "missing.key"}});
  EXPECT_THROW(bad.start(), boost::system::system_error);
  eio::server plain({.address = "127.0.0.1", .workers = 1});
  EXPECT_EQ(plain.reload_tls(), std::errc::operation_not_supported);
}

}  // namespace
