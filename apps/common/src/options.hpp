// Command line of the demo server (sio-apps, also started as sio-chat): flags with environment
// fallbacks (flag > env > default).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace apps {

// The cluster adapter of --adapter (env ADAPTER), used when --redis is given.
enum class adapter_kind {
  none,           // no --redis: a single node
  redis,          // Redis pub/sub (sio::redis_adapter, @socket.io/redis-adapter's createAdapter)
  redis_streams,  // one Redis stream (@socket.io/redis-streams-adapter): recovery across nodes
  redis_sharded,  // Redis Cluster sharded pub/sub (@socket.io/redis-adapter's createShardedAdapter)
};

// What --adapter and --redis select. Refuses the combinations that cannot work (an adapter
// without --redis, several URLs for a single-server adapter, a URL that is no redis:// one).
struct adapter_choice {
  adapter_kind kind = adapter_kind::none;
  std::vector<std::string> urls;  // one URL; redis-sharded: the Redis Cluster's seed URLs
  std::string error;              // non-empty: a usage error (never echoes a URL)
};
// `name`: the --adapter value ("" for the default, redis); `redis`: the --redis value, URLs
// separated by commas.
adapter_choice choose_adapter(std::string_view name, std::string_view redis);
std::string_view adapter_name(adapter_kind k);

struct options {
  std::string host = "0.0.0.0";               // --host / HOST
  std::uint16_t port = 3000;                  // --port / PORT
  std::filesystem::path db = "data/chat.db";  // --db / DB_PATH; a postgresql:// URL: PostgreSQL
  // --jwt-secret / JWT_SECRET: the token signing secret, at least min_secret_bytes. Empty (and
  // no jwt_secret_file): generated once and kept next to the SQLite database (secret.hpp).
  std::string jwt_secret;
  std::filesystem::path jwt_secret_file;  // --jwt-secret-file / JWT_SECRET_FILE: a file holding it
  std::int64_t token_ttl_s = 7 * 24 * 3600;  // --token-ttl / TOKEN_TTL: seconds a login lasts
  std::filesystem::path web;                 // --web / WEB_DIR; empty: default_web_dir()
  std::size_t workers = 0;                   // --workers / WORKERS; 0: hardware threads
  std::string redis;  // --redis / REDIS_URL; non-empty: join a cluster (Redis adapter)
  // --adapter / ADAPTER with --redis: which adapter, and its URLs (choose_adapter).
  adapter_kind adapter = adapter_kind::none;
  std::vector<std::string> redis_urls;
  std::string tls_cert;  // --tls-cert / TLS_CERT: PEM certificate chain; with tls_key: HTTPS
  std::string tls_key;   // --tls-key / TLS_KEY: its PEM private key
  // --trust-proxy / TRUST_PROXY: comma-separated proxies (addresses, CIDR ranges, "loopback", ...)
  // whose X-Forwarded-For names the client (engine's trust_proxy); empty: the TCP peer is.
  std::vector<std::string> trust_proxy;
  // --admin-ui-user / ADMIN_UI_USER and --admin-ui-password-hash / ADMIN_UI_PASSWORD_HASH (a
  // bcrypt hash): both given, the server answers the Socket.IO Admin UI on the namespace /admin
  // and serves the UI at /admin-ui/. Default: empty (no Admin UI).
  std::string admin_ui_user;
  std::string admin_ui_password_hash;
  // --admin-ui-mode / ADMIN_UI_MODE: "production" (server stats and actions; default) or
  // "development" (also every socket, room and event as it happens).
  bool admin_ui_development = false;
  // --metrics[=PATH] / METRICS (a path, or 1 for the default): serve the server's metrics in the
  // Prometheus text format at PATH (default /metrics) on the server's port; empty: not served.
  std::string metrics_path;
  // --per-message-deflate / PER_MESSAGE_DEFLATE (1 or true; 0 or false): WebSocket
  // permessage-deflate with Node's perMessageDeflate defaults (messages of 1 KB and more go
  // compressed). Default: off, as in Node.
  bool per_message_deflate = false;
  // --node-name / NODE_NAME: this node's name in the dashboard; empty: <hostname>:<port>
  // (node_name_or_default).
  std::string node_name;
  // The apps' time windows, in seconds: --tictactoe-away / TICTACTOE_AWAY (a player away this
  // long forfeits), --auction-extension / AUCTION_EXTENSION (a bid with less time left moves the
  // auction's end to its time + this), --auction-min-duration / AUCTION_MIN_DURATION (a new
  // auction ends at least this long after it is created).
  std::int64_t tictactoe_away_s = 30;
  std::int64_t auction_extension_s = 30;
  std::int64_t auction_min_duration_s = 10;
  bool help = false;
};

inline constexpr std::size_t min_secret_bytes = 32;
inline constexpr std::size_t max_node_name_bytes = 128;  // the dashboard's history refuses more
inline constexpr std::int64_t max_window_s = 24 * 3600;  // the time windows: 1 s to a day

struct options_result {
  options opts;
  std::string error;  // non-empty: a usage error
};

// `env` maps variable names to values (tests pass their own; main passes getenv lookups).
options_result parse_options(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env);
std::map<std::string, std::string> process_env();
// The usage text, naming the program as it was started (sio-apps, sio-chat).
std::string usage(std::string_view program);

// opts.node_name, or <hostname>:<port> when none was given.
std::string node_name_or_default(const options& opts);

// The built front end: <dir of the binary>/../../apps/demo/web/dist, else ./apps/demo/web/dist,
// else the source tree the binary was built from; the first that exists, else the first.
std::filesystem::path default_web_dir(const std::filesystem::path& exe);

}  // namespace apps
