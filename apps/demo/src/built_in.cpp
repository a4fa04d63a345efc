#include "built_in.hpp"

#include "auction_module.hpp"
#include "chat_module.hpp"
#include "dashboard_module.hpp"
#include "editor_module.hpp"
#include "notifications_module.hpp"
#include "tictactoe_module.hpp"

#include <cstdint>
#include <memory>

namespace apps::demo {

void add_built_in(registry& r, const options& opts) {
  constexpr std::int64_t ms_per_s = 1000;
  // First: it is the notifier the others push to, and installs before them.
  r.add(std::make_unique<notifications::module>());
  r.add(std::make_unique<chat::module>());
  r.add(std::make_unique<editor::module>());
  r.add(std::make_unique<tictactoe::module>(
      tictactoe::realtime_options{.away_ms = opts.tictactoe_away_s * ms_per_s}));
  r.add(std::make_unique<auction::module>(
      auction::realtime_options{.extension_ms = opts.auction_extension_s * ms_per_s},
      auction::rest_options{.min_duration_ms = opts.auction_min_duration_s * ms_per_s,
                            .extension_ms = opts.auction_extension_s * ms_per_s}));
  r.add(std::make_unique<dashboard::module>());
}

}  // namespace apps::demo
