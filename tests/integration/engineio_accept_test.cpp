// The engine out of file descriptors: with a low RLIMIT_NOFILE and a flood of connections that
// are held open, accept fails with EMFILE. The server must back off instead of retrying at once
// (a spinning accept loop burns a whole core), keep serving the connections it has, and accept
// again once descriptors are free. The server runs in a child process (engine_echo_server) whose
// CPU time is read from /proc/<pid>/stat.
#include "engineio_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace sio::test;

constexpr rlim_t descriptor_limit = 64;

// engine_echo_server in a child process with RLIMIT_NOFILE = descriptor_limit; killed at the end.
class limited_server {
 public:
  limited_server() {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      const rlimit lim{descriptor_limit, descriptor_limit};
      setrlimit(RLIMIT_NOFILE, &lim);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execl(SIO_ENGINE_ECHO_SERVER, SIO_ENGINE_ECHO_SERVER, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char ch = 0;
    while (read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
    close(out[0]);
    if (!line.empty()) port_ = static_cast<std::uint16_t>(std::stoul(line));
  }
  ~limited_server() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  limited_server(const limited_server&) = delete;
  limited_server& operator=(const limited_server&) = delete;

  std::uint16_t port() const { return port_; }
  std::size_t open_descriptors() const {
    const auto dir = "/proc/" + std::to_string(pid_) + "/fd";
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      ++n;
    return n;
  }
  // User + system CPU time so far, in seconds.
  double cpu_seconds() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/stat");
    const std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::vector<std::string> fields((std::istream_iterator<std::string>(rest)),
                                    std::istream_iterator<std::string>());
    if (fields.size() < 13) return -1;
    const double ticks = std::stod(fields[11]) + std::stod(fields[12]);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

TEST(EngineAccept, OutOfDescriptorsBacksOffServesOpenConnectionsAndRecovers) {
  limited_server srv;
  ASSERT_NE(srv.port(), 0);
  asio::io_context ioc;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), srv.port());
  // More connections than the server has descriptors: the rest wait in its backlog.
  std::vector<std::unique_ptr<tcp::socket>> flood;
  for (rlim_t i = 0; i < descriptor_limit * 3; ++i) {
    auto s = std::make_unique<tcp::socket>(ioc);
    boost::system::error_code ec;
    s->connect(ep, ec);
    ASSERT_FALSE(ec) << ec.message();
    flood.push_back(std::move(s));
  }
  const auto deadline = std::chrono::steady_clock::now() + io_deadline;
  while (srv.open_descriptors() < descriptor_limit && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(srv.open_descriptors(), descriptor_limit);

  // Out of descriptors, with connections waiting: the server does not spin on accept.
  const double window = 2.0;
  const double before = srv.cpu_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(window));
  const double used = srv.cpu_seconds() - before;
  EXPECT_LT(used, window / 4) << "CPU seconds in a " << window << " s window";

  // A connection it accepted before running out is still served.
  const std::string handshake =
      "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const timeval timeout{static_cast<time_t>(io_deadline.count()), 0};
  setsockopt(flood.front()->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  asio::write(*flood.front(), asio::buffer(handshake));
  std::string reply;
  boost::system::error_code ec;
  asio::read(*flood.front(), asio::dynamic_buffer(reply), ec);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;

  // Once the flood lets go, new clients are accepted again.
  flood.clear();
  const auto r = http_get(srv.port(), "/engine.io/?EIO=4&transport=polling");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body.rfind("0{\"sid\":", 0), 0u) << r.body;
}

}  // namespace
