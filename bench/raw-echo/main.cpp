// sio-raw-echo: the calibration server of sio-bench. A bare Beast WebSocket server that speaks just
// enough Engine.IO / Socket.IO framing for the generator (open packet, CONNECT answer, echo ack,
// join, fanout) and none of the Socket.IO logic (no parser, no namespaces, no adapter). Whatever
// rate sio-bench reaches against it is the generator's own ceiling on this machine.
//
//   sio-raw-echo --port N [--threads T]
//
// Threading: one io_context per thread; rooms are per thread (the generator's fanout scenario
// puts sender and receivers on one thread when run with --threads 1, the default).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;
using frame = std::shared_ptr<const std::string>;

class session;
struct room_table {
  std::unordered_map<std::string, std::unordered_set<session*>> rooms;
  std::uint64_t next_sid = 0;
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket s, room_table& t) : ws_(std::move(s)), table_(t) {}
  ~session() {
    if (!room_.empty()) table_.rooms[room_].erase(this);
  }

  void start() {
    error_code ec;
    ws_.next_layer().set_option(tcp::no_delay(true), ec);
    ws_.text(true);
    ws_.async_accept([self = shared_from_this()](error_code ec) {
      if (ec) return;
      self->sid_ = "raw" + std::to_string(self->table_.next_sid++);
      self->send(std::make_shared<const std::string>(
          "0{\"sid\":\"" + self->sid_ +
          "\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
          "\"maxPayload\":1000000}"));
      self->read();
    });
  }

  void send(frame f) {
    q_.push_back(std::move(f));
    if (q_.size() == 1) write();
  }

 private:
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return;
      auto d = self->buf_.cdata();
      self->on_message({static_cast<const char*>(d.data()), d.size()});
      self->buf_.consume(self->buf_.size());
      self->read();
    });
  }

  void write() {
    ws_.async_write(net::buffer(*q_.front()),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      if (ec) return;
                      self->q_.pop_front();
                      if (!self->q_.empty()) self->write();
                    });
  }

  void on_message(std::string_view m) {
    if (m.size() < 2 || m[0] != '4') return;  // pongs and the rest: ignored
    if (m[1] == '0') {
      send(std::make_shared<const std::string>("40{\"sid\":\"" + sid_ + "\"}"));
      return;
    }
    if (m[1] != '2') return;
    auto s = m.substr(2);
    std::size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    auto id = s.substr(0, n);
    s.remove_prefix(n);
    constexpr std::string_view echo = "[\"echo\",", join = "[\"join\",{\"room\":\"",
                               fanout = "[\"fanout\",{\"room\":\"", payload = "\",\"payload\":";
    if (s.starts_with(echo)) {
      std::string out = "43";
      out += id;
      out += '[';
      out += s.substr(echo.size());
      send(std::make_shared<const std::string>(std::move(out)));
    } else if (s.starts_with(join)) {
      auto r = s.substr(join.size());
      auto end = r.find('"');
      if (end == std::string_view::npos) return;
      if (!room_.empty()) table_.rooms[room_].erase(this);
      room_ = std::string(r.substr(0, end));
      table_.rooms[room_].insert(this);
      if (!id.empty()) send(std::make_shared<const std::string>("43" + std::string(id) + "[]"));
    } else if (s.starts_with(fanout)) {
      auto r = s.substr(fanout.size());
      auto end = r.find(payload);
      if (end == std::string_view::npos || !r.ends_with("}]")) return;
      auto room = std::string(r.substr(0, end));
      auto p = r.substr(end + payload.size());
      p.remove_suffix(2);
      auto f = std::make_shared<const std::string>("42[\"fanout\"," + std::string(p) + "]");
      auto it = table_.rooms.find(room);
      if (it == table_.rooms.end()) return;
      for (auto* member : it->second) member->send(f);
    }
  }

  websocket::stream<tcp::socket> ws_;
  room_table& table_;
  beast::flat_buffer buf_;
  std::deque<frame> q_;
  std::string sid_;
  std::string room_;
};

void accept(tcp::acceptor& a, room_table& t) {
  a.async_accept([&a, &t](error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<session>(std::move(s), t)->start();
    accept(a, t);
  });
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 3000;
  std::size_t threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view a = argv[i];
    if (a == "--port")
      port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
    else if (a == "--threads")
      threads = static_cast<std::size_t>(std::max(1, std::atoi(argv[i + 1])));
  }
  rlimit r{1'048'576, 1'048'576};
  if (::setrlimit(RLIMIT_NOFILE, &r) != 0 && ::getrlimit(RLIMIT_NOFILE, &r) == 0) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
  try {
    std::vector<std::unique_ptr<net::io_context>> ioc;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    std::vector<std::unique_ptr<room_table>> tables;
    for (std::size_t i = 0; i < threads; ++i) {
      ioc.push_back(std::make_unique<net::io_context>(1));
      tables.push_back(std::make_unique<room_table>());
      auto a = std::make_unique<tcp::acceptor>(*ioc.back());
      // Port 0: the first acceptor picks one, the others share it.
      if (i > 0) port = acceptors.front()->local_endpoint().port();
      tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
      a->open(ep.protocol());
      a->set_option(net::socket_base::reuse_address(true));
      int one = 1;  // one acceptor per thread on the same port
      ::setsockopt(a->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
      a->bind(ep);
      a->listen(4096);
      accept(*a, *tables.back());
      acceptors.push_back(std::move(a));
    }
    net::signal_set signals(*ioc[0], SIGINT, SIGTERM);
    signals.async_wait([&](error_code, int) {
      for (auto& c : ioc) c->stop();
    });
    std::printf("sio-raw-echo listening on 127.0.0.1:%u (%zu threads)\n",
                acceptors.front()->local_endpoint().port(), threads);
    std::fflush(stdout);
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < threads; ++i) pool.emplace_back([&ioc, i] { ioc[i]->run(); });
    ioc[0]->run();
    for (auto& c : ioc) c->stop();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    std::cerr << "sio-raw-echo: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
