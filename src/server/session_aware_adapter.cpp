#include <sio/engineio/random_id.hpp>
#include <sio/server/session_aware_adapter.hpp>

#include "detail.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <charconv>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace sio {

namespace {
namespace pt = protocol::socketio;
using clock = std::chrono::steady_clock;

// A logged packet keeps its encoded frames only (the replay writes frames; the JSON tree the live
// delivery needed is freed with it). Most packets are one frame: no vector for them.
struct log_entry {
  clock::time_point emitted_at;
  std::vector<room> rooms;
  std::vector<room> except;
  pt::packet_type type;
  engineio::message_ptr text;
  std::vector<engineio::message_ptr> attachments;
};

log_entry make_log_entry(clock::time_point now, const broadcast_options& o,
                         const outgoing_packet& out) {
  log_entry e{now, o.rooms, o.except, out.packet.type, out.frames.front(), {}};
  e.attachments.assign(out.frames.begin() + 1, out.frames.end());
  return e;
}

// The packet the replay writes: the logged frames (packet.data stays empty).
outgoing_ptr replay_packet(const log_entry& e, std::string_view nsp, std::uint64_t seq) {
  auto out = std::make_shared<outgoing_packet>();
  out->packet.type = e.type;
  out->packet.nsp = nsp;
  out->log_seq = seq;
  out->frames.reserve(1 + e.attachments.size());
  out->frames.push_back(e.text);
  out->frames.insert(out->frames.end(), e.attachments.begin(), e.attachments.end());
  return out;
}

struct stored_session {
  persisted_session session;
  clock::time_point disconnected_at;
};

bool shares_a_room(const std::vector<room>& session_rooms, const std::vector<room>& list) {
  return std::any_of(session_rooms.begin(), session_rooms.end(), [&](const room& r) {
    return std::find(list.begin(), list.end(), r) != list.end();
  });
}

// Node's shouldIncludePacket: addressed to one of the session's rooms (or to all), and none of them
// excluded.
bool should_include(const std::vector<room>& session_rooms, const log_entry& e) {
  const bool included = e.rooms.empty() || shares_a_room(session_rooms, e.rooms);
  return included && !shares_a_room(session_rooms, e.except);
}

bool is_logged(const pt::packet& p, const broadcast_options& opts) {
  const bool event = p.type == pt::packet_type::event || p.type == pt::packet_type::binary_event;
  // A packet with an ack id is not logged: its callback cannot be restored elsewhere (as Node).
  return event && !p.id && !opts.flags.volatile_ && p.data.is_array();
}

constexpr std::string_view offset_digits = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr int offset_base = 36;
}  // namespace

// The sessions, oldest first, and the log, by increasing seq without gaps: the entry of seq s is
// log[s - first_seq()]. An offset is the log's tag followed by its seq in base 36.
struct session_aware_adapter::store {
  using session_list = std::list<stored_session>;

  store(recovery_options o, std::string name)
      : opts(o), tag(engineio::random_id(4) + "."), nsp(std::move(name)) {}

  const recovery_options opts;
  const std::string tag;  // keeps offsets of other logs (other namespaces, processes) apart
  const std::string nsp;  // the namespace's name, for the replayed packets
  mutable std::mutex mu;  // guards everything below
  session_list sessions;
  std::unordered_map<std::string_view, session_list::iterator> by_pid;  // views of session pids
  std::deque<log_entry> log;
  std::uint64_t last_seq = 0;

  clock::duration window() const { return opts.max_disconnection_duration; }
  std::uint64_t first_seq() const { return last_seq + 1 - log.size(); }

  std::string offset_of(std::uint64_t seq) const {
    char digits[16];
    auto* end = digits + sizeof digits;
    auto* p = end;
    do {
      *--p = offset_digits[seq % offset_base];
      seq /= offset_base;
    } while (seq != 0);
    return tag + std::string(p, end);
  }
  std::optional<std::uint64_t> seq_of(std::string_view offset) const {
    if (!offset.starts_with(tag)) return std::nullopt;
    offset.remove_prefix(tag.size());
    std::uint64_t seq = 0;
    const auto* end = offset.data() + offset.size();
    auto r = std::from_chars(offset.data(), end, seq, offset_base);
    // Only the exact form offset_of writes (lower case, no leading zero).
    if (r.ec != std::errc() || r.ptr != end || offset_of(seq) != tag + std::string(offset))
      return std::nullopt;
    return seq;
  }

  void erase_session(session_list::iterator it) {
    by_pid.erase(it->session.pid);
    sessions.erase(it);
  }
  void drop_expired_sessions(clock::time_point now) {
    while (!sessions.empty() && sessions.front().disconnected_at + window() < now)
      erase_session(sessions.begin());
  }
  void drop_expired_packets(clock::time_point now) {
    while (!log.empty() && log.front().emitted_at + window() < now) log.pop_front();
  }

