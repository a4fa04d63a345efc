#include <sio/admin_ui/admin_ui.hpp>
#include <sio/protocol/js_date.hpp>

#include <sio/engineio/random_id.hpp>

#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace sio::admin_ui {

namespace detail {

// One Engine.IO client seen through the sockets of the instrumented namespaces.
struct client_entry {
  std::size_t sockets = 0;
  std::size_t worker = 0;
  std::weak_ptr<socket> first;  // the socket whose connection's transport is read
  std::string transport;
};

// The server's traffic counters the UI charts (aggregatedEvents types, as Node's engine events).
constexpr std::array<std::string_view, 4> traffic_types{"packetsIn", "packetsOut", "bytesIn",
                                                        "bytesOut"};
using traffic = std::array<std::uint64_t, traffic_types.size()>;

struct state : std::enable_shared_from_this<state> {
  state(server& s, options o) : io(s), opts(std::move(o)) {}

  server& io;
  options opts;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<bool> stopped{false};

  std::mutex mu;  // guards what follows
  std::deque<std::string> session_order;
  std::unordered_set<std::string> sessions;
  // Sessions created in the middleware, sent to their socket once it connected (by socket id).
  std::unordered_map<std::string, std::string> new_sessions;
  event_buffer events;
  std::int64_t check_second = 0;  // the second the password checks below were counted in
  std::size_t checks = 0;
  std::unordered_map<std::string, client_entry> clients;  // by Engine.IO id
  std::map<std::string, std::size_t> socket_counts;       // by namespace
  std::map<std::string, std::vector<room>> rooms;         // development: by namespace + id
  std::unordered_set<std::string> watched;  // the instrumented sockets, by namespace + id
  traffic traffic_seen{};                   // the counters at the last stats tick

  bool development() const { return opts.mode == ui_mode::development; }
  namespace_& admin() { return io.of(opts.namespace_name); }
};

}  // namespace detail

