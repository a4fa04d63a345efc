// sio-chat-client: a terminal client of the demo server's chat (apps/chat/API.md).
//
//   sio-chat-client --url http://127.0.0.1:3000 --user ada --password secret-pass [--room general]
//                   [--register] [--ca-file ca.pem]
//
// Signs in over the REST API (POST /api/login; --register creates the account first), opens the
// Socket.IO connection with the token as auth.token (as the chat's web client does), joins the
// room (creating it, public, when no room has that name), prints its history and every message
// that arrives, and sends each line typed on stdin. "/quit" or the end of stdin leaves.
//
// Output lines (stdout): "joined #<room> (<n> earlier messages)", "[hh:mm:ss] <user>: <text>",
// "* <n> online", "* <notice>". Errors go to stderr; the exit status is 0 after a normal end,
// 1 on a failure (refused login, unauthorized socket, unreachable server), 2 on a bad command line.
#include "acks.hpp"
#include "command_line.hpp"
#include "rest_client.hpp"

#include <sio/client/manager.hpp>
#include <sio/client/socket.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

namespace json = boost::json;
using examples::error_of;
using examples::succeeded;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view usage =
    "usage: sio-chat-client --user NAME --password PASSWORD [--url http://127.0.0.1:3000]\n"
    "                       [--room general] [--register] [--ca-file CA.pem]\n";
constexpr auto ack_timeout = 10s;

// Lines to stdout and stderr from the main thread and the client's handlers, never interleaved.
class console {
 public:
  void out(const std::string& line) {
    std::lock_guard lock(mutex_);
    std::cout << line << std::endl;
  }
  void err(const std::string& line) {
    std::lock_guard lock(mutex_);
    std::cerr << "sio-chat-client: " << line << std::endl;
  }

 private:
  std::mutex mutex_;
};

