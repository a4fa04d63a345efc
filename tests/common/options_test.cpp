#include "options.hpp"
#include "secret.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>
#include <vector>

namespace apps {
namespace {

const std::string long_secret(32, 's');

TEST(Options, Defaults) {
  auto r = parse_options({}, {});
  ASSERT_TRUE(r.error.empty());
  EXPECT_EQ(r.opts.port, 3000);
  EXPECT_EQ(r.opts.db, "data/chat.db");
  EXPECT_TRUE(r.opts.jwt_secret.empty());
  EXPECT_EQ(r.opts.workers, 0u);
}

TEST(Options, FlagsBeatEnvironment) {
  auto r = parse_options({"--port", "4000", "--db=/tmp/x.db", "--workers", "2"},
                         {{"PORT", "5000"}, {"JWT_SECRET", long_secret}, {"WEB_DIR", "/w"}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.port, 4000);
  EXPECT_EQ(r.opts.db, "/tmp/x.db");
  EXPECT_EQ(r.opts.jwt_secret, long_secret);
  EXPECT_EQ(r.opts.web, "/w");
  EXPECT_EQ(r.opts.workers, 2u);
  EXPECT_EQ(parse_options({}, {{"PORT", "5000"}}).opts.port, 5000);
}

TEST(Options, TrustProxyList) {
  EXPECT_TRUE(parse_options({}, {}).opts.trust_proxy.empty());
  auto r = parse_options({"--trust-proxy", "127.0.0.1, 10.0.0.0/8,,::1,loopback"}, {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.trust_proxy,
            (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "::1", "loopback"}));
  EXPECT_EQ(parse_options({}, {{"TRUST_PROXY", "192.168.1.1"}}).opts.trust_proxy,
            (std::vector<std::string>{"192.168.1.1"}));
}

TEST(Options, AdminUi) {
  const std::string hash = "$2b$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";
  EXPECT_TRUE(parse_options({}, {}).opts.admin_ui_user.empty());
  auto r = parse_options({"--admin-ui-user", "root", "--admin-ui-password-hash", hash}, {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.admin_ui_user, "root");
  EXPECT_EQ(r.opts.admin_ui_password_hash, hash);
  EXPECT_FALSE(r.opts.admin_ui_development);
  r = parse_options({"--admin-ui-mode", "development"},
                    {{"ADMIN_UI_USER", "ops"}, {"ADMIN_UI_PASSWORD_HASH", hash}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.admin_ui_user, "ops");
  EXPECT_TRUE(r.opts.admin_ui_development);
  EXPECT_FALSE(parse_options({"--admin-ui-user", "root"}, {}).error.empty());
  EXPECT_FALSE(parse_options({"--admin-ui-password-hash", hash}, {}).error.empty());
  EXPECT_FALSE(parse_options({"--admin-ui-user", "root", "--admin-ui-password-hash", "plain"}, {})
                   .error.empty());
  EXPECT_FALSE(parse_options({"--admin-ui-mode", "debug"}, {}).error.empty());
  EXPECT_FALSE(parse_options({"--admin-ui-colour", "red"}, {}).error.empty());
}

TEST(Options, MetricsPath) {
  EXPECT_TRUE(parse_options({}, {}).opts.metrics_path.empty());
  EXPECT_EQ(parse_options({"--metrics", "--port", "4000"}, {}).opts.metrics_path, "/metrics");
  EXPECT_EQ(parse_options({"--metrics=/stats"}, {}).opts.metrics_path, "/stats");
  EXPECT_EQ(parse_options({}, {{"METRICS", "1"}}).opts.metrics_path, "/metrics");
  EXPECT_EQ(parse_options({}, {{"METRICS", "/m"}}).opts.metrics_path, "/m");
  EXPECT_TRUE(parse_options({"--metrics=0"}, {{"METRICS", "1"}}).opts.metrics_path.empty());
  EXPECT_FALSE(parse_options({"--metrics=stats"}, {}).error.empty());
}

TEST(Options, PerMessageDeflate) {
  // Off by default, on with the flag alone or 1/true, refused otherwise.
  EXPECT_FALSE(parse_options({}, {}).opts.per_message_deflate);
  EXPECT_TRUE(
      parse_options({"--per-message-deflate", "--port", "4000"}, {}).opts.per_message_deflate);
  EXPECT_TRUE(parse_options({}, {{"PER_MESSAGE_DEFLATE", "true"}}).opts.per_message_deflate);
  EXPECT_FALSE(parse_options({"--per-message-deflate=0"}, {{"PER_MESSAGE_DEFLATE", "1"}})
                   .opts.per_message_deflate);
  EXPECT_FALSE(parse_options({"--per-message-deflate=yes"}, {}).error.empty());
}

TEST(Options, NodeName) {
  EXPECT_TRUE(parse_options({}, {}).opts.node_name.empty());
  EXPECT_EQ(parse_options({"--node-name", "node1"}, {{"NODE_NAME", "x"}}).opts.node_name, "node1");
  EXPECT_EQ(parse_options({}, {{"NODE_NAME", "node2"}}).opts.node_name, "node2");
  EXPECT_FALSE(parse_options({"--node-name", std::string(129, 'n')}, {}).error.empty());
  auto o = parse_options({"--port", "4000"}, {}).opts;
  EXPECT_TRUE(node_name_or_default(o).ends_with(":4000"));
  o.node_name = "n";
  EXPECT_EQ(node_name_or_default(o), "n");
}

TEST(Options, AppTimeWindows) {
  auto d = parse_options({}, {}).opts;
  EXPECT_EQ(d.tictactoe_away_s, 30);
  EXPECT_EQ(d.auction_extension_s, 30);
  EXPECT_EQ(d.auction_min_duration_s, 10);
  auto r = parse_options({"--tictactoe-away", "3", "--auction-extension=4"},
                         {{"TICTACTOE_AWAY", "9"}, {"AUCTION_MIN_DURATION", "2"}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.tictactoe_away_s, 3);
  EXPECT_EQ(r.opts.auction_extension_s, 4);
  EXPECT_EQ(r.opts.auction_min_duration_s, 2);
  EXPECT_EQ(parse_options({}, {{"AUCTION_EXTENSION", "86400"}}).opts.auction_extension_s, 86400);
  for (const char* bad : {"0", "-1", "1.5", "x", "86401", ""}) {
    for (const char* flag : {"--tictactoe-away", "--auction-extension", "--auction-min-duration"}) {
      auto refused = parse_options({flag, bad}, {});
      EXPECT_EQ(refused.error, "invalid " + std::string(flag) + " (seconds, 1 to 86400): " + bad)
          << flag << ' ' << bad;
    }
  }
  EXPECT_FALSE(parse_options({}, {{"TICTACTOE_AWAY", "soon"}}).error.empty());
  EXPECT_NE(usage("sio-apps").find("--auction-min-duration AUCTION_MIN_DURATION"),
            std::string::npos);
}

TEST(Options, Errors) {
  EXPECT_FALSE(parse_options({"--port", "70000"}, {}).error.empty());
  EXPECT_FALSE(parse_options({"--port", "x"}, {}).error.empty());
  EXPECT_FALSE(parse_options({"--port"}, {}).error.empty());
  EXPECT_FALSE(parse_options({"--nope", "1"}, {}).error.empty());
  EXPECT_FALSE(parse_options({"stray"}, {}).error.empty());
  EXPECT_FALSE(parse_options({}, {{"PORT", "bad"}}).error.empty());
  EXPECT_TRUE(parse_options({"--help"}, {}).opts.help);
  EXPECT_FALSE(parse_options({"--redis", "127.0.0.1:6379"}, {}).error.empty());
  EXPECT_FALSE(parse_options({}, {{"REDIS_URL", "http://x"}}).error.empty());
}

TEST(Options, ClusterOptions) {
  auto none = parse_options({}, {});
  EXPECT_TRUE(none.opts.redis.empty());
  auto env = parse_options({}, {{"REDIS_URL", "redis://127.0.0.1:6390"},
                                {"DB_PATH", "postgresql://chat@127.0.0.1:5433/chat"}});
  ASSERT_TRUE(env.error.empty()) << env.error;
  EXPECT_EQ(env.opts.redis, "redis://127.0.0.1:6390");
  EXPECT_EQ(env.opts.db.string(), "postgresql://chat@127.0.0.1:5433/chat");
  auto flag = parse_options({"--redis", "redis://10.0.0.1:7000/2"},
                            {{"REDIS_URL", "redis://127.0.0.1:6390"}});
  ASSERT_TRUE(flag.error.empty()) << flag.error;
  EXPECT_EQ(flag.opts.redis, "redis://10.0.0.1:7000/2");
}

TEST(Options, AdapterSelection) {
  EXPECT_EQ(parse_options({}, {}).opts.adapter, adapter_kind::none);
  auto pubsub = parse_options({"--redis", "redis://127.0.0.1:6379"}, {});
  ASSERT_TRUE(pubsub.error.empty()) << pubsub.error;
  EXPECT_EQ(pubsub.opts.adapter, adapter_kind::redis);  // the default with --redis
  EXPECT_EQ(pubsub.opts.redis_urls, (std::vector<std::string>{"redis://127.0.0.1:6379"}));
  auto streams =
      parse_options({"--adapter", "redis-streams"}, {{"REDIS_URL", "redis://127.0.0.1:6390"}});
  ASSERT_TRUE(streams.error.empty()) << streams.error;
  EXPECT_EQ(streams.opts.adapter, adapter_kind::redis_streams);
  auto env = parse_options({"--redis", "redis://h:1"}, {{"ADAPTER", "redis-streams"}});
  EXPECT_EQ(env.opts.adapter, adapter_kind::redis_streams);
  EXPECT_EQ(parse_options({"--adapter=redis", "--redis", "redis://h:1"}, {}).opts.adapter,
            adapter_kind::redis);
  // A Redis Cluster: its seeds, separated by commas.
  auto sharded = parse_options(
      {"--adapter", "redis-sharded", "--redis", "redis://10.0.0.1:7000, redis://10.0.0.2:7000"},
      {});
  ASSERT_TRUE(sharded.error.empty()) << sharded.error;
  EXPECT_EQ(sharded.opts.adapter, adapter_kind::redis_sharded);
  EXPECT_EQ(sharded.opts.redis_urls,
            (std::vector<std::string>{"redis://10.0.0.1:7000", "redis://10.0.0.2:7000"}));
  EXPECT_EQ(choose_adapter("redis-sharded", "redis://h:7000").urls.size(), 1u);
}

TEST(Options, AdapterCombinationsRefused) {
  const auto streams_alone = parse_options({"--adapter", "redis-streams"}, {});
  EXPECT_NE(streams_alone.error.find("needs --redis"), std::string::npos) << streams_alone.error;
  EXPECT_FALSE(parse_options({}, {{"ADAPTER", "redis-sharded"}}).error.empty());
  const auto unknown = parse_options({"--adapter", "kafka", "--redis", "redis://h:1"}, {});
  EXPECT_NE(unknown.error.find("unknown --adapter"), std::string::npos) << unknown.error;
  // Several URLs are a cluster's seeds: the single-server adapters refuse them.
  for (const char* name : {"redis", "redis-streams"}) {
    const auto two = parse_options({"--adapter", name, "--redis", "redis://a:1,redis://b:1"}, {});
    EXPECT_NE(two.error.find("redis-sharded"), std::string::npos) << two.error;
  }
  EXPECT_FALSE(parse_options({"--redis", "redis://a:1,redis://b:1"}, {}).error.empty());
  // Every seed must be a Redis URL, and none is echoed (it may hold a password).
  const auto bad = parse_options(
      {"--adapter", "redis-sharded", "--redis", "redis://a:1,http://u:hunter2@b"}, {});
  EXPECT_FALSE(bad.error.empty());
  EXPECT_EQ(bad.error.find("hunter2"), std::string::npos);
  EXPECT_FALSE(
      parse_options({"--adapter", "redis-sharded", "--redis", "redis://a:1,"}, {}).error.empty());
  EXPECT_NE(usage("sio-apps").find("redis-streams"), std::string::npos);
}

TEST(Options, TlsAndRedisUrls) {
  auto flag = parse_options({"--tls-cert", "c.pem", "--tls-key", "k.pem"}, {});
  ASSERT_TRUE(flag.error.empty()) << flag.error;
  EXPECT_EQ(flag.opts.tls_cert, "c.pem");
  EXPECT_EQ(flag.opts.tls_key, "k.pem");
  auto env = parse_options({}, {{"TLS_CERT", "e.pem"}, {"TLS_KEY", "e.key"}});
  ASSERT_TRUE(env.error.empty()) << env.error;
  EXPECT_EQ(env.opts.tls_cert, "e.pem");
  EXPECT_EQ(env.opts.tls_key, "e.key");
  EXPECT_TRUE(parse_options({}, {}).opts.tls_cert.empty());
  EXPECT_FALSE(parse_options({"--tls-cert", "c.pem"}, {}).error.empty());  // key missing
  auto rediss = parse_options({"--redis", "rediss://u:pw@10.0.0.1:6380"}, {});
  ASSERT_TRUE(rediss.error.empty()) << rediss.error;
  EXPECT_EQ(rediss.opts.redis, "rediss://u:pw@10.0.0.1:6380");
  // A refused URL is not echoed: it may hold a password.
  const auto bad = parse_options({"--redis", "http://u:hunter2@x"}, {});
  EXPECT_FALSE(bad.error.empty());
  EXPECT_EQ(bad.error.find("hunter2"), std::string::npos);
}

TEST(Options, ShortSecretsAreRefused) {
  auto short_flag = parse_options({"--jwt-secret", "hunter2"}, {});
  EXPECT_NE(short_flag.error.find("at least 32 bytes"), std::string::npos) << short_flag.error;
  EXPECT_FALSE(parse_options({}, {{"JWT_SECRET", std::string(31, 'x')}}).error.empty());
  EXPECT_TRUE(parse_options({"--jwt-secret", long_secret}, {}).error.empty());
  // Either the secret or its file.
  EXPECT_FALSE(
      parse_options({"--jwt-secret", long_secret, "--jwt-secret-file", "/s"}, {}).error.empty());
}

TEST(Options, SecretFileAndTokenLifetime) {
  auto flag = parse_options({"--jwt-secret-file", "/run/secrets/jwt", "--token-ttl", "60"}, {});
  ASSERT_TRUE(flag.error.empty()) << flag.error;
  EXPECT_EQ(flag.opts.jwt_secret_file, "/run/secrets/jwt");
  EXPECT_EQ(flag.opts.token_ttl_s, 60);
  auto env = parse_options({}, {{"JWT_SECRET_FILE", "/e"}, {"TOKEN_TTL", "3600"}});
  ASSERT_TRUE(env.error.empty()) << env.error;
  EXPECT_EQ(env.opts.jwt_secret_file, "/e");
  EXPECT_EQ(env.opts.token_ttl_s, 3600);
  EXPECT_EQ(parse_options({}, {}).opts.token_ttl_s, 7 * 24 * 3600);
  for (auto bad : {"0", "-1", "x", "31536001"}) {
    EXPECT_FALSE(parse_options({"--token-ttl", bad}, {}).error.empty()) << bad;
  }
}

TEST(Secret, GivenOrReadFromAFile) {
  test::temp_dir dir;
  options o;
  o.jwt_secret = long_secret;
  EXPECT_EQ(choose_jwt_secret(o, false).secret, long_secret);
  auto file = dir.path() / "jwt";
  std::ofstream(file) << long_secret << "\n";
  o.jwt_secret.clear();
  o.jwt_secret_file = file;
  EXPECT_EQ(choose_jwt_secret(o, false).secret, long_secret);  // without the newline
  std::ofstream(file) << "short\n";
  EXPECT_THROW(choose_jwt_secret(o, false), std::runtime_error);
  o.jwt_secret_file = dir.path() / "missing";
  EXPECT_THROW(choose_jwt_secret(o, false), std::runtime_error);
}

TEST(Secret, GeneratedOnceNextToTheSqliteDatabase) {
  test::temp_dir dir;
  options o;
  o.db = dir.path() / "data" / "chat.db";
  auto first = choose_jwt_secret(o, false);
  EXPECT_GE(first.secret.size(), min_secret_bytes);
  EXPECT_TRUE(first.warning.empty());
  auto file = secret_file_of(o.db);
  EXPECT_EQ(file, dir.path() / "data" / "chat.db.jwt-secret");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(choose_jwt_secret(o, false).secret, first.secret);  // a restart keeps it
  // Processes starting together agree on one secret.
  auto racing = dir.path() / "race.jwt-secret";
  std::vector<std::string> seen(8);
  std::vector<std::thread> threads;
  for (auto& s : seen) threads.emplace_back([&s, &racing] { s = persistent_secret(racing); });
  for (auto& t : threads) t.join();
  for (auto& s : seen) EXPECT_EQ(s, seen[0]);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            2);  // data/ and race.jwt-secret: no temporary file left behind
}

TEST(Secret, PerProcessWithPostgresql) {
  options o;
  o.db = "postgresql://chat@127.0.0.1/chat";
  auto a = choose_jwt_secret(o, true);
  EXPECT_GE(a.secret.size(), min_secret_bytes);
  EXPECT_FALSE(a.warning.empty());
  EXPECT_NE(choose_jwt_secret(o, true).secret, a.secret);
}

}  // namespace
}  // namespace apps
