#include <sio/server/adapter.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace sio {

// One worker's part of the room tables. Every socket is in the room named after its id (Node's
// rule) until it leaves it; that room is a flag on the socket's entry, not a table of its own,
// which keeps an idle socket to one entry. Members are pointers to the `sids` keys (node-based:
// they stay put until the socket's entry is erased, after it left every room).
struct in_memory_adapter::shard {
  struct member {
    std::vector<const std::string*> rooms;  // keys of `rooms`, in join order
    bool own = false;                       // in the room named after its id
  };
  std::unordered_map<std::string, member> sids;
  // Every other room -> its members (keys of `sids`).
  std::unordered_map<std::string, std::unordered_set<const std::string*>> rooms;

  // Calls f(const std::string* sid) for each member of room r.
  template <class F>
  void for_each_member(const room& r, F&& f) const {
    if (auto it = rooms.find(r); it != rooms.end())
      for (const auto* sid : it->second) f(sid);
    if (auto it = sids.find(r); it != sids.end() && it->second.own) f(&it->first);
  }
};

// The distinct rooms of every shard: how many workers hold each. Touched only when a room
// appears on or disappears from a worker (not on every join), read by metrics from any thread.
struct in_memory_adapter::room_census {
  mutable std::mutex mu;
  std::unordered_map<std::string, std::size_t> workers;

  void added(const room& r) {
    std::lock_guard lk(mu);
    ++workers[r];
  }
  void removed(const room& r) {
    std::lock_guard lk(mu);
    if (auto it = workers.find(r); it != workers.end() && --it->second == 0) workers.erase(it);
  }
  std::size_t size() const {
    std::lock_guard lk(mu);
    return workers.size();
  }
};

in_memory_adapter::in_memory_adapter(adapter_host& nsp)
    : adapter(nsp), census_(std::make_unique<room_census>()) {
  const auto n = nsp.workers().size();
  shards_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<shard>());
}

in_memory_adapter::~in_memory_adapter() = default;

void in_memory_adapter::add_all(std::size_t w, const std::string& sid,
                                std::span<const room> rooms) {
  auto& sh = *shards_[w];
  auto& [key, mine] = *sh.sids.try_emplace(sid).first;
  for (const auto& r : rooms) {
    if (r == key) {
      mine.own = true;
      continue;
    }
    const auto [it, fresh] = sh.rooms.try_emplace(r);
    if (fresh) census_->added(r);
    auto& [room_key, members] = *it;
    if (members.insert(&key).second) mine.rooms.push_back(&room_key);
  }
}

void in_memory_adapter::del(std::size_t w, const std::string& sid, const room& r) {
  auto& sh = *shards_[w];
  auto it = sh.sids.find(sid);
  if (it == sh.sids.end()) return;  // in no room
  auto& [key, mine] = *it;
  if (r == key) {
    mine.own = false;
    return;
  }
  auto rit = sh.rooms.find(r);
  if (rit == sh.rooms.end()) return;
  if (rit->second.erase(&key) == 0) return;
  std::erase(mine.rooms, &rit->first);
  if (rit->second.empty()) {
    census_->removed(rit->first);
    sh.rooms.erase(rit);
  }
}

void in_memory_adapter::del_all(std::size_t w, const std::string& sid) {
  auto& sh = *shards_[w];
  auto it = sh.sids.find(sid);
  if (it == sh.sids.end()) return;
  const std::string* key = &it->first;
  for (const auto* r : it->second.rooms) {
    if (auto rit = sh.rooms.find(*r); rit != sh.rooms.end()) {
      rit->second.erase(key);
      if (rit->second.empty()) {
        census_->removed(rit->first);
        sh.rooms.erase(rit);
      }
    }
  }
  sh.sids.erase(it);
}

std::size_t in_memory_adapter::local_room_count() const {
  return census_->size();
}

std::vector<room> in_memory_adapter::socket_rooms(std::size_t w, const std::string& sid) const {
  const auto& sh = *shards_[w];
  auto it = sh.sids.find(sid);
  if (it == sh.sids.end()) return {};
  const auto& mine = it->second;
  std::vector<room> out;
  out.reserve(mine.rooms.size() + (mine.own ? 1 : 0));
  if (mine.own) out.push_back(it->first);
  for (const auto* r : mine.rooms) out.push_back(*r);
  return out;
}

void in_memory_adapter::match_local(std::size_t w, const broadcast_options& opts,
                                    std::vector<const std::string*>& out) const {
  const auto& sh = *shards_[w];
  std::unordered_set<const std::string*> excluded;
  for (const auto& r : opts.except)
    sh.for_each_member(r, [&](const std::string* sid) { excluded.insert(sid); });
  auto keep = [&](const std::string* sid) { return excluded.empty() || !excluded.contains(sid); };
  if (opts.rooms.empty()) {
    out.reserve(sh.sids.size());
    for (const auto& [sid, mine] : sh.sids)
      if (keep(&sid)) out.push_back(&sid);
    return;
  }
  if (opts.rooms.size() == 1) {
    sh.for_each_member(opts.rooms.front(), [&](const std::string* sid) {
      if (keep(sid)) out.push_back(sid);
    });
    return;
  }
  std::unordered_set<const std::string*> seen;
  for (const auto& r : opts.rooms) {
    sh.for_each_member(r, [&](const std::string* sid) {
      if (keep(sid) && seen.insert(sid).second) out.push_back(sid);
    });
  }
}