  outgoing_ptr append(adapter_host& host, pt::packet p, const broadcast_options& opts,
                      clock::time_point now);
  void persist(persisted_session s, clock::time_point now);
  std::optional<restored_session> restore(std::string_view pid, std::string_view offset,
                                          clock::time_point now);
  void sweep() {
    std::lock_guard lk(mu);
    const auto now = clock::now();
    drop_expired_sessions(now);
    drop_expired_packets(now);
  }
};

// The periodic sweep of one store, on worker 0. Its timer is owned by its own pending wait, never
// by the store: it lives and dies with worker 0's io_context, and the sweep ends once the store
// (the adapter) is gone.
struct session_aware_adapter::sweeper : std::enable_shared_from_this<sweeper> {
  sweeper(boost::asio::io_context& ctx, std::weak_ptr<store> s, clock::duration every)
      : timer(ctx), st(std::move(s)), period(every) {}

  void arm() {
    timer.expires_after(period);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto s = self->st.lock()) {
        s->sweep();
        self->arm();
      }
    });
  }

  boost::asio::steady_timer timer;
  std::weak_ptr<store> st;
  clock::duration period;
};

outgoing_ptr session_aware_adapter::store::append(adapter_host& host, pt::packet p,
                                                  const broadcast_options& o,
                                                  clock::time_point now) {
  drop_expired_packets(now);
  const auto seq = ++last_seq;
  // The offset goes last in the data array: the client keeps the last one it received.
  p.data.get_array().emplace_back(offset_of(seq));
  auto out = host.encode_packet(std::move(p), seq);
  log.push_back(make_log_entry(now, o, *out));
  while (log.size() > opts.max_packets) log.pop_front();
  return out;
}

void session_aware_adapter::store::persist(persisted_session s, clock::time_point now) {
  drop_expired_sessions(now);
  if (auto it = by_pid.find(s.pid); it != by_pid.end()) erase_session(it->second);
  sessions.push_back(stored_session{std::move(s), now});
  by_pid.emplace(sessions.back().session.pid, std::prev(sessions.end()));
  while (sessions.size() > opts.max_sessions) erase_session(sessions.begin());
}

std::optional<restored_session> session_aware_adapter::store::restore(std::string_view pid,
                                                                      std::string_view offset,
                                                                      clock::time_point now) {
  auto it = by_pid.find(pid);
  if (it == by_pid.end()) return std::nullopt;
  const auto sit = it->second;
  if (sit->disconnected_at + window() < now) {
    erase_session(sit);
    return std::nullopt;
  }
  // Every packet after the offset must still be logged.
  const auto seq = seq_of(offset);
  if (!seq || *seq > last_seq || *seq + 1 < first_seq()) return std::nullopt;
  restored_session out;
  out.log_seq = last_seq;
  for (auto i = *seq + 1 - first_seq(); i < log.size(); ++i)
    if (should_include(sit->session.rooms, log[i]))
      out.missed.push_back(replay_packet(log[i], nsp, first_seq() + i));
  // Restorable once. The map's key views the pid: unmapped before the session moves out.
  by_pid.erase(it);
  out.session = std::move(sit->session);
  sessions.erase(sit);
  return out;
}

session_aware_adapter::session_aware_adapter(adapter_host& nsp, recovery_options opts)
    : in_memory_adapter(nsp), st_(std::make_shared<store>(opts, nsp.name())) {
  const auto period = std::clamp<clock::duration>(
      opts.max_disconnection_duration, std::chrono::milliseconds(10), std::chrono::seconds(60));
  auto& pool = nsp.workers();
  pool.post(0, [s = std::make_shared<sweeper>(pool.context(0), st_, period)] { s->arm(); });
}

session_aware_adapter::~session_aware_adapter() = default;

outgoing_ptr session_aware_adapter::encode_event(pt::packet p, const broadcast_options& opts) {
  if (!is_logged(p, opts)) return nsp_.encode_packet(std::move(p));
  // Offset, encoding and log entry under one lock: the log stays in offset order.
  std::lock_guard lk(st_->mu);
  return st_->append(nsp_, std::move(p), opts, clock::now());
}

void session_aware_adapter::persist_session(persisted_session s) {
  std::lock_guard lk(st_->mu);
  st_->persist(std::move(s), clock::now());
}

void session_aware_adapter::restore_session(std::string pid, std::string offset,
                                            restore_handler done) {
  std::optional<restored_session> r;
  {
    std::lock_guard lk(st_->mu);
    r = st_->restore(pid, offset, clock::now());
  }
  done(std::move(r));
}

std::size_t session_aware_adapter::session_count() const {
  std::lock_guard lk(st_->mu);
  return st_->sessions.size();
}

std::size_t session_aware_adapter::packet_count() const {
  std::lock_guard lk(st_->mu);
  return st_->log.size();
}

}  // namespace sio
