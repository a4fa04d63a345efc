#include "presence.hpp"

namespace apps::chat {

presence::change presence::join(std::string_view sid, id_type user, id_type room) {
  std::lock_guard lock(mu_);
  auto& set = sockets_[std::string(sid)];
  if (!set.insert(room).second) return {};
  return {true, ++rooms_[room][user] == 1};
}

presence::change presence::leave(std::string_view sid, id_type user, id_type room) {
  std::lock_guard lock(mu_);
  auto it = sockets_.find(std::string(sid));
  if (it == sockets_.end() || it->second.erase(room) == 0) return {};
  if (it->second.empty()) sockets_.erase(it);
  change c{true, false};
  auto r = rooms_.find(room);
  if (r != rooms_.end()) {
    auto u = r->second.find(user);
    if (u != r->second.end() && --u->second == 0) {
      r->second.erase(u);
      c.user = true;
    }
    if (r->second.empty()) rooms_.erase(r);
  }
  return c;
}

std::vector<id_type> presence::leave_all(std::string_view sid, id_type user) {
  std::vector<id_type> joined;
  {
    std::lock_guard lock(mu_);
    auto it = sockets_.find(std::string(sid));
    if (it == sockets_.end()) return joined;
    joined.assign(it->second.begin(), it->second.end());
  }
  std::vector<id_type> left;
  for (auto room : joined) {
    if (leave(sid, user, room).user) left.push_back(room);
  }
  return left;
}

bool presence::joined(std::string_view sid, id_type room) const {
  std::lock_guard lock(mu_);
  auto it = sockets_.find(std::string(sid));
  return it != sockets_.end() && it->second.contains(room);
}

std::vector<id_type> presence::users(id_type room) const {
  std::lock_guard lock(mu_);
  std::vector<id_type> out;
  if (auto r = rooms_.find(room); r != rooms_.end()) {
    for (const auto& [user, sockets] : r->second) out.push_back(user);
  }
  return out;
}

std::size_t presence::online(id_type room) const {
  std::lock_guard lock(mu_);
  auto r = rooms_.find(room);
  return r == rooms_.end() ? 0 : r->second.size();
}

}  // namespace apps::chat
