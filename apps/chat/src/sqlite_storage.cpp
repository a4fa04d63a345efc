#include "sqlite_storage.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace chat {
namespace {

// migrations[i] brings the schema from PRAGMA user_version i to i + 1 (in one transaction).
// Append, never edit a shipped one. Databases from before user_version was kept have it at 1.
constexpr const char* migrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
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
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)sql",
    // Token versions (logout revokes the tokens issued so far).
    R"sql(
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
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
constexpr int schema_version = static_cast<int>(std::size(migrations));

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  std::string msg = "sqlite: ";
  msg += what;
  if (db) {
    msg += ": ";
    msg += sqlite3_errmsg(db);
  }
  throw std::runtime_error(msg);
}

// One prepared statement, finalized on scope exit.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      fail(db, "prepare");
    }
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  statement& bind(int i, std::string_view v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
  }
  // Runs a statement that may violate a UNIQUE constraint: false on that violation.
  bool step_unique() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
    if (rc == SQLITE_CONSTRAINT) return false;
    fail(db_, "step");
  }
  std::int64_t int64(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Creates an empty database file readable by its owner only (SQLite gives its -wal and -shm
// files the same mode); an existing file is left as it is.
void create_private(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw std::runtime_error("sqlite: cannot create " + path.string() + ": " +
                             std::generic_category().message(errno));
  }
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(const std::filesystem::path& path) {
    const std::string p = path.string();
    if (p != ":memory:" && path.has_parent_path()) {
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec)
        throw std::runtime_error("cannot create " + path.parent_path().string() + ": " +
                                 ec.message());
    }
    if (p != ":memory:") create_private(path);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(p.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite: cannot open " + p + ": " + msg);
    }
    try {
      sqlite3_busy_timeout(db_, 5000);
      if (p != ":memory:") exec("PRAGMA journal_mode = WAL");
      exec("PRAGMA synchronous = NORMAL");
      exec("PRAGMA foreign_keys = ON");
      migrate();
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~sqlite_storage() override { sqlite3_close(db_); }

  std::optional<user> create_user(std::string_view username, std::string_view password_hash,
                                  std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    statement s(db_, "INSERT INTO users (username, password_hash, created_ms) VALUES (?, ?, ?)");
    s.bind(1, username).bind(2, password_hash).bind(3, now_ms);
    if (!s.step_unique()) return std::nullopt;
    return user{sqlite3_last_insert_rowid(db_), std::string(username), std::string(password_hash),
                now_ms};
  }

  std::optional<user> find_user(std::string_view username) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "SELECT id, username, password_hash, created_ms, token_version FROM users "
                "WHERE username = ?");
    s.bind(1, username);
    return read_user(s);
  }

  std::optional<user> find_user(id_type id) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "SELECT id, username, password_hash, created_ms, token_version FROM users "
                "WHERE id = ?");
    s.bind(1, id);
    return read_user(s);
  }

  std::optional<std::int64_t> revoke_tokens(id_type user_id) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "UPDATE users SET token_version = token_version + 1 WHERE id = ? "
                "RETURNING token_version");
    s.bind(1, user_id);
    if (!s.step()) return std::nullopt;
    return s.int64(0);
  }

  std::optional<room> create_room(std::string_view name, bool is_private, id_type creator,
                                  std::span<const id_type> members, std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    exec("BEGIN IMMEDIATE");
    try {
      statement s(
          db_, "INSERT INTO rooms (name, is_private, created_by, created_ms) VALUES (?, ?, ?, ?)");
      s.bind(1, name).bind(2, is_private ? 1 : 0).bind(3, creator).bind(4, now_ms);
      if (!s.step_unique()) {
        exec("ROLLBACK");
        return std::nullopt;
      }
      room r{sqlite3_last_insert_rowid(db_), std::string(name), is_private, creator, now_ms};
      auto add = [&](id_type uid) {
        statement m(db_, "INSERT OR IGNORE INTO room_members (room_id, user_id) VALUES (?, ?)");
        m.bind(1, r.id).bind(2, uid);
        m.step();
      };
      if (creator > 0) add(creator);
      for (id_type uid : members) add(uid);
      exec("COMMIT");
      return r;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::optional<room> find_room(id_type id) override {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT id, name, is_private, created_by, created_ms FROM rooms WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_room(s);
  }

  std::vector<room> visible_rooms(id_type user_id, id_type after, std::size_t limit) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "SELECT id, name, is_private, created_by, created_ms FROM rooms WHERE id > ? AND "
                "(is_private = 0 OR id IN (SELECT room_id FROM room_members WHERE user_id = ?)) "
                "ORDER BY id LIMIT ?");
    s.bind(1, after).bind(2, user_id).bind(3, clamp_limit(limit));
    std::vector<room> out;
    while (s.step()) out.push_back(read_room(s));
    return out;
  }

  bool is_member(id_type room_id, id_type user_id) override {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?");
    s.bind(1, room_id).bind(2, user_id);
    return s.step();
  }

  bool leave_room(id_type room_id, id_type user_id) override {
    std::lock_guard lock(mutex_);
    statement s(db_, "DELETE FROM room_members WHERE room_id = ? AND user_id = ?");
    s.bind(1, room_id).bind(2, user_id);
    s.step();
    return sqlite3_changes(db_) > 0;
  }

  std::vector<id_type> room_members(id_type room_id) override {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT user_id FROM room_members WHERE room_id = ? ORDER BY user_id");
    s.bind(1, room_id);
    std::vector<id_type> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
  }

  std::size_t room_count() override {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT COUNT(*) FROM rooms");
    s.step();
    return static_cast<std::size_t>(s.int64(0));
  }

  message add_message(id_type room_id, id_type user_id, std::string_view text,
                      std::int64_t now_ms) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
                "INSERT INTO messages (room_id, user_id, body, created_ms) VALUES (?, ?, ?, ?)");
    s.bind(1, room_id).bind(2, user_id).bind(3, text).bind(4, now_ms);
    s.step();
    message m{sqlite3_last_insert_rowid(db_), room_id, user_id, {}, std::string(text), now_ms};
    statement u(db_, "SELECT username FROM users WHERE id = ?");
    u.bind(1, user_id);
    if (u.step()) m.username = u.text(0);
    return m;
  }

  std::vector<message> messages(id_type room_id, std::size_t limit,
                                std::optional<id_type> before) override {
    std::lock_guard lock(mutex_);
    statement s(db_,
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

  std::optional<std::string> setting(std::string_view key) override {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT value FROM settings WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  std::string setting_or_insert(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mutex_);
    {
      statement s(db_, "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)");
      s.bind(1, key).bind(2, value);
      s.step();
    }
    statement s(db_, "SELECT value FROM settings WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) fail(db_, "settings");
    return s.text(0);
  }

 private:
  static std::int64_t clamp_limit(std::size_t limit) {
    return static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX));
  }
  // Applies the migrations the database lacks, each with its version bump, atomically.
  void migrate() {
    int version = 0;
    {
      statement s(db_, "PRAGMA user_version");
      if (s.step()) version = static_cast<int>(s.int64(0));
    }
    if (version > schema_version) {
      throw std::runtime_error("sqlite: the database schema is version " + std::to_string(version) +
                               ", newer than this sio-chat (" + std::to_string(schema_version) +
                               ")");
    }
    for (int v = version; v < schema_version; ++v) {
      exec("BEGIN IMMEDIATE");
      try {
        exec(migrations[v]);
        exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
        exec("COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error("sqlite: " + msg);
    }
  }
  static std::optional<user> read_user(statement& s) {
    if (!s.step()) return std::nullopt;
    return user{s.int64(0), s.text(1), s.text(2), s.int64(3), s.int64(4)};
  }
  static room read_room(statement& s) {
    return room{s.int64(0), s.text(1), s.int64(2) != 0, s.int64(3), s.int64(4)};
  }

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<storage> open_sqlite_storage(const std::filesystem::path& path) {
  return std::make_unique<sqlite_storage>(path);
}

}  // namespace chat
