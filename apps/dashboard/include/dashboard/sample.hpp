// dashboard::build_sample: one node's figures of the last second, as the dashboard shows them
// (the `sample` of apps/dashboard/API.md), from two readings of its counters a second apart.
// Pure: the readings come in, the JSON object goes out (no clock, no I/O).
#pragma once

#include <sio/server/metrics.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>

namespace dashboard {

// What the sampler reads once per second.
struct reading {
  std::int64_t at_ms = 0;  // wall clock, ms since the Unix epoch (the sample's `at`)
  double clock_s = 0;      // a monotonic clock, seconds: rates divide by its difference
  sio::metrics_snapshot metrics;
  sio::process_metrics process;
};

// The sample of `node` at `now`. Rates and cpuPct are the counters' increase since `prev` per
// second; without `prev` (the first reading), or when no time passed, they are 0.
boost::json::object build_sample(std::string_view node, const reading& now, const reading* prev);

}  // namespace dashboard
