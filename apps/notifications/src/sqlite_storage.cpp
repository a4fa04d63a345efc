#include "backends.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace notifications {
namespace {

using apps::statement;

// migrations[i] brings the table from version i to i + 1 (component "notifications"). Append,
// never edit a shipped one.
constexpr std::array<const char*, 1> migrations = {
    R"sql(
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  sender_id INTEGER,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read INTEGER NOT NULL DEFAULT 0,
  key TEXT UNIQUE);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read, id);
)sql",
};

notification_row read_row(statement& s) {
  return {s.int64(0), s.int64(1), s.int64(2), s.text(3),      s.text(4),
          s.text(5),  s.text(6),  s.int64(7), s.int64(8) != 0};
}

std::vector<notification_row> read_rows(statement& s) {
  std::vector<notification_row> out;
  while (s.step()) out.push_back(read_row(s));
  return out;
}

class sqlite_storage final : public storage {
 public:
  explicit sqlite_storage(std::shared_ptr<apps::sqlite_db> db) : db_(std::move(db)) {
    apps::migrate(*db_, {"notifications", migrations, {}});
  }

  std::optional<notification_row> insert(const new_notification& n, std::int64_t now_ms) override {
    auto lock = db_->lock();
    std::optional<id_type> id;
    db_->transaction([&] {
      {
        statement s(*db_,
                    "INSERT INTO notifications (user_id, sender_id, title, body, url, created_at, "
                    "key) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, NULLIF(?, '')) "
                    "ON CONFLICT (key) DO NOTHING RETURNING id");
        s.bind(1, n.user).bind(2, n.sender).bind(3, n.what.title).bind(4, n.what.body);
        s.bind(5, n.what.url).bind(6, now_ms).bind(7, n.key.value_or(""));
        if (s.step()) id = s.int64(0);
        while (s.step()) {
        }
      }
      if (!id) return false;
      statement t(*db_, trim_sql_sqlite);
      t.bind(1, n.user).step();
      return true;
    });
    if (!id) return std::nullopt;
    statement s(*db_, std::string(select_rows) + "WHERE n.id = ?");
    s.bind(1, *id);
    if (!s.step()) return std::nullopt;
    return read_row(s);
  }

  std::vector<notification_row> unread(id_type user, std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_, std::string(select_rows) +
                          "WHERE n.user_id = ? AND n.read = 0 ORDER BY n.id DESC LIMIT ?");
    s.bind(1, user).bind(2, static_cast<std::int64_t>(limit));
    return read_rows(s);
  }

  std::int64_t unread_count(id_type user) override {
    auto lock = db_->lock();
    statement s(*db_, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read = 0");
    s.bind(1, user);
    return s.step() ? s.int64(0) : 0;
  }

  std::vector<notification_row> page(id_type user, std::optional<id_type> before,
                                     std::size_t limit) override {
    auto lock = db_->lock();
    statement s(*db_, std::string(select_rows) +
                          "WHERE n.user_id = ? AND n.id < ? ORDER BY n.id DESC LIMIT ?");
    s.bind(1, user).bind(2, before.value_or(INT64_MAX)).bind(3, static_cast<std::int64_t>(limit));
    return read_rows(s);
  }

  std::vector<id_type> mark_read(id_type user, const std::vector<id_type>& ids, bool all) override {
    std::vector<id_type> out;
    if (!all && ids.empty()) return out;
    auto lock = db_->lock();
    std::string sql = "UPDATE notifications SET read = 1 WHERE user_id = ? AND read = 0";
    if (!all) sql += " AND " + id_list(ids);
    statement s(*db_, sql + " RETURNING id");
    s.bind(1, user);
    while (s.step()) out.push_back(s.int64(0));
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::shared_ptr<apps::sqlite_db> db_;
};

}  // namespace

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db) {
  return std::make_unique<sqlite_storage>(std::move(db));
}

}  // namespace notifications
