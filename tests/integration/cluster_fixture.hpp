// What the cluster integration tests share: the log lines an adapter writes (printed when a test
// fails), bounded waits, the "join"/"leave" events answering "ok", and a fixture owning up to
// three sio servers of one cluster (stopped and destroyed in TearDown, before the fixture's own
// members such as the Redis server or the bus they talk to).
#pragma once

#include <sio/server/server.hpp>

#include "socketio_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sio::test {

// The log lines of one or more adapters (their `log` option), from any thread.
class log_sink {
 public:
  // The option to give an adapter: appends each line here (the sink outlives the adapter).
  std::function<void(std::string_view)> writer() {
    return [this](std::string_view line) {
      std::lock_guard lk(mu_);
      lines_.emplace_back(line);
    };
  }
  // Whether a line contains `what`.
  bool logged(std::string_view what) const {
    std::lock_guard lk(mu_);
    return std::any_of(lines_.begin(), lines_.end(),
                       [&](const std::string& l) { return l.find(what) != std::string::npos; });
  }
  void dump(std::ostream& out) const {
    std::lock_guard lk(mu_);
    for (const auto& l : lines_) out << "log: " << l << "\n";
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// The future's value, failing the test when it is not ready within `d`.
template <class T>
T wait(std::future<T>& f, std::chrono::seconds d = std::chrono::seconds(10)) {
  EXPECT_EQ(f.wait_for(d), std::future_status::ready);
  return f.get();
}

// Until `pred` holds, bounded (state that settles asynchronously); false after 10 s.
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// "join" and "leave" (a room's name) on `s`, each acknowledged with "ok".
inline void on_room_events(sio::socket& s) {
  s.on("join", [](sio::socket& s, const sio::payload& p, sio::ack ack) {
    s.join(std::string(p.args.at(0).as_string()));
    ack("ok");
  });
  s.on("leave", [](sio::socket& s, const sio::payload& p, sio::ack ack) {
    s.leave(std::string(p.args.at(0).as_string()));
    ack("ok");
  });
}

// Up to three sio servers of one cluster, their adapters logging into logs_.
class cluster_fixture : public ::testing::Test {
 protected:
  // The servers' logs when the test failed; then the servers stopped and destroyed.
  void TearDown() override {
    if (HasFailure()) logs_.dump(std::cerr);
    for (auto* s : servers()) s->stop();
    s1_.reset();
    s2_.reset();
    s3_.reset();
  }

  std::vector<sio::server*> servers() {
    std::vector<sio::server*> out;
    for (auto* s : {s1_.get(), s2_.get(), s3_.get()})
      if (s) out.push_back(s);
    return out;
  }

  // Every server with the room events (and `more` handlers), started.
  void start_servers(std::function<void(sio::socket&)> more = {}) {
    for (auto* s : servers()) {
      s->on_connection([more](sio::socket& s) {
        on_room_events(s);
        if (more) more(s);
      });
      s->start();
    }
  }

  // Until server 1 counts n servers (after a restart: every adapter subscribed again).
  void wait_for_servers(std::size_t n) {
    ASSERT_TRUE(eventually([&] {
      auto f = s1_->server_count(boost::asio::use_future);
      return wait(f) == n;
    })) << "servers never reached "
        << n;
  }

  // Emits `event` with one string argument from `c` and expects the acknowledgement "ok".
  void call(sio_client& c, const std::string& event, const std::string& arg) {
    c.send("2" + std::to_string(++ack_id_) + R"([")" + event + R"(",")" + arg + "\"]");
    EXPECT_EQ(c.next().text, "3" + std::to_string(ack_id_) + R"(["ok"])");
  }
  void join(sio_client& c, const std::string& room) { call(c, "join", room); }

  bool logged(std::string_view what) const { return logs_.logged(what); }

  log_sink logs_;
  std::unique_ptr<sio::server> s1_, s2_, s3_;
  int ack_id_ = 0;
};

}  // namespace sio::test
