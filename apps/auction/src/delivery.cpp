#include <auction/delivery.hpp>

#include "validation.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <utility>

namespace auction {

namespace {

// Runs one step of the thread; a failure (storage unreachable, ...) is logged and retried later.
template <class F>
void logged(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    std::cerr << "auction: " << what << ": " << e.what() << '\n';
  }
}

}  // namespace

delivery::delivery(storage& db, event_fn emit, event_fn publish, delivery_options opts)
    : db_(db),
      emit_(std::move(emit)),
      publish_(std::move(publish)),
      opts_(opts),
      order_(opts.order) {}

delivery::~delivery() {
  stop();
}

void delivery::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void delivery::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void delivery::post(task t, bool droppable) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || (droppable && queue_.size() >= opts_.max_queued)) return;
    queue_.push_back(std::move(t));
  }
  cv_.notify_one();
}

void delivery::accepted(auction_event e) {
  logged("publish", [&] { publish_(e); });
  received(std::move(e));
}

void delivery::received(auction_event e) {
  // Dropped when the queue is full: the gap it leaves is read from storage.
  post([this, e = std::move(e)]() mutable { offer(std::move(e), apps::now_ms()); }, true);
}

void delivery::expect(id_type auction) {
  post([this, auction] { order_.expect(auction, apps::now_ms()); }, false);
}

void delivery::baseline(id_type auction, std::optional<std::uint64_t> last_seq) {
  post([this, auction, last_seq] { emit_all(order_.baseline(auction, last_seq, apps::now_ms())); },
       false);
}

void delivery::offer(auction_event e, std::int64_t now_ms) {
  emit_all(order_.offer(std::move(e), now_ms));
}

void delivery::emit_all(const std::vector<auction_event>& events) {
  for (const auto& e : events) logged("emit", [&] { emit_(e); });
}

void delivery::run() {
  std::int64_t next_tick = 0;
  std::int64_t next_scan = 0;
  std::int64_t next_tail = apps::now_ms() + opts_.tail_check_ms;
  for (;;) {
    std::deque<task> work;
    {
      std::unique_lock lock(mu_);
      const auto wake = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(std::min(next_tick, next_scan)));
      cv_.wait_until(lock, wake, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      work.swap(queue_);
    }
    for (auto& t : work) logged("event", t);
    const auto now = apps::now_ms();
    if (now >= next_tail) {
      logged("tail", [&] { check_tails(now); });
      next_tail = now + opts_.tail_check_ms;
    }
    if (now >= next_tick) {
      logged("gap", [&] { fill_gaps(now); });
      next_tick = now + opts_.tick_ms;
    }
    if (now >= next_scan) {
      next_scan = now + opts_.close_scan_ms;  // also after a failure
      logged("close", [&] { next_scan = close_due(now); });
    }
  }
}

void delivery::fill_gaps(std::int64_t now_ms) {
  for (const auto& g : order_.due(now_ms)) {
    for (const auto& b : db_.bids_between(g.auction, g.first, g.last)) offer(bid_placed(b), now_ms);
    auto a = db_.load_auction(g.auction);
    if (a && !a->open && a->seq >= g.first && a->seq <= g.last) offer(auction_closed(*a), now_ms);
  }
}

void delivery::check_tails(std::int64_t now_ms) {
  constexpr std::int64_t within_ms = 60'000;
  constexpr std::size_t max_checked = 1000;
  const auto ids = order_.active(now_ms, within_ms, max_checked);
  for (const auto& [id, seq] : db_.last_seqs(ids)) order_.stored(id, seq, now_ms);
}

std::int64_t delivery::close_due(std::int64_t now_ms) {
  auto end = db_.next_end();  // a read: the write (and SQLite's write lock) only when one is due
  if (end && *end <= now_ms) {
    for (const auto& a : db_.close_due(now_ms)) accepted(auction_closed(a));
    end = db_.next_end();
  }
  std::int64_t next = now_ms + opts_.close_scan_ms;
  if (end) next = std::min(next, std::max(*end, now_ms + 1));
  return next;
}

}  // namespace auction
