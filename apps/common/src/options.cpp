#include "options.hpp"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace apps {
namespace {

template <class T>
bool parse_number(const std::string& s, T& out, T min, T max) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) return false;
  out = v;
  return true;
}

// --metrics: "1" (or "true") for /metrics, a path, or "0" / "false" for off.
std::string parse_metrics(const std::map<std::string, std::string>& given, options& o) {
  auto it = given.find("metrics");
  if (it == given.end() || it->second == "0" || it->second == "false") return {};
  if (it->second == "1" || it->second == "true") {
    o.metrics_path = "/metrics";
  } else if (it->second.starts_with('/') && it->second.find('?') == std::string::npos) {
    o.metrics_path = it->second;
  } else {
    return "invalid --metrics path (expected /path): " + it->second;
  }
  return {};
}

// --per-message-deflate: "1" / "true" (or the flag alone) on, "0" / "false" off.
std::string parse_deflate(const std::map<std::string, std::string>& given, options& o) {
  auto it = given.find("per-message-deflate");
  if (it == given.end()) return {};
  if (it->second == "1" || it->second == "true") {
    o.per_message_deflate = true;
  } else if (it->second != "0" && it->second != "false") {
    return "invalid --per-message-deflate (1, true, 0 or false): " + it->second;
  }
  return {};
}

// The --admin-ui-* flags into `o`; a usage error, or "".
std::string parse_admin_ui(const std::map<std::string, std::string>& given, options& o) {
  for (const auto& [name, value] : given) {
    if (name.starts_with("admin-ui-") && name != "admin-ui-user" &&
        name != "admin-ui-password-hash" && name != "admin-ui-mode")
      return "unknown option --" + name;
  }
  if (auto it = given.find("admin-ui-user"); it != given.end()) o.admin_ui_user = it->second;
  if (auto it = given.find("admin-ui-password-hash"); it != given.end())
    o.admin_ui_password_hash = it->second;
  if (o.admin_ui_user.empty() != o.admin_ui_password_hash.empty())
    return "--admin-ui-user and --admin-ui-password-hash go together";
  if (!o.admin_ui_password_hash.empty() && !o.admin_ui_password_hash.starts_with("$2"))
    return "--admin-ui-password-hash must be a bcrypt hash ($2b$...)";
  if (auto it = given.find("admin-ui-mode"); it != given.end()) {
    if (it->second != "production" && it->second != "development")
      return "invalid --admin-ui-mode (production or development): " + it->second;
    o.admin_ui_development = it->second == "development";
  }
  return "";
}

// The apps' time windows (--tictactoe-away, --auction-*) into `o`; a usage error, or "".
std::string parse_windows(const std::map<std::string, std::string>& given, options& o) {
  const std::pair<const char*, std::int64_t*> windows[] = {
      {"tictactoe-away", &o.tictactoe_away_s},
      {"auction-extension", &o.auction_extension_s},
      {"auction-min-duration", &o.auction_min_duration_s}};
  for (const auto& [name, out] : windows) {
    auto it = given.find(name);
    if (it != given.end() && !parse_number<std::int64_t>(it->second, *out, 1, max_window_s))
      return "invalid --" + std::string(name) + " (seconds, 1 to " + std::to_string(max_window_s) +
             "): " + it->second;
  }
  return "";
}

// Every flag (without "--") and the environment variable it falls back to.
struct flag_var {
  const char* name;
  const char* env;
};
constexpr flag_var flags[] = {{"port", "PORT"},
                              {"host", "HOST"},
                              {"db", "DB_PATH"},
                              {"jwt-secret", "JWT_SECRET"},
                              {"jwt-secret-file", "JWT_SECRET_FILE"},
                              {"token-ttl", "TOKEN_TTL"},
                              {"web", "WEB_DIR"},
                              {"workers", "WORKERS"},
                              {"redis", "REDIS_URL"},
                              {"adapter", "ADAPTER"},
                              {"tls-cert", "TLS_CERT"},
                              {"tls-key", "TLS_KEY"},
                              {"trust-proxy", "TRUST_PROXY"},
                              {"admin-ui-user", "ADMIN_UI_USER"},
                              {"admin-ui-password-hash", "ADMIN_UI_PASSWORD_HASH"},
                              {"admin-ui-mode", "ADMIN_UI_MODE"},
                              {"metrics", "METRICS"},
                              {"per-message-deflate", "PER_MESSAGE_DEFLATE"},
                              {"node-name", "NODE_NAME"},
                              {"tictactoe-away", "TICTACTOE_AWAY"},
                              {"auction-extension", "AUCTION_EXTENSION"},
                              {"auction-min-duration", "AUCTION_MIN_DURATION"}};

