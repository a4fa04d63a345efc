// The apps built into sio-apps, in the order the home page lists them.
#pragma once

#include "options.hpp"
#include "registry.hpp"

namespace apps::demo {

// The apps with what they take of the server's options (their time windows).
void add_built_in(registry& r, const options& opts);

}  // namespace apps::demo
