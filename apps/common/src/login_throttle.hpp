// apps::login_throttle: how fast logins and registrations may come, in token buckets per client
// address, per (username, address) and per username, so that guessing a password is slow while a
// flood against a username from elsewhere does not lock its owner out:
// - every login attempt takes a token of its address and of its (username, address) pair;
// - every failed login takes a token of its username; while the username has none, only
//   addresses that have not tried it lately (their pair bucket is full) may try it, and a
//   successful login refills its pair's bucket;
// - every registration takes a token of its address.
// Each table holds at most max_keys buckets (token_buckets). Time is passed in.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include "rate_limit.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace apps {

struct throttle_options {
  rate per_address{30, 1};             // login attempts per address: 30, then 1 per second
  rate per_user_address{5, 1.0 / 30};  // per (username, address): 5, then 1 per 30 seconds
  rate user_failures{50, 1.0 / 6};     // failed logins per username: 50, then 1 per 6 s
  rate registrations{30, 0.5};         // registrations per address: 30, then 1 per 2 s
  std::size_t max_keys = 100000;       // buckets per table
};

class login_throttle {
 public:
  explicit login_throttle(throttle_options o = {});

  // A login attempt: 0 when it may go ahead (its tokens are taken), else the milliseconds to
  // wait before trying again.
  std::int64_t login(std::string_view username, std::string_view address, std::int64_t now_ms);
  // The attempt failed (wrong password or unknown user).
  void login_failed(std::string_view username, std::int64_t now_ms);
  // It succeeded: the address knows the password, its pair bucket starts afresh.
  void login_succeeded(std::string_view username, std::string_view address);
  // A registration attempt: as login().
  std::int64_t registration(std::string_view address, std::int64_t now_ms);

 private:
  token_buckets per_address_, per_user_address_, user_failures_, registrations_;
};

}  // namespace apps
