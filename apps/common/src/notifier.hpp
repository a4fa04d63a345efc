// apps::notifier: how an app tells a user something that outlives the page they have open (a chat
// room invite, their turn in a game, being outbid). The notifications app stores the notice and
// delivers it to every connection of that user, on any node; the other apps only push().
//
// Thread-safety: push() and provide() from any thread.
#pragma once

#include "accounts.hpp"

#include <atomic>
#include <string>

namespace apps {

struct notice {
  id_type to_user = 0;
  id_type from_user = 0;  // 0: the server itself
  std::string title;
  std::string body;
  std::string url;  // a path of the front end ("/tictactoe/12"), or empty
};

class notifier {
 public:
  virtual ~notifier() = default;
  // Stores and delivers `n` later; returns at once (never blocks on storage or the network).
  virtual void push(notice n) = 0;
};

// The host's notifier: forwards to the one an app provides in install(), and drops notices while
// none is provided (a build without the notifications app).
class notifier_slot final : public notifier {
 public:
  // `target` must outlive the slot's use, or be withdrawn with provide(nullptr) first.
  void provide(notifier* target) noexcept { target_.store(target, std::memory_order_release); }
  void push(notice n) override {
    if (auto* t = target_.load(std::memory_order_acquire)) t->push(std::move(n));
  }

 private:
  std::atomic<notifier*> target_{nullptr};
};

}  // namespace apps