namespace {

using state = detail::state;
using state_ptr = std::shared_ptr<state>;
using detail::traffic;
using detail::traffic_types;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string now_iso() {
  return protocol::js_iso_string(now_ms()).value_or("");
}

std::string room_key(std::string_view nsp, std::string_view id) {
  return std::string(nsp) + '\n' + std::string(id);
}

// The i-th argument as a string, or "" when missing, null or not a string.
std::string string_arg(const payload& p, std::size_t i) {
  if (i >= p.args.size() || !p.args[i].is_string()) return {};
  return std::string(p.args[i].get_string());
}

// --- authentication --------------------------------------------------------------------------

void remember_session(state& st, const std::string& socket_id, std::string id) {
  std::lock_guard lock(st.mu);
  if (st.new_sessions.size() >= st.opts.max_sessions) st.new_sessions.clear();
  st.new_sessions[socket_id] = id;
  st.session_order.push_back(id);
  st.sessions.insert(std::move(id));
  while (st.session_order.size() > st.opts.max_sessions) {
    st.sessions.erase(st.session_order.front());
    st.session_order.pop_front();
  }
}

bool known_session(state& st, const boost::json::object& auth) {
  const auto* id = auth.if_contains("sessionId");
  if (id == nullptr || !id->is_string()) return false;
  std::lock_guard lock(st.mu);
  return st.sessions.contains(std::string(id->get_string()));
}

// Counts one password check against this second's budget; false when it is spent.
bool take_check(state& st) {
  const std::int64_t second = now_ms() / 1000;
  std::lock_guard lock(st.mu);
  if (second != st.check_second) {
    st.check_second = second;
    st.checks = 0;
  }
  if (st.checks >= st.opts.max_password_checks_per_second) return false;
  ++st.checks;
  return true;
}

// The user's name and password, the password checked within this second's budget.
bool valid_credentials(state& st, const boost::json::object& auth) {
  const auto& expected = *st.opts.auth;
  const auto* user = auth.if_contains("username");
  const auto* pass = auth.if_contains("password");
  if (user == nullptr || pass == nullptr || !user->is_string() || !pass->is_string()) return false;
  if (user->get_string() != expected.username) return false;
  return take_check(st) && check_password(pass->get_string(), expected.password_hash);
}

void authenticate(const state_ptr& st, socket& s, next n) {
  const auto& auth = s.handshake().auth;
  if (known_session(*st, auth)) return n();
  if (!valid_credentials(*st, auth)) return n(connect_error{"invalid credentials", {}});
  remember_session(*st, s.id(), engineio::random_id(16));
  n();
}

// --- the namespaces shown ---------------------------------------------------------------------

// The listed namespaces, then the children of the dynamic ones so far.
std::vector<std::string> shown_namespaces(const state& st) {
  std::vector<std::string> out = st.opts.namespaces;
  for (namespace_& parent : st.opts.dynamic_namespaces)
    for (const auto& child : parent.children()) out.push_back(child->name());
  return out;
}

bool shown(const state& st, std::string_view nsp) {
  if (std::ranges::find(st.opts.namespaces, nsp) != st.opts.namespaces.end()) return true;
  for (namespace_& parent : st.opts.dynamic_namespaces)
    for (const auto& child : parent.children())
      if (child->name() == nsp) return true;
  return false;
}

// --- actions ---------------------------------------------------------------------------------

// The sockets of `nsp` the UI's filter selects (all, or those in the room `filter`).
broadcast_operator selected(state& st, const std::string& nsp, const std::string& filter) {
  auto op = st.io.of(nsp).all();
  return filter.empty() ? op : op.in(filter);
}

void on_emit(const state_ptr& st, const payload& p) {
  const std::string nsp = string_arg(p, 0), event = string_arg(p, 2);
  if (!shown(*st, nsp) || event.empty()) return;
  payload rest;
  rest.args = boost::json::array(p.args.begin() + 3, p.args.end());
  rest.attachments = p.attachments;
  try {
    selected(*st, nsp, string_arg(p, 1)).emit_payload(event, std::move(rest));
  } catch (const std::invalid_argument&) {  // a reserved event name
  }
}

void on_join_leave(const state_ptr& st, const payload& p, bool join) {
  const std::string nsp = string_arg(p, 0), room = string_arg(p, 1);
  if (!shown(*st, nsp) || room.empty()) return;
  auto op = selected(*st, nsp, string_arg(p, 2));
  join ? op.sockets_join(room) : op.sockets_leave(room);
}

void on_disconnect_action(const state_ptr& st, const payload& p) {
  const std::string nsp = string_arg(p, 0);
  if (!shown(*st, nsp)) return;
  const bool close = p.args.size() > 1 && p.args[1].is_bool() && p.args[1].get_bool();
  selected(*st, nsp, string_arg(p, 2)).disconnect_sockets(close);
}

void register_actions(const state_ptr& st, socket& s) {
  s.on("emit", [st](socket&, const payload& p) { on_emit(st, p); });
  s.on("join", [st](socket&, const payload& p) { on_join_leave(st, p, true); });
  s.on("leave", [st](socket&, const payload& p) { on_join_leave(st, p, false); });
  s.on("_disconnect", [st](socket&, const payload& p) { on_disconnect_action(st, p); });
}

boost::json::object config_of(const state& st) {
  boost::json::array features{"EMIT",  "JOIN",   "LEAVE",       "DISCONNECT",
                              "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS"};
  if (st.development()) features.emplace_back("ALL_EVENTS");
  return {{"supportedFeatures", std::move(features)}};
}

// Fetches the sockets of every shown namespace (across the cluster), then calls done(list).
void fetch_all_sockets(const state_ptr& st, std::function<void(boost::json::array)> done) {
  struct gather {
    std::mutex mu;
    boost::json::array sockets;
    std::size_t left;
    std::function<void(boost::json::array)> done;
  };
  const auto names = shown_namespaces(*st);
  auto g = std::make_shared<gather>();
  g->left = names.size();
  g->done = std::move(done);
  if (g->left == 0) return g->done({});
  for (const auto& nsp : names) {
    st->io.of(nsp).fetch_sockets([st, g, nsp](std::vector<remote_socket> found) {
      std::unique_lock lock(g->mu);
      for (const auto& r : found)
        g->sockets.push_back(serialize_socket({r.id(), nsp, r.handshake(), r.rooms(), r.data()},
                                              st->opts.hidden_headers));
      if (--g->left == 0) g->done(std::move(g->sockets));
    });
  }
}

// The session id created for this socket by the middleware, if any.
std::optional<std::string> take_new_session(state& st, const std::string& socket_id) {
  std::lock_guard lock(st.mu);
  auto node = st.new_sessions.extract(socket_id);
  if (node.empty()) return std::nullopt;
  return std::move(node.mapped());
}

void on_admin_connection(const state_ptr& st, socket& s) {
  if (auto session = take_new_session(*st, s.id())) s.emit("session", *session);
  register_actions(st, s);
  s.emit("config", config_of(*st));
  if (!st->development()) return;
  fetch_all_sockets(st, [ws = s.weak_from_this()](boost::json::array list) {
    if (auto s = ws.lock()) s->emit("all_sockets", std::move(list));
  });
}

// --- instrumented namespaces -----------------------------------------------------------------

std::string transport_of(socket& s) {
  auto* c = s.conn();
  return c != nullptr ? std::string(c->transport()) : std::string("polling");
}

// Counts a socket once (false when it already was: a socket connecting while instrument() walks
// the existing ones may be seen twice). `existing`: connected before instrument().
bool count_connection(state& st, socket& s, const std::string& transport, bool existing) {
  std::lock_guard lock(st.mu);
  if (!st.watched.insert(room_key(s.nsp().name(), s.id())).second) return false;
  ++st.socket_counts[s.nsp().name()];
  auto [it, added] = st.clients.try_emplace(s.engine_id());
  if (added) {
    if (!existing) st.events.push("rawConnection", "", now_ms());
    it->second = {0, s.worker_index(), s.weak_from_this(), transport};
  }
  ++it->second.sockets;
  return true;
}

void count_disconnection(state& st, socket& s, disconnect_reason r) {
  std::lock_guard lock(st.mu);
  --st.socket_counts[s.nsp().name()];
  st.watched.erase(room_key(s.nsp().name(), s.id()));
  st.rooms.erase(room_key(s.nsp().name(), s.id()));
  auto it = st.clients.find(s.engine_id());
  if (it == st.clients.end() || --it->second.sockets > 0) return;
  st.clients.erase(it);
  st.events.push("rawDisconnection", to_string(r), now_ms());
}

socket_info info_of(socket& s) {
  return {s.id(), s.nsp().name(), s.handshake(), s.rooms(), s.data};
}

void watch_events(const state_ptr& st, socket& s) {
  auto admin = st->admin().shared_from_this();
  s.on_any([admin](socket& s, std::string_view event, const payload& p) {
    boost::json::array args{boost::json::string(event)};
    for (const auto& a : p.args) args.push_back(a);
    admin->emit("event_received", s.nsp().name(), s.id(), args, now_iso());
  });
  s.on_any_outgoing(
      [admin](socket& s, std::string_view event, std::span<const boost::json::value> a) {
        boost::json::array args{boost::json::string(event)};
        args.insert(args.end(), a.begin(), a.end());
        admin->emit("event_sent", s.nsp().name(), s.id(), args, now_iso());
      });
}

void report_connection(const state_ptr& st, socket& s, const std::string& transport) {
  s.data[admin_data_key] =
      boost::json::object{{"clientId", s.engine_id().substr(0, 12)}, {"transport", transport}};
  {
    std::lock_guard lock(st->mu);
    st->rooms[room_key(s.nsp().name(), s.id())] = s.rooms();
  }
  auto& admin = st->admin();
  admin.emit("socket_connected", serialize_socket(info_of(s), st->opts.hidden_headers), now_iso());
  if (&s.nsp() != &admin) watch_events(st, s);
}

void on_instrumented_connection(const state_ptr& st, socket& s, bool existing = false) {
  const std::string transport = transport_of(s);
  if (!count_connection(*st, s, transport, existing)) return;
  if (st->development()) report_connection(st, s, transport);
  s.on_disconnect([st](socket& s, disconnect_reason r) {
    count_disconnection(*st, s, r);
    if (!st->development()) return;
    st->admin().emit("socket_disconnected", s.nsp().name(), s.id(), to_string(r), now_iso());
  });
}

// --- the stats tick --------------------------------------------------------------------------

// The traffic since the last tick, from the server's metrics (none when they are off).
void push_traffic(state& st, const traffic& now, std::int64_t at) {
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (now[i] > st.traffic_seen[i])
      st.events.push(traffic_types[i], "", at, now[i] - st.traffic_seen[i]);
    st.traffic_seen[i] = now[i];
  }
}

