#include "options.hpp"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(ChatOptions, Defaults) {
  auto r = parse_options({}, {});
  ASSERT_TRUE(r.error.empty());
  EXPECT_EQ(r.opts.port, 3000);
  EXPECT_EQ(r.opts.db, "data/chat.db");
  EXPECT_TRUE(r.opts.jwt_secret.empty());
  EXPECT_EQ(r.opts.workers, 0u);
}

TEST(ChatOptions, FlagsBeatEnvironment) {
  auto r = parse_options({"--port", "4000", "--db=/tmp/x.db", "--workers", "2"},
                         {{"PORT", "5000"}, {"JWT_SECRET", "s3"}, {"WEB_DIR", "/w"}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.port, 4000);
  EXPECT_EQ(r.opts.db, "/tmp/x.db");
  EXPECT_EQ(r.opts.jwt_secret, "s3");
  EXPECT_EQ(r.opts.web, "/w");
  EXPECT_EQ(r.opts.workers, 2u);
  EXPECT_EQ(parse_options({}, {{"PORT", "5000"}}).opts.port, 5000);
}

TEST(ChatOptions, TrustProxyList) {
  EXPECT_TRUE(parse_options({}, {}).opts.trust_proxy.empty());
  auto r = parse_options({"--trust-proxy", "127.0.0.1, 10.0.0.0/8,,::1,loopback"}, {});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.trust_proxy,
            (std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "::1", "loopback"}));
  EXPECT_EQ(parse_options({}, {{"TRUST_PROXY", "192.168.1.1"}}).opts.trust_proxy,
            (std::vector<std::string>{"192.168.1.1"}));
}

TEST(ChatOptions, Errors) {
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

TEST(ChatOptions, ClusterOptions) {
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

TEST(ChatOptions, TlsAndRedisUrls) {
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

}  // namespace
}  // namespace chat
