// sio::engineio::random_id: the ids of Engine.IO sessions, Socket.IO sockets and Redis adapter
// nodes (length, alphabet, uniqueness, also across a fork).
#include <sio/engineio/random_id.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

namespace {

using sio::engineio::base64id_length;
using sio::engineio::random_id;

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool in_alphabet(const std::string& id) {
  return id.find_first_not_of(alphabet) == std::string::npos;
}

TEST(RandomId, HasTheRequestedLength) {
  EXPECT_EQ(base64id_length, 20u);  // Node's base64id: 15 random bytes
  for (const std::size_t n : {0u, 1u, 3u, 4u, 5u, 6u, 20u, 63u, 64u, 65u, 200u}) {
    const auto id = random_id(n);
    EXPECT_EQ(id.size(), n);
    EXPECT_TRUE(in_alphabet(id)) << id;
  }
}

TEST(RandomId, EveryPositionTakesEveryCharacterOfTheUrlSafeAlphabet) {
  // 20,000 draws: each of the 64 characters is expected ~312 times at each position.
  for (const std::size_t len : {base64id_length, std::size_t{6}}) {
    std::array<std::array<bool, 256>, 20> seen{};
    for (int i = 0; i < 20000; ++i) {
      const auto id = random_id(len);
      ASSERT_TRUE(in_alphabet(id)) << id;
      for (std::size_t p = 0; p < len; ++p) seen[p][static_cast<unsigned char>(id[p])] = true;
    }
    for (std::size_t p = 0; p < len; ++p)
      for (const char c : alphabet)
        EXPECT_TRUE(seen[p][static_cast<unsigned char>(c)])
            << "length " << len << ", position " << p << ", character " << c;
  }
}

TEST(RandomId, DrawsDoNotRepeat) {
  std::unordered_set<std::string> ids;
  for (int i = 0; i < 100000; ++i) EXPECT_TRUE(ids.insert(random_id(base64id_length)).second);
  // 6 characters (36 bits) as the Redis adapter's uid: 1,000 draws collide with odds ~1e-5.
  std::unordered_set<std::string> uids;
  for (int i = 0; i < 1000; ++i) uids.insert(random_id(6));
  EXPECT_EQ(uids.size(), 1000u);
}

TEST(RandomId, AForkedChildDoesNotRepeatTheParentsDraws) {
  (void)random_id(base64id_length);  // the pool is filled before the fork
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const auto id = random_id(base64id_length);
    const bool written = ::write(fds[1], id.data(), id.size()) == static_cast<ssize_t>(id.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  std::string from_child(base64id_length, '\0');
  const auto got = ::read(fds[0], from_child.data(), from_child.size());
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_EQ(got, static_cast<ssize_t>(base64id_length));
  EXPECT_NE(from_child, random_id(base64id_length));
}

}  // namespace
