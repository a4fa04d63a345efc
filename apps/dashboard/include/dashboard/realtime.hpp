// dashboard::realtime: the live dashboard's Socket.IO side on namespace "/dashboard" (see
// apps/dashboard/API.md): subscribe / unsubscribe, and the sampler, a thread that once per period
// reads this node's metrics (sio::server::metrics, sio::read_process_metrics), keeps the sample in
// the history and sends it volatile to the subscribers of every node (through the adapter) and,
// as the server-side event "dashboard:sample", to the other nodes' histories.
//
// The host installs the login middleware on the namespace first. Threading: handlers run on
// their socket's worker; the history is shared with the sampler thread (it locks itself).
#pragma once

#include <dashboard/history.hpp>
#include <dashboard/sample.hpp>

#include "rate_limit.hpp"

#include <sio/sio.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace dashboard {

struct realtime_options {
  std::chrono::milliseconds period{1000};  // one sample per period
  history_limits history;
  // subscribe per user (its answer carries up to 5 minutes of every node's samples): 5 at once,
  // then one every 2 s; more are answered "Too many requests".
  apps::rate subscribe_rate{5, 0.5};
};

class realtime {
 public:
  // `io` must outlive this object; `node` names this node in its samples.
  realtime(sio::server& io, std::string node, realtime_options opts = {});
  ~realtime();

  // Registers the handlers on "/dashboard" (after the host's middleware), starts the sampler.
  void install();
  // Stops the sampler (joins its thread); later subscriptions are refused. Idempotent.
  void stop();

  static constexpr std::string_view namespace_name = "/dashboard";
  static constexpr std::string_view server_event = "dashboard:sample";  // to the other nodes
  static constexpr std::string_view room = "dashboard:subscribers";     // on every node

 private:
  void on_connection(sio::socket& s);
  void subscribe(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void unsubscribe(sio::socket& s, const boost::json::value& arg, sio::ack& ack);
  void run();
  // Reads the counters, builds this period's sample, keeps and sends it; `prev`: the last reading.
  void tick(std::optional<reading>& prev);

  sio::server& io_;
  const std::string node_;
  const realtime_options opts_;
  history history_;
  apps::user_limits limits_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // under mu_
  std::atomic<bool> stopped_{false};
  std::thread sampler_;
};

}  // namespace dashboard
