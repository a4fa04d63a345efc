#include "login_throttle.hpp"

#include <cctype>
#include <string>

namespace apps {
namespace {

// Usernames are unique whatever their case: so are their buckets.
std::string user_key(std::string_view username) {
  std::string k(username);
  for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

std::string pair_key(std::string_view username, std::string_view address) {
  std::string k = user_key(username);
  k.append(1, '\n').append(address);
  return k;
}

}  // namespace

login_throttle::login_throttle(throttle_options o)
    : per_address_(o.per_address, o.max_keys),
      per_user_address_(o.per_user_address, o.max_keys),
      user_failures_(o.user_failures, o.max_keys),
      registrations_(o.registrations, o.max_keys) {}

std::int64_t login_throttle::login(std::string_view username, std::string_view address,
                                   std::int64_t now_ms) {
  const std::string user = user_key(username);
  const std::string pair = pair_key(username, address);
  // A username under attack stays open to addresses that have not been trying it.
  if (const auto wait = user_failures_.wait_ms(user, now_ms);
      wait > 0 && !per_user_address_.full(pair, now_ms)) {
    return wait;
  }
  if (!per_address_.take(address, now_ms)) return per_address_.wait_ms(address, now_ms);
  if (!per_user_address_.take(pair, now_ms)) return per_user_address_.wait_ms(pair, now_ms);
  return 0;
}

void login_throttle::login_failed(std::string_view username, std::int64_t now_ms) {
  user_failures_.take(user_key(username), now_ms);
}

void login_throttle::login_succeeded(std::string_view username, std::string_view address) {
  per_user_address_.forget(pair_key(username, address));
}

std::int64_t login_throttle::registration(std::string_view address, std::int64_t now_ms) {
  if (registrations_.take(address, now_ms)) return 0;
  return registrations_.wait_ms(address, now_ms);
}

}  // namespace apps
