// Server URLs of the client: http, https, ws and wss, as socket.io-client's url() reads them.
#include "engine.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cctype>
#include <stdexcept>
#include <string>

namespace sio::client::detail {

namespace {

bool starts_with_scheme(std::string_view s) {
  for (std::string_view scheme : {"http://", "https://", "ws://", "wss://"}) {
    if (s.size() >= scheme.size()) {
      bool same = true;
      for (std::size_t i = 0; i < scheme.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(s[i])) == scheme[i];
      if (same) return true;
    }
  }
  return false;
}

[[noreturn]] void invalid(std::string_view url, std::string_view why) {
  throw std::invalid_argument("invalid server URL \"" + std::string(url) +
                              "\": " + std::string(why));
}

}  // namespace

server_url parse_url(std::string_view url) {
  // Without a scheme the JavaScript client (outside a browser) assumes https.
  std::string text(url);
  if (text.starts_with("//"))
    text = "https:" + text;
  else if (!starts_with_scheme(text))
    text = "https://" + text;
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) invalid(url, parsed.error().message());
  const boost::urls::url_view& u = *parsed;
  server_url out;
  const auto scheme = u.scheme_id();
  if (scheme == boost::urls::scheme::https || scheme == boost::urls::scheme::wss)
    out.secure = true;
  else if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::ws)
    invalid(url, "the scheme must be http, https, ws or wss");
  out.host = u.host_address();  // an IPv6 address without its brackets
  if (out.host.empty()) invalid(url, "no host");
  if (u.has_port()) {
    const auto port = u.port();
    unsigned long value = 0;
    if (port.empty() || port.size() > 5) invalid(url, "bad port");
    for (char c : port) value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value == 0 || value > 65535) invalid(url, "bad port");
    out.port = static_cast<std::uint16_t>(value);
  } else {
    out.port = out.secure ? 443 : 80;
  }
  out.path = u.encoded_path();
  out.query = u.encoded_query();
  return out;
}

}  // namespace sio::client::detail
