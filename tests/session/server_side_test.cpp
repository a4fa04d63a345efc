// Session tests: server-side events (Node's serverSideEmit / serverSideEmitWithAck / io.on(ev))
// through the adapter seam. A single server completes at once with no answers; two servers joined
// by an in-process "bus" adapter exercise the namespace's listener seam: typed handlers, acks,
// argument errors, unknown events, dynamic namespaces.
#include "harness.hpp"

#include <map>

namespace sio::test {
namespace {

TEST(server_side_single, NoOtherServersNoAnswers) {
  harness h;
  int calls = 0;
  h.io->on_server_side_emit("tick", [&](int) { ++calls; });
  h.io->server_side_emit("tick", 1);  // to the other servers only: none here
  bool done = false;
  h.io->server_side_emit_with_ack("tick", make_payload(2),
                                  [&](boost::system::error_code ec, std::vector<payload> r) {
                                    EXPECT_FALSE(ec);
                                    EXPECT_TRUE(r.empty());
                                    done = true;
                                  });
  EXPECT_TRUE(done);
  h.poll();
  EXPECT_EQ(calls, 0);
  EXPECT_THROW(h.io->server_side_emit("disconnect"), std::invalid_argument);
  EXPECT_THROW(h.io->server_side_emit_with_ack("connect", {}, [](auto, auto) {}),
               std::invalid_argument);
}

// Two in-process servers: what one sends reaches the other's namespace of the same name.
struct bus {
  std::mutex mu;
  std::map<std::pair<int, std::string>, adapter_host*> hosts;

  adapter_host* peer_of(int node, const std::string& nsp) {
    std::lock_guard lk(mu);
    auto it = hosts.find({1 - node, nsp});
    return it == hosts.end() ? nullptr : it->second;
  }
};

class bus_adapter final : public in_memory_adapter {
 public:
  bus_adapter(adapter_host& h, bus& b, int node) : in_memory_adapter(h), bus_(b), node_(node) {
    std::lock_guard lk(bus_.mu);
    bus_.hosts[{node_, h.name()}] = &h;
  }
  ~bus_adapter() override {
    std::lock_guard lk(bus_.mu);
    bus_.hosts.erase({node_, nsp_.name()});
  }
  void server_count(std::function<void(std::size_t)> done) override { done(2); }
  void server_side_emit(payload args) override {
    if (auto* p = bus_.peer_of(node_, nsp_.name()))
      p->receive_server_side_emit(std::move(args), {});
  }
  void server_side_emit_with_ack(payload args, broadcast_ack_callback done) override {
    auto* p = bus_.peer_of(node_, nsp_.name());
    if (!p) return done({}, {});
    p->receive_server_side_emit(std::move(args), [done](payload r) { done({}, {std::move(r)}); });
  }

 private:
  bus& bus_;
  int node_;
};

server_options on_bus(bus& b, int node) {
  server_options o;
  o.adapter = [&b, node](adapter_host& h) { return std::make_unique<bus_adapter>(h, b, node); };
  return o;
}

struct server_side : ::testing::Test {
  bus net;
  harness a{1, false, on_bus(net, 0)};
  harness b{1, false, on_bus(net, 1)};

  // server_side_emit_with_ack from a, with a callback collecting what completes.
  struct result {
    bool done = false;
    boost::system::error_code ec;
    std::vector<std::string> answers;
  };
  std::shared_ptr<result> ask(namespace_& from, std::string_view ev, payload p) {
    auto r = std::make_shared<result>();
    from.server_side_emit_with_ack(ev, std::move(p),
                                   [r](boost::system::error_code ec, std::vector<payload> v) {
                                     r->done = true;
                                     r->ec = ec;
                                     for (auto& x : v) r->answers.push_back(serialize(x.args));
                                   });
    return r;
  }
  static std::string serialize(const boost::json::array& a) { return boost::json::serialize(a); }
  std::size_t logged(harness& h, std::string_view what) {
    std::size_t n = 0;
    for (const auto& l : h.log_lines()) n += l.find(what) != std::string::npos;
    return n;
  }
};

TEST_F(server_side, TypedHandlerAnswersTheSender) {
  b.io->on_server_side_emit("hello", [](std::string from, int n, ack a) {
    a(boost::json::object{{"from", from}, {"twice", 2 * n}});
  });
  auto r = ask(a.io->sockets(), "hello", make_payload("a", 21));
  ASSERT_TRUE(r->done);
  EXPECT_FALSE(r->ec);
  EXPECT_EQ(r->answers, (std::vector<std::string>{R"([{"from":"a","twice":42}])"}));
  std::size_t n = 0;
  a.io->server_count([&](std::size_t k) { n = k; });
  EXPECT_EQ(n, 2u);
}

TEST_F(server_side, EmitWithoutAckAndAnAckAnsweredOnce) {
  std::vector<std::string> seen;
  b.io->on_server_side_emit("raw", [&](const payload& p, ack a) {
    seen.push_back(serialize(p.args) + (a.requested() ? "+ack" : ""));
    if (a.requested()) {
      a("first");
      a("second");  // ignored
    }
  });
  a.io->server_side_emit("raw", 1, "two");
  auto r = ask(a.io->sockets(), "raw", make_payload(3));
  EXPECT_EQ(seen, (std::vector<std::string>{R"([1,"two"])", "[3]+ack"}));
  EXPECT_EQ(r->answers, (std::vector<std::string>{R"(["first"])"}));
}

TEST_F(server_side, BadArgumentsAnswerWithAnErrorOrAreLogged) {
  int calls = 0;
  b.io->on_server_side_emit("n", [&](int, std::string) { ++calls; });
  b.io->on_server_side_emit("n-ack", [&](int, std::string, ack a) {
    ++calls;
    a();
  });
  auto r = ask(a.io->sockets(), "n-ack", make_payload(1, 2));
  EXPECT_EQ(r->answers,
            (std::vector<std::string>{R"([{"error":"argument 2: value is not a string"}])"}));
  a.io->server_side_emit("n", "x");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(logged(b, "server-side event \"n\" (/) dropped: argument 1: "), 1u);
}

TEST_F(server_side, UnknownEventsAndThrowingHandlers) {
  b.io->on_server_side_emit("boom", [](ack) { throw std::runtime_error("bug"); });
  auto unknown = ask(a.io->sockets(), "nobody-listens", {});
  EXPECT_FALSE(unknown->done);  // as Node: no listener, no answer (a cluster adapter times out)
  a.io->server_side_emit("boom");
  EXPECT_EQ(logged(b, "threw: bug"), 1u);
  // Namespaces are separate; a later handler replaces an earlier one.
  b.io->of("/x").on_server_side_emit("v", [](ack a) { a(1); });
  b.io->of("/x").on_server_side_emit("v", [](ack a) { a(2); });
  auto r = ask(a.io->of("/x"), "v", {});
  EXPECT_EQ(r->answers, (std::vector<std::string>{"[2]"}));
  EXPECT_FALSE(ask(a.io->sockets(), "v", {})->done);
}

TEST_F(server_side, DynamicNamespaceChildrenUseTheParentsHandlers) {
  b.io->of(std::regex("/dyn-\\d+")).on_server_side_emit("which", [](ack a) { a("parent"); });
  auto c = b.connect();
  b.join(*c, "/dyn-1");  // creates the child on b
  auto r = ask(a.io->of("/dyn-1"), "which", {});
  EXPECT_EQ(r->answers, (std::vector<std::string>{R"(["parent"])"}));
}

}  // namespace
}  // namespace sio::test
