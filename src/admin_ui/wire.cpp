#include <sio/admin_ui/wire.hpp>

#include <crypt.h>

#include <algorithm>
#include <memory>

namespace sio::admin_ui {

namespace {

bool is_bcrypt(std::string_view h) {
  return h.size() == 60 &&
         (h.starts_with("$2a$") || h.starts_with("$2b$") || h.starts_with("$2y$"));
}

// Equal strings, in a time that does not depend on where they differ.
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

boost::json::object table_object(const engineio::string_table& t,
                                 std::span<const std::string> hidden = {}) {
  boost::json::object o;
  for (auto [name, value] : t) {
    if (std::ranges::find(hidden, name) == hidden.end()) o[name] = value;
  }
  return o;
}

std::string_view client_address(const handshake_info& h) {
  for (std::string_view header : {"cf-connecting-ip", "x-forwarded-for"}) {
    if (auto it = h.headers().find(header); it != h.headers().end()) return (*it).second;
  }
  return h.address();
}

boost::json::object serialize_handshake(const handshake_info& h,
                                        std::span<const std::string> hidden) {
  return {{"address", client_address(h)},
          {"headers", table_object(h.headers(), hidden)},
          {"query", table_object(h.query())},
          {"issued", h.issued()},
          {"secure", h.secure()},
          {"time", h.time()},
          {"url", h.url()},
          {"xdomain", h.xdomain()}};
}

}  // namespace

bool check_password(std::string_view password, std::string_view bcrypt_hash) {
  if (password.empty() || !is_bcrypt(bcrypt_hash)) return false;
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password), setting(bcrypt_hash);
  const char* out = crypt_r(phrase.c_str(), setting.c_str(), data.get());
  return out != nullptr && out[0] != '*' && same(out, bcrypt_hash);
}

boost::json::object serialize_socket(const socket_info& s,
                                     std::span<const std::string> hidden_headers) {
  boost::json::object data = s.data;
  boost::json::value admin;
  if (auto it = data.find(admin_data_key); it != data.end()) {
    admin = it->value();
    data.erase(it);
  }
  boost::json::array rooms(s.rooms.begin(), s.rooms.end());
  boost::json::object out{{"id", s.id},
                          {"nsp", s.nsp},
                          {"data", std::move(data)},
                          {"handshake", serialize_handshake(s.handshake, hidden_headers)},
                          {"rooms", std::move(rooms)}};
  if (auto* a = admin.if_object()) {
    if (auto* c = a->if_contains("clientId")) out["clientId"] = *c;
    if (auto* t = a->if_contains("transport")) out["transport"] = *t;
  }
  return out;
}

boost::json::object serialize_stats(const server_stats& s) {
  boost::json::array namespaces;
  for (const auto& n : s.namespaces)
    namespaces.push_back(boost::json::object{{"name", n.name}, {"socketsCount", n.sockets}});
  return {{"serverId", s.server_id},
          {"hostname", s.hostname},
          {"pid", s.pid},
          {"uptime", s.uptime_seconds},
          {"clientsCount", s.clients},
          {"pollingClientsCount", s.polling_clients},
          {"aggregatedEvents", s.aggregated_events},
          {"namespaces", std::move(namespaces)}};
}

void event_buffer::push(std::string_view type, std::string_view sub_type, std::int64_t now_ms,
                        std::uint64_t count) {
  const std::int64_t second = now_ms - now_ms % 1000;
  counts_[{second, std::string(type), std::string(sub_type)}] += count;
}

boost::json::array event_buffer::take() {
  boost::json::array out;
  for (const auto& [key, count] : counts_) {
    const auto& [timestamp, type, sub_type] = key;
    boost::json::object e{{"timestamp", timestamp}, {"type", type}, {"count", count}};
    if (!sub_type.empty()) e["subType"] = sub_type;
    out.push_back(std::move(e));
  }
  counts_.clear();
  return out;
}

}  // namespace sio::admin_ui
