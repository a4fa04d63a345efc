#include "built_in.hpp"

#include "chat_module.hpp"

#include <memory>

namespace apps::demo {

void add_built_in(registry& r) {
  r.add(std::make_unique<chat::module>());
}

}  // namespace apps::demo
