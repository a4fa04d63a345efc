// The notifications' storage on each backend of apps::database; open_storage() picks one.
#pragma once

#include "pg_db.hpp"
#include "sqlite_db.hpp"

#include <notifications/storage.hpp>

#include <memory>
#include <string>
#include <vector>

namespace notifications {

std::unique_ptr<storage> open_sqlite_storage(std::shared_ptr<apps::sqlite_db> db);
std::unique_ptr<storage> open_pg_storage(std::shared_ptr<apps::pg_pool> db);

// SELECT of notification_row's columns in its order (the sender's username from the accounts),
// from "notifications n"; the caller appends WHERE ... ORDER BY ... LIMIT.
inline constexpr const char* select_rows =
    "SELECT n.id, n.user_id, COALESCE(n.sender_id, 0), COALESCE(u.username, ''), n.title, n.body, "
    "n.url, n.created_at, n.read FROM notifications n LEFT JOIN users u ON u.id = n.sender_id ";

// Deletes the user's notifications beyond the newest max_per_user ($1 / ?1: the user).
inline constexpr const char* trim_sql_pg =
    "DELETE FROM notifications WHERE user_id = $1 AND id <= (SELECT id FROM notifications "
    "WHERE user_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 200)";
inline constexpr const char* trim_sql_sqlite =
    "DELETE FROM notifications WHERE user_id = ?1 AND id <= (SELECT id FROM notifications "
    "WHERE user_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET 200)";
static_assert(max_per_user == 200, "the trim statements keep 200");

// "id IN (1,2,3)" for the ids (integers).
std::string id_list(const std::vector<id_type>& ids);

}  // namespace notifications
