#include "trusted_proxies.hpp"

#include "http_text.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace sio::engineio::detail {
namespace {

namespace ip = boost::asio::ip;

// Both families in one form: IPv4 as IPv4-mapped IPv6.
ip::address_v6::bytes_type v6_bytes(const ip::address& a) noexcept {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

bool prefix_matches(const ip::address_v6::bytes_type& a, const ip::address_v6::bytes_type& net,
                    unsigned prefix) noexcept {
  std::size_t i = 0;
  for (; prefix >= 8; prefix -= 8, ++i)
    if (a[i] != net[i]) return false;
  if (prefix == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - prefix));
  return (a[i] & mask) == net[i];
}

std::invalid_argument bad_entry(std::string_view entry) {
  return std::invalid_argument("trust_proxy: \"" + std::string(entry) +
                               "\" is not an IP address, a CIDR range, \"loopback\", "
                               "\"linklocal\" or \"uniquelocal\"");
}

}  // namespace

trusted_proxies::trusted_proxies(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    if (e == "loopback") {
      add("127.0.0.0/8");
      add("::1");
    } else if (e == "linklocal") {
      add("169.254.0.0/16");
      add("fe80::/10");
    } else if (e == "uniquelocal") {
      add("10.0.0.0/8");
      add("172.16.0.0/12");
      add("192.168.0.0/16");
      add("fc00::/7");
    } else {
      add(e);
    }
  }
}

void trusted_proxies::add(std::string_view entry) {
  const auto slash = entry.find('/');
  boost::system::error_code ec;
  const auto net = ip::make_address(std::string(entry.substr(0, slash)), ec);
  if (ec) throw bad_entry(entry);
  const unsigned max_prefix = net.is_v4() ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = entry.substr(slash + 1);
    const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || err != std::errc{} || end != digits.data() + digits.size() ||
        prefix > max_prefix)
      throw bad_entry(entry);
  }
  add_range(net, prefix);
}

void trusted_proxies::add_range(const ip::address& net, unsigned prefix) {
  range r{v6_bytes(net), net.is_v4() ? prefix + 96 : prefix};
  // Host bits cleared: "10.1.2.3/8" is the range 10.0.0.0/8.
  for (std::size_t i = 0; i < r.net.size(); ++i) {
    const unsigned first_bit = static_cast<unsigned>(i) * 8;
    if (first_bit >= r.prefix) {
      r.net[i] = 0;
    } else if (r.prefix - first_bit < 8) {
      r.net[i] &= static_cast<unsigned char>(0xFF << (8 - (r.prefix - first_bit)));
    }
  }
  ranges_.push_back(r);
}

bool trusted_proxies::contains(const ip::address& a) const noexcept {
  const auto bytes = v6_bytes(a);
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const range& r) { return prefix_matches(bytes, r.net, r.prefix); });
}

std::string trusted_proxies::client_address(const ip::address& peer,
                                            std::string_view forwarded_for) const {
  std::string address = peer.to_string();
  if (!contains(peer)) return address;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const auto item = trim_ows(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (item.empty()) continue;
    boost::system::error_code ec;
    const auto hop = ip::make_address(std::string(item), ec);
    if (ec) return std::string(item);  // not an address: untrusted, so it is the client's
    address = hop.to_string();
    if (!contains(hop)) break;
  }
  return address;
}

bool trusted_proxies::forwarded_secure(const ip::address& peer,
                                       std::string_view forwarded_proto) const {
  if (forwarded_proto.empty() || !contains(peer)) return false;
  return boost::beast::iequals(trim_ows(forwarded_proto.substr(0, forwarded_proto.find(','))),
                               "https");
}

}  // namespace sio::engineio::detail
