#include <dashboard/realtime.hpp>

#include "login.hpp"
#include "socket_handlers.hpp"
#include "validation.hpp"

#include <boost/json/object.hpp>

#include <exception>
#include <iostream>

namespace dashboard {
namespace json = boost::json;
using apps::failure;
using apps::first_arg;
using apps::guarded;

namespace {

double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// subscribe and unsubscribe take nothing, or an empty object.
bool no_argument(const json::value& arg) {
  return arg.is_null() || (arg.is_object() && arg.get_object().empty());
}

}  // namespace

realtime::realtime(sio::server& io, std::string node, realtime_options opts)
    : io_(io),
      node_(std::move(node)),
      opts_(opts),
      history_(opts.history),
      limits_({opts.subscribe_rate}) {}

realtime::~realtime() {
  stop();
}

void realtime::install() {
  auto& nsp = io_.of(namespace_name);
  nsp.on_server_side_emit(std::string(server_event), [this](const json::array& args) {
    const auto& s = first_arg(args);
    if (s.is_object()) history_.add(s.get_object(), apps::now_ms());
  });
  nsp.on_connection([this](sio::socket& s) { on_connection(s); });
  sampler_ = std::thread([this] { run(); });
}

void realtime::stop() {
  stopped_ = true;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
}

void realtime::on_connection(sio::socket& s) {
  const auto me = apps::identity_of(s);
  if (!me) {
    s.disconnect();
    return;
  }
  limits_.attach(me->user_id, apps::now_ms());
  auto bind = [this](auto fn) {
    return apps::member_handler(*this, fn, [this] { return stopped_.load(); });
  };
  s.on("subscribe", bind(&realtime::subscribe));
  s.on("unsubscribe", bind(&realtime::unsubscribe));
  s.on_disconnect(
      [this, user = me->user_id](sio::socket&, sio::disconnect_reason) { limits_.detach(user); });
}

void realtime::subscribe(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("dashboard", "subscribe", ack, [&] {
    if (!no_argument(arg)) return ack(failure("subscribe takes no argument"));
    const auto me = apps::identity_of(s);
    if (!me || !limits_.take(me->user_id, 0, apps::now_ms()))
      return ack(failure("Too many requests"));
    // In the room before the history is read: no sample falls between the two.
    s.join(room);
    auto h = history_.read(apps::now_ms());
    ack(json::object{
        {"success", true}, {"nodes", std::move(h.nodes)}, {"history", std::move(h.samples)}});
  });
}

void realtime::unsubscribe(sio::socket& s, const json::value& arg, sio::ack& ack) {
  guarded("dashboard", "unsubscribe", ack, [&] {
    if (!no_argument(arg)) return ack(failure("unsubscribe takes no argument"));
    s.leave(room);
    ack(json::object{{"success", true}});
  });
}

void realtime::run() {
  std::optional<reading> prev;
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    next += opts_.period;
    {
      std::unique_lock lk(mu_);
      if (wake_.wait_until(lk, next, [this] { return stopping_; })) return;
    }
    // A sampler late by more than a period (a suspended process) starts afresh from now.
    if (const auto now = std::chrono::steady_clock::now(); now > next + opts_.period) next = now;
    try {
      tick(prev);
    } catch (const std::exception& e) {
      std::cerr << "dashboard: sample: " << e.what() << '\n';
    }
  }
}

void realtime::tick(std::optional<reading>& prev) {
  reading now{apps::now_ms(), monotonic_seconds(), io_.metrics(), sio::read_process_metrics()};
  auto sample = build_sample(node_, now, prev ? &*prev : nullptr);
  prev = std::move(now);
  history_.add(sample, prev->at_ms);
  auto& nsp = io_.of(namespace_name);
  nsp.to(room).volatile_().emit("metrics", sample);
  nsp.server_side_emit(server_event, std::move(sample));
}

}  // namespace dashboard