traffic traffic_of(server& io) {
  const auto t = io.metrics().total();
  return {t.packets_in, t.packets_out, t.bytes_in, t.bytes_out};
}

server_stats stats_of(state& st) {
  server_stats out;
  out.server_id = st.opts.server_id.empty() ? default_server_id() : st.opts.server_id;
  out.hostname = default_server_id();
  out.pid = static_cast<std::int64_t>(getpid());
  out.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - st.started).count();
  const auto now = traffic_of(st.io);
  std::lock_guard lock(st.mu);
  push_traffic(st, now, now_ms());
  auto* engine = st.io.engine();
  out.clients = engine != nullptr ? engine->session_count() : st.clients.size();
  out.polling_clients = static_cast<std::size_t>(std::ranges::count_if(
      st.clients, [](const auto& c) { return c.second.transport == "polling"; }));
  for (const auto& [name, count] : st.socket_counts) out.namespaces.push_back({name, count});
  out.aggregated_events = st.events.take();
  return out;
}

// On worker w: reads the transport of each client living there; reports upgrades.
void refresh_transports(const state_ptr& st, std::size_t w) {
  std::vector<std::shared_ptr<socket>> upgraded;
  {
    std::lock_guard lock(st->mu);
    for (auto& [id, c] : st->clients) {
      auto s = c.worker == w ? c.first.lock() : nullptr;
      if (!s || s->conn() == nullptr || s->conn()->transport() == c.transport) continue;
      c.transport = s->conn()->transport();
      upgraded.push_back(std::move(s));
    }
  }
  if (!st->development()) return;
  for (const auto& s : upgraded) {
    const std::string t(s->conn()->transport());
    if (auto* a = s->data.if_contains(admin_data_key); a && a->is_object())
      a->as_object()["transport"] = t;
    st->admin().emit(
        "socket_updated",
        boost::json::object{{"id", s->id()}, {"nsp", s->nsp().name()}, {"transport", t}});
  }
}

