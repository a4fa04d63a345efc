// Opening a connection to the server: DNS, TCP, an HTTP CONNECT tunnel through the proxy, TLS
// with peer and host name verification. Shared by both transports.
#include "transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <stdexcept>

namespace sio::client::detail {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

bool is_ip_address(std::string_view host) {
  error_code ec;
  (void)net::ip::make_address(std::string(host), ec);
  return !ec;
}

std::string with_port(std::string_view host, std::uint16_t port) {
  std::string out =
      host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
  return out + ":" + std::to_string(port);
}

std::shared_ptr<ssl::context> make_tls(const tls_options& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error_code ec;
  if (o.verify_peer) {
    ctx->set_verify_mode(ssl::verify_peer);
    if (!o.ca_file.empty()) {
      if (ctx->load_verify_file(o.ca_file, ec); ec)
        throw std::runtime_error("TLS: cannot load the CA file " + o.ca_file + ": " + ec.message());
    } else if (ctx->set_default_verify_paths(ec); ec) {
      throw std::runtime_error("TLS: cannot load the system's CA store: " + ec.message());
    }
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  if (!o.cert_file.empty()) {
    if (ctx->use_certificate_chain_file(o.cert_file, ec); ec)
      throw std::runtime_error("TLS: cannot load the client certificate " + o.cert_file + ": " +
                               ec.message());
    const auto& key = o.key_file.empty() ? o.cert_file : o.key_file;
    if (ctx->use_private_key_file(key, ssl::context::pem, ec); ec)
      throw std::runtime_error("TLS: cannot load the client key " + key + ": " + ec.message());
  }
  return ctx;
}

bool same_files(const tls_options& a, const tls_options& b) {
  return a.verify_peer == b.verify_peer && a.ca_file == b.ca_file && a.cert_file == b.cert_file &&
         a.key_file == b.key_file;
}

// The cached context when it was made with the same options, else a new one (then cached).
std::shared_ptr<ssl::context> tls_context(const tls_options& o, tls_context_cache* cache) {
  if (cache == nullptr) return make_tls(o);
  if (!cache->context || !same_files(cache->made_with, o)) {
    cache->context = make_tls(o);
    cache->made_with = o;
  }
  return cache->context;
}

proxy_endpoint parse_proxy(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed || parsed->scheme_id() != boost::urls::scheme::http || parsed->host().empty())
    throw std::runtime_error("proxy: \"" + std::string(text) +
                             "\" is not an http://[user:password@]host:port URL");
  proxy_endpoint p;
  p.host = parsed->host_address();
  p.port = parsed->has_port() ? parsed->port_number() : 80;
  if (p.port == 0) throw std::runtime_error("proxy: bad port in \"" + std::string(text) + "\"");
  if (parsed->has_userinfo()) {
    const std::string credentials = parsed->user() + ":" + parsed->password();
    p.authorization = "Basic " + eio::base64_encode(credentials);
  }
  return p;
}

std::string base36(std::uint64_t v) {
  std::string out;
  do {
    out.insert(out.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v != 0);
  return out;
}

// The CONNECT tunnel to the server through the proxy, on a connected stream.
net::awaitable<connect_result> tunnel(plain_stream& s, transport_context& ctx) {
  const std::string authority = with_port(ctx.url.host, ctx.url.port);
  http::request<http::empty_body> req{http::verb::connect, authority, 11};
  req.set(http::field::host, authority);
  if (!ctx.proxy->authorization.empty())
    req.set(http::field::proxy_authorization, ctx.proxy->authorization);
  auto [wec, wn] = co_await http::async_write(s, req, awaitable_tuple);
  if (wec) co_return connect_result{wec, "proxy: CONNECT failed: " + wec.message(), true};
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a response to CONNECT has no body
  auto [rec, rn] = co_await http::async_read_header(s, buffer, parser, awaitable_tuple);
  if (rec) co_return connect_result{rec, "proxy: no answer to CONNECT: " + rec.message(), true};
  const auto& res = parser.get();
  if (res.result_int() / 100 != 2)
    co_return connect_result{make_error_code(boost::system::errc::connection_refused),
                             "proxy: CONNECT " + authority + " refused: HTTP " +
                                 std::to_string(res.result_int()) + " " + std::string(res.reason()),
                             true};
  co_return connect_result{};
}

}  // namespace

std::shared_ptr<tls_context_cache> make_tls_context_cache() {
  return std::make_shared<tls_context_cache>();
}

std::string transport_context::target(transport kind, std::string_view sid) {
  boost::urls::url u;
  u.set_path(options->path);
  if (!url.query.empty()) u.set_encoded_query(url.query);
  auto params = u.params();
  for (const auto& [name, value] : options->query) params.append({name, value});
  params.append({"EIO", std::to_string(eio::protocol_version)});
  params.append({"transport", to_string(kind)});
  if (!sid.empty()) params.append({"sid", sid});
  if (kind == transport::polling && options->timestamp_requests) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    params.append(
        {"t", base36(static_cast<std::uint64_t>(ms.count())) + "." + base36(request_count++)});
  }
  return std::string(u.encoded_resource());
}

