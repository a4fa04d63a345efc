// The server's TLS context (server_options::tls).
#include "detail.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace sio::engineio::detail {
namespace {

error_code last_ssl_error() {
  const auto e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return make_error_code(std::errc::invalid_argument);
  return {static_cast<int>(e), asio::error::get_ssl_category()};
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const tls_options& o, error_code& ec) {
  ec.clear();
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // TLS 1.2 and 1.3 only; the server's cipher order; no renegotiation (a DoS vector).
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) ec = last_ssl_error();
  SSL_CTX_set_options(
      native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (!ec && !o.ciphers.empty() && SSL_CTX_set_cipher_list(native, o.ciphers.c_str()) != 1)
    ec = last_ssl_error();
  if (!ec) ctx->use_certificate_chain_file(o.cert_file, ec);
  if (!ec) ctx->use_private_key_file(o.key_file, asio::ssl::context::pem, ec);
  if (!ec && SSL_CTX_check_private_key(native) != 1) ec = last_ssl_error();
  if (ec) return nullptr;
  return ctx;
}

}  // namespace sio::engineio::detail
