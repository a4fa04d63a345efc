// apps::pg_pool: a PostgreSQL database (libpqxx) shared by the accounts and every app's storage,
// for several nodes sharing one database: a small pool of connections, read/write helpers that
// survive a server restart, and per-component schema migrations (table schema_versions, under an
// advisory lock so that nodes starting together migrate once).
//
// Thread-safety: every member may be called from any thread. A connection that broke (PostgreSQL
// restarted) is dropped with every idle one and replaced on the next call; a read that hit a
// broken connection is retried once on a fresh one, a write is not (it fails: it may have been
// applied).
#pragma once

#include <pqxx/pqxx>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace apps {

// True for a postgresql:// or postgres:// URL (what --db takes to select PostgreSQL).
bool is_postgres_url(std::string_view db);

// `url` with its password replaced by "***" (for logs and error messages).
std::string redact_url(std::string_view url);

class pg_pool {
 public:
  // Connects once to `url` (a libpq URI); throws std::runtime_error when the server is
  // unreachable or the credentials are refused. At most `size` connections (at least 1).
  pg_pool(std::string url, std::size_t size = 4);

  // Runs f(pqxx::connection&) on a pooled connection; a broken connection is retried once.
  template <class F>
  std::invoke_result_t<F&, pqxx::connection&> read(F&& f) {
    return run(std::forward<F>(f), true);
  }
  // The same, never retried.
  template <class F>
  std::invoke_result_t<F&, pqxx::connection&> write(F&& f) {
    return run(std::forward<F>(f), false);
  }

 private:
  using conn_ptr = std::unique_ptr<pqxx::connection>;

  // A pooled connection, returned on scope exit unless dropped.
  class lease {
   public:
    lease(pg_pool& p, conn_ptr c) : pool_(p), c_(std::move(c)) {}
    ~lease() { pool_.release(std::move(c_)); }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    pqxx::connection& operator*() const { return *c_; }
    void drop() { c_.reset(); }

   private:
    pg_pool& pool_;
    conn_ptr c_;
  };

  conn_ptr connect() const;
  lease acquire();
  // Returns a connection to the pool (nullptr: it was dropped, a new one may be opened).
  void release(conn_ptr c);
  void drop_idle();
  [[noreturn]] static void lost(const pqxx::broken_connection& e);

  template <class F>
  std::invoke_result_t<F&, pqxx::connection&> run(F&& f, bool retry) {
    for (int attempt = 0;; ++attempt) {
      auto c = acquire();
      try {
        return f(*c);
      } catch (const pqxx::broken_connection& e) {
        c.drop();
        drop_idle();  // the server probably restarted: the idle connections are dead too
        if (!retry || attempt > 0) lost(e);
      }
    }
  }

  const std::string url_;
  const std::size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<conn_ptr> idle_;
  std::size_t total_ = 0;  // idle + leased (+ being opened)
};

// The schema of one component (the accounts, an app) in a database several components share.
// Each keeps its own version in the table schema_versions (component, version).
struct pg_schema {
  std::string_view component;               // "accounts", "chat", "editor", ...
  std::span<const char* const> migrations;  // migrations[i] brings version i to i + 1
  // The version of a database written before the component had a row in schema_versions (the
  // chat kept one version in the table schema_version); empty: 0.
  std::function<int(pqxx::work&)> legacy_version;
};

// Applies the migrations the database lacks in one transaction, under the advisory lock every
// node takes to migrate. Throws std::runtime_error when the stored version is newer than `s`.
void migrate(pg_pool& db, const pg_schema& s);

// The version in the chat's single-row table schema_version (0 when there is none).
int pg_legacy_chat_version(pqxx::work& t);

}  // namespace apps
