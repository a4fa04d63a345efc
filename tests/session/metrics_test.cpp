// Session tests of server::metrics(): figures summed over the workers' blocks while the workers
// write them (real threads: meant to run clean under TSan), acknowledgements pending, disabled
// counting, and the requests the server makes through the adapter (counted when they complete,
// timeouts apart) whatever adapter answers them.
#include "harness.hpp"

namespace sio::test {
namespace {

constexpr auto transport_close = static_cast<std::size_t>(disconnect_reason::transport_close);

std::uint64_t sockets_in(const metrics_snapshot& m, std::string_view nsp) {
  for (const auto& n : m.namespaces)
    if (n.name == nsp) return n.sockets;
  return 0;
}
std::uint64_t rooms_in(const metrics_snapshot& m, std::string_view nsp) {
  for (const auto& n : m.namespaces)
    if (n.name == nsp) return n.rooms;
  return 0;
}

// Takes snapshots until pred holds for one, within the harness' patience.
bool eventually(server& io, const std::function<bool(const metrics_snapshot&)>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred(io.metrics())) return true;
    std::this_thread::yield();
  }
  return pred(io.metrics());
}

struct metrics_threads : ::testing::TestWithParam<std::size_t> {
  harness h{GetParam(), true};
};

TEST_P(metrics_threads, SnapshotsSumEveryWorkerWhileTheyCount) {
  constexpr int clients = 8, per_client = 100;
  h.io->on_connection([](socket& s) {
    s.on("e", [](socket&, const boost::json::array&, ack a) {
      if (a.requested()) a(1);
    });
  });
  std::atomic<bool> done{false};
  std::uint64_t seen_max = 0;
  std::thread reader([&] {  // snapshots concurrently with the writers
    while (!done.load()) seen_max = std::max(seen_max, h.io->metrics().total().packets_in);
  });
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    ASSERT_EQ(h.join(*cs.back()).size(), 20u);
  }
  for (int k = 0; k < per_client; ++k)
    for (auto& c : cs) c->text(k + 1 == per_client ? "21[\"e\"]" : "2[\"e\"]");
  for (auto& c : cs) ASSERT_TRUE(c->wait_pending(1));
  std::thread([&] { h.io->emit("all", 1); }).join();  // a broadcast from no worker
  for (auto& c : cs) ASSERT_TRUE(c->wait_pending(2));
  done = true;
  reader.join();

  const auto m = h.io->metrics();
  ASSERT_EQ(m.workers.size(), GetParam());
  const auto t = m.total();
  EXPECT_EQ(t.connections_websocket, std::uint64_t(clients));
  EXPECT_EQ(t.connections_polling, 0u);
  EXPECT_EQ(t.connections_total, std::uint64_t(clients));
  EXPECT_EQ(t.packets_in, std::uint64_t(clients * (per_client + 1)));  // + CONNECT
  EXPECT_GE(t.packets_in, seen_max);
  // CONNECT answer, ack, broadcast
  EXPECT_EQ(t.packets_out, std::uint64_t(clients * 3));
  EXPECT_EQ(m.other_threads.broadcasts, 1u);
  EXPECT_EQ(t.broadcasts, 1u);
  EXPECT_EQ(sockets_in(m, "/"), std::uint64_t(clients));

  for (auto& c : cs) c->peer_close(engineio::close_reason::transport_close);
  EXPECT_TRUE(eventually(*h.io, [](const metrics_snapshot& s) {
    return s.total().disconnects[transport_close] == std::uint64_t(clients);
  }));
  const auto after = h.io->metrics();
  EXPECT_EQ(after.total().connections_websocket, 0u);
  EXPECT_EQ(sockets_in(after, "/"), 0u);
}

