// chat::storage: the persistence of the chat (rooms, memberships, messages), the component "chat"
// of the demo server's database; the users are the shared accounts (apps::accounts). SQLite
// (sqlite_storage.hpp) and PostgreSQL (pg_storage.hpp, for several servers sharing one database)
// implement it.
//
// Thread-safety: every member function may be called from any thread concurrently.
#pragma once

#include "accounts.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace apps::chat {

struct room {
  id_type id = 0;
  std::string name;
  bool is_private = false;
  id_type created_by = 0;  // 0: created by the server (the seeded room)
  std::int64_t created_ms = 0;
};

struct message {
  id_type id = 0;
  id_type room_id = 0;
  id_type user_id = 0;
  std::string username;
  std::string text;
  std::int64_t created_ms = 0;
};

class storage {
 public:
  virtual ~storage() = default;

  // Creates the room and its memberships (creator included) atomically; nullopt when a room of
  // that name exists (names are unique case-insensitively).
  virtual std::optional<room> create_room(std::string_view name, bool is_private, id_type creator,
                                          std::span<const id_type> members,
                                          std::int64_t now_ms) = 0;
  virtual std::optional<room> find_room(id_type id) = 0;
  // Public rooms and the private rooms `user_id` belongs to with an id greater than `after`,
  // ordered by id, at most `limit` of them.
  virtual std::vector<room> visible_rooms(id_type user_id, id_type after, std::size_t limit) = 0;
  virtual bool is_member(id_type room_id, id_type user_id) = 0;
  // Removes `user_id` from the members of the room; false when it was not one.
  virtual bool leave_room(id_type room_id, id_type user_id) = 0;
  virtual std::vector<id_type> room_members(id_type room_id) = 0;
  virtual std::size_t room_count() = 0;
  // Creates the public room `name` when the database has no room at all (a new database); true
  // when it did. Backends shared by several servers make this atomic across them.
  virtual bool seed_room(std::string_view name, std::int64_t now_ms) {
    if (room_count() != 0) return false;
    create_room(name, false, 0, {}, now_ms);
    return true;
  }

  virtual message add_message(id_type room_id, id_type user_id, std::string_view text,
                              std::int64_t now_ms) = 0;
  // The `limit` newest messages of the room with id < before (all when before is nullopt),
  // returned oldest first.
  virtual std::vector<message> messages(id_type room_id, std::size_t limit,
                                        std::optional<id_type> before) = 0;
};

// The chat's storage in `db` (SQLite or PostgreSQL), its tables created or migrated first
// (component "chat"; open the accounts before: messages refer to users). Throws
// std::runtime_error.
std::unique_ptr<storage> open_storage(const database& db);

}  // namespace apps::chat
