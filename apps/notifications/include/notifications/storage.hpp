// notifications::storage: the users' notifications, in the table `notifications` of the demo
// server's one database (apps::database, SQLite or PostgreSQL), beside the accounts and the other
// apps' tables. A user keeps at most max_per_user of them: an insert drops the oldest beyond.
//
// A notification may carry a key (a backend job's, UNIQUE): of several nodes inserting the same
// key, exactly one succeeds, and that one delivers it (apps/notifications/README.md).
//
// Thread-safety: every member may be called from any thread concurrently.
#pragma once

#include <notifications/rules.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace apps {
struct database;
}

namespace notifications {

struct new_notification {
  id_type user = 0;
  id_type sender = 0;  // 0: none
  content what;
  std::optional<std::string> key;
};

class storage {
 public:
  virtual ~storage() = default;

  // The stored notification (with its sender's username), or nullopt when its key is taken.
  virtual std::optional<notification_row> insert(const new_notification& n,
                                                 std::int64_t now_ms) = 0;
  // The user's newest unread notifications, newest first; at most `limit`.
  virtual std::vector<notification_row> unread(id_type user, std::size_t limit) = 0;
  virtual std::int64_t unread_count(id_type user) = 0;
  // The user's notifications older than `before` (an id; none: the newest), newest first.
  virtual std::vector<notification_row> page(id_type user, std::optional<id_type> before,
                                             std::size_t limit) = 0;
  // Marks these of the user's notifications read (others' ids are ignored); all of them when
  // `all`. Returns the ids that were unread, ascending.
  virtual std::vector<id_type> mark_read(id_type user, const std::vector<id_type>& ids,
                                         bool all) = 0;
};

// The table in `db`, created or migrated first (component "notifications" of the table
// schema_versions). Keeps a reference to `db`'s connection (SQLite) or pool (PostgreSQL). Throws
// std::runtime_error on failure.
std::unique_ptr<storage> open_storage(const apps::database& db);

}  // namespace notifications