// A room held by sockets of several workers counts once; the sockets' own id rooms not at all.
TEST_P(metrics_threads, RoomsCountEachRoomOnceAcrossWorkers) {
  constexpr int clients = 8;
  h.io->on_connection([](socket& s) {
    s.join({"lobby", "seat-" + s.id()});
    s.on("leave", [](socket& s, const boost::json::array&, ack) { s.leave("lobby"); });
  });
  std::vector<std::shared_ptr<fake_connection>> cs;
  for (int i = 0; i < clients; ++i) {
    cs.push_back(h.connect(i % GetParam()));
    ASSERT_EQ(h.join(*cs.back()).size(), 20u);
  }
  // lobby and the seats
  EXPECT_TRUE(eventually(
      *h.io, [](const auto& m) { return rooms_in(m, "/") == std::uint64_t(1 + clients); }));
  for (auto& c : cs) c->text("2[\"leave\"]");
  EXPECT_TRUE(
      eventually(*h.io, [](const auto& m) { return rooms_in(m, "/") == std::uint64_t(clients); }));
  for (auto& c : cs) c->peer_close(engineio::close_reason::transport_close);
  EXPECT_TRUE(eventually(*h.io, [](const auto& m) { return rooms_in(m, "/") == 0; }));
}

INSTANTIATE_TEST_SUITE_P(workers, metrics_threads, ::testing::Values(1, 4));

TEST(metrics, AcksPendingUntilAnswered) {
  harness h;
  std::shared_ptr<socket> sock;
  h.io->on_connection([&](socket& s) { sock = s.shared_from_this(); });
  auto c = h.connect();
  ASSERT_EQ(h.join(*c).size(), 20u);
  sock->emit_with_ack("q", {}, [](boost::system::error_code, payload) {});
  sock->emit_with_ack("q", {}, [](boost::system::error_code, payload) {});
  h.poll();
  EXPECT_EQ(h.io->metrics().total().acks_pending, 2u);
  c->text("30[1]");
  h.poll();
  EXPECT_EQ(h.io->metrics().total().acks_pending, 1u);
  c->peer_close(engineio::close_reason::ping_timeout);
  h.poll();
  const auto t = h.io->metrics().total();
  EXPECT_EQ(t.acks_pending, 0u);
  EXPECT_EQ(t.disconnects[static_cast<std::size_t>(disconnect_reason::ping_timeout)], 1u);
}

TEST(metrics, NamespacesCountTheirOwnSockets) {
  harness h;
  h.io->of("/admin");
  auto a = h.connect();
  auto b = h.connect();
  h.join(*a);
  h.join(*b);
  h.join(*b, "/admin");
  const auto m = h.io->metrics();
  EXPECT_EQ(sockets_in(m, "/"), 2u);
  EXPECT_EQ(sockets_in(m, "/admin"), 1u);
  b->text("1/admin,");
  h.poll();
  const auto t = h.io->metrics();
  EXPECT_EQ(sockets_in(t, "/admin"), 0u);
  EXPECT_EQ(
      t.total()
          .disconnects[static_cast<std::size_t>(disconnect_reason::client_namespace_disconnect)],
      1u);
}

const adapter_request_metrics& requests(const metrics_snapshot& m, adapter_request t) {
  static thread_local worker_metrics total;
  total = m.total();
  return total.adapter_requests[static_cast<std::size_t>(t)];
}

TEST(metrics, AdapterRequestsOfTheInMemoryAdapterAreCountedByType) {
  harness h;
  h.io->on_connection(
      [](socket& s) { s.on("q", [](socket&, const boost::json::array&, ack a) { a(1); }); });
  auto c = h.connect();
  ASSERT_EQ(h.join(*c).size(), 20u);
  int completed = 0;
  h.io->fetch_sockets([&](std::vector<remote_socket> r) { completed += r.size() == 1; });
  h.io->socket_ids([&](std::vector<std::string> ids) { completed += ids.size() == 1; });
  h.io->server_count([&](std::size_t n) { completed += n == 1; });
  h.io->server_side_emit_with_ack(
      "hello", {}, [&](boost::system::error_code ec, std::vector<payload>) { completed += !ec; });
  h.io->emit_with_ack("q", {}, [&](boost::system::error_code ec, std::vector<payload> r) {
    completed += !ec && r.size() == 1;
  });
  h.poll();
  c->text("30[1]");  // the client's answer to the broadcast's question
  h.poll();
  ASSERT_EQ(completed, 5);
  const auto m = h.io->metrics();
  for (auto t :
       {adapter_request::fetch_sockets, adapter_request::socket_ids, adapter_request::server_count,
        adapter_request::server_side_emit, adapter_request::broadcast_ack}) {
    const auto& r = requests(m, t);
    EXPECT_EQ(r.count, 1u) << to_string(t);
    EXPECT_EQ(r.timeouts, 0u) << to_string(t);
    std::uint64_t in_buckets = 0;
    for (auto b : r.buckets) in_buckets += b;
    EXPECT_EQ(in_buckets, 1u) << to_string(t);
  }
  EXPECT_EQ(requests(m, adapter_request::restore_session).count, 0u);
}

