#include <sio/server/adapter.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace sio {

// One worker's part of the room tables. Every socket is in the room named after its id (Node's
// rule) until it leaves it; that room is a flag on the socket's entry, not a table of its own,
// which keeps an idle socket to one entry. Room members are pointers to the `sids` entries
// (node-based: they stay put until the socket's entry is erased, after it left every room), and
// each entry holds the host's handle of its socket, so a delivery hashes no socket id.
struct in_memory_adapter::shard {
  struct member;
  using entry = std::pair<const std::string, member>;  // an element of `sids`
  struct member {
    member_handle handle;
    std::vector<const std::string*> rooms;  // keys of `rooms`, in join order
    bool own = false;                       // in the room named after its id
  };
  std::unordered_map<std::string, member> sids;
  // Every other room -> its members.
  std::unordered_map<std::string, std::unordered_set<const entry*>> rooms;

  // Calls f(const entry*) for each member of room r.
  template <class F>
  void for_each_member(const room& r, F&& f) const {
    if (auto it = rooms.find(r); it != rooms.end())
      for (const auto* e : it->second) f(e);
    if (auto it = sids.find(r); it != sids.end() && it->second.own) f(&*it);
  }

  // The entries matching opts.
  std::vector<const entry*> match(const broadcast_options& opts) const {
    std::vector<const entry*> out;
    std::unordered_set<const entry*> excluded;
    for (const auto& r : opts.except)
      for_each_member(r, [&](const entry* e) { excluded.insert(e); });
    auto keep = [&](const entry* e) { return excluded.empty() || !excluded.contains(e); };
    if (opts.rooms.empty()) {
      out.reserve(sids.size());
      for (const auto& e : sids)
        if (keep(&e)) out.push_back(&e);
    } else if (opts.rooms.size() == 1) {
      for_each_member(opts.rooms.front(), [&](const entry* e) {
        if (keep(e)) out.push_back(e);
      });
    } else {
      std::unordered_set<const entry*> seen;
      for (const auto& r : opts.rooms)
        for_each_member(r, [&](const entry* e) {
          if (keep(e) && seen.insert(e).second) out.push_back(e);
        });
    }
    return out;
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
  const auto [entry, added] = sh.sids.try_emplace(sid);
  auto& [key, mine] = *entry;
  if (added) mine.handle = nsp_.member_of(w, sid);
  for (const auto& r : rooms) {
    if (r == key) {
      mine.own = true;
      continue;
    }
    const auto [it, fresh] = sh.rooms.try_emplace(r);
    if (fresh) census_->added(r);
    auto& [room_key, members] = *it;
    if (members.insert(&*entry).second) mine.rooms.push_back(&room_key);
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
  if (rit->second.erase(&*it) == 0) return;
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
  const shard::entry* e = &*it;
  for (const auto* r : it->second.rooms) {
    if (auto rit = sh.rooms.find(*r); rit != sh.rooms.end()) {
      rit->second.erase(e);
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

std::vector<const member_handle*> in_memory_adapter::match_local(
    std::size_t w, const broadcast_options& opts) const {
  const auto entries = shards_[w]->match(opts);
  std::vector<const member_handle*> out;
  out.reserve(entries.size());
  for (const auto* e : entries) out.push_back(&e->second.handle);
  return out;
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
  // The calling worker's share runs inline, after the others were posted (from a worker, they
  // leave with its outbox at the end of its turn: every broadcast of one read reaches another
  // worker in one hand-over).
  const std::size_t self = pool.current();
  for (std::size_t w = 0; w < n; ++w)
    if (w != self) pool.post(w, [run, w] { run(w); });
  if (self < n) run(self);
}

void in_memory_adapter::broadcast(outgoing_ptr p, broadcast_options opts) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  on_each_worker([this, p = std::move(p), o](std::size_t w) {
    const auto members = match_local(w, *o);
    if (members.empty()) return;
    nsp_.deliver(w, members, p, delivery{o->flags.volatile_, o->flags.compress, nullptr});
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
        const auto members = match_local(w, *o);
        count->fetch_add(members.size(), std::memory_order_relaxed);
        if (members.empty()) return;
        nsp_.deliver(w, members, p, delivery{o->flags.volatile_, o->flags.compress, sink});
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
        const auto entries = shards_[w]->match(*opts);
        auto& part = (*parts)[w];
        part.reserve(entries.size());
        for (const auto* e : entries) part.push_back(e->first);
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
        const auto members = match_local(w, *o);
        if (!members.empty()) nsp_.collect(w, members, (*parts)[w]);
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
    const auto members = match_local(w, *o);
    if (!members.empty()) nsp_.join(w, members, *r);
  });
}

void in_memory_adapter::del_sockets(broadcast_options opts, std::vector<room> rooms) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  auto r = std::make_shared<const std::vector<room>>(std::move(rooms));
  on_each_worker([this, o, r](std::size_t w) {
    const auto members = match_local(w, *o);
    if (!members.empty()) nsp_.leave(w, members, *r);
  });
}

void in_memory_adapter::disconnect_sockets(broadcast_options opts, bool close) {
  auto o = std::make_shared<const broadcast_options>(std::move(opts));
  on_each_worker([this, o, close](std::size_t w) {
    const auto members = match_local(w, *o);
    if (!members.empty()) nsp_.disconnect(w, members, close);
  });
}

}  // namespace sio