// Lines of stdin, read until its end or until stop() is called from another thread.
class line_reader {
 public:
  line_reader() : wake_(::eventfd(0, EFD_CLOEXEC)) {
    if (wake_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  ~line_reader() { ::close(wake_); }
  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;

  void stop() {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
  }

  // The next line, or nullopt at the end of stdin or after stop().
  std::optional<std::string> next() {
    for (;;) {
      if (auto pos = pending_.find('\n'); pos != std::string::npos) {
        std::string line = pending_.substr(0, pos);
        pending_.erase(0, pos + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (eof_) {
        if (pending_.empty()) return std::nullopt;
        return std::exchange(pending_, {});  // a last line without its newline
      }
      pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return std::nullopt;
      }
      if (fds[1].revents) return std::nullopt;
      char buf[4096];
      const auto n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      pending_.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int wake_;
  std::string pending_;
  bool eof_ = false;
};

struct room {
  std::int64_t id = 0;
  std::string name;
};

// The room called `name` among the user's rooms (GET /api/rooms, page by page), created as a
// public room when there is none.
room find_or_create_room(examples::rest_client& api, const std::string& token,
                         const std::string& name) {
  std::string target = "/api/rooms?limit=100";
  for (;;) {
    auto page = api.expect(200, http::verb::get, target, nullptr, token).as_array();
    for (const auto& r : page) {
      if (r.at("name").as_string() == name) return {r.at("roomId").to_number<std::int64_t>(), name};
    }
    if (page.size() < 100) break;
    target = "/api/rooms?limit=100&after=" + std::to_string(page.back().at("roomId").as_int64());
  }
  const json::value body = {{"name", name}, {"private", false}, {"members", json::array{}}};
  auto created = api.expect(201, http::verb::post, "/api/rooms", &body, token);
  return {created.at("roomId").to_number<std::int64_t>(), name};
}

std::string format_message(const json::value& m) {
  const auto& o = m.as_object();
  std::string time;
  if (const auto* at = o.if_contains("createdAt"); at && at->is_string())
    time = std::string(at->as_string()).substr(11, 8);  // hh:mm:ss of the ISO 8601 time
  return "[" + time + "] " + json::value_to<std::string>(o.at("username")) + ": " +
         json::value_to<std::string>(o.at("message"));
}

// The chat session: the socket's handlers, the join, and the end of the program.
class chat_session {
 public:
  chat_session(std::shared_ptr<sio::client::socket> s, room r, console& c, line_reader& input)
      : socket_(std::move(s)), room_(std::move(r)), console_(c), input_(input) {}

  // Registers the handlers and connects; the future says whether the first join succeeded.
  std::future<bool> start() {
    socket_->on("receiveMessage", [this](json::value m) {
      if (m.at("roomId").to_number<std::int64_t>() == room_.id) console_.out(format_message(m));
    });
    socket_->on("onlineUsers",
                [this](std::int64_t n) { console_.out("* " + std::to_string(n) + " online"); });
    socket_->on("error", [this](std::string text) { console_.err("server: " + text); });
    socket_->on_connect([this] {
      if (socket_->recovered())
        console_.out("* reconnected: session recovered");
      else
        join();
    });
    socket_->on_connect_error([this](const sio::connect_error& e) {
      if (e.message == "unauthorized" || !socket_->active()) return fail("refused: " + e.message);
      console_.out("* cannot connect (" + e.message + "), retrying");
    });
    socket_->on_disconnect([this](sio::client::disconnect_reason r) {
      if (r == sio::client::disconnect_reason::io_client_disconnect) return;
      if (!sio::client::reconnects_after(r))
        return fail("disconnected by the server (" + std::string(to_string(r)) + ")");
      console_.out("* disconnected (" + std::string(to_string(r)) + "), reconnecting");
    });
    socket_->connect();
    return joined_.get_future();
  }

  void send(const std::string& text) {
    const json::object m = {{"roomId", room_.id}, {"message", text}};
    {
      std::lock_guard lock(mutex_);
      ++unanswered_;
    }
    socket_->emit_with_ack("sendMessage", sio::make_payload(m), ack_timeout,
                           [this](boost::system::error_code ec, sio::payload answer) {
                             if (ec)
                               console_.err("message not sent: " + ec.message());
                             else if (!succeeded(answer))
                               console_.err("message refused: " + error_of(answer));
                             std::lock_guard lock(mutex_);
                             if (--unanswered_ == 0) answered_.notify_all();
                           });
  }

  // Waits until every message sent has its answer (or its timeout), or the session failed.
  void wait_for_answers() {
    std::unique_lock lock(mutex_);
    answered_.wait(lock, [this] { return unanswered_ == 0 || failed_; });
  }

  bool failed() {
    std::lock_guard lock(mutex_);
    return failed_;
  }

 private:
  void join() {
    const json::object j = {{"roomId", room_.id}};
    socket_->emit_with_ack("joinRoom", sio::make_payload(j), ack_timeout,
                           [this](boost::system::error_code ec, sio::payload answer) {
                             if (ec) return fail("joinRoom: " + ec.message());
                             if (!succeeded(answer)) return fail("joinRoom: " + error_of(answer));
                             joined(answer.args[0].as_object());
                           });
  }

  void joined(const json::object& answer) {
    const auto* history = answer.if_contains("history");
    const std::size_t n = history && history->is_array() ? history->as_array().size() : 0;
    if (first_join_) {
      console_.out("joined #" + room_.name + " (" + std::to_string(n) + " earlier messages)");
      for (std::size_t i = 0; i < n; ++i) console_.out(format_message(history->as_array()[i]));
    } else {
      console_.out("* rejoined #" + room_.name);
    }
    if (std::exchange(first_join_, false)) joined_.set_value(true);
  }

  // A failure the session cannot recover from: the program ends with status 1.
  void fail(const std::string& why) {
    {
      std::lock_guard lock(mutex_);
      if (std::exchange(failed_, true)) return;
      answered_.notify_all();
    }
    console_.err(why);
    if (std::exchange(first_join_, false)) joined_.set_value(false);
    input_.stop();
  }

  std::shared_ptr<sio::client::socket> socket_;
  room room_;
  console& console_;
  line_reader& input_;
  std::promise<bool> joined_;
  bool first_join_ = true;  // on the client's strand only
  std::mutex mutex_;
  std::condition_variable answered_;
  std::size_t unanswered_ = 0;  // sendMessage acks still to come
  bool failed_ = false;
};

int run(const examples::command_line& cmd) {
  const auto url = cmd.get_or("--url", "http://127.0.0.1:3000");
  const auto ca_file = cmd.get_or("--ca-file", "");
  console con;

  examples::rest_client api(url, ca_file);
  const auto me = examples::sign_in(api, cmd.required("--user"), cmd.required("--password"),
                                    cmd.flag("--register"));
  const auto r = find_or_create_room(api, me.token, cmd.get_or("--room", "general"));

  sio::client::manager_options options;
  options.tls.ca_file = ca_file;
  options.auto_connect = false;  // handlers first, then connect()
  options.log = [&con](std::string_view line) { con.err(std::string(line)); };
  // Declared before the manager, so destroyed after it: its destructor releases the handlers
  // that refer to the session and the reader.
  line_reader input;
  std::optional<chat_session> session;
  sio::client::manager io(url, std::move(options));
  session.emplace(io.socket("/", {.auth = {{"token", me.token}}}), r, con, input);

  if (!session->start().get()) return 1;
  while (auto line = input.next()) {
    if (*line == "/quit") break;
    if (!line->empty()) session->send(*line);
  }
  session->wait_for_answers();
  io.close();  // leaves the room and closes the connection
  return session->failed() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const examples::command_line cmd(
        argc, argv, {"--url", "--user", "--password", "--room", "--ca-file"}, {"--register"});
    if (cmd.help()) {
      std::cout << usage;
      return 0;
    }
    return run(cmd);
  } catch (const examples::usage_error& e) {
    std::cerr << "sio-chat-client: " << e.what() << "\n" << usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sio-chat-client: " << e.what() << "\n";
    return 1;
  }
}
