// A notifier that keeps what the apps push, for tests of the apps' notices (apps::notifier).
#pragma once

#include "notifier.hpp"

#include <mutex>
#include <vector>

namespace apps {

class recording_notifier final : public notifier {
 public:
  void push(notice n) override {
    std::lock_guard lock(mu_);
    pushed_.push_back(std::move(n));
  }
  std::vector<notice> pushed() const {
    std::lock_guard lock(mu_);
    return pushed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<notice> pushed_;
};

}  // namespace apps
