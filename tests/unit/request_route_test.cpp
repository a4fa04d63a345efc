// route_engine_request (sio_engineio, src/engineio/request_route.hpp): what the engine makes of an
// endpoint's request from its head alone, in the order the Node.js server checks it.
#include "request_route.hpp"

#include <boost/beast/http/string_body.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

namespace http = boost::beast::http;
namespace eio = sio::protocol::engineio;
using sio::engineio::endpoint_options;
using sio::engineio::detail::engine_route;
using sio::engineio::detail::route_engine_request;
using kind = engine_route::kind;

http::request<http::string_body> request(http::verb method, std::string target,
                                         bool upgrade = false) {
  http::request<http::string_body> req{method, target, 11};
  if (upgrade) {
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
  }
  return req;
}

engine_route route(const http::request<http::string_body>& req, const endpoint_options& o = {}) {
  const auto q = eio::parse_query(req.target());
  auto r = route_engine_request(req, q, o);
  r.sid = {};  // a view into q
  return r;
}

TEST(RequestRoute, Handshakes) {
  auto r = route(request(http::verb::get, "/socket.io/?EIO=4&transport=polling"));
  EXPECT_EQ(r.what, kind::handshake);
  EXPECT_FALSE(r.upgrade);
  EXPECT_EQ(r.transport, eio::transport_kind::polling);
  EXPECT_TRUE(r.supported_version);

  r = route(request(http::verb::get, "/socket.io/?EIO=4&transport=websocket", true));
  EXPECT_EQ(r.what, kind::handshake);
  EXPECT_TRUE(r.upgrade);
  EXPECT_EQ(r.transport, eio::transport_kind::websocket);

  r = route(request(http::verb::get, "/socket.io/?EIO=3&transport=polling"));
  EXPECT_EQ(r.what, kind::handshake);  // the version is checked after allow_request
  EXPECT_FALSE(r.supported_version);
}

TEST(RequestRoute, SessionRequests) {
  const auto q = eio::parse_query("/socket.io/?EIO=4&transport=polling&sid=abc");
  const auto post = request(http::verb::post, "/socket.io/?EIO=4&transport=polling&sid=abc");
  const auto r = route_engine_request(post, q, {});
  EXPECT_EQ(r.what, kind::session);
  EXPECT_EQ(r.sid, "abc");
  const auto up = request(http::verb::get, "/socket.io/?EIO=4&transport=websocket&sid=abc", true);
  EXPECT_EQ(route(up).what, kind::session);
  EXPECT_TRUE(route(up).upgrade);
}

TEST(RequestRoute, Preflight) {
  const auto req = request(http::verb::options, "/socket.io/?EIO=4&transport=polling");
  EXPECT_EQ(route(req, {.cors = {.enabled = true}}).what, kind::preflight);
  // Without CORS an OPTIONS request is not a handshake method.
  const auto r = route(req);
  EXPECT_EQ(r.what, kind::refuse);
  EXPECT_EQ(r.error, eio::request_error::bad_handshake_method);
}

TEST(RequestRoute, Refusals) {
  struct row {
    http::verb method;
    const char* target;
    bool upgrade;
    eio::request_error error;
  };
  const row rows[] = {
      {http::verb::get, "/socket.io/?EIO=4", false, eio::request_error::unknown_transport},
      {http::verb::get, "/socket.io/?EIO=4&transport=flash", false,
       eio::request_error::unknown_transport},
      {http::verb::put, "/socket.io/?EIO=4&transport=polling", false,
       eio::request_error::bad_handshake_method},
      {http::verb::get, "/socket.io/?EIO=4&transport=websocket", false,
       eio::request_error::bad_request},
      {http::verb::get, "/socket.io/?EIO=4&transport=polling", true,
       eio::request_error::bad_request},
      {http::verb::get, "/socket.io/?EIO=4&transport=polling&sid=abc", true,
       eio::request_error::bad_request},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.target);
    const auto r = route(request(row.method, row.target, row.upgrade));
    EXPECT_EQ(r.what, kind::refuse);
    EXPECT_EQ(r.upgrade, row.upgrade);
    EXPECT_EQ(r.error, row.error);
  }
}

TEST(RequestRoute, DisabledTransportsAndBadOrigins) {
  const auto polling = request(http::verb::get, "/socket.io/?EIO=4&transport=polling");
  EXPECT_EQ(route(polling, {.polling = false}).error, eio::request_error::unknown_transport);
  const auto ws = request(http::verb::get, "/socket.io/?EIO=4&transport=websocket", true);
  EXPECT_EQ(route(ws, {.websocket = false}).error, eio::request_error::unknown_transport);
  auto bad_origin = polling;
  bad_origin.set(http::field::origin, "http://a\x01.example");
  EXPECT_EQ(route(bad_origin).what, kind::refuse);
  EXPECT_EQ(route(bad_origin).error, eio::request_error::bad_request);
}

TEST(RequestRoute, UnderEndpoint) {
  using sio::engineio::detail::under_endpoint;
  EXPECT_TRUE(under_endpoint("/socket.io/?EIO=4", "/socket.io/"));
  EXPECT_TRUE(under_endpoint("/socket.io/x", "/socket.io/"));
  EXPECT_FALSE(under_endpoint("/socket.io?EIO=4", "/socket.io/"));
  EXPECT_FALSE(under_endpoint("/api/socket.io/", "/socket.io/"));
  EXPECT_FALSE(under_endpoint("/app?/socket.io/", "/socket.io/"));
}

}  // namespace
