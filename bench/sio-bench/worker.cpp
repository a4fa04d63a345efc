// One event loop of sio-bench: connection pacing, the open-loop send schedule and the receipt
// bookkeeping of every scenario.
#include "bench.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <stdexcept>

namespace sio::bench {

namespace {
const std::chrono::steady_clock::time_point clock_base = std::chrono::steady_clock::now();
constexpr std::int64_t min_tick_ns = 100'000;
}  // namespace

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              clock_base)
      .count();
}

std::chrono::steady_clock::time_point to_time_point(std::int64_t ns) noexcept {
  return clock_base + std::chrono::nanoseconds(ns);
}

namespace {
// `n` bytes of chat-like text: words and numbers drawn from a fixed pseudo-random sequence, so it
// compresses about as well as chat messages do (a few times), unlike a run of one letter.
std::string text_filler(std::size_t n) {
  static constexpr std::string_view words[] = {
      "hello", "room",  "message", "see",   "you",     "later", "thanks", "about", "the",
      "game",  "score", "today",   "at",    "meeting", "noon",  "ok",     "great", "idea",
      "send",  "link",  "when",    "where", "maybe",   "sure",  "lunch",  "team",  "update"};
  std::string s;
  std::uint32_t x = 12345;
  while (s.size() < n) {
    x = x * 1103515245u + 12345u;
    const std::uint32_t r = x >> 16;
    if (r % 4 == 0) {
      s += std::to_string(r % 10000);
    } else {
      s += words[r % std::size(words)];
    }
    s += r % 9 == 0 ? ". " : " ";
  }
  s.resize(n);
  return s;
}
}  // namespace

shared_state::shared_state(const config& c)
    : cfg(c), pad(c.deflate ? text_filler(c.payload) : std::string(c.payload, 'x')) {
  ws_target = c.path + "?EIO=4&transport=websocket";
  for (const auto& server : c.servers) {
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(server.host, ec);
    if (ec) throw std::invalid_argument("--url needs a numeric host or localhost: " + server.host);
    target t{
        tcp::endpoint(addr, server.port), server.host + ":" + std::to_string(server.port), {}, {}};
    // RFC 6455's sample key: servers check its form, not its randomness.
    t.ws_request_tail = " HTTP/1.1\r\nHost: " + t.host_header +
                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n" +
                        std::string(c.deflate ? "Sec-WebSocket-Extensions: permessage-deflate; "
                                                "client_max_window_bits\r\n"
                                              : "") +
                        "\r\n";
    t.ws_request = "GET " + ws_target + t.ws_request_tail;
    targets.push_back(std::move(t));
  }
  polling_target = c.path + "?EIO=4&transport=polling";
  if (c.tls) {
    tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    tls->set_verify_mode(net::ssl::verify_none);  // the generator measures, it does not trust
  }
  slots = std::make_unique<std::atomic<std::uint32_t>[]>(slot_count);
  for (std::size_t i = 0; i < slot_count; ++i) slots[i].store(0);
}

const shared_state::target& shared_state::target_of(std::uint32_t index) const {
  const bool fan = cfg.scenario == scenario_kind::fanout || cfg.scenario == scenario_kind::rooms;
  if (!fan || index < cfg.senders) return targets[index % targets.size()];
  const std::size_t receiver = index - cfg.senders;
  return targets[(receiver / rooms) % targets.size()];
}

worker::worker(shared_state& s, std::size_t i) : sh(s), index(i), timer_(ioc) {}

void worker::start_connecting() {
  next_connect_ = 0;
  in_flight_ = 0;
  connect_more();
}

void worker::connect_more() {
  while (in_flight_ < sh.cfg.concurrency && next_connect_ < clients.size()) {
    ++in_flight_;
    clients[next_connect_++]->start();
  }
}

void worker::on_connect_done(client& cl, bool ok) {
  --in_flight_;
  auto now = now_ns();
  if (ok) {
    connect_latency.record(now - cl.connect_started());
    c.connected.add();
    c.last_connect_ns.store(now, std::memory_order_relaxed);
  } else {
    c.connect_failed.add();
  }
  // Posted: a run of synchronous failures (e.g. out of descriptors) must not recurse.
  net::post(ioc, [this] { connect_more(); });
}

void worker::on_sio_connected(client& cl) {
  sio_connect_latency.record(now_ns() - cl.connect_started());
}

void worker::send_verify_echoes() {
  const auto now = now_ns();
  for (auto& cl : clients)
    if (cl->ready()) cl->send_echo(now);
}

void worker::start_joins() {
  for (auto& cl : clients)
    if (cl->kind() == client::role::receiver && cl->ready()) cl->send_join();
}

void worker::on_joined(client& cl) {
  c.joined.add();
  sh.room_members[cl.room()].fetch_add(1, std::memory_order_relaxed);
}

