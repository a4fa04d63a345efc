// The demo server's REST API as the client examples use it: JSON requests over HTTP or HTTPS
// (Beast, one connection per request), and signing in to get the token that the Socket.IO
// handshake carries as auth.token.
//
// Thread-safety: a rest_client is used from one thread at a time.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace examples {

struct http_answer {
  unsigned status = 0;
  boost::json::value body;  // null when the body is not JSON
};

// An answer the program did not expect: the route, the status and the server's {"error": ...}.
struct api_error : std::runtime_error {
  api_error(std::string_view what, const http_answer& answer);
  unsigned status;
};

class rest_client {
 public:
  // `base_url`: http://host[:port] or https://host[:port] (a path is ignored). HTTPS verifies the
  // server's certificate against `ca_file` (PEM), or the system's store when it is empty.
  // Throws std::invalid_argument for a URL it cannot use.
  explicit rest_client(std::string_view base_url, std::string ca_file = {});
  ~rest_client();
  rest_client(const rest_client&) = delete;
  rest_client& operator=(const rest_client&) = delete;

  // One request with an optional JSON body and an optional Bearer token. Throws
  // std::runtime_error naming the request when the server cannot be reached.
  http_answer request(boost::beast::http::verb method, std::string_view target,
                      const boost::json::value* body = nullptr, std::string_view token = {});

  // request() that expects `status`; throws api_error otherwise.
  boost::json::value expect(unsigned status, boost::beast::http::verb method,
                            std::string_view target, const boost::json::value* body = nullptr,
                            std::string_view token = {});

 private:
  http_answer send(const boost::beast::http::request<boost::beast::http::string_body>& req);
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct account {
  std::string token;
  std::int64_t user_id = 0;
  std::string username;
};

// POST /api/login; with `create`, POST /api/register first (an existing account is fine).
// Throws api_error with the server's reason ("Invalid credentials", ...).
account sign_in(rest_client& api, const std::string& username, const std::string& password,
                bool create);

}  // namespace examples
