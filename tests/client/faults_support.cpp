// The fault tests' shared support (faults_support.hpp), compiled once.
#include "faults_support.hpp"

#include <sio/sio.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <fstream>
#include <list>
#include <sstream>
#include <utility>

namespace sio::test {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --- probe ------------------------------------------------------------------------------------

void probe::note(const std::string& what, std::string detail) {
  {
    std::lock_guard lock(m_);
    ++counts_[what];
    last_[what] = std::move(detail);
  }
  cv_.notify_all();
}

int probe::count(const std::string& what) const {
  std::lock_guard lock(m_);
  auto it = counts_.find(what);
  return it == counts_.end() ? 0 : it->second;
}

std::string probe::last(const std::string& what) const {
  std::lock_guard lock(m_);
  auto it = last_.find(what);
  return it == last_.end() ? std::string() : it->second;
}

bool probe::wait(const std::string& what, int n, std::chrono::milliseconds within) {
  std::unique_lock lock(m_);
  return cv_.wait_for(lock, within, [&] { return counts_[what] >= n; });
}

// --- test_server ------------------------------------------------------------------------------

namespace {
server_options test_server_config(const test_server_options& o) {
  server_options so;
  so.http.address = "127.0.0.1";
  so.http.port = o.port;
  so.http.workers = o.workers;
  if (o.tls)
    so.http.tls = engineio::tls_options{.cert_file = o.tls->cert_file, .key_file = o.tls->key_file};
  so.engine.polling = o.polling;
  so.engine.websocket = o.websocket;
  if (o.recovery) so.connection_state_recovery.emplace();
  so.log = [](std::string_view) {};
  return so;
}
}  // namespace

test_server::test_server(test_server_options o)
    : secure_(o.tls.has_value()), io_(std::make_unique<sio::server>(test_server_config(o))) {
  io_->on_connection([this](sio::socket& s) {
    events.note("connection", s.id());
    s.on("echo", [](sio::socket&, const sio::payload& p, sio::ack ack) { ack.send(p); });
    s.on("hi", [](sio::socket& s, const boost::json::array&) { s.emit("hi"); });
    s.on("more", [](sio::socket& s, const boost::json::value& n) { s.emit("tick", n); });
    s.on_disconnect([this](sio::socket&, sio::disconnect_reason r) {
      events.note("disconnect", std::string(to_string(r)));
    });
  });
  io_->start();
}

test_server::~test_server() = default;

std::uint16_t test_server::port() const noexcept {
  return io_->port();
}

std::string test_server::url() const {
  return (secure_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
}

void test_server::stop() {
  io_->stop();
}

// --- tcp_relay --------------------------------------------------------------------------------

struct tcp_relay::state {
  explicit state(std::uint16_t target)
      : target_(asio::ip::make_address("127.0.0.1"), target),
        acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {}

  struct link {
    link(asio::io_context& ioc, asio::ip::tcp::socket c) : client(std::move(c)), server(ioc) {}
    void close() {
      boost::system::error_code ec;
      client.close(ec);
      server.close(ec);
    }
    asio::ip::tcp::socket client, server;
    std::array<char, 16384> up{}, down{};
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket c) {
      if (ec) return;
      ++accepted_;
      auto& l = links_.emplace_back(ioc_, std::move(c));
      l.server.async_connect(target_, [this, &l](boost::system::error_code ec) {
        if (ec) return l.close();
        pump(l.client, l.server, l.up, l);
        pump(l.server, l.client, l.down, l);
      });
      accept();
    });
  }
  // Copies from -> to until either side ends, then closes both. A link stays in links_ (closed)
  // until the relay goes: the relay lives for one test.
  void pump(asio::ip::tcp::socket& from, asio::ip::tcp::socket& to, std::array<char, 16384>& buf,
            link& l) {
    from.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
      if (ec) return l.close();
      asio::async_write(to, asio::buffer(buf, n), [&](boost::system::error_code ec, std::size_t) {
        if (ec) return l.close();
        pump(from, to, buf, l);
      });
    });
  }

  asio::io_context ioc_;
  asio::ip::tcp::endpoint target_;
  asio::ip::tcp::acceptor acceptor_;
  std::list<link> links_;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

tcp_relay::tcp_relay(std::uint16_t target) : state_(std::make_unique<state>(target)) {
  state_->accept();
  state_->thread_ = std::thread([s = state_.get()] { s->ioc_.run(); });
}

tcp_relay::~tcp_relay() {
  state_->ioc_.stop();
  state_->thread_.join();
}

std::uint16_t tcp_relay::port() const {
  return state_->acceptor_.local_endpoint().port();
}

int tcp_relay::accepted() const {
  return state_->accepted_;
}

void tcp_relay::cut() {
  asio::post(state_->ioc_, [s = state_.get()] {
    for (auto& l : s->links_) l.close();
  });
}

// --- context_runner ---------------------------------------------------------------------------

context_runner::context_runner(asio::io_context& ioc, int threads)
    : ioc_(ioc), guard_(ioc.get_executor()) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

void context_runner::stop() {
  ioc_.stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  guard_.reset();
}

server_certificate server_tls(const test_certs& certs, const std::string& name) {
  return {.cert_file = certs.path(name + ".pem"), .key_file = certs.path(name + ".key")};
}

}  // namespace sio::test
