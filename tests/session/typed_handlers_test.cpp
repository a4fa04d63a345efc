// Session tests: handlers with typed parameters (every argument converted in order, optional
// trailing arguments, binary, references), the whole-argument shapes, and what a conversion
// failure does (an error answer when an ack was asked for, else one log line).
#include "harness.hpp"

#include <boost/describe/class.hpp>

namespace game {
struct move_t {
  int x = 0;
  int y = 0;
};
BOOST_DESCRIBE_STRUCT(move_t, (), (x, y))
}  // namespace game

namespace sio::test {
namespace {

void on_ping(socket&, int n, ack a) {
  a(n + 1);
}

// What can be read, and what a static_assert refuses with its message.
auto typed = [](socket&, std::string, game::move_t, ack) {};
auto generic = [](socket&, auto) {};
struct overloaded {
  void operator()(socket&, int) const {}
  void operator()(socket&, std::string) const {}
};
static_assert(detail::readable_handler<decltype(typed)>);
static_assert(detail::readable_handler<decltype(&on_ping)>);
static_assert(!detail::readable_handler<decltype(generic)>);
static_assert(!detail::readable_handler<overloaded>);

struct typed_handlers : ::testing::Test {
  harness h;
  std::shared_ptr<socket> sock;
  std::shared_ptr<fake_connection> c;

  void open(const std::function<void(socket&)>& setup) {
    h.io->on_connection([this, setup](socket& s) {
      sock = s.shared_from_this();
      setup(s);
    });
    c = h.connect();
    ASSERT_EQ(h.join(*c).size(), 20u);
  }
  std::size_t logged(std::string_view what) {
    std::size_t n = 0;
    for (const auto& l : h.log_lines()) n += l.find(what) != std::string::npos;
    return n;
  }
};

TEST_F(typed_handlers, EveryArgumentConvertsInOrder) {
  open([](socket& s) {
    s.on("move", [](socket& s, std::string room, game::move_t m, ack a) {
      s.emit("moved", m);  // and back through value_from
      a(room, m.x * 10 + m.y);
    });
  });
  c->text(R"(21["move","r1",{"x":2,"y":3}])");
  h.poll();
  EXPECT_EQ(c->pop(), R"(2["moved",{"x":2,"y":3}])");
  EXPECT_EQ(c->pop(), R"(31["r1",23])");
}

TEST_F(typed_handlers, ReferencesValuesAndRvalues) {
  std::vector<int> kept;
  open([&](socket& s) {
    s.on("refs", [&](socket&, const std::string& name, std::vector<int>&& v, int n, const ack& a) {
      kept = std::move(v);
      a(name, n);
    });
  });
  c->text(R"(22["refs","a",[1,2,3],4])");
  h.poll();
  EXPECT_EQ(c->pop(), R"(32["a",4])");
  EXPECT_EQ(kept, (std::vector<int>{1, 2, 3}));
}

TEST_F(typed_handlers, OptionalTrailingArgumentsAndExtraArguments) {
  std::vector<std::string> seen;
  open([&](socket& s) {
    s.on("opt", [&](socket&, std::string a, std::optional<int> b) {
      seen.push_back(a + ":" + (b ? std::to_string(*b) : "none"));
    });
  });
  c->text(R"(2["opt","x",1])");
  c->text(R"(2["opt","y"])");
  c->text(R"(2["opt","z",null])");
  c->text(R"(2["opt","w",5,"extra",{}])");  // arguments beyond the parameters are ignored
  h.poll();
  EXPECT_EQ(seen, (std::vector<std::string>{"x:1", "y:none", "z:none", "w:5"}));
}

TEST_F(typed_handlers, BinaryParameter) {
  open([](socket& s) {
    s.on("file", [](socket&, std::string name, binary data, ack a) { a(name, data.size()); });
  });
  c->text(R"(51-3["file","f.bin",{"_placeholder":true,"num":0}])");
  c->bin(std::string("\x01\x02\x03", 3));
  c->text(R"(24["file","g.bin","not binary"])");
  h.poll();
  EXPECT_EQ(c->pop(), R"(33["f.bin",3])");
  EXPECT_EQ(c->pop(), R"(34[{"error":"argument 2: not binary"}])");
}

TEST_F(typed_handlers, NoArgumentAndFunctionPointerHandlers) {
  int plain = 0;
  open([&](socket& s) {
    s.on("plain", [&](socket&) { ++plain; });
    s.on("asks", [](socket&, ack a) { a("answer"); });
    s.on("ping", &on_ping);
  });
  c->text(R"(2["plain","ignored"])");
  c->text(R"(21["asks"])");
  c->text(R"(22["ping",41])");
  h.poll();
  EXPECT_EQ(plain, 1);
  EXPECT_EQ(c->pop(), R"(31["answer"])");
  EXPECT_EQ(c->pop(), "32[42]");
}

TEST_F(typed_handlers, WholeArgumentShapesStay) {
  std::string got;
  open([&](socket& s) {
    s.on("array", [&](socket&, boost::json::array args) { got += boost::json::serialize(args); });
    s.on("payload", [&](socket&, payload& p, ack& a) {
      p.args.push_back("tagged");
      a.send(std::move(p));
    });
  });
  c->text(R"(2["array",1,"two"])");
  c->text(R"(23["payload",1])");
  h.poll();
  EXPECT_EQ(got, R"([1,"two"])");
  EXPECT_EQ(c->pop(), R"(33[1,"tagged"])");
}

TEST_F(typed_handlers, BadArgumentAnswersTheAckWithAnErrorAndKeepsTheSocket) {
  int calls = 0;
  open([&](socket& s) { s.on("move", [&](socket&, std::string, game::move_t, ack) { ++calls; }); });
  c->text(R"(27["move","r1",{"x":"two","y":3}])");
  c->text(R"(28["move",7])");
  h.poll();
  EXPECT_EQ(calls, 0);
  auto first = c->pop();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->rfind(R"(37[{"error":"argument 2: )", 0), 0u) << *first;
  EXPECT_EQ(c->pop(), R"(38[{"error":"argument 1: value is not a string"}])");
  EXPECT_TRUE(sock->connected());
  EXPECT_EQ(logged("dropped"), 0u);  // the client was told
}

TEST_F(typed_handlers, BadArgumentWithoutAckIsDroppedAndLoggedOnce) {
  int calls = 0;
  open([&](socket& s) { s.on("n", [&](socket&, int) { ++calls; }); });
  c->text(R"(2["n","not a number"])");
  c->text(R"(2["n",3])");
  h.poll();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(c->pop(), std::nullopt);
  EXPECT_EQ(logged("event \"n\" dropped: argument 1: "), 1u);
  EXPECT_TRUE(sock->connected());
}

}  // namespace
}  // namespace sio::test
