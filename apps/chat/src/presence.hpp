// chat::presence: which chat rooms each socket has joined and how many distinct users are in
// each room (one user may have several tabs). Pure bookkeeping, no I/O.
//
// Thread-safety: every member may be called from any thread (one mutex around map work).
#pragma once

#include "storage.hpp"

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace apps::chat {

class presence {
 public:
  // What a join or leave changed: the socket's rooms (false: it already had / had not joined),
  // and whether the user came or went (their first socket joined / their last left), which is
  // when the room's count of users changes.
  struct change {
    bool socket = false;
    bool user = false;
    explicit operator bool() const noexcept { return socket; }
  };
  // Records that socket `sid` of `user` joined `room`.
  change join(std::string_view sid, id_type user, id_type room);
  // Records that it left.
  change leave(std::string_view sid, id_type user, id_type room);
  // Forgets the socket; returns the rooms the user has left with it (their last socket there).
  std::vector<id_type> leave_all(std::string_view sid, id_type user);
  bool joined(std::string_view sid, id_type room) const;
  // Distinct users with at least one socket in `room`, and who they are.
  std::size_t online(id_type room) const;
  std::vector<id_type> users(id_type room) const;

 private:
  mutable std::mutex mu_;
  std::map<id_type, std::map<id_type, std::size_t>> rooms_;     // room -> user -> socket count
  std::unordered_map<std::string, std::set<id_type>> sockets_;  // sid -> rooms
};

}  // namespace apps::chat