// A flag of the table, or any --admin-ui-* (parse_admin_ui reads the ones it knows).
bool known_flag(std::string_view name) {
  for (const auto& f : flags)
    if (name == f.name) return true;
  return name.starts_with("admin-ui-");
}

// "a, b,,c" -> {"a", "b", "", "c"}: items trimmed of spaces, empty ones kept.
std::vector<std::string> split_list(std::string_view list) {
  std::vector<std::string> items;
  for (;;) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    items.emplace_back(item);
    if (comma == std::string_view::npos) return items;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string_view adapter_name(adapter_kind k) {
  switch (k) {
    case adapter_kind::redis:
      return "redis";
    case adapter_kind::redis_streams:
      return "redis-streams";
    case adapter_kind::redis_sharded:
      return "redis-sharded";
    case adapter_kind::none:
      break;
  }
  return "none";
}

adapter_choice choose_adapter(std::string_view name, std::string_view redis) {
  adapter_choice c;
  adapter_kind kind = adapter_kind::redis;
  if (name == "redis-streams") {
    kind = adapter_kind::redis_streams;
  } else if (name == "redis-sharded") {
    kind = adapter_kind::redis_sharded;
  } else if (!name.empty() && name != "redis") {
    c.error = "unknown --adapter " + std::string(name) + " (redis, redis-streams or redis-sharded)";
    return c;
  }
  if (redis.empty()) {
    if (!name.empty())
      c.error = "--adapter " + std::string(name) + " needs --redis URL (REDIS_URL)";
    return c;
  }
  c.urls = split_list(redis);
  for (const auto& url : c.urls) {
    if (!url.starts_with("redis://") && !url.starts_with("rediss://")) {
      c.error = "invalid --redis URL (expected redis://host:port or rediss://host:port)";
      c.urls.clear();
      return c;
    }
  }
  if (c.urls.size() > 1 && kind != adapter_kind::redis_sharded) {
    c.error =
        "several --redis URLs are the seeds of a Redis Cluster: they need --adapter "
        "redis-sharded (--adapter " +
        std::string(adapter_name(kind)) + " takes one URL)";
    c.urls.clear();
    return c;
  }
  c.kind = kind;
  return c;
}

std::string usage(std::string_view program) {
  return "usage: " + std::string(program) +
         " [--port N] [--host ADDR] [--db PATH] [--jwt-secret-file FILE] "
         "[--web DIR] [--workers N] [--redis URL[,URL...]] [--adapter NAME]\n"
         "  [--tls-cert FILE --tls-key FILE] "
         "[--trust-proxy LIST] [--metrics[=PATH]] [--per-message-deflate] [--node-name NAME]\n"
         "  [--admin-ui-user NAME --admin-ui-password-hash HASH]\n"
         "  [--tictactoe-away SECONDS] [--auction-extension SECONDS] [--auction-min-duration "
         "SECONDS]\n"
         "  --port        PORT        listening port (default 3000)\n"
         "  --host        HOST        listening address (default 0.0.0.0)\n"
         "  --db          DB_PATH     SQLite database file (default data/chat.db), or a\n"
         "                            postgresql://user@host:port/db URL (PostgreSQL)\n"
         "  --jwt-secret-file JWT_SECRET_FILE  file holding the token signing secret (at least 32\n"
         "                            bytes; default: generated once, kept in <db>.jwt-secret\n"
         "                            next to the SQLite database, per process with PostgreSQL)\n"
         "  --jwt-secret  JWT_SECRET  the secret itself (visible in ps: prefer the file)\n"
         "  --token-ttl   TOKEN_TTL   seconds a login lasts (default 604800, 7 days)\n"
         "  --web         WEB_DIR     built front end (default apps/demo/web/dist of the repo)\n"
         "  --workers     WORKERS     network threads (default: hardware threads)\n"
         "  --redis       REDIS_URL   redis://[user:password@]host:port[/db] (rediss:// for TLS):\n"
         "                            run as one node of a cluster sharing rooms, broadcasts\n"
         "                            and online counts through Redis; redis-sharded: the\n"
         "                            seed URLs of a Redis Cluster, separated by commas\n"
         "  --adapter     ADAPTER     with --redis, how the nodes share their traffic:\n"
         "                            redis (default): Redis pub/sub, every node receives\n"
         "                            every broadcast (@socket.io/redis-adapter)\n"
         "                            redis-streams: one Redis stream; nothing is lost when\n"
         "                            Redis or a node blips, and connection state recovery\n"
         "                            works across nodes (@socket.io/redis-streams-adapter)\n"
         "                            redis-sharded: Redis Cluster sharded pub/sub, a room's\n"
         "                            broadcasts reach only the nodes that have the room\n"
         "                            (@socket.io/redis-adapter createShardedAdapter)\n"
         "  --tls-cert    TLS_CERT    PEM certificate (chain) file: serve HTTPS/WSS (with\n"
         "                            --tls-key); SIGHUP reloads both files\n"
         "  --tls-key     TLS_KEY     PEM private key file of --tls-cert\n"
         "  --trust-proxy TRUST_PROXY comma-separated reverse proxies (addresses, CIDR ranges,\n"
         "                            loopback, linklocal, uniquelocal) whose X-Forwarded-For\n"
         "                            names the client (per-address and login limits count\n"
         "                            the client; default: the TCP peer)\n"
         "  --admin-ui-user ADMIN_UI_USER  with --admin-ui-password-hash: serve the Socket.IO\n"
         "                            Admin UI at /admin-ui/ (namespace /admin) to this user\n"
         "  --admin-ui-password-hash ADMIN_UI_PASSWORD_HASH  bcrypt hash ($2b$...) of its "
         "password\n"
         "  --admin-ui-mode ADMIN_UI_MODE  production (default: stats and actions) or development\n"
         "                            (also every socket, room and event as it happens)\n"
         "  --metrics[=PATH] METRICS  serve Prometheus metrics at PATH (default /metrics) on the\n"
         "                            same port (METRICS=1 or METRICS=/path; default: off)\n"
         "  --per-message-deflate PER_MESSAGE_DEFLATE  WebSocket permessage-deflate: messages of\n"
         "                            1 KB and more go compressed (default: off, as in Node)\n"
         "  --node-name   NODE_NAME   this node's name in the dashboard (default "
         "<hostname>:<port>)\n"
         "  --tictactoe-away TICTACTOE_AWAY  seconds a tic-tac-toe player whose connections all\n"
         "                            dropped has to come back before forfeiting (default 30)\n"
         "  --auction-extension AUCTION_EXTENSION  anti-sniping: a bid with less than this many\n"
         "                            seconds left moves the auction's end to its time + this\n"
         "                            (default 30)\n"
         "  --auction-min-duration AUCTION_MIN_DURATION  seconds a new auction lasts at least\n"
         "                            (default 10)\n";
}

std::map<std::string, std::string> process_env() {
  std::map<std::string, std::string> env;
  for (const auto& f : flags) {
    if (const char* v = std::getenv(f.env)) env[f.env] = v;
  }
  return env;
}

options_result parse_options(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  options_result res;
  std::map<std::string, std::string> given;  // flag name -> value
  for (const auto& f : flags) {
    if (auto it = env.find(f.env); it != env.end() && !it->second.empty())
      given[f.name] = it->second;
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "-h" || a == "--help") {
      res.opts.help = true;
      continue;
    }
    if (!a.starts_with("--")) {
      res.error = "unexpected argument: " + a;
      return res;
    }
    std::string name = a.substr(2), value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (name == "metrics" || name == "per-message-deflate") {
      value = "1";  // their value is optional: the flag alone turns them on
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      res.error = "missing value for --" + name;
      return res;
    }
    if (!known_flag(name)) {
      res.error = "unknown option --" + name;
      return res;
    }
    given[name] = value;
  }
  auto& o = res.opts;
  if (auto it = given.find("port"); it != given.end()) {
    if (!parse_number<std::uint16_t>(it->second, o.port, 0, 65535)) {
      res.error = "invalid port: " + it->second;
      return res;
    }
  }
  if (auto it = given.find("workers"); it != given.end()) {
    if (!parse_number<std::size_t>(it->second, o.workers, 0, 256)) {
      res.error = "invalid worker count: " + it->second;
      return res;
    }
  }
  if (auto it = given.find("host"); it != given.end()) o.host = it->second;
  if (auto it = given.find("db"); it != given.end()) o.db = it->second;
  if (auto it = given.find("jwt-secret"); it != given.end()) o.jwt_secret = it->second;
  if (auto it = given.find("jwt-secret-file"); it != given.end()) o.jwt_secret_file = it->second;
  if (!o.jwt_secret.empty() && !o.jwt_secret_file.empty()) {
    res.error = "give --jwt-secret or --jwt-secret-file (JWT_SECRET or JWT_SECRET_FILE), not both";
    return res;
  }
  if (!o.jwt_secret.empty() && o.jwt_secret.size() < min_secret_bytes) {
    res.error = "--jwt-secret (JWT_SECRET) must be at least " + std::to_string(min_secret_bytes) +
                " bytes, e.g. the output of `openssl rand -hex 32`";
    return res;
  }
  if (auto it = given.find("token-ttl"); it != given.end()) {
    if (!parse_number<std::int64_t>(it->second, o.token_ttl_s, 1, 365 * 24 * 3600)) {
      res.error = "invalid --token-ttl (seconds, 1 to 31536000): " + it->second;
      return res;
    }
  }
  if (auto it = given.find("web"); it != given.end()) o.web = it->second;
  {
    auto adapter = given.find("adapter");
    auto redis = given.find("redis");
    auto choice = choose_adapter(adapter == given.end() ? "" : adapter->second,
                                 redis == given.end() ? "" : redis->second);
    if (!choice.error.empty()) {
      res.error = choice.error;
      return res;
    }
    if (redis != given.end()) o.redis = redis->second;
    o.adapter = choice.kind;
    o.redis_urls = std::move(choice.urls);
  }
  if (auto it = given.find("node-name"); it != given.end()) {
    if (it->second.empty() || it->second.size() > max_node_name_bytes) {
      res.error = "--node-name (NODE_NAME): 1 to " + std::to_string(max_node_name_bytes) + " bytes";
      return res;
    }
    o.node_name = it->second;
  }
  if (auto it = given.find("tls-cert"); it != given.end()) o.tls_cert = it->second;
  if (auto it = given.find("tls-key"); it != given.end()) o.tls_key = it->second;
  if (auto it = given.find("trust-proxy"); it != given.end()) {
    for (auto& item : split_list(it->second))
      if (!item.empty()) o.trust_proxy.push_back(std::move(item));
  }
  if (auto error = parse_windows(given, o); !error.empty()) {
    res.error = error;
    return res;
  }
  if (auto error = parse_metrics(given, o); !error.empty()) {
    res.error = error;
    return res;
  }
  if (auto error = parse_deflate(given, o); !error.empty()) {
    res.error = error;
    return res;
  }
  if (auto error = parse_admin_ui(given, o); !error.empty()) {
    res.error = error;
    return res;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    res.error = "--tls-cert and --tls-key go together";
    return res;
  }
  if (o.db.empty()) res.error = "empty --db";
  return res;
}

std::string node_name_or_default(const options& opts) {
  if (!opts.node_name.empty()) return opts.node_name;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "localhost");
  return std::string(host) + ":" + std::to_string(opts.port);
}

std::filesystem::path default_web_dir(const std::filesystem::path& exe) {
  std::vector<std::filesystem::path> candidates;
  std::error_code ec;
  auto exe_abs = std::filesystem::weakly_canonical(exe, ec);
  if (!ec && exe_abs.has_parent_path()) {
    candidates.push_back(exe_abs.parent_path() / ".." / ".." / "apps" / "demo" / "web" / "dist");
  }
  candidates.push_back(std::filesystem::current_path(ec) / "apps" / "demo" / "web" / "dist");
#ifdef SIO_APPS_SOURCE_WEB_DIR
  candidates.push_back(SIO_APPS_SOURCE_WEB_DIR);
#endif
  for (auto& c : candidates) {
    if (std::filesystem::is_regular_file(c / "index.html", ec)) {
      return std::filesystem::weakly_canonical(c, ec);
    }
  }
  return candidates.front().lexically_normal();
}

}  // namespace apps