// The room changes of this server's sockets of `nsp` since the last tick.
void diff_rooms(const state_ptr& st, const std::string& nsp, std::vector<remote_socket> found) {
  std::vector<std::tuple<std::string, std::string, bool>> changes;  // id, room, joined
  {
    std::lock_guard lock(st->mu);
    for (const auto& r : found) {
      auto it = st->rooms.find(room_key(nsp, r.id()));
      if (it == st->rooms.end()) continue;
      for (const auto& room : r.rooms())
        if (std::ranges::find(it->second, room) == it->second.end())
          changes.emplace_back(r.id(), room, true);
      for (const auto& room : it->second)
        if (std::ranges::find(r.rooms(), room) == r.rooms().end())
          changes.emplace_back(r.id(), room, false);
      it->second = r.rooms();
    }
  }
  for (const auto& [id, room, joined] : changes)
    st->admin().emit(joined ? "room_joined" : "room_left", nsp, room, id, now_iso());
}

// Reads every worker's transports, then sends this server's stats (so they count upgrades made
// since the last tick).
void refresh_then_send_stats(const state_ptr& st) {
  auto& workers = st->io.workers();
  auto left = std::make_shared<std::atomic<std::size_t>>(workers.size());
  for (std::size_t w = 0; w < workers.size(); ++w) {
    workers.post(w, [st, w, left] {
      refresh_transports(st, w);
      if (left->fetch_sub(1) == 1) st->admin().emit("server_stats", serialize_stats(stats_of(*st)));
    });
  }
}