std::string transport_context::host_header() const {
  const std::uint16_t default_port = url.secure ? 443 : 80;
  if (url.port == default_port)
    return url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return with_port(url.host, url.port);
}

std::string_view transport_context::server_name() const {
  return options->tls.server_name.empty() ? std::string_view(url.host)
                                          : std::string_view(options->tls.server_name);
}

std::shared_ptr<transport_context> make_transport_context(net::any_io_executor strand,
                                                          const engine_config& config) {
  auto ctx = std::make_shared<transport_context>();
  ctx->strand = std::move(strand);
  ctx->url = config.url;
  ctx->options = config.options_owner
                     ? std::shared_ptr<const manager_options>(config.options_owner, config.options)
                     : std::make_shared<const manager_options>(*config.options);
  if (ctx->url.secure) ctx->tls = tls_context(ctx->options->tls, config.tls.get());
  if (!ctx->options->proxy.empty()) ctx->proxy = parse_proxy(ctx->options->proxy);
  return ctx;
}

net::awaitable<connect_result> open_stream(plain_stream& s, transport_context& ctx) {
  const bool proxied = ctx.proxy.has_value();
  const std::string host = proxied ? ctx.proxy->host : ctx.url.host;
  const std::uint16_t port = proxied ? ctx.proxy->port : ctx.url.port;
  const std::string what = proxied ? "proxy " + with_port(host, port) : with_port(host, port);
  net::ip::tcp::resolver resolver(ctx.strand);
  auto [ec, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), awaitable_tuple);
  if (ec) co_return connect_result{ec, "cannot resolve " + what + ": " + ec.message(), proxied};
  auto [cec, ep] = co_await s.async_connect(endpoints, awaitable_tuple);
  if (cec)
    co_return connect_result{cec, "cannot connect to " + what + ": " + cec.message(), proxied};
  error_code ignored;
  s.socket().set_option(net::ip::tcp::no_delay(true), ignored);
  if (proxied) co_return co_await tunnel(s, ctx);
  co_return connect_result{};
}

net::awaitable<connect_result> open_stream(tls_stream& s, transport_context& ctx) {
  auto r = co_await open_stream(s.next_layer(), ctx);
  if (!r) co_return r;
  const std::string name(ctx.server_name());
  // SNI carries a host name only, never an address.
  if (!is_ip_address(name) && SSL_set_tlsext_host_name(s.native_handle(), name.c_str()) != 1)
    co_return connect_result{make_error_code(boost::system::errc::invalid_argument),
                             "TLS: bad server name " + name, true};
  // The certificate must name the host (or address): OpenSSL checks it with the chain.
  if (ctx.options->tls.verify_peer) {
    X509_VERIFY_PARAM* param = SSL_get0_param(s.native_handle());
    const int ok = is_ip_address(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                                       : X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    if (ok != 1)
      co_return connect_result{make_error_code(boost::system::errc::invalid_argument),
                               "TLS: bad server name " + name, true};
  }
  auto [ec] = co_await s.async_handshake(ssl::stream_base::client, awaitable_tuple);
  if (ec) {
    std::string why = ec.message();
    const long verify = SSL_get_verify_result(s.native_handle());
    if (verify != X509_V_OK)
      why =
          std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
    co_return connect_result{ec, "TLS handshake with " + name + " failed: " + why, true};
  }
  co_return connect_result{};
}

}  // namespace sio::client::detail
