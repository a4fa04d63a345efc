#include "cluster_client_map.hpp"

#include <sio/redis/cluster_client.hpp>

#include <array>
#include <charconv>

namespace sio::redis {

namespace {

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as the Redis Cluster specification.
constexpr std::array<std::uint16_t, 256> crc16_table = [] {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    std::uint16_t crc = static_cast<std::uint16_t>(i << 8);
    for (int b = 0; b < 8; ++b)
      crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    t[i] = crc;
  }
  return t;
}();

std::uint16_t crc16(std::string_view s) noexcept {
  std::uint16_t crc = 0;
  for (unsigned char c : s)
    crc = static_cast<std::uint16_t>((crc << 8) ^ crc16_table[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

}  // namespace

std::uint16_t hash_slot(std::string_view key) noexcept {
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  return static_cast<std::uint16_t>(crc16(key) % detail::slot_count);
}

namespace detail {

std::string node_address(std::string_view host, std::uint16_t port) {
  std::string out(host);
  out += ':';
  out += std::to_string(port);
  return out;
}

std::optional<std::pair<std::string, std::uint16_t>> split_address(std::string_view addr) {
  const auto colon = addr.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port = addr.substr(colon + 1);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535)
    return std::nullopt;
  auto host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return std::pair{std::string(host), static_cast<std::uint16_t>(v)};
}

namespace {

// [host, port, id, ...] of CLUSTER SLOTS as host:port.
std::optional<std::string> slots_node(const reply& r, std::string_view asked_host) {
  if (r.type != reply::kind::array || r.elements.size() < 2) return std::nullopt;
  const auto& host = r.elements[0];
  const auto& port = r.elements[1];
  if (host.type != reply::kind::string || port.type != reply::kind::integer || port.integer <= 0 ||
      port.integer > 65535)
    return std::nullopt;
  const bool unknown = host.str.empty() || host.str == "?";
  return node_address(unknown ? asked_host : std::string_view(host.str),
                      static_cast<std::uint16_t>(port.integer));
}

}  // namespace

std::optional<std::vector<slot_range>> parse_cluster_slots(const reply& r,
                                                           std::string_view asked_host) {
  if (r.type != reply::kind::array) return std::nullopt;
  std::vector<slot_range> out;
  for (const auto& e : r.elements) {
    if (e.type != reply::kind::array || e.elements.size() < 3) return std::nullopt;
    const auto& first = e.elements[0];
    const auto& last = e.elements[1];
    if (first.type != reply::kind::integer || last.type != reply::kind::integer ||
        first.integer < 0 || last.integer < first.integer ||
        last.integer >= static_cast<std::int64_t>(slot_count))
      return std::nullopt;
    auto primary = slots_node(e.elements[2], asked_host);
    if (!primary) return std::nullopt;
    slot_range range{static_cast<std::uint16_t>(first.integer),
                     static_cast<std::uint16_t>(last.integer),
                     std::move(*primary),
                     {}};
    for (std::size_t i = 3; i < e.elements.size(); ++i) {
      if (auto replica = slots_node(e.elements[i], asked_host))
        range.replicas.push_back(std::move(*replica));
    }
    out.push_back(std::move(range));
  }
  return out;
}

std::optional<redirection> parse_redirection(std::string_view error, std::string_view asked_host) {
  redirection out;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    out.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  unsigned slot = 0;
  auto [p, ec] = std::from_chars(error.data(), error.data() + space, slot);
  if (ec != std::errc() || p != error.data() + space || slot >= slot_count) return std::nullopt;
  out.slot = static_cast<std::uint16_t>(slot);
  auto addr = split_address(error.substr(space + 1));
  if (!addr) return std::nullopt;
  out.address = node_address(addr->first.empty() ? asked_host : addr->first, addr->second);
  return out;
}

bool is_transient_cluster_error(std::string_view error) {
  return error.starts_with("TRYAGAIN") || error.starts_with("CLUSTERDOWN") ||
         error.starts_with("LOADING") || error.starts_with("MASTERDOWN");
}

}  // namespace detail

}  // namespace sio::redis
