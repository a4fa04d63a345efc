// auction::delivery: one thread per node that delivers the auctions' events to this node's
// sockets in seq order, and closes the auctions that reached their end.
//
// - Events this node accepted go to the other nodes at once (publish) and, like the events the
//   other nodes published, through a sequencer (sequencer.hpp) to `emit`, which sends them to
//   this node's sockets of the room. Every emit happens on this thread: broadcasts made from one
//   thread reach each socket in the order they were made, which broadcasts from several worker
//   threads would not guarantee.
// - A gap that stays open (the node that accepted an event stopped before publishing it) is read
//   from storage; so is an auction's last event that never came (its seq is compared with
//   storage's every tail_check_ms).
// - Every node runs the closer: at the soonest endsAt storage knows, and every close_scan_ms, it
//   closes the auctions that reached their end (storage::close_due: each closed by exactly one
//   node) and handles each close as an event this node accepted.
//
// Thread-safety: every member may be called from any thread; `emit` and `publish` run on the
// delivery thread (publish also on the caller of accepted()).
#pragma once

#include <auction/events.hpp>
#include <auction/sequencer.hpp>
#include <auction/storage.hpp>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace auction {

struct delivery_options {
  sequencer_options order;
  std::int64_t tick_ms = 100;        // how often the open gaps are looked at
  std::int64_t close_scan_ms = 500;  // the closer asks storage at least this often
  // How often the last seq of the auctions active here (an event within the last minute, at
  // most 1000) is compared with storage's, for a last event whose node stopped before
  // publishing it (no later event opens a gap for it).
  std::int64_t tail_check_ms = 2000;
  std::size_t max_queued = 100000;  // events waiting for the thread (beyond: read back later)
};

class delivery {
 public:
  using event_fn = std::function<void(const auction_event&)>;

  // `db` must outlive this object. `emit` sends an event to this node's sockets of its room;
  // `publish` sends it to the other nodes (which call received()).
  delivery(storage& db, event_fn emit, event_fn publish, delivery_options opts = {});
  ~delivery();
  delivery(const delivery&) = delete;
  delivery& operator=(const delivery&) = delete;

  // Starts the thread. Stops it (idempotent): queued work is dropped.
  void start();
  void stop();

  // An event this node accepted (a bid it stored).
  void accepted(auction_event e);
  // An event another node published.
  void received(auction_event e);
  // A socket joined the auction's room and reads it from storage: see sequencer::expect and
  // sequencer::baseline. Every expect() must be followed by one baseline().
  void expect(id_type auction);
  void baseline(id_type auction, std::optional<std::uint64_t> last_seq);

 private:
  using task = std::function<void()>;
  void post(task t, bool droppable);
  void run();
  void offer(auction_event e, std::int64_t now_ms);
  void emit_all(const std::vector<auction_event>& events);
  void fill_gaps(std::int64_t now_ms);
  void check_tails(std::int64_t now_ms);
  // Closes what is due; returns when to look again.
  std::int64_t close_due(std::int64_t now_ms);

  storage& db_;
  const event_fn emit_;
  const event_fn publish_;
  const delivery_options opts_;
  sequencer order_;  // used on the thread only

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<task> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace auction