void worker::start_sending(std::int64_t start) {
  const auto scen = sh.cfg.scenario;
  const bool echo = scen == scenario_kind::echo || scen == scenario_kind::polling;
  send_start_ = start;
  m_ = 0;
  if (echo) {
    active_.clear();
    for (auto& cl : clients)
      if (cl->kind() == client::role::echo && cl->ready()) active_.push_back(cl.get());
    if (active_.empty()) return;
    if (sh.cfg.rate <= 0) {
      auto now = now_ns();
      for (auto* cl : active_) cl->send_echo(now);
      return;
    }
    auto total = sh.active_total.load();
    double local_rate =
        sh.cfg.rate * static_cast<double>(active_.size()) / static_cast<double>(total ? total : 1);
    interval_ns_ = 1e9 / local_rate;
    tick();
    return;
  }
  senders_.clear();
  for (auto& s : sh.senders) {
    if (s.w != this || !s.cl->ready()) continue;
    s.room_seq.assign(sh.rooms, 0);
    s.next = 0;
    senders_.push_back(&s);
  }
  if (senders_.empty()) return;
  if (sh.cfg.rate <= 0) {
    auto now = now_ns();
    for (auto* s : senders_)
      for (std::size_t i = 0; i < sh.cfg.window; ++i) send_fanout_now(*s, now);
    return;
  }
  // This worker's share of the offered rate, its senders taking turns.
  interval_ns_ = 1e9 / (sh.cfg.rate * static_cast<double>(senders_.size()) /
                        static_cast<double>(sh.senders.size()));
  tick();
}

void worker::tick() {
  if (!sh.sending.load(std::memory_order_relaxed)) return;
  const auto now = now_ns();
  std::int64_t t = 0;
  for (;;) {
    t = send_start_ + static_cast<std::int64_t>(static_cast<double>(m_) * interval_ns_);
    if (t >= sh.window_end) return;
    if (t > now) break;
    emit_one(t);
    ++m_;
  }
  // Ticks at least min_tick apart: at high rates one wake serves several sends instead of paying
  // a timer re-arm and a wake-up per message. A message is never sent before its intended time,
  // so the generator's own wait (< min_tick) is charged to latency, equally for every server.
  timer_.expires_at(to_time_point(std::max(t, now + min_tick_ns)));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

void worker::emit_one(std::int64_t t) {
  if (!active_.empty())
    active_[m_ % active_.size()]->send_echo(t);
  else
    send_fanout_now(*senders_[m_ % senders_.size()], t);
}

void worker::send_fanout_now(sender_state& s, std::int64_t t) {
  const auto room = static_cast<std::uint32_t>(s.next % sh.rooms);
  const auto members = sh.room_members[room].load(std::memory_order_relaxed);
  if (t >= sh.window_start && t < sh.window_end) {
    c.sent_window.add();
    c.expected_window.add(members);
  }
  const std::uint64_t global_seq = s.next * sh.senders.size() + s.cl->index();
  s.cl->send_fanout(room, s.room_seq[room]++, global_seq, t);
  ++s.next;
  if (members == 0 && sh.cfg.rate <= 0)
    net::post(ioc, [this, &s] { on_fanout_complete(s); });  // nobody to wait for
}

void worker::stop_sending() {
  timer_.cancel();
}

void worker::close_all() {
  timer_.cancel();
  for (auto& cl : clients) cl->close();
}

void worker::on_delivery(std::int64_t sent_t, std::int64_t now) {
  if (sent_t >= sh.window_start && sent_t < sh.window_end) {
    c.delivered_window.add();
    latency.record(now - sent_t);
  }
  if (now >= sh.window_start && now < sh.window_end) c.received_in_window.add();
}

void worker::on_echo_answered(client& cl) {
  if (sh.cfg.rate > 0 || !sh.sending.load(std::memory_order_relaxed)) return;
  auto now = now_ns();
  if (now < sh.window_end) cl.send_echo(now);
}

void worker::on_fanout_delivered(std::uint64_t global_seq, std::uint32_t room) {
  if (sh.cfg.rate > 0) return;
  // Each sender has slot_count / senders slots of its own (its window fits: parse_args checks).
  const std::size_t senders = sh.senders.size();
  const std::size_t own = shared_state::slot_count / senders;
  auto& slot = sh.slots[(global_seq / senders) % own * senders + global_seq % senders];
  auto n = slot.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n >= sh.room_members[room].load(std::memory_order_relaxed)) {
    slot.store(0, std::memory_order_relaxed);
    auto& s = sh.senders[global_seq % sh.senders.size()];
    net::post(s.w->ioc, [&s] { s.w->on_fanout_complete(s); });
  }
}

void worker::on_fanout_complete(sender_state& s) {
  if (!sh.sending.load(std::memory_order_relaxed)) return;
  auto now = now_ns();
  if (now < sh.window_end) send_fanout_now(s, now);
}

}  // namespace sio::bench
