// A private Redis Cluster for the integration tests: redis-server processes in cluster mode on
// loopback ports (three primaries with a replica each by default, no persistence, their cluster
// files in a temporary directory), formed with `redis-cli --cluster create`. Helpers wait until
// every node says cluster_state:ok and all agree on who serves which slot, kill a node (SIGKILL)
// and start it again, and move one slot to another primary as `redis-cli --cluster reshard` does.
#pragma once

#include "redis_server.hpp"

#include <gtest/gtest.h>

#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sio::test {

// The output (stdout and stderr) of `redis-cli <args>`; the arguments are numbers and words of
// our own, never user input.
inline std::string redis_cli(const std::vector<std::string>& args) {
  std::string cmd = "redis-cli";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    pclose(p);
  }
  return out;
}

// `redis-cli -p port <args>` on 127.0.0.1, its output without the trailing newline.
inline std::string redis_cli_at(std::uint16_t port, const std::vector<std::string>& args) {
  std::vector<std::string> all{"-h", "127.0.0.1", "-p", std::to_string(port)};
  all.insert(all.end(), args.begin(), args.end());
  auto out = redis_cli(all);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

class redis_cluster {
 public:
  struct node {
    std::uint16_t port = 0;
    std::unique_ptr<redis_server> server;  // null while killed
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port); }
  };

  // The cluster node timeout: how long a primary may be silent before its replica takes over.
  static constexpr int node_timeout_ms = 1000;

  explicit redis_cluster(int primaries = 3, int replicas = 1) {
    using namespace std::chrono_literals;
    dir_ = std::filesystem::temp_directory_path() /
           ("sio-redis-cluster-" + std::to_string(::getpid()) + "-" + std::to_string(free_port()));
    std::filesystem::create_directories(dir_);
    const auto t0 = std::chrono::steady_clock::now();
    const auto ports = free_ports(2 * primaries * (1 + replicas));
    const std::size_t count = ports.size() / 2;
    std::vector<std::string> create{"--cluster", "create"};
    for (std::size_t i = 0; i < count; ++i) {
      nodes_.push_back({ports[i], nullptr});
      bus_ports_.push_back(ports[count + i]);
      start(i);
      create.push_back("127.0.0.1:" + std::to_string(ports[i]));
    }
    create.insert(create.end(), {"--cluster-replicas", std::to_string(replicas), "--cluster-yes"});
    const auto out = redis_cli(create);
    EXPECT_NE(out.find("All 16384 slots covered"), std::string::npos) << out;
    wait_ok();
    start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
  }
  ~redis_cluster() {
    nodes_.clear();  // kills every server
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  redis_cluster(const redis_cluster&) = delete;
  redis_cluster& operator=(const redis_cluster&) = delete;

  const std::vector<node>& nodes() const { return nodes_; }
  std::vector<std::string> seeds() const {
    std::vector<std::string> out;
    for (const auto& n : nodes_) out.push_back(n.url());
    return out;
  }
  // From the constructor's start to a formed cluster.
  std::chrono::milliseconds start_time() const { return start_time_; }

  // Every running node says cluster_state:ok, they all see the same primaries serving the same
  // slots, every one of them running, and every replica is in sync with its primary. Fails the
  // test after `timeout`.
  void wait_ok(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    using namespace std::chrono_literals;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last;
    while (!agreed(last)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "cluster not ok: " << last;
      std::this_thread::sleep_for(50ms);
    }
  }

  // The index of the primary serving `slot` (as the first running node sees it).
  std::size_t primary_of(std::uint16_t slot) const {
    for (const auto& [range, port] : view(first_running())) {
      if (slot >= range.first && slot <= range.second) return index_of(port);
    }
    ADD_FAILURE() << "slot " << slot << " not served";
    return 0;
  }
  bool is_primary(std::size_t i) const {
    return nodes_[i].server && redis_cli_at(nodes_[i].port, {"ROLE"}).starts_with("master");
  }
  // A running primary other than `not_this`.
  std::size_t other_primary(std::size_t not_this) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (i != not_this && is_primary(i)) return i;
    ADD_FAILURE() << "no other primary";
    return not_this;
  }

  // SIGKILL.
  void kill(std::size_t i) { nodes_[i].server.reset(); }
  // Starts a killed node again on its port with its cluster file (it rejoins the cluster).
  void restart(std::size_t i) { start(i); }

  // Moves `slot` (and its keys) from its primary to primary `to`, as `redis-cli --cluster
  // reshard` does: IMPORTING on the target, MIGRATING on the source, MIGRATE of the keys, then
  // SETSLOT NODE on both and on every other primary. `between` runs after the keys moved and
  // before the slot is handed over (the source then answers ASK).
  void move_slot(std::uint16_t slot, std::size_t to, const std::function<void()>& between = {}) {
    const auto from = primary_of(slot);
    ASSERT_NE(from, to);
    const auto s = std::to_string(slot);
    const auto from_id = id_of(from), to_id = id_of(to);
    const auto src = nodes_[from].port, dst = nodes_[to].port;
    ASSERT_EQ(redis_cli_at(dst, {"CLUSTER", "SETSLOT", s, "IMPORTING", from_id}), "OK");
    ASSERT_EQ(redis_cli_at(src, {"CLUSTER", "SETSLOT", s, "MIGRATING", to_id}), "OK");
    for (;;) {
      const auto keys = lines(redis_cli_at(src, {"CLUSTER", "GETKEYSINSLOT", s, "100"}));
      if (keys.empty()) break;
      std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(dst), "", "0",
                                       "5000",    "KEYS"};
      migrate.insert(migrate.end(), keys.begin(), keys.end());
      ASSERT_EQ(redis_cli_at(src, migrate), "OK");
    }
    if (between) between();
    ASSERT_EQ(redis_cli_at(dst, {"CLUSTER", "SETSLOT", s, "NODE", to_id}), "OK");
    ASSERT_EQ(redis_cli_at(src, {"CLUSTER", "SETSLOT", s, "NODE", to_id}), "OK");
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (i != from && i != to && is_primary(i))
        redis_cli_at(nodes_[i].port, {"CLUSTER", "SETSLOT", s, "NODE", to_id});
    }
    wait_ok();
  }

 private:
  using ranges = std::map<std::pair<int, int>, std::uint16_t>;  // [first, last] -> primary port

  void start(std::size_t i) {
    const auto p = std::to_string(nodes_[i].port);
    nodes_[i].server = std::make_unique<redis_server>(
        nodes_[i].port,
        std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file",
                                 (dir_ / ("nodes-" + p + ".conf")).string(), "--cluster-port",
                                 std::to_string(bus_ports_[i]), "--cluster-node-timeout",
                                 std::to_string(node_timeout_ms), "--dir", dir_.string(),
                                 "--logfile", (dir_ / ("redis-" + p + ".log")).string(),
                                 // replicas in sync at once, and always allowed to take over
                                 "--repl-diskless-sync-delay", "0",
                                 "--cluster-replica-validity-factor", "0"});
  }

  static std::vector<std::uint16_t> free_ports(std::size_t n) {
    std::set<std::uint16_t> seen;
    std::vector<std::uint16_t> out;
    while (out.size() < n) {
      const auto p = free_port();
      if (seen.insert(p).second) out.push_back(p);
    }
    return out;
  }

  static std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) {
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (!l.empty()) out.push_back(l);
    }
    return out;
  }

  std::string id_of(std::size_t i) const {
    return redis_cli_at(nodes_[i].port, {"CLUSTER", "MYID"});
  }

  std::size_t first_running() const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].server) return i;
    return 0;
  }
  std::size_t index_of(std::uint16_t port) const {
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].port == port) return i;
    return 0;
  }

  // Node i's CLUSTER NODES: the slot ranges of every primary (migration marks left out).
  ranges view(std::size_t i) const {
    ranges out;
    for (const auto& line : lines(redis_cli_at(nodes_[i].port, {"CLUSTER", "NODES"}))) {
      std::istringstream in(line);
      std::string id, addr, flags, master, ping, pong, epoch, link, slot;
      in >> id >> addr >> flags >> master >> ping >> pong >> epoch >> link;
      if (flags.find("master") == std::string::npos) continue;
      const auto port =
          static_cast<std::uint16_t>(std::stoi(addr.substr(addr.rfind(':', addr.find('@')) + 1)));
      while (in >> slot) {
        if (slot.front() == '[') continue;
        const auto dash = slot.find('-');
        const int first = std::stoi(slot.substr(0, dash));
        const int last = dash == std::string::npos ? first : std::stoi(slot.substr(dash + 1));
        out[{first, last}] = port;
      }
    }
    return out;
  }

  bool agreed(std::string& why) const {
    std::optional<ranges> common;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (!nodes_[i].server) continue;
      const auto info = redis_cli_at(nodes_[i].port, {"CLUSTER", "INFO"});
      if (info.find("cluster_state:ok") == std::string::npos) {
        why = "node " + std::to_string(nodes_[i].port) + ": " + info.substr(0, 40);
        return false;
      }
      const auto replication = redis_cli_at(nodes_[i].port, {"INFO", "replication"});
      if (replication.find("role:slave") != std::string::npos &&
          replication.find("master_link_status:up") == std::string::npos) {
        why = "replica " + std::to_string(nodes_[i].port) + " not in sync";
        return false;
      }
      auto v = view(i);
      if (common && v != *common) {
        why = "node " + std::to_string(nodes_[i].port) + " sees other primaries";
        return false;
      }
      for (const auto& [range, port] : v) {
        if (!nodes_[index_of(port)].server) {
          why = "slots on the stopped node " + std::to_string(port);
          return false;
        }
      }
      common = std::move(v);
    }
    return true;
  }

  std::filesystem::path dir_;
  std::vector<node> nodes_;
  std::vector<std::uint16_t> bus_ports_;
  std::chrono::milliseconds start_time_{0};
};

}  // namespace sio::test
