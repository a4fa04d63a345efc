#include <sio/redis/cluster_client.hpp>

#include "cluster_client_map.hpp"
#include "connection_options.hpp"
#include "log_sink.hpp"
#include "shutdown.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

namespace sio::redis {

namespace asio = boost::asio;
using detail::slot_count;
using std::chrono::milliseconds;

namespace {

// Commands waiting for a slot map (none known yet, the slot not served, or a retry after
// TRYAGAIN / CLUSTERDOWN), bounded as client_options::max_offline_bytes is by default.
constexpr std::size_t max_waiting_bytes = 16 * 1024 * 1024;
// How long one node may take to answer CLUSTER SLOTS before the next one is asked.
constexpr milliseconds probe_timeout{2000};
// The refresh interval while a primary of the map is unreachable (a failover is expected).
constexpr milliseconds degraded_refresh{250};
constexpr milliseconds max_retry_delay{1000};
constexpr std::string_view no_cluster = "cluster support disabled";

std::size_t args_bytes(const std::vector<std::string>& args) {
  std::size_t n = 64;
  for (const auto& a : args) n += a.size() + 16;
  return n;
}

}  // namespace

struct cluster_client::impl : std::enable_shared_from_this<cluster_client::impl> {
  // One primary: its command connection and its subscriber connection, made when first needed.
  struct node {
    std::string address;
    endpoint server;
    std::shared_ptr<client> cmd, sub;
    std::set<std::string> channels;  // the sharded subscriptions placed here
    std::size_t unconfirmed = 0;     // sub->when_ready() checks not yet answered
    bool down = false;               // a connection of this node reported lost
    bool closed = false;             // left the map: its connections are stopped
  };
  using node_ptr = std::shared_ptr<node>;

  // A command on its way: to the primary of `slot`, or to every primary (`all`).
  struct request {
    std::uint16_t slot = 0;
    std::vector<std::string> args;
    reply_handler cb;
    std::function<void(boost::system::error_code, std::vector<reply>)> all_cb;
    int hops = 0;     // MOVED / ASK followed
    int retries = 0;  // sent again after TRYAGAIN / CLUSTERDOWN / an unserved slot
  };

  impl(asio::io_context& c, cluster_client_options o, std::vector<endpoint> s)
      : ioc(c), io(std::make_unique<io_objects>(c)), opts(std::move(o)), seeds(std::move(s)) {
    slots.resize(slot_count);
  }

  struct io_objects {
    explicit io_objects(asio::io_context& ioc)
        : strand(asio::make_strand(ioc)), refresh_timer(strand), probe_timer(strand) {}
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer refresh_timer;
    asio::steady_timer probe_timer;
  };

  asio::io_context& ioc;
  std::unique_ptr<io_objects> io;  // released when the io_context goes (see shutdown.hpp)
  std::atomic<bool> dead{false};
  cluster_client_options opts;
  std::vector<endpoint> seeds;

  bool started = false;
  bool stopped = false;
  bool map_known = false;
  std::map<std::string, node_ptr> nodes;  // by host:port: the primaries of the map
  std::vector<node_ptr> slots;            // slot -> its primary (null: not served)
  std::vector<std::string> replicas;      // of the last map: asked when primaries are not
  std::set<std::string> unreachable;      // addresses that did not answer CLUSTER SLOTS last time

  std::deque<request> waiting;
  std::size_t waiting_bytes = 0;

  std::set<std::string> wanted;            // sharded subscriptions
  std::map<std::string, node_ptr> placed;  // channel -> the primary it is subscribed on
  std::vector<std::function<void()>> ready_waiters;
  message_handler on_msg;

  // Refresh state: one at a time; `again` when another was asked meanwhile.
  bool refreshing = false;
  bool refresh_again = false;
  bool timer_armed = false;
  std::chrono::steady_clock::time_point refresh_due;
  milliseconds refresh_backoff{0};
  std::uint64_t probe_seq = 0;
  std::shared_ptr<client> probe;  // the connection of the CLUSTER SLOTS in flight, if made for it
  std::string last_failure;

  mutable std::mutex primaries_mtx;
  std::vector<std::string> primaries_copy;  // for primaries(), from any thread

  void log(const std::string& s) const { log_to(opts.log, opts.name + ": " + s); }

