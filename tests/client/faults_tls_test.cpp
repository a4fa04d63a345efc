// https:// against sio's native TLS with certificates made at run time (test_certs.hpp), on each
// transport: a trusted CA connects; an unknown CA, the system store (which does not hold the test
// CA) and a certificate for another host name are refused with an error naming the certificate
// and no connection established; tls.server_name names the host the certificate is for;
// verify_peer = false connects to any certificate.
#include <sio/client/manager.hpp>

#include "faults_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using sio::client::transport;
using sio::test::probe;

struct transports_case {
  std::string name;
  std::vector<transport> transports;
};

class tls : public ::testing::TestWithParam<transports_case> {
 protected:
  // A TLS server with the test CA's certificate `name` (made by certs_.issue(name) when missing).
  std::unique_ptr<sio::test::test_server> serve(const std::string& name = "server") {
    return std::make_unique<sio::test::test_server>(
        sio::test::test_server_options{.tls = sio::test::server_tls(certs_, name)});
  }
  sio::client::manager_options options(sio::client::tls_options t) const {
    sio::client::manager_options mo;
    mo.transports = GetParam().transports;
    mo.tls = std::move(t);
    mo.reconnection = false;
    return mo;
  }
  // Connects and makes one echo round trip.
  static void expect_connects(const std::string& url, const sio::client::manager_options& mo) {
    probe p;
    sio::client::manager io(url, mo);
    io.on_error([&](std::string_view m) { p.note("error", std::string(m)); });
    io.on_upgrade([&](transport) { p.note("upgrade"); });
    auto s = io.socket("/");
    s->on_connect([&] { p.note("connect"); });
    ASSERT_TRUE(p.wait_until([&] { return p.count("connect") > 0 || p.count("error") > 0; }));
    ASSERT_EQ(p.count("connect"), 1) << p.last("error");
    s->emit_with_ack("echo", sio::make_payload("over tls"),
                     [&](boost::system::error_code ec, sio::payload a) {
                       if (!ec && a.args.size() == 1 && a.args[0] == "over tls") p.note("echo");
                     });
    ASSERT_TRUE(p.wait("echo"));
    if (mo.transports.size() > 1) {
      ASSERT_TRUE(p.wait("upgrade"));  // to wss://
    }
  }
  // The connection is refused: an error that names the certificate, no connection.
  static void expect_refused(sio::test::test_server& srv, const sio::client::manager_options& mo) {
    probe p;
    sio::client::manager io(srv.url(), mo);
    io.on_error([&](std::string_view m) { p.note("error", std::string(m)); });
    auto s = io.socket("/");
    s->on_connect([&] { p.note("connect"); });
    s->on_connect_error([&](const sio::connect_error& e) { p.note("connect-error", e.message); });
    ASSERT_TRUE(p.wait("error"));
    std::string m = p.last("error");
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_NE(m.find("certificate"), std::string::npos) << p.last("error");
    ASSERT_TRUE(p.wait("connect-error"));
    EXPECT_EQ(p.count("connect"), 0);
    EXPECT_FALSE(s->connected());
    EXPECT_EQ(srv.events.count("connection"), 0);
  }

  sio::test::test_certs certs_;
};

TEST_P(tls, trusted_ca_connects) {
  auto srv = serve();
  expect_connects(srv->url(), options({.ca_file = certs_.path("ca.pem")}));
}

TEST_P(tls, unknown_ca_is_refused) {
  auto srv = serve();
  sio::test::test_certs other;
  expect_refused(*srv, options({.ca_file = other.path("ca.pem")}));
}

TEST_P(tls, system_store_without_the_test_ca_is_refused) {
  auto srv = serve();
  expect_refused(*srv, options({}));
}

// A certificate of the trusted CA for another host name than the URL's (127.0.0.1).
class tls_other_host : public tls {
 protected:
  void SetUp() override {
    std::ofstream(certs_.path("ext.cnf")) << "subjectAltName=DNS:other.example\n";
    certs_.issue("other");
  }
};

TEST_P(tls_other_host, certificate_for_another_host_is_refused) {
  auto srv = serve("other");
  expect_refused(*srv, options({.ca_file = certs_.path("ca.pem")}));
}

TEST_P(tls_other_host, server_name_names_the_host_verified) {
  auto srv = serve("other");
  expect_connects(srv->url(),
                  options({.ca_file = certs_.path("ca.pem"), .server_name = "other.example"}));
}

TEST_P(tls, verify_peer_off_connects_to_any_certificate) {
  auto srv = serve();
  expect_connects(srv->url(), options({.verify_peer = false}));
}

const std::vector<transports_case> transport_cases = {
    {"polling", {transport::polling}},
    {"websocket", {transport::websocket}},
    {"polling_then_upgrade", {transport::polling, transport::websocket}},
};
const auto case_name = [](const auto& info) { return info.param.name; };
INSTANTIATE_TEST_SUITE_P(faults, tls, ::testing::ValuesIn(transport_cases), case_name);
INSTANTIATE_TEST_SUITE_P(faults, tls_other_host, ::testing::ValuesIn(transport_cases), case_name);

}  // namespace
