// Session tests of server::metrics(): figures summed over the workers' blocks while the workers
// write them (real threads: meant to run clean under TSan), acknowledgements pending, disabled
// counting.
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