  // Runs `f` on the strand with this impl, unless it is gone. Posted, never run inside the call
  // that reported it: a connection's callback may come from within a call into that connection
  // (a command on a stopped one fails at once), and must not re-enter it.
  template <class F>
  static void on_strand(const std::weak_ptr<impl>& w, F&& f) {
    auto self = w.lock();
    if (!self || self->dead) return;
    asio::post(self->io->strand, [self, f = std::forward<F>(f)]() mutable { f(*self); });
  }

  // --- connections ------------------------------------------------------------------------------

  endpoint endpoint_of(const std::string& address) const {
    endpoint e = seeds.front();  // credentials, TLS and database of the first seed
    if (auto a = detail::split_address(address)) {
      e.host = a->first;
      e.port = a->second;
    }
    return e;
  }

  std::shared_ptr<client> make_client(const std::string& address, std::string role,
                                      std::function<void(std::string_view)> log_to) {
    auto co = connection_options(endpoint_of(address), opts, opts.name + " " + std::move(role));
    co.log = std::move(log_to);
    auto c = client::create(ioc, std::move(co));
    c->start();
    return c;
  }

  // Both connections report their state: a lost one makes the map suspect.
  void watch(const node_ptr& n, client& c) {
    c.on_state([w = weak_from_this(), wn = std::weak_ptr<node>(n)](bool up) {
      on_strand(w, [wn, up](impl& s) {
        auto n = wn.lock();
        if (!n || n->closed || s.stopped) return;
        n->down = !up;
        if (!up) s.schedule_refresh(s.opts.reconnect_min);
      });
    });
  }

  client& cmd_client(const node_ptr& n) {
    if (!n->cmd) {
      n->cmd = make_client(n->address, "commands", opts.log);
      watch(n, *n->cmd);
    }
    return *n->cmd;
  }

  client& sub_client(const node_ptr& n) {
    if (!n->sub) {
      n->sub = make_client(n->address, "subscriber", opts.log);
      watch(n, *n->sub);
      auto w = weak_from_this();
      n->sub->on_smessage([w](std::string_view channel, std::string_view payload) {
        on_strand(w, [c = std::string(channel), p = std::string(payload)](impl& s) {
          if (!s.stopped && s.on_msg) s.on_msg(c, p);
        });
      });
      n->sub->on_sdropped(
          [w, wn = std::weak_ptr<node>(n)](std::string_view channel, std::string_view why) {
            on_strand(w, [wn, c = std::string(channel), why = std::string(why)](impl& s) {
              if (auto n = wn.lock()) s.dropped(n, c, why);
            });
          });
    }
    return *n->sub;
  }

  node_ptr node_for(const std::string& address) {
    auto& n = nodes[address];
    if (!n) {
      n = std::make_shared<node>();
      n->address = address;
      n->server = endpoint_of(address);
    }
    return n;
  }

  // A node that left the map. Commands still queued on its connection fail with error::stopped and
  // go to the slot's new owner; with `drain`, those already written get their replies first (a
  // PING answered means every command before it was).
  void close_node(const node_ptr& n, bool drain) {
    n->closed = true;
    if (n->cmd && drain && n->cmd->connected()) {
      n->cmd->command({"PING"}, [c = n->cmd](boost::system::error_code, reply) { c->stop(); });
    } else if (n->cmd) {
      n->cmd->stop();
    }
    if (n->sub) n->sub->stop();
    for (const auto& c : n->channels) placed.erase(c);
    n->channels.clear();
  }

  // --- the slot map -----------------------------------------------------------------------------

