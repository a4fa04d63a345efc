// libFuzzer: HTTP requests through the engine's request parser (Beast's basic_parser into a
// request_head) with the limits an engine connection sets; the whole request it rebuilds for the
// handshakes and application routes (to_request) must agree with the head; then the engine's
// routing of what parses (endpoint or application, CORS preflight, transport, method, Origin, sid,
// protocol version, WebSocket upgrade) to the status the server would answer on an empty session
// table with no allow_request hook, and the content coding its Accept-Encoding asks a long-polling
// response for. The first byte chooses the endpoint's options, the second where the request is cut
// in two reads; both ways must get the same answer.
#include "http_compression.hpp"
#include "request_head.hpp"
#include "request_route.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace http = boost::beast::http;
namespace eio = sio::protocol::engineio;
using sio::engineio::detail::engine_route;
using sio::engineio::detail::head_parser;
using sio::engineio::detail::request_head;
using sio::engineio::detail::route_engine_request;
using sio::engineio::detail::under_endpoint;

namespace {

// Limits small enough for the fuzzer's inputs to reach (the defaults are 16 KiB and 1 MB).
constexpr std::size_t max_header_bytes = 1024;
constexpr std::size_t max_app_body_bytes = 256;
constexpr std::size_t max_payload = 512;

// True when `s` contains `word`, ignoring ASCII case.
bool names(std::string_view s, std::string_view word) {
  const auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  return std::search(s.begin(), s.end(), word.begin(), word.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != s.end();
}

// A connection's answer: a status, or none yet (0: the request needs more bytes).
struct answer_t {
  unsigned status = 0;
  bool parse_error = false;  // Beast refused the bytes (400, 413, 431)
};

sio::engineio::endpoint_options options(std::uint8_t bits) {
  return {.path = "/socket.io/",
          .max_payload = max_payload,
          .polling = (bits & 2) == 0,
          .websocket = (bits & 4) == 0,
          .cors = {.enabled = (bits & 1) != 0}};
}

void check(const engine_route& r, const request_head& req, const eio::query_map& q,
           const sio::engineio::endpoint_options& o) {
  using kind = engine_route::kind;
  const bool options_method = req.method() == http::verb::options;
  if ((r.what == kind::preflight) != (options_method && o.cors.enabled)) std::abort();
  if (r.what != kind::session && r.what != kind::handshake) return;
  const bool enabled = r.transport == eio::transport_kind::polling ? o.polling : o.websocket;
  if (!enabled || (r.upgrade && r.transport != eio::transport_kind::websocket)) std::abort();
  const auto sid = q.find("sid");
  const bool has_sid = sid != q.end() && !sid->second.empty();
  if ((r.what == kind::session) != has_sid || (has_sid && r.sid != sid->second)) std::abort();
  if (r.what == kind::handshake && !r.upgrade && req.method() != http::verb::get) std::abort();
}

// The status of a whole request for the endpoint; `rest`: bytes received after it.
unsigned engine_status(const request_head& req, const sio::engineio::endpoint_options& o,
                       std::size_t rest) {
  const auto q = eio::parse_query(req.target());
  const auto params = eio::parse_route_params(req.target());
  // The routing parameters are parse_query's values.
  const auto value = [&](const char* name) {
    const auto it = q.find(name);
    return it == q.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  if (params.eio != value("EIO") || params.transport != value("transport") ||
      params.sid != value("sid"))
    std::abort();
  const auto r = route_engine_request(req, params, o);
  check(r, req, q, o);
  // A long-polling coding is chosen only for a header that names it or "*".
  const std::string_view ae = req[http::field::accept_encoding];
  const auto coding = sio::engineio::detail::accepted_coding(ae);
  if (coding != sio::engineio::detail::content_coding::identity && !names(ae, to_string(coding)) &&
      ae.find('*') == std::string_view::npos)
    std::abort();
  switch (r.what) {
    case engine_route::kind::preflight:
      return 204;
    case engine_route::kind::refuse:
      return r.upgrade ? 400 : eio::http_status(r.error);
    case engine_route::kind::session:
      return 400;  // unknown: the table is empty
    case engine_route::kind::handshake:
      if (!r.supported_version || (r.upgrade && rest != 0)) return 400;
      return r.upgrade ? 101 : 200;  // 101, or 400 from the WebSocket handshake's own checks
  }
  std::abort();
}

// Puts what `buf` holds into `p` (up to the end of the head when `head_only`), dropping what it
// used; false on a parse error.
bool put(head_parser& p, std::string& buf, bool head_only, boost::system::error_code& ec) {
  while (!buf.empty() && !p.is_done() && !(head_only && p.is_header_done())) {
    const auto used = p.put(boost::asio::buffer(buf), ec);
    buf.erase(0, used);
    if (ec == http::error::need_more) {
      ec = {};
      return true;
    }
    if (ec) return false;
    if (used == 0) break;
  }
  return true;
}

// The request rebuilt from `head` has its method, target, version, body and fields.
void check_rebuilt(request_head& head) {
  const std::string target(head.target());
  const std::string body = head.body();
  const auto method = head.method();
  const auto req = head.to_request();
  if (req.target() != target || req.body() != body || req.version() != head.version()) std::abort();
  if (method != http::verb::unknown && req.method() != method) std::abort();
  for (const auto f : {http::field::origin, http::field::accept_encoding, http::field::connection,
                       http::field::upgrade, http::field::content_type, http::field::cookie}) {
    if (req[f] != head[f]) std::abort();
  }
}

answer_t error_answer(boost::system::error_code ec) {
  if (ec == http::error::header_limit) return {431, true};
  if (ec == http::error::body_limit) return {413, true};
  return {400, true};
}

// The answer of a connection that receives `first` then `second`, read as http_connection reads:
// the head with the largest body limit, then the body with its route's limit. A request followed
// by more bytes is judged with all of them received.
answer_t answer(std::string_view first, std::string_view second,
                const sio::engineio::endpoint_options& o) {
  request_head head;
  head_parser p(head);
  p.header_limit(static_cast<std::uint32_t>(max_header_bytes));
  p.body_limit(std::max(max_app_body_bytes, max_payload));
  std::string buf(first);
  boost::system::error_code ec;
  bool engine = false;
  for (const std::string_view more : {std::string_view{}, second}) {
    buf.append(more);
    if (!p.is_header_done()) {
      if (!put(p, buf, true, ec)) return error_answer(ec);
      if (!p.is_header_done()) continue;
      engine = under_endpoint(head.target(), o.path);
      const std::uint64_t limit = engine ? max_payload : max_app_body_bytes;
      if (const auto cl = p.content_length(); cl && *cl > limit) return {413};
      p.body_limit(limit);
    }
    if (!put(p, buf, false, ec)) return error_answer(ec);
    if (!p.is_done()) continue;
    const std::size_t rest = buf.size() + (more.data() == second.data() ? 0 : second.size());
    const unsigned status = engine ? engine_status(head, o, rest) : 404;  // 404: no application
    check_rebuilt(head);
    return {status};
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto o = options(data[0]);
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t cut = std::min<std::size_t>(data[1] * 8u, in.size());
  const auto whole = answer(in, {}, o);
  const auto split = answer(in.substr(0, cut), in.substr(cut), o);
  // Whether Beast refuses a head can depend on the reads: it finds some errors before the head
  // is complete when the bytes that show them arrive with its start, and its header limit counts
  // from where a read begins. A request it accepts both ways is answered the same both ways.
  const bool both_parsed =
      whole.status != 0 && split.status != 0 && !whole.parse_error && !split.parse_error;
  if (both_parsed && whole.status != split.status) std::abort();
  switch (whole.status) {
    case 0:
    case 101:
    case 200:
    case 204:
    case 400:
    case 403:
    case 404:
    case 413:
    case 431:
      return 0;
    default:
      std::abort();
  }
}
