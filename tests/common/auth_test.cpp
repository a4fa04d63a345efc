#include "auth.hpp"

#include <gtest/gtest.h>

#include <jwt.h>

#include <algorithm>
#include <cstdlib>

namespace apps {
namespace {

constexpr std::int64_t now = 1'800'000'000;

TEST(Password, HashIsArgon2idAndVerifies) {
  auto h = hash_password("correct horse", password_cost::minimal());
  EXPECT_TRUE(h.starts_with("$argon2id$")) << h;
  EXPECT_TRUE(verify_password(h, "correct horse"));
  EXPECT_FALSE(verify_password(h, "correct horsE"));
  EXPECT_FALSE(verify_password(h, ""));
}

TEST(Password, SaltMakesEveryHashDifferent) {
  auto a = hash_password("same password", password_cost::minimal());
  auto b = hash_password("same password", password_cost::minimal());
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify_password(a, "same password"));
  EXPECT_TRUE(verify_password(b, "same password"));
}

TEST(Password, MalformedHashesAreRejected) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("not a hash", "not a hash"));
  EXPECT_FALSE(verify_password(std::string(500, '$'), "x"));
}

TEST(Password, InteractiveCostStillVerifies) {
  auto h = hash_password("interactive-pass", password_cost::interactive());
  EXPECT_TRUE(verify_password(h, "interactive-pass"));
}

TEST(RandomHex, LengthAndUniqueness) {
  auto a = random_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, random_hex(32));
}

TEST(Token, RoundTrip) {
  token_service ts("secret-1", std::chrono::seconds(3600));
  auto t = ts.issue(42, "alice", 7, now);
  EXPECT_EQ(std::count(t.begin(), t.end(), '.'), 2);
  auto c = ts.verify(t, now + 10);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user_id, 42);
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(c->expires_s, now + 3600);
  EXPECT_EQ(c->version, 7);
}

TEST(Token, ExpiredIsRejected) {
  token_service ts("secret-1", std::chrono::seconds(60));
  auto t = ts.issue(1, "alice", 0, now);
  EXPECT_TRUE(ts.verify(t, now + 59));
  EXPECT_FALSE(ts.verify(t, now + 60));
  EXPECT_FALSE(ts.verify(t, now + 100000));
}

TEST(Token, OtherSecretIsRejected) {
  token_service a("secret-a"), b("secret-b");
  EXPECT_FALSE(b.verify(a.issue(1, "alice", 0, now), now));
}

TEST(Token, TamperedPayloadIsRejected) {
  token_service ts("secret");
  auto t = ts.issue(1, "alice", 0, now);
  auto first = t.find('.'), second = t.rfind('.');
  std::string payload = t.substr(first + 1, second - first - 1);
  payload[payload.size() / 2] = payload[payload.size() / 2] == 'A' ? 'B' : 'A';
  std::string forged = t.substr(0, first + 1) + payload + t.substr(second);
  EXPECT_FALSE(ts.verify(forged, now));
}

TEST(Token, AlgNoneIsRejected) {
  token_service ts("secret");
  jwt_t* j = nullptr;
  ASSERT_EQ(jwt_new(&j), 0);
  jwt_add_grant(j, "sub", "1");
  jwt_add_grant(j, "username", "alice");
  jwt_add_grant_int(j, "exp", static_cast<long>(now + 1000));
  char* s = jwt_encode_str(j);  // alg none: header.payload.
  ASSERT_NE(s, nullptr);
  std::string unsigned_token(s);
  std::free(s);
  jwt_free(j);
  EXPECT_FALSE(ts.verify(unsigned_token, now));
}

TEST(Token, MissingClaimsAreRejected) {
  token_service ts("secret");
  jwt_t* j = nullptr;
  ASSERT_EQ(jwt_new(&j), 0);
  jwt_add_grant(j, "username", "alice");  // no sub, no exp
  jwt_set_alg(j, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>("secret"), 6);
  char* s = jwt_encode_str(j);
  ASSERT_NE(s, nullptr);
  std::string t(s);
  std::free(s);
  jwt_free(j);
  EXPECT_FALSE(ts.verify(t, now));
}

TEST(Token, GarbageIsRejected) {
  token_service ts("secret");
  for (std::string_view g :
       {"", "a", "a.b", "a.b.c", "....", "eyJ.eyJ.sig", "\xff\xfe.\x01.\x02"}) {
    EXPECT_FALSE(ts.verify(g, now)) << g;
  }
  EXPECT_FALSE(ts.verify(std::string(10000, 'a'), now));
  EXPECT_FALSE(ts.verify(std::string("abc\0def", 7), now));
}

}  // namespace
}  // namespace apps
