// The proxies whose forwarding headers the server believes (server_options::trust_proxy), and the
// client address and scheme a request reports through them. Private to sio_engineio.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sio::engineio::detail {

class trusted_proxies {
 public:
  // Entries: an address ("10.0.0.1", "::1"), a CIDR range ("10.0.0.0/8", "fd00::/8"), or one of
  // "loopback", "linklocal", "uniquelocal". Throws std::invalid_argument on anything else.
  explicit trusted_proxies(const std::vector<std::string>& entries);

  bool empty() const noexcept { return ranges_.empty(); }
  bool contains(const boost::asio::ip::address& a) const noexcept;

  // The client's address: the TCP peer, or, when the peer is trusted, the right-most entry of
  // X-Forwarded-For (the joined values of every such header) that is not trusted itself (the
  // left-most entry when all are).
  std::string client_address(const boost::asio::ip::address& peer,
                             std::string_view forwarded_for) const;
  // True when the peer is trusted and the first value of X-Forwarded-Proto is "https".
  bool forwarded_secure(const boost::asio::ip::address& peer,
                        std::string_view forwarded_proto) const;

 private:
  // Every range in IPv6 form: IPv4 ones as IPv4-mapped addresses with the prefix length + 96.
  struct range {
    boost::asio::ip::address_v6::bytes_type net{};
    unsigned prefix = 0;
  };
  void add(std::string_view entry);
  void add_range(const boost::asio::ip::address& net, unsigned prefix);

  std::vector<range> ranges_;
};

}  // namespace sio::engineio::detail
