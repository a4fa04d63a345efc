#include "built_in.hpp"

#include "auction_module.hpp"
#include "chat_module.hpp"
#include "editor_module.hpp"
#include "notifications_module.hpp"
#include "tictactoe_module.hpp"

#include <memory>

namespace apps::demo {

void add_built_in(registry& r) {
  // First: it is the notifier the others push to, and installs before them.
  r.add(std::make_unique<notifications::module>());
  r.add(std::make_unique<chat::module>());
  r.add(std::make_unique<editor::module>());
  r.add(std::make_unique<tictactoe::module>());
  r.add(std::make_unique<auction::module>());
}

}  // namespace apps::demo