TEST(metrics, ASessionRestoreIsAnAdapterRequest) {
  server_options o;
  o.connection_state_recovery = recovery_options{};
  harness h(1, false, std::move(o));
  auto c = h.connect();
  // An unknown session: looked up through the adapter, then a new socket.
  ASSERT_FALSE(h.join(*c, "/", R"({"pid":"unknown","offset":"0"})").empty());
  const auto& r = requests(h.io->metrics(), adapter_request::restore_session);
  EXPECT_EQ(r.count, 1u);
  EXPECT_EQ(r.timeouts, 0u);
}

// An adapter whose cluster never answers in time: fetch_sockets answers when told, the
// server-side emit times out, a broadcast with acks never hears the servers' client counts.
class silent_cluster_adapter final : public in_memory_adapter {
 public:
  using in_memory_adapter::in_memory_adapter;
  static inline std::function<void()> release;

  void fetch_sockets(broadcast_options o,
                     std::function<void(std::vector<socket_info>)> done) override {
    release = [done = std::move(done)] { done({}); };
  }
  void server_side_emit_with_ack(payload, broadcast_ack_callback done) override {
    done(make_error_code(error::timeout), {});
  }
  void broadcast_with_ack(outgoing_ptr, broadcast_options, std::function<void(std::size_t)>,
                          std::function<void(payload)>) override {}
  void server_count(std::function<void(std::size_t)> done) override { done(2); }
};

TEST(metrics, AdapterRequestsAreCountedWhenTheyCompleteAndTimeoutsApart) {
  harness h(1, false, server_options{.adapter = [](adapter_host& nsp) {
              return std::make_unique<silent_cluster_adapter>(nsp);
            }});
  bool fetched = false, emitted = false, broadcast = false;
  h.io->fetch_sockets([&](std::vector<remote_socket>) { fetched = true; });
  h.poll();
  EXPECT_EQ(requests(h.io->metrics(), adapter_request::fetch_sockets).count, 0u);
  silent_cluster_adapter::release();
  silent_cluster_adapter::release = nullptr;
  EXPECT_TRUE(fetched);
  EXPECT_EQ(requests(h.io->metrics(), adapter_request::fetch_sockets).count, 1u);

  h.io->server_side_emit_with_ack(
      "hello", {},
      [&](boost::system::error_code ec, std::vector<payload>) { emitted = ec == error::timeout; });
  h.io->timeout(std::chrono::milliseconds(1))
      .emit_with_ack("q", {}, [&](boost::system::error_code ec, std::vector<payload>) {
        broadcast = ec == error::timeout;
      });
  ASSERT_TRUE(h.run_until([&] { return broadcast; }));
  EXPECT_TRUE(emitted);
  const auto m = h.io->metrics();
  const auto& s = requests(m, adapter_request::server_side_emit);
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.timeouts, 1u);
  const auto& b = requests(m, adapter_request::broadcast_ack);
  EXPECT_EQ(b.count, 1u);
  EXPECT_EQ(b.timeouts, 1u);
  EXPECT_EQ(requests(m, adapter_request::fetch_sockets).timeouts, 0u);
}

TEST(metrics, DisabledCountsNothing) {
  harness h(1, false, server_options{.metrics = {.enabled = false}});
  auto c = h.connect();
  ASSERT_EQ(h.join(*c).size(), 20u);
  const auto m = h.io->metrics();
  EXPECT_TRUE(m.workers.empty());
  EXPECT_EQ(m.total().packets_in, 0u);
}

}  // namespace
}  // namespace sio::test
