// A transport-neutral HTTP reply: the REST API and the static file server produce these, and
// http_glue turns them into Beast responses. Keeps the app logic testable without a socket.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace apps {

struct reply {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie, ...)
};

}  // namespace apps
