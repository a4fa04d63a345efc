#include "harness.hpp"

#include <utility>

namespace sio::test {

// --- fake_connection ----------------------------------------------------------------------------

fake_connection::fake_connection(std::string sid, std::size_t worker, boost::asio::io_context& ctx,
                                 std::shared_ptr<engineio::handler> h)
    : sid_(std::move(sid)), worker_(worker), ctx_(ctx), h_(std::move(h)) {
  req_->url = "/socket.io/?EIO=4&transport=websocket";
  req_->remote_address = "127.0.0.1";
  req_->headers = {{"host", "localhost"}};
  req_->query = {{"EIO", "4"}};
  req_->issued_ms = 1700000000000;
}

engineio::send_result fake_connection::send(engineio::message_ptr m, engineio::send_flags f) {
  EXPECT_TRUE(ctx_.get_executor().running_in_this_thread()) << "send off the worker";
  std::lock_guard lk(mu_);
  if (closed_) return engineio::send_result::closed;
  if (f.volatile_ && !writable_) return engineio::send_result::dropped;
  if (out_.size() >= max_queue_) {
    // Like the engine: the session is closed with "transport error".
    close_with(engineio::close_reason::transport_error);
    return engineio::send_result::overflow;
  }
  out_.push_back(std::move(m));
  cv_.notify_all();
  return engineio::send_result::queued;
}

bool fake_connection::writable() const noexcept {
  std::lock_guard lk(mu_);
  return writable_;
}

void fake_connection::close() {
  std::lock_guard lk(mu_);
  close_with(engineio::close_reason::forced_close);
}

void fake_connection::set_writable(bool w) {
  std::lock_guard lk(mu_);
  writable_ = w;
}

void fake_connection::set_max_queue(std::size_t n) {
  std::lock_guard lk(mu_);
  max_queue_ = n;
}

void fake_connection::peer_close(engineio::close_reason r) {
  std::lock_guard lk(mu_);
  close_with(r);
}

void fake_connection::open() {
  boost::asio::post(ctx_, [self = shared_from_this()] { self->h_->on_open(self); });
}

void fake_connection::text(std::string s) {
  boost::asio::post(ctx_, [self = shared_from_this(), s = std::move(s)] {
    if (!self->is_closed()) self->h_->on_message(*self, s);
  });
}

void fake_connection::bin(std::string s) {
  boost::asio::post(ctx_, [self = shared_from_this(), s = std::move(s)] {
    if (!self->is_closed()) self->h_->on_binary(*self, s);
  });
}

bool fake_connection::is_closed() const {
  std::lock_guard lk(mu_);
  return closed_;
}

std::optional<engineio::close_reason> fake_connection::closed_with() const {
  std::lock_guard lk(mu_);
  return reason_;
}

std::size_t fake_connection::pending() const {
  std::lock_guard lk(mu_);
  return out_.size();
}

std::optional<std::string> fake_connection::pop() {
  std::lock_guard lk(mu_);
  if (out_.empty()) return std::nullopt;
  auto m = std::move(out_.front());
  out_.pop_front();
  return (m->binary ? "b:" : "") + m->data;
}

std::deque<engineio::message_ptr> fake_connection::take_all() {
  std::lock_guard lk(mu_);
  return std::exchange(out_, {});
}

bool fake_connection::wait_pending(std::size_t n) {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, patience, [&] { return out_.size() >= n; });
}

bool fake_connection::wait_closed() {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, patience, [&] { return closed_; });
}

void fake_connection::close_with(engineio::close_reason r) {
  if (closed_) return;
  closed_ = true;
  reason_ = r;
  cv_.notify_all();
  boost::asio::post(ctx_, [self = shared_from_this(), r] { self->h_->on_close(*self, r); });
}

// --- harness ------------------------------------------------------------------------------------

harness::harness(std::size_t workers, bool threads, server_options opts) : threaded(threads) {
  for (std::size_t i = 0; i < workers; ++i)
    ctxs.push_back(std::make_unique<boost::asio::io_context>(1));
  std::vector<boost::asio::io_context*> raw;
  for (auto& c : ctxs) raw.push_back(c.get());
  pool = std::make_shared<context_pool>(raw);
  if (!opts.log)
    opts.log = [this](std::string_view m) {
      std::lock_guard lk(log_mu);
      logs.emplace_back(m);
    };
  io = std::make_unique<server>(pool, std::move(opts));
  if (threaded) {
    for (auto& c : ctxs) {
      guards.emplace_back(c->get_executor());
      runners.emplace_back([c = c.get()] { c->run(); });
    }
  }
}

harness::~harness() {
  if (threaded) {
    // Settle: let every queued handler run, then stop.
    guards.clear();
    for (auto& c : ctxs) c->stop();
    for (auto& t : runners) t.join();
  }
  io.reset();
}

void harness::poll() {
  for (int round = 0; round < 1000; ++round) {
    std::size_t n = 0;
    for (auto& c : ctxs) {
      c->restart();
      n += c->poll();
    }
    if (n == 0) return;
  }
}

bool harness::run_until(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    poll();
    if (pred()) return true;
    for (auto& c : ctxs) {
      c->restart();
      c->run_one_for(2ms);
    }
  }
  poll();
  return pred();
}

void harness::on_worker(std::size_t w, std::function<void()> f) {
  if (!threaded) {
    boost::asio::post(*ctxs[w], std::move(f));
    poll();
    return;
  }
  std::promise<void> done;
  boost::asio::post(*ctxs[w], [&] {
    f();
    done.set_value();
  });
  done.get_future().wait();
}

std::shared_ptr<fake_connection> harness::connect(std::size_t worker) {
  auto c = std::make_shared<fake_connection>("eio" + std::to_string(next_sid++), worker,
                                             *ctxs[worker], io->engine_handler());
  c->open();
  if (!threaded) poll();
  return c;
}

std::string harness::join(fake_connection& c, const std::string& nsp, const std::string& auth) {
  std::string pkt = "0";
  if (nsp != "/") pkt += nsp + ",";
  pkt += auth;
  c.text(pkt);
  if (threaded)
    c.wait_pending(1);
  else
    poll();
  auto m = c.pop();
  if (!m) return {};
  const std::string prefix = nsp == "/" ? "0{\"sid\":\"" : "0" + nsp + ",{\"sid\":\"";
  if (m->rfind(prefix, 0) != 0) {
    ADD_FAILURE() << "unexpected connect answer: " << *m;
    return {};
  }
  return m->substr(prefix.size(), m->size() - prefix.size() - 2);
}

std::vector<std::string> harness::log_lines() {
  std::lock_guard lk(log_mu);
  return logs;
}

}  // namespace sio::test
