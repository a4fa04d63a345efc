#include "rest_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

namespace examples {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

std::string describe(std::string_view what, const http_answer& a) {
  std::string text = std::string(what) + ": HTTP " + std::to_string(a.status);
  if (a.body.is_object()) {
    if (const auto* e = a.body.as_object().if_contains("error"); e && e->is_string())
      text += " (" + std::string(e->as_string()) + ")";
  }
  return text;
}

template <class Stream>
http_answer round_trip(Stream& stream, const http::request<http::string_body>& req) {
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  http_answer answer{res.result_int(), nullptr};
  boost::system::error_code ec;
  if (auto v = json::parse(res.body(), ec); !ec) answer.body = std::move(v);
  return answer;
}

}  // namespace

api_error::api_error(std::string_view what, const http_answer& answer)
    : std::runtime_error(describe(what, answer)), status(answer.status) {}

struct rest_client::impl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string host_header;
  asio::io_context ioc;
  asio::ssl::context ssl{asio::ssl::context::tls_client};
};

rest_client::rest_client(std::string_view base_url, std::string ca_file)
    : impl_(std::make_unique<impl>()) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url) throw std::invalid_argument("not a URL: " + std::string(base_url));
  const auto scheme = url->scheme();
  if (scheme != "http" && scheme != "https" && scheme != "ws" && scheme != "wss")
    throw std::invalid_argument("not an http(s) URL: " + std::string(base_url));
  impl_->tls = scheme == "https" || scheme == "wss";
  impl_->host = url->host_address();
  if (impl_->host.empty()) throw std::invalid_argument("no host in " + std::string(base_url));
  impl_->port = url->has_port() ? std::string(url->port()) : (impl_->tls ? "443" : "80");
  impl_->host_header = url->has_port() ? impl_->host + ":" + impl_->port : impl_->host;
  if (impl_->tls) {
    impl_->ssl.set_verify_mode(asio::ssl::verify_peer);
    if (ca_file.empty())
      impl_->ssl.set_default_verify_paths();
    else
      impl_->ssl.load_verify_file(ca_file);
  }
}

rest_client::~rest_client() = default;

http_answer rest_client::request(http::verb method, std::string_view target,
                                 const json::value* body, std::string_view token) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, impl_->host_header);
  req.set(http::field::user_agent, "sio-client-example");
  req.set(http::field::accept, "application/json");
  req.set(http::field::connection, "close");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = json::serialize(*body);
  }
  req.prepare_payload();
  try {
    return send(req);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string(http::to_string(method)) + " " + std::string(target) +
                             " on " + impl_->host_header + ": " + e.code().message());
  }
}

http_answer rest_client::send(const http::request<http::string_body>& req) {
  tcp::resolver resolver(impl_->ioc);
  const auto endpoints = resolver.resolve(impl_->host, impl_->port);
  if (!impl_->tls) {
    tcp::socket socket(impl_->ioc);
    asio::connect(socket, endpoints);
    return round_trip(socket, req);
  }
  asio::ssl::stream<tcp::socket> stream(impl_->ioc, impl_->ssl);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), impl_->host.c_str()))
    throw std::runtime_error("cannot set the TLS server name " + impl_->host);
  stream.set_verify_callback(asio::ssl::host_name_verification(impl_->host));
  asio::connect(stream.next_layer(), endpoints);
  stream.handshake(asio::ssl::stream_base::client);
  return round_trip(stream, req);
}

json::value rest_client::expect(unsigned status, http::verb method, std::string_view target,
                                const json::value* body, std::string_view token) {
  auto answer = request(method, target, body, token);
  if (answer.status != status)
    throw api_error(std::string(http::to_string(method)) + " " + std::string(target), answer);
  return std::move(answer.body);
}

account sign_in(rest_client& api, const std::string& username, const std::string& password,
                bool create) {
  const json::value credentials = {{"username", username}, {"password", password}};
  if (create) {
    auto answer = api.request(http::verb::post, "/api/register", &credentials);
    if (answer.status != 201 && answer.status != 409)  // 409: the account exists already
      throw api_error("register " + username, answer);
  }
  auto answer = api.request(http::verb::post, "/api/login", &credentials);
  if (answer.status != 200) throw api_error("login " + username, answer);
  try {
    const auto& o = answer.body.as_object();
    return {json::value_to<std::string>(o.at("token")), o.at("userId").to_number<std::int64_t>(),
            json::value_to<std::string>(o.at("username"))};
  } catch (const std::exception&) {
    throw std::runtime_error("login " + username + ": unexpected answer " +
                             json::serialize(answer.body));
  }
}

}  // namespace examples
