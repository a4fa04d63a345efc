// worker_pool: which worker runs the calling thread, and the outboxes of work one worker posts to
// the others (see include/sio/server/worker_pool.hpp).
#include <sio/server/worker_pool.hpp>

#include <exception>
#include <utility>

namespace sio {
namespace detail {

// Every worker's outbox, shared by the pool and the hand-over handlers it posts (a handler may
// run or be destroyed after the pool is gone: the io_contexts outlive it, the outboxes live with
// it).
struct pool_outboxes {
  struct outbox {
    std::vector<std::vector<pool_task>> to;  // by receiving worker
    std::vector<std::size_t> order;          // receivers in the order of their first post
    bool handover_posted = false;
  };
  std::vector<boost::asio::io_context*> contexts;
  std::vector<outbox> by_worker;  // outbox w: touched on worker w's thread only

  void hand_over(std::size_t from);
  void drop(std::size_t from);
};

namespace {
// What a turn posted to one worker, run there back to back in the order posted. A task that throws
// does not keep the later ones from running; the first exception leaves the handler afterwards,
// as it left the task's own handler before.
struct batch {
  std::vector<pool_task> tasks;
  void operator()() {
    std::exception_ptr first;
    for (auto& t : tasks) {
      try {
        t();
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    }
    if (first) std::rethrow_exception(first);
  }
};

// Runs at the end of worker `from`'s turn. Destroyed without running (the io_context is shut
// down), it drops what waits in that outbox, with the io_context's other pending work.
struct handover {
  std::shared_ptr<pool_outboxes> all;
  std::size_t from;
  handover(std::shared_ptr<pool_outboxes> a, std::size_t f) : all(std::move(a)), from(f) {}
  handover(handover&&) noexcept = default;
  handover& operator=(handover&&) = delete;
  ~handover() {
    if (all) all->drop(from);
  }
  void operator()() { std::exchange(all, nullptr)->hand_over(from); }
};
}  // namespace

void pool_outboxes::hand_over(std::size_t from) {
  auto& o = by_worker[from];
  o.handover_posted = false;
  // Receivers in the order of their first post: whatever a receiver's work causes elsewhere comes
  // after what this turn posted there first, as when every task was posted at once.
  for (const auto to : o.order)
    boost::asio::post(*contexts[to], batch{std::exchange(o.to[to], {})});
  o.order.clear();
}

void pool_outboxes::drop(std::size_t from) {
  auto& o = by_worker[from];
  o.handover_posted = false;
  std::vector<std::vector<pool_task>> gone;  // destroyed once the outbox is consistent again
  for (const auto to : o.order) gone.push_back(std::exchange(o.to[to], {}));
  o.order.clear();
}

}  // namespace detail

worker_pool::~worker_pool() = default;

std::size_t worker_pool::current() const noexcept {
  auto& self = const_cast<worker_pool&>(*this);
  const auto n = size();
  for (std::size_t i = 0; i < n; ++i)
    if (self.context(i).get_executor().running_in_this_thread()) return i;
  return n;
}

void worker_pool::enqueue(std::size_t from, std::size_t to, detail::pool_task t) {
  std::call_once(outboxes_once_, [this] {
    auto all = std::make_shared<detail::pool_outboxes>();
    const auto n = size();
    all->by_worker.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      all->contexts.push_back(&context(i));
      all->by_worker[i].to.resize(n);
    }
    outboxes_ = std::move(all);
  });
  auto& o = outboxes_->by_worker[from];
  auto& q = o.to[to];
  if (q.empty()) o.order.push_back(to);
  q.push_back(std::move(t));
  if (o.handover_posted) return;
  o.handover_posted = true;
  boost::asio::post(context(from), detail::handover{outboxes_, from});
}

}  // namespace sio
