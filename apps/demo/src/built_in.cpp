#include "built_in.hpp"

#include "auction_module.hpp"
#include "chat_module.hpp"
#include "dashboard_module.hpp"
#include "editor_module.hpp"
#include "tictactoe_module.hpp"

#include <memory>

namespace apps::demo {

void add_built_in(registry& r) {
  r.add(std::make_unique<chat::module>());
  r.add(std::make_unique<editor::module>());
  r.add(std::make_unique<tictactoe::module>());
  r.add(std::make_unique<auction::module>());
  r.add(std::make_unique<dashboard::module>());
}

}  // namespace apps::demo