void in_memory_adapter::on_each_worker(std::function<void(std::size_t)> fn,
                                       std::function<void()> done) {
  auto& pool = nsp_.workers();
  const std::size_t n = pool.size();
  struct job {
    std::function<void(std::size_t)> fn;
    std::function<void()> done;
    std::atomic<std::size_t> left;
    std::shared_ptr<const void> keep;
  };
  auto j = std::make_shared<job>();
  j->fn = std::move(fn);
  j->done = std::move(done);
  j->left.store(n, std::memory_order_relaxed);
  j->keep = nsp_.keep_alive();
  auto run = [j](std::size_t w) {
    j->fn(w);
    if (j->left.fetch_sub(1, std::memory_order_acq_rel) == 1 && j->done) j->done();
  };
  // The calling worker's share runs inline, after the others were posted.
  const std::size_t self = pool.current();
  for (std::size_t w = 0; w < n; ++w)
    if (w != self) pool.post(w, [run, w] { run(w); });
  if (self < n) run(self);
}

void in_memory_adapter::broadcast(outgoing_ptr p, broadcast_options opts) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  on_each_worker([this, p = std::move(p), o](std::size_t w) {
    std::vector<const std::string*> ids;
    match_local(w, *o, ids);
    if (ids.empty()) return;
    nsp_.deliver(w, ids, p, delivery{o->flags.volatile_, o->flags.compress, nullptr});
  });
}

void in_memory_adapter::broadcast_with_ack(outgoing_ptr p, broadcast_options opts,
                                           std::function<void(std::size_t)> client_count,
                                           std::function<void(payload)> on_response) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  auto sink = std::make_shared<const ack_sink>(std::move(on_response));
  auto count = std::make_shared<std::atomic<std::size_t>>(0);
  on_each_worker(
      [this, p = std::move(p), o, sink, count](std::size_t w) {
        std::vector<const std::string*> ids;
        match_local(w, *o, ids);
        count->fetch_add(ids.size(), std::memory_order_relaxed);
        if (ids.empty()) return;
        nsp_.deliver(w, ids, p, delivery{o->flags.volatile_, o->flags.compress, sink});
      },
      [count, cb = std::move(client_count)] { cb(count->load(std::memory_order_relaxed)); });
}

void in_memory_adapter::sockets(std::vector<room> rooms,
                                std::function<void(std::vector<std::string>)> done) {
  broadcast_options o;
  o.rooms = std::move(rooms);
  const auto n = nsp_.workers().size();
  auto parts = std::make_shared<std::vector<std::vector<std::string>>>(n);
  auto opts = std::make_shared<const broadcast_options>(std::move(o));
  on_each_worker(
      [this, parts, opts](std::size_t w) {
        std::vector<const std::string*> ids;
        match_local(w, *opts, ids);
        auto& part = (*parts)[w];
        part.reserve(ids.size());
        for (const auto* id : ids) part.push_back(*id);
      },
      [parts, done = std::move(done)] {
        std::vector<std::string> all;
        for (auto& part : *parts)
          for (auto& id : part) all.push_back(std::move(id));
        done(std::move(all));
      });
}

void in_memory_adapter::fetch_sockets(broadcast_options opts,
                                      std::function<void(std::vector<socket_info>)> done) {
  const auto n = nsp_.workers().size();
  auto parts = std::make_shared<std::vector<std::vector<socket_info>>>(n);
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  on_each_worker(
      [this, parts, o](std::size_t w) {
        std::vector<const std::string*> ids;
        match_local(w, *o, ids);
        if (!ids.empty()) nsp_.collect(w, ids, (*parts)[w]);
      },
      [parts, done = std::move(done)] {
        std::vector<socket_info> all;
        for (auto& part : *parts)
          for (auto& s : part) all.push_back(std::move(s));
        done(std::move(all));
      });
}

void in_memory_adapter::add_sockets(broadcast_options opts, std::vector<room> rooms) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  auto r = std::make_shared<const std::vector<room>>(std::move(rooms));
  on_each_worker([this, o, r](std::size_t w) {
    std::vector<const std::string*> ids;
    match_local(w, *o, ids);
    if (!ids.empty()) nsp_.join(w, ids, *r);
  });
}

void in_memory_adapter::del_sockets(broadcast_options opts, std::vector<room> rooms) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  auto r = std::make_shared<const std::vector<room>>(std::move(rooms));
  on_each_worker([this, o, r](std::size_t w) {
    std::vector<const std::string*> ids;
    match_local(w, *o, ids);
    if (!ids.empty()) nsp_.leave(w, ids, *r);
  });
}

void in_memory_adapter::disconnect_sockets(broadcast_options opts, bool close) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  on_each_worker([this, o, close](std::size_t w) {
    std::vector<const std::string*> ids;
    match_local(w, *o, ids);
    if (!ids.empty()) nsp_.disconnect(w, ids, close);
  });
}

}  // namespace sio
