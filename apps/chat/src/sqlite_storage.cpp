#include "sqlite_storage.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <string>

namespace apps::chat {
namespace {

// migrations[i] brings the chat's tables from version i to i + 1. Append, never edit a shipped
// one. The users are the accounts' (component "accounts").
constexpr std::array<const char*, 2> migrations = {
    R"sql(
CREATE TABLE IF NOT EXISTS rooms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  is_private INTEGER NOT NULL,
  created_by INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS room_members (
  room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (room_id, user_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_room ON messages (room_id, id);
)sql",
    // Room names unique case-insensitively: a later room named like an earlier one gets its id
    // appended ("general (7)"); a second pass does it again where that clashed with a room
    // already named so.
    R"sql(
UPDATE rooms SET name = name || ' (' || id || ')' WHERE EXISTS (
  SELECT 1 FROM rooms AS earlier WHERE earlier.name = rooms.name COLLATE NOCASE
  AND earlier.id < rooms.id);
UPDATE rooms SET name = name || ' (' || id || ')' WHERE EXISTS (
  SELECT 1 FROM rooms AS earlier WHERE earlier.name = rooms.name COLLATE NOCASE
  AND earlier.id < rooms.id);
CREATE UNIQUE INDEX rooms_name_nocase ON rooms (name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS room_members_by_user ON room_members (user_id);
)sql",
};

// Before schema_versions the chat kept PRAGMA user_version for the accounts and its tables
// together: 1 and 2 had the tables of the chat's version 1, 3 added unique room names.
int legacy_version(sqlite_db& db) {
  const int v = user_version(db);
  return v >= 3 ? 2 : v >= 1 ? 1 : 0;
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(std::shared_ptr<sqlite_db> db) : db_(std::move(db)) {
    migrate(*db_, {"chat", migrations, legacy_version});
  }

  std::optional<room> create_room(std::string_view name, bool is_private, id_type creator,
                                  std::span<const id_type> members, std::int64_t now_ms) override {
    auto lock = db_->lock();
    std::optional<room> r;
    db_->transaction([&] {
      statement s(
          *db_, "INSERT INTO rooms (name, is_private, created_by, created_ms) VALUES (?, ?, ?, ?)");
      s.bind(1, name).bind(2, is_private ? 1 : 0).bind(3, creator).bind(4, now_ms);
      if (!s.step_unique()) return false;
      r = room{db_->last_insert_rowid(), std::string(name), is_private, creator, now_ms};
      auto add = [&](id_type uid) {
        statement m(*db_, "INSERT OR IGNORE INTO room_members (room_id, user_id) VALUES (?, ?)");
        m.bind(1, r->id).bind(2, uid);
        m.step();
      };
      if (creator > 0) add(creator);
      for (id_type uid : members) add(uid);
      return true;
    });
    return r;
  }

  std::optional<room> find_room(id_type id) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT id, name, is_private, created_by, created_ms FROM rooms WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_room(s);
  }

  std::vector<room> visible_rooms(id_type user_id, id_type after, std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT id, name, is_private, created_by, created_ms FROM rooms WHERE id > ? AND "
                "(is_private = 0 OR id IN (SELECT room_id FROM room_members WHERE user_id = ?)) "
                "ORDER BY id LIMIT ?");
    s.bind(1, after).bind(2, user_id).bind(3, clamp_limit(limit));
    std::vector<room> out;
    while (s.step()) out.push_back(read_room(s));
    return out;
  }

  bool is_member(id_type room_id, id_type user_id) override {
    auto lock = db_->lock();
    statement s(*db_, "SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?");
    s.bind(1, room_id).bind(2, user_id);
    return s.step();
  }

  bool leave_room(id_type room_id, id_type user_id) override {
    auto lock = db_->lock();
    statement s(*db_, "DELETE FROM room_members WHERE room_id = ? AND user_id = ?");
    s.bind(1, room_id).bind(2, user_id);
    s.step();
    return db_->changes() > 0;
  }

  std::vector<id_type> room_members(id_type room_id) override {
    auto lock = db_->lock();
    statement s(*db_, "SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id");
    s.bind(1, room_id);
    std::vector<id_type> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
  }

  std::size_t room_count() override {
    auto lock = db_->lock();
    statement s(*db_, "SELECT COUNT(*) FROM rooms");
    s.step();
    return static_cast<std::size_t>(s.int64(0));
  }

  message add_message(id_type room_id, id_type user_id, std::string_view text,
                      std::int64_t now_ms) override {
    auto lock = db_->lock();
    statement s(*db_,
                "INSERT INTO messages (room_id, user_id, body, created_ms) VALUES (?, ?, ?, ?)");
    s.bind(1, room_id).bind(2, user_id).bind(3, text).bind(4, now_ms);
    s.step();
    message m{db_->last_insert_rowid(), room_id, user_id, {}, std::string(text), now_ms};
    statement u(*db_, "SELECT username FROM users WHERE id = ?");
    u.bind(1, user_id);
    if (u.step()) m.username = u.text(0);
    return m;
  }

  std::vector<message> messages(id_type room_id, std::size_t limit,
                                std::optional<id_type> before) override {
    auto lock = db_->lock();
    statement s(*db_,
                "SELECT m.id, m.room_id, m.user_id, u.username, m.body, m.created_ms "
                "FROM messages m JOIN users u ON u.id = m.user_id "
                "WHERE m.room_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?");
    s.bind(1, room_id).bind(2, before.value_or(INT64_MAX)).bind(3, clamp_limit(limit));
    std::vector<message> out;
    while (s.step()) {
      out.push_back(message{s.int64(0), s.int64(1), s.int64(2), s.text(3), s.text(4), s.int64(5)});
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  static std::int64_t clamp_limit(std::size_t limit) {
    return static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX));
  }
  static room read_room(statement& s) {
    return room{s.int64(0), s.text(1), s.int64(2) != 0, s.int64(3), s.int64(4)};
  }

  std::shared_ptr<sqlite_db> db_;
};

}  // namespace

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<sqlite_db> db) {
  return std::make_unique<sqlite_storage>(std::move(db));
}

}  // namespace apps::chat
