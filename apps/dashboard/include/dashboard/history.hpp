// dashboard::history: the recent samples of every node of the cluster (this node's own and those
// the other nodes sent), for a dashboard that subscribes to see the last minutes at once.
//
// Bounded: at most `nodes` nodes, `samples_per_node` samples each; a node silent for `keep_ms`
// (by this node's clock: the arrival times, so that other nodes' clock skew does not matter) is
// dropped with its samples. Thread-safety: every member may be called from any thread (one mutex
// around the map work).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace dashboard {

struct history_limits {
  std::size_t samples_per_node = 300;  // 5 minutes of one sample per second
  std::size_t nodes = 64;
  std::int64_t keep_ms = 5 * 60 * 1000;  // a node silent this long is forgotten
  std::size_t node_name_bytes = 128;     // longer names are refused
};

class history {
 public:
  explicit history(history_limits limits = {});

  // Keeps `sample` (an object with a non-empty string "node" and a number "at"), arrived at
  // `now_ms`. False, and nothing kept, when it is malformed or names a new node while `nodes`
  // nodes are kept already.
  bool add(boost::json::object sample, std::int64_t now_ms);

  struct view {
    boost::json::array nodes;    // [{"node", "lastAt"}] of every node kept, by name
    boost::json::array samples;  // their samples, oldest first (by "at")
  };
  // What is kept at `now_ms` (nodes silent for keep_ms are dropped first).
  view read(std::int64_t now_ms);

 private:
  struct entry {
    std::int64_t arrived;
    std::int64_t at;
    boost::json::object sample;
  };
  struct node_log {
    std::deque<entry> samples;
    std::int64_t last_at = 0;       // the "at" of its last sample
    std::int64_t last_arrived = 0;  // when that sample arrived here
  };
  void expire(std::int64_t now_ms);  // with mu_ held

  const history_limits limits_;
  std::mutex mu_;
  std::map<std::string, node_log, std::less<>> nodes_;
};

}  // namespace dashboard