  void schedule_refresh(milliseconds delay) {
    if (stopped) return;
    const auto due = std::chrono::steady_clock::now() + delay;
    if (timer_armed && due >= refresh_due) return;
    timer_armed = true;
    refresh_due = due;
    io->refresh_timer.expires_at(due);
    io->refresh_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      self->timer_armed = false;
      self->refresh();
    });
  }

  void refresh() {
    if (stopped) return;
    if (refreshing) {
      refresh_again = true;
      return;
    }
    refreshing = true;
    refresh_again = false;
    probe_next(candidates(), 0);
  }

  // Who is asked for the map, in order: the primaries that are up, the seeds, the replicas, then
  // the ones that did not answer last time.
  std::vector<std::string> candidates() const {
    std::vector<std::string> first, last;
    std::set<std::string> seen;
    auto add = [&](const std::string& a) {
      if (!seen.insert(a).second) return;
      (unreachable.contains(a) ? last : first).push_back(a);
    };
    for (const auto& [a, n] : nodes)
      if (!n->down) add(a);
    for (const auto& s : seeds) add(detail::node_address(s.host, s.port));
    for (const auto& r : replicas) add(r);
    for (const auto& [a, n] : nodes) add(a);
    first.insert(first.end(), last.begin(), last.end());
    return first;
  }

  void probe_next(std::vector<std::string> list, std::size_t i) {
    if (stopped) return;
    if (i == list.size()) return refresh_failed("no node answered CLUSTER SLOTS");
    const auto address = list[i];
    client* c = nullptr;
    if (auto it = nodes.find(address); it != nodes.end()) {
      c = &cmd_client(it->second);
    } else {
      probe = make_client(address, "topology", [](std::string_view) {});
      c = probe.get();
    }
    const auto seq = ++probe_seq;
    io->probe_timer.expires_after(probe_timeout);
    io->probe_timer.async_wait(
        [self = shared_from_this(), list, i, seq](boost::system::error_code ec) mutable {
          if (ec || self->stopped || seq != self->probe_seq) return;
          self->unreachable.insert(list[i]);
          self->end_probe();
          self->probe_next(std::move(list), i + 1);
        });
    c->command({"CLUSTER", "SLOTS"}, [self = shared_from_this(), list = std::move(list), i, seq](
                                         boost::system::error_code ec, reply r) mutable {
      if (self->dead) return;
      asio::post(self->io->strand,
                 [self, list = std::move(list), i, seq, ec, r = std::move(r)]() mutable {
                   if (self->stopped || seq != self->probe_seq) return;
                   self->probed(std::move(list), i, ec, std::move(r));
                 });
    });
  }

  void end_probe() {
    ++probe_seq;
    io->probe_timer.cancel();
    if (probe) probe->stop();
    probe.reset();
  }

  void probed(std::vector<std::string> list, std::size_t i, boost::system::error_code ec, reply r) {
    end_probe();
    const auto& address = list[i];
    const auto host = endpoint_of(address).host;
    std::optional<std::vector<detail::slot_range>> ranges;
    if (!ec && r.type == reply::kind::error && r.str.find(no_cluster) != std::string::npos) {
      ranges.emplace().push_back({0, slot_count - 1, address, {}});  // a plain Redis
    } else if (!ec) {
      ranges = detail::parse_cluster_slots(r, host);
      if (ranges && ranges->empty()) ranges.reset();  // a cluster not formed yet
    }
    if (!ranges) {
      unreachable.insert(address);
      return probe_next(std::move(list), i + 1);
    }
    unreachable.erase(address);
    refreshing = false;
    refresh_backoff = milliseconds(0);
    last_failure.clear();
    apply(*ranges);
    if (refresh_again) return refresh();
    const bool degraded =
        std::any_of(nodes.begin(), nodes.end(), [](const auto& kv) { return kv.second->down; }) ||
        std::find(slots.begin(), slots.end(), nullptr) != slots.end();
    schedule_refresh(degraded ? std::min(opts.topology_refresh, degraded_refresh)
                              : opts.topology_refresh);
  }

  void refresh_failed(const std::string& why) {
    refreshing = false;
    if (why != last_failure) log(why + "; retrying");
    last_failure = why;
    refresh_backoff =
        std::min(std::max(refresh_backoff * 2, opts.reconnect_min), opts.reconnect_max);
    if (refresh_again) refresh_backoff = opts.reconnect_min;
    schedule_refresh(refresh_backoff);
  }

  void apply(const std::vector<detail::slot_range>& ranges) {
    std::vector<node_ptr> fresh(slot_count);
    std::map<std::string, node_ptr> kept;
    replicas.clear();
    for (const auto& r : ranges) {
      auto n = node_for(r.primary);
      kept[r.primary] = n;
      std::fill(fresh.begin() + r.first, fresh.begin() + r.last + 1, n);
      replicas.insert(replicas.end(), r.replicas.begin(), r.replicas.end());
    }
    // The new map first: the commands a closed node gives back are routed by it.
    std::swap(nodes, kept);
    slots = std::move(fresh);
    map_known = true;
    for (const auto& [a, n] : kept)
      if (!nodes.contains(a)) close_node(n, true);
    map_changed();
    flush_waiting();
  }

  // After any change of `slots`: the primaries' list, the subscriptions' places, readiness.
  void map_changed() {
    auto list = primaries_now();
    bool changed = false;
    {
      std::lock_guard lock(primaries_mtx);
      changed = list != primaries_copy;
      primaries_copy = list;
    }
    if (changed) {
      std::string text;
      for (const auto& p : list) text += (text.empty() ? "" : " ") + p;
      log("slot map: " + std::to_string(list.size()) + " primaries (" + text + ")");
    }
    place_subscriptions();
    try_ready();
  }

  std::vector<std::string> primaries_now() const {
    std::vector<std::string> out;
    const node* last = nullptr;
    for (const auto& n : slots) {
      if (!n || n.get() == last) continue;
      last = n.get();
      if (std::find(out.begin(), out.end(), n->address) == out.end()) out.push_back(n->address);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // --- commands ---------------------------------------------------------------------------------

  void finish(request& r, boost::system::error_code ec, reply rep) {
    if (r.all_cb) return r.all_cb(ec, {});
    if (r.cb) r.cb(ec, std::move(rep));
  }

  void route(request r) {
    if (stopped) return finish(r, make_error_code(error::stopped), {});
    if (r.all_cb) return map_known ? send_all(std::move(r)) : wait(std::move(r));
    const auto n = slots[r.slot];
    if (!n) return wait(std::move(r));
    send(n, std::move(r), false);
  }

  void wait(request r) {
    if (map_known && ++r.retries > opts.max_redirections)
      return finish(r, make_error_code(error::not_connected), {});
    const auto bytes = args_bytes(r.args);
    if (waiting_bytes + bytes > max_waiting_bytes)
      return finish(r, make_error_code(error::queue_full), {});
    waiting_bytes += bytes;
    waiting.push_back(std::move(r));
    if (map_known) schedule_refresh(retry_delay(waiting.back().retries));
  }

  milliseconds retry_delay(int retries) const {
    auto d = opts.reconnect_min;
    for (int i = 1; i < retries && d < max_retry_delay; ++i) d *= 2;
    return std::min(d, max_retry_delay);
  }

  void flush_waiting() {
    auto list = std::move(waiting);
    waiting.clear();
    waiting_bytes = 0;
    for (auto& r : list) route(std::move(r));
  }

  void send(const node_ptr& n, request r, bool asking) {
    auto& c = cmd_client(n);
    if (asking) c.command({"ASKING"});
    auto args = r.args;
    c.command(std::move(args), [self = shared_from_this(), n, r = std::move(r)](
                                   boost::system::error_code ec, reply rep) mutable {
      if (self->dead) return;
      asio::post(self->io->strand, [self, n, r = std::move(r), ec, rep = std::move(rep)]() mutable {
        self->answered(n, std::move(r), ec, std::move(rep));
      });
    });
  }

  void answered(const node_ptr& n, request r, boost::system::error_code ec, reply rep) {
    if (stopped) return finish(r, make_error_code(error::stopped), {});
    // Stopped by us (the node left the map) while the command waited for its connection.
    if (ec == error::stopped && n->closed) return route(std::move(r));
    if (ec) {
      schedule_refresh(opts.reconnect_min);
      return finish(r, ec, {});
    }
    if (rep.type != reply::kind::error) return finish(r, ec, std::move(rep));
    if (auto to = detail::parse_redirection(rep.str, n->server.host)) {
      if (++r.hops > opts.max_redirections) return finish(r, ec, std::move(rep));
      if (to->ask) return send(node_for(to->address), std::move(r), true);
      moved(to->slot, to->address);
      return route(std::move(r));
    }
    if (detail::is_transient_cluster_error(rep.str) && r.retries < opts.max_redirections)
      return wait(std::move(r));
    finish(r, ec, std::move(rep));
  }

  // MOVED: the slot is served by `address` now; the rest of the map is asked for soon.
  void moved(std::uint16_t slot, const std::string& address) {
    if (!slots[slot] || slots[slot]->address != address) {
      slots[slot] = node_for(address);
      map_changed();
    }
    schedule_refresh(milliseconds(0));
  }

  // One command on every primary; a primary leaving the map meanwhile (its connection stopped
  // by us) makes the whole round go again on the new map.
  void send_all(request r) {
    struct gather {
      std::size_t remaining = 0;
      bool done = false;
      std::vector<reply> replies;
      request r;
    };
    auto g = std::make_shared<gather>();
    const auto list = primaries_now();
    g->remaining = list.size();
    g->r = std::move(r);
    if (list.empty()) return g->r.all_cb({}, {});
    for (const auto& a : list) {
      cmd_client(nodes.at(a))
          .command(g->r.args,
                   [self = shared_from_this(), g](boost::system::error_code ec, reply rep) {
                     if (self->dead) return;
                     asio::post(self->io->strand, [self, g, ec, rep = std::move(rep)]() mutable {
                       if (g->done) return;
                       if (ec) {
                         g->done = true;
                         if (ec == error::stopped && !self->stopped &&
                             ++g->r.retries <= self->opts.max_redirections)
                           return self->route(std::move(g->r));
                         return g->r.all_cb(ec, {});
                       }
                       g->replies.push_back(std::move(rep));
                       if (--g->remaining == 0) {
                         g->done = true;
                         g->r.all_cb({}, std::move(g->replies));
                       }
                     });
                   });
    }
  }

  // --- sharded subscriptions --------------------------------------------------------------------

  // Every wanted channel subscribed on its slot's primary. One placed elsewhere is only forgotten
  // there: a node that gives a slot away ends its sharded subscriptions itself, and if the map was
  // wrong, the subscription is still in place when a MOVED brings the channel back.
  void place_subscriptions() {
    std::set<node_ptr> touched;
    for (const auto& ch : wanted) {
      const auto& target = slots[hash_slot(ch)];
      auto it = placed.find(ch);
      if (it != placed.end() && it->second == target) continue;
      if (it != placed.end()) {
        it->second->channels.erase(ch);
        placed.erase(it);
      }
      if (!target) continue;
      place(target, ch);
      touched.insert(target);
    }
    for (const auto& n : touched) confirm(n);
  }

  void place(const node_ptr& n, const std::string& ch) {
    placed[ch] = n;
    n->channels.insert(ch);
    sub_client(n).ssubscribe({ch});
  }

  // Counts one readiness check of the node's subscriber connection until it answers.
  void confirm(const node_ptr& n) {
    ++n->unconfirmed;
    sub_client(n).when_ready([w = weak_from_this(), wn = std::weak_ptr<node>(n)] {
      on_strand(w, [wn](impl& s) {
        auto n = wn.lock();
        if (!n || n->unconfirmed == 0) return;
        --n->unconfirmed;
        s.try_ready();
      });
    });
  }

  // Redis ended or refused the subscription of `ch` on `n`: its slot is elsewhere now.
  void dropped(const node_ptr& n, const std::string& ch, const std::string& why) {
    if (stopped || n->closed) return;
    auto it = placed.find(ch);
    if (it == placed.end() || it->second != n) return;
    placed.erase(it);
    n->channels.erase(ch);
    if (!wanted.contains(ch)) return;
    // Refused with MOVED: the new owner is known. Ended by a push: ask for the map first.
    if (auto to = detail::parse_redirection(why, n->server.host); to && !to->ask) {
      moved(to->slot, to->address);
      place_subscriptions();
    } else {
      schedule_refresh(milliseconds(0));
    }
  }

  void subscribe(std::vector<std::string> channels) {
    std::vector<std::string> fresh;
    for (auto& c : channels)
      if (wanted.insert(c).second) fresh.push_back(std::move(c));
    if (fresh.empty() || !map_known) return;
    place_subscriptions();
  }

  void unsubscribe(const std::vector<std::string>& channels) {
    for (const auto& c : channels) {
      if (wanted.erase(c) == 0) continue;
      if (auto it = placed.find(c); it != placed.end()) {
        it->second->channels.erase(c);
        if (it->second->sub) it->second->sub->sunsubscribe({c});
        placed.erase(it);
      }
    }
  }

  void try_ready() {
    if (ready_waiters.empty() || !map_known || stopped) return;
    if (placed.size() != wanted.size()) return;
    for (const auto& [a, n] : nodes)
      if (n->unconfirmed > 0) return;
    auto waiters = std::move(ready_waiters);
    ready_waiters.clear();
    for (auto& f : waiters) f();
  }

  // --- life -------------------------------------------------------------------------------------

  void do_start() {
    if (started || stopped) return;
    started = true;
    refresh();
  }

  void do_stop() {
    if (stopped) return;
    stopped = true;
    io->refresh_timer.cancel();
    end_probe();
    for (const auto& [a, n] : nodes) close_node(n, false);
    nodes.clear();
    std::fill(slots.begin(), slots.end(), nullptr);
    auto list = std::move(waiting);
    waiting.clear();
    waiting_bytes = 0;
    for (auto& r : list) finish(r, make_error_code(error::stopped), {});
    ready_waiters.clear();
    on_msg = nullptr;
  }

  // From the io_context's destructor: drop every handler and I/O object, never call back.
  void shutdown_io() {
    dead = true;
    stopped = true;
    waiting.clear();
    ready_waiters.clear();
    on_msg = nullptr;
    probe.reset();
    io.reset();
  }
};

std::shared_ptr<cluster_client> cluster_client::create(boost::asio::io_context& ioc,
                                                       cluster_client_options opts) {
  std::vector<endpoint> seeds;
  for (const auto& s : opts.seeds) {
    auto e = parse_url(s);
    if (!e) throw std::invalid_argument("not a redis:// URL: " + redact_url(s));
    seeds.push_back(std::move(*e));
  }
  if (seeds.empty()) throw std::invalid_argument("no Redis seed node");
  auto i = std::make_shared<impl>(ioc, std::move(opts), std::move(seeds));
  detail::at_shutdown(ioc, [w = std::weak_ptr<impl>(i)] {
    if (auto i = w.lock()) i->shutdown_io();
  });
  return std::shared_ptr<cluster_client>(new cluster_client(std::move(i)));
}

cluster_client::~cluster_client() {
  stop();
}

void cluster_client::start() {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_] { i->do_start(); });
}

