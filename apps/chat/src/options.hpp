// Command line of sio-chat: flags with environment fallbacks (flag > env > default).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chat {

struct options {
  std::string host = "0.0.0.0";               // --host / HOST
  std::uint16_t port = 3000;                  // --port / PORT
  std::filesystem::path db = "data/chat.db";  // --db / DB_PATH; a postgresql:// URL: PostgreSQL
  std::string jwt_secret;     // --jwt-secret / JWT_SECRET; empty: generated, kept in the DB
  std::filesystem::path web;  // --web / WEB_DIR; empty: default_web_dir()
  std::size_t workers = 0;    // --workers / WORKERS; 0: hardware threads
  std::string redis;          // --redis / REDIS_URL; non-empty: join a cluster (Redis adapter)
  std::string tls_cert;       // --tls-cert / TLS_CERT: PEM certificate chain; with tls_key: HTTPS
  std::string tls_key;        // --tls-key / TLS_KEY: its PEM private key
  // --trust-proxy / TRUST_PROXY: comma-separated proxies (addresses, CIDR ranges, "loopback", ...)
  // whose X-Forwarded-For names the client (engine's trust_proxy); empty: the TCP peer is.
  std::vector<std::string> trust_proxy;
  bool help = false;
};

struct options_result {
  options opts;
  std::string error;  // non-empty: a usage error
};

// `env` maps variable names to values (tests pass their own; main passes getenv lookups).
options_result parse_options(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env);
std::map<std::string, std::string> process_env();
std::string usage();

// The built front end: <dir of the binary>/../../apps/chat/web/dist, else ./apps/chat/web/dist,
// else the source tree the binary was built from; the first that exists, else the first.
std::filesystem::path default_web_dir(const std::filesystem::path& exe);

}  // namespace chat
