#include "pg_db.hpp"

#include <algorithm>
#include <cstdint>

namespace apps {
namespace {

// Advisory lock key (pg_advisory_xact_lock) of schema migrations; the chat's from before
// schema_versions, so that nodes of either kind starting together migrate one at a time.
constexpr std::int64_t migrate_lock = 0x73696f2d63686174;  // "sio-chat"

}  // namespace

bool is_postgres_url(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

std::string redact_url(std::string_view url) {
  // scheme://user:password@host... -> scheme://user:***@host...
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto start = scheme + 3;
  auto at = url.find('@', start);
  auto slash = url.find('/', start);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) {
    return std::string(url);
  }
  auto colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

pg_pool::pg_pool(std::string url, std::size_t size)
    : url_(std::move(url)), max_(std::max<std::size_t>(size, 1)) {
  idle_.push_back(connect());
  total_ = 1;
}

pg_pool::conn_ptr pg_pool::connect() const {
  try {
    return std::make_unique<pqxx::connection>(url_);
  } catch (const std::exception& e) {
    throw std::runtime_error("postgresql: cannot connect to " + redact_url(url_) + ": " + e.what());
  }
}

pg_pool::lease pg_pool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !idle_.empty() || total_ < max_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return lease(*this, std::move(c));
  }
  ++total_;
  lock.unlock();
  try {
    return lease(*this, connect());
  } catch (...) {
    release(nullptr);
    throw;
  }
}

void pg_pool::release(conn_ptr c) {
  {
    std::lock_guard lock(mu_);
    if (c && c->is_open()) {
      idle_.push_back(std::move(c));
    } else {
      --total_;
    }
  }
  cv_.notify_one();
}

void pg_pool::drop_idle() {
  std::vector<conn_ptr> dead;
  {
    std::lock_guard lock(mu_);
    dead.swap(idle_);
    total_ -= dead.size();
  }
  cv_.notify_all();
}

void pg_pool::lost(const pqxx::broken_connection& e) {
  throw std::runtime_error(std::string("postgresql: connection lost: ") + e.what());
}

int pg_legacy_chat_version(pqxx::work& t) {
  if (t.exec("SELECT to_regclass('schema_version') IS NULL")[0][0].as<bool>()) return 0;
  auto r = t.exec("SELECT version FROM schema_version");
  return r.empty() ? 0 : r[0][0].as<int>();
}

void migrate(pg_pool& db, const pg_schema& s) {
  const int latest = static_cast<int>(s.migrations.size());
  const std::string name(s.component);
  try {
    db.write([&](pqxx::connection& c) {
      pqxx::work t(c);
      t.exec_params("SELECT pg_advisory_xact_lock($1)", migrate_lock);
      t.exec(
          "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, "
          "version INTEGER NOT NULL)");
      auto r = t.exec_params("SELECT version FROM schema_versions WHERE component = $1", name);
      int version = 0;
      if (r.empty()) {
        // A component without a row yet starts from what the legacy scheme recorded.
        version = s.legacy_version ? s.legacy_version(t) : 0;
        t.exec_params("INSERT INTO schema_versions (component, version) VALUES ($1, $2)", name,
                      version);
      } else {
        version = r[0][0].as<int>();
      }
      if (version > latest) {
        throw std::runtime_error("postgresql: the " + name + " schema is version " +
                                 std::to_string(version) + ", newer than this build (" +
                                 std::to_string(latest) + ")");
      }
      for (int v = version; v < latest; ++v) t.exec(s.migrations[static_cast<std::size_t>(v)]);
      t.exec_params("UPDATE schema_versions SET version = $1 WHERE component = $2", latest, name);
      t.commit();
    });
  } catch (const pqxx::failure& e) {
    throw std::runtime_error(std::string("postgresql: ") + e.what());
  }
}

}  // namespace apps