void cluster_client::stop() {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_] { i->do_stop(); });
}

void cluster_client::command(std::string_view key, std::vector<std::string> args,
                             reply_handler cb) {
  if (impl_->dead) return;
  impl::request r;
  r.slot = hash_slot(key);
  r.args = std::move(args);
  r.cb = std::move(cb);
  asio::dispatch(impl_->io->strand,
                 [i = impl_, r = std::move(r)]() mutable { i->route(std::move(r)); });
}

void cluster_client::command_all(
    std::vector<std::string> args,
    std::function<void(boost::system::error_code, std::vector<reply>)> cb) {
  if (impl_->dead) return;
  impl::request r;
  r.args = std::move(args);
  r.all_cb = std::move(cb);
  if (!r.all_cb) r.all_cb = [](boost::system::error_code, std::vector<reply>) {};
  asio::dispatch(impl_->io->strand,
                 [i = impl_, r = std::move(r)]() mutable { i->route(std::move(r)); });
}

void cluster_client::spublish(std::string channel, std::string message, reply_handler cb) {
  const std::string key = channel;
  command(key, {"SPUBLISH", std::move(channel), std::move(message)}, std::move(cb));
}

void cluster_client::ssubscribe(std::vector<std::string> channels) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, c = std::move(channels)]() mutable {
    if (!i->stopped) i->subscribe(std::move(c));
  });
}

void cluster_client::sunsubscribe(std::vector<std::string> channels) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, c = std::move(channels)]() mutable {
    if (!i->stopped) i->unsubscribe(c);
  });
}

void cluster_client::on_message(message_handler h) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand,
                 [i = impl_, h = std::move(h)]() mutable { i->on_msg = std::move(h); });
}

void cluster_client::when_ready(std::function<void()> f) {
  if (impl_->dead) return;
  asio::dispatch(impl_->io->strand, [i = impl_, f = std::move(f)]() mutable {
    if (i->stopped) return;
    i->ready_waiters.push_back(std::move(f));
    i->try_ready();
  });
}

std::vector<std::string> cluster_client::primaries() const {
  std::lock_guard lock(impl_->primaries_mtx);
  return impl_->primaries_copy;
}

}  // namespace sio::redis
