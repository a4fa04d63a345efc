// The apps built into sio-apps, in the order the home page lists them.
#pragma once

#include "registry.hpp"

namespace apps::demo {

void add_built_in(registry& r);

}  // namespace apps::demo
