#include "presence.hpp"

namespace chat {

bool presence::join(std::string_view sid, id_type user, id_type room) {
  std::lock_guard lock(mu_);
  auto& set = sockets_[std::string(sid)];
  if (!set.insert(room).second) return false;
  ++rooms_[room][user];
  return true;
}

bool presence::leave(std::string_view sid, id_type user, id_type room) {
  std::lock_guard lock(mu_);
  auto it = sockets_.find(std::string(sid));
  if (it == sockets_.end() || it->second.erase(room) == 0) return false;
  if (it->second.empty()) sockets_.erase(it);
  auto r = rooms_.find(room);
  if (r != rooms_.end()) {
    auto u = r->second.find(user);
    if (u != r->second.end() && --u->second == 0) r->second.erase(u);
    if (r->second.empty()) rooms_.erase(r);
  }
  return true;
}

std::vector<id_type> presence::leave_all(std::string_view sid, id_type user) {
  std::vector<id_type> left;
  {
    std::lock_guard lock(mu_);
    auto it = sockets_.find(std::string(sid));
    if (it == sockets_.end()) return left;
    left.assign(it->second.begin(), it->second.end());
  }
  for (auto room : left) leave(sid, user, room);
  return left;
}

bool presence::joined(std::string_view sid, id_type room) const {
  std::lock_guard lock(mu_);
  auto it = sockets_.find(std::string(sid));
  return it != sockets_.end() && it->second.contains(room);
}

std::size_t presence::online(id_type room) const {
  std::lock_guard lock(mu_);
  auto r = rooms_.find(room);
  return r == rooms_.end() ? 0 : r->second.size();
}

}  // namespace chat