void tick(const state_ptr& st) {
  if (st->development()) {
    for (const auto& nsp : shown_namespaces(*st))
      st->io.of(nsp).local().fetch_sockets(
          [st, nsp](std::vector<remote_socket> found) { diff_rooms(st, nsp, std::move(found)); });
  }
  refresh_then_send_stats(st);
}

// The timer owns itself through its pending wait; it ends when the state is stopped or gone.
void schedule(std::weak_ptr<state> weak, std::shared_ptr<boost::asio::steady_timer> timer,
              std::chrono::milliseconds interval) {
  timer->expires_after(interval);
  timer->async_wait([weak, timer, interval](boost::system::error_code ec) {
    auto st = weak.lock();
    if (ec || !st || st->stopped) return;
    tick(st);
    schedule(weak, timer, interval);
  });
}

void check_options(const options& opts) {
  if (opts.auth && !opts.auth->password_hash.starts_with("$2"))
    throw std::invalid_argument("admin_ui: the password hash must be a bcrypt hash");
  if (opts.stats_interval <= std::chrono::milliseconds::zero())
    throw std::invalid_argument("admin_ui: stats_interval must be positive");
}

// Instruments the sockets that connected before instrument(), on each worker.
void watch_existing(const state_ptr& st, std::vector<std::shared_ptr<namespace_>> nsps) {
  auto& workers = st->io.workers();
  for (std::size_t w = 0; w < workers.size(); ++w) {
    workers.post(w, [st, nsps] {
      for (const auto& n : nsps)
        for (const auto& s : n->local_sockets()) on_instrumented_connection(st, *s, true);
    });
  }
}

}  // namespace

std::string default_server_id() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

instrumentation::~instrumentation() {
  if (st_) st_->stopped = true;
}

instrumentation instrument(server& io, options opts) {
  check_options(opts);
  auto st = std::make_shared<state>(io, std::move(opts));
  for (const auto& nsp : st->opts.namespaces) st->socket_counts[nsp] = 0;
  st->socket_counts[st->opts.namespace_name] = 0;
  auto& admin = st->admin();
  if (st->opts.auth) admin.use([st](socket& s, next n) { authenticate(st, s, std::move(n)); });
  admin.on_connection([st](socket& s) { on_admin_connection(st, s); });
  st->traffic_seen = traffic_of(io);
  std::vector<std::shared_ptr<namespace_>> instrumented{admin.shared_from_this()};
  for (const auto& nsp : st->opts.namespaces) instrumented.push_back(io.of(nsp).shared_from_this());
  for (const auto& n : instrumented)
    n->on_connection([st](socket& s) { on_instrumented_connection(st, s); });
  // A dynamic namespace's connection handlers run for its children's sockets.
  for (namespace_& parent : st->opts.dynamic_namespaces) {
    parent.on_connection([st](socket& s) { on_instrumented_connection(st, s); });
    for (auto& child : parent.children()) instrumented.push_back(std::move(child));
  }
  watch_existing(st, instrumented);
  auto timer = std::make_shared<boost::asio::steady_timer>(io.workers().context(0));
  io.workers().post(0, [weak = std::weak_ptr(st), timer, i = st->opts.stats_interval] {
    schedule(weak, timer, i);
  });
  return instrumentation(std::move(st));
}

}  // namespace sio::admin_ui
