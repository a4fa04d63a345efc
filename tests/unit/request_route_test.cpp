// route_engine_request (sio_engineio, src/engineio/request_route.hpp): what the engine makes of an
// endpoint's request from its head alone, in the order the Node.js server checks it; and the
// request_head it reads (src/engineio/request_head.hpp), as head_parser fills it.
#include "request_route.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

namespace http = boost::beast::http;
namespace eio = sio::protocol::engineio;
using sio::engineio::endpoint_options;
using sio::engineio::detail::engine_route;
using sio::engineio::detail::head_parser;
using sio::engineio::detail::request_head;
using sio::engineio::detail::route_engine_request;
using kind = engine_route::kind;

// `text` through head_parser in one piece; the error it ends with (need_more: not whole).
boost::system::error_code parse(std::string_view text, request_head& h) {
  head_parser p(h);
  p.eager(true);
  boost::system::error_code ec;
  p.put(boost::asio::buffer(text.data(), text.size()), ec);
  if (!ec && !p.is_done()) ec = http::error::need_more;
  return ec;
}

request_head request(http::verb method, std::string_view target, bool upgrade = false,
                     std::string_view fields = {}) {
  std::string text(http::to_string(method));
  text.append(" ").append(target).append(" HTTP/1.1\r\nHost: x\r\n");
  if (upgrade) text.append("Connection: Upgrade\r\nUpgrade: websocket\r\n");
  text.append(fields).append("\r\n");
  request_head h;
  EXPECT_FALSE(parse(text, h)) << text;
  return h;
}

engine_route route(const request_head& req, const endpoint_options& o = {}) {
  const auto q = eio::parse_route_params(req.target());
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
  const auto q = eio::parse_route_params("/socket.io/?EIO=4&transport=polling&sid=abc");
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
  // An Origin with a control character never parses (400 before any route); the route refuses
  // one all the same.
  using sio::engineio::detail::invalid_header_value;
  EXPECT_TRUE(invalid_header_value("http://a\x01.example"));
  EXPECT_FALSE(invalid_header_value("http://a.example\t"));
  request_head h;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nOrigin: http://a\x01.example\r\n\r\n", h),
            http::error::bad_value);
  const auto good = request(http::verb::get, "/socket.io/?EIO=4&transport=polling", false,
                            "Origin: http://a.example\r\n");
  EXPECT_EQ(route(good).what, kind::handshake);
}

TEST(RouteParams, AreTheValuesOfParseQuery) {
  for (const std::string_view target :
       {"/socket.io/?EIO=4&transport=polling&sid=abc", "/socket.io/?sid=a&sid=b&EIO=3&EIO=4",
        "/socket.io/?s%69d=x%2By+z&tr%61nsport=websocket&t=1", "/socket.io/?sid=&transport",
        "/socket.io/?transport=polling#sid=x", "/socket.io/", "EIO=4&sid=%zz",
        "?sid+=1&sid%20=2"}) {
    const auto m = eio::parse_query(target);
    const auto p = eio::parse_route_params(target);
    const auto value = [&](const char* name) {
      const auto it = m.find(name);
      return it == m.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    EXPECT_EQ(p.eio, value("EIO")) << target;
    EXPECT_EQ(p.transport, value("transport")) << target;
    EXPECT_EQ(p.sid, value("sid")) << target;
  }
}

TEST(RequestHead, KeepsTheFieldsAndRebuildsTheRequest) {
  request_head h;
  ASSERT_FALSE(
      parse("POST /socket.io/?EIO=4&sid=a HTTP/1.1\r\nHost: x\r\nX-Custom: one\r\n"
            "content-type: text/plain\r\nX-Custom: two\r\nCookie: a=1\r\n"
            "Accept-Encoding: gzip,\r\n deflate\r\nContent-Length: 4\r\n\r\n4abc",
            h));
  EXPECT_EQ(h.method(), http::verb::post);
  EXPECT_EQ(h.target(), "/socket.io/?EIO=4&sid=a");
  EXPECT_EQ(h.version(), 11u);
  EXPECT_EQ(h[http::field::content_type], "text/plain");        // names in any case
  EXPECT_EQ(h[http::field::accept_encoding], "gzip, deflate");  // obs-fold joined with a space
  EXPECT_EQ(h[http::field::origin], "");
  EXPECT_EQ(h.body(), "4abc");
  EXPECT_FALSE(h.websocket_upgrade());
  const auto req = h.to_request();
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/socket.io/?EIO=4&sid=a");
  EXPECT_EQ(req.body(), "4abc");
  std::vector<std::string> fields;
  for (const auto& f : req)
    fields.push_back(std::string(f.name_string()) + "=" + std::string(f.value()));
  // As Beast's request_parser stores them: a repeated name goes after its earlier values.
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "Host=x", "X-Custom=one", "X-Custom=two", "content-type=text/plain",
                        "Cookie=a=1", "Accept-Encoding=gzip, deflate", "Content-Length=4"}));
  // Cleared for the next request; an unknown method keeps its text.
  h.clear();
  ASSERT_FALSE(parse("BREW /pot HTTP/1.0\r\n\r\n", h));
  EXPECT_EQ(h.method(), http::verb::unknown);
  EXPECT_EQ(h.version(), 10u);
  EXPECT_EQ(h.to_request().method_string(), "BREW");
  EXPECT_EQ(h[http::field::host], "");
}

TEST(RequestHead, ChunkedBodiesAndUpgrades) {
  request_head h;
  ASSERT_FALSE(
      parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\n4ab\r\n2;x=y\r\ncd\r\n0\r\n\r\n",
            h));
  EXPECT_EQ(h.body(), "4abcd");
  request_head up;
  ASSERT_FALSE(
      parse("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n"
            "Upgrade: WebSocket\r\n\r\n",
            up));
  EXPECT_TRUE(up.websocket_upgrade());
  request_head old;
  ASSERT_FALSE(parse("GET / HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", old));
  EXPECT_FALSE(old.websocket_upgrade());  // as Beast's is_upgrade: HTTP/1.1 and later
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
