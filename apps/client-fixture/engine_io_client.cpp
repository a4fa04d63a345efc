// engine.io-client's fixture, as packages/engine.io-client/test/support/hooks.js of the
// socketio/socket.io repository configures it: Engine.IO at /engine.io/ with pingInterval 500 and
// maxHttpBufferSize 100, an allowRequest refusing requests whose query has `deny`, four cookies
// set on the handshake response (initial_headers), "hi" sent on open and every message echoed,
// except "give binary" (answered with the bytes 0..4), "give utf8" (a Russian sentence) and
// "sendHeaders" (request headers as JSON, see header_replies).
#include "fixtures.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace client_fixture {
namespace {

using namespace std::chrono_literals;
namespace eio = sio::engineio;

std::string headers_json(const eio::request_info& r) {
  boost::json::object o;
  for (const auto& [k, v] : r.headers) o[k] = v;
  return boost::json::serialize(o);
}

// "sendHeaders": Node's fixture answers with the headers of the polling request that carried it
// (socket.transport.dataReq, a field internal to Node's polling transport). Here the message marks
// its session, and the `headers` hook, which sees every successful response with its request,
// answers with the headers of the session's next answered request: the POST that carried the
// message (its "ok"), since the session's held poll is released only by that answer. Any thread.
class header_replies {
 public:
  void open(const eio::connection_ptr& c) {
    std::lock_guard lock(mtx_);
    sessions_.insert_or_assign(std::string(c->id()), entry{c, false});
  }
  void ask(std::string_view sid) {
    std::lock_guard lock(mtx_);
    if (auto it = sessions_.find(std::string(sid)); it != sessions_.end()) it->second.asked = true;
  }
  void answered(const eio::request_info& r) {
    const auto sid = r.query.find("sid");
    if (sid == r.query.end()) return;
    std::weak_ptr<eio::connection> target;
    {
      std::lock_guard lock(mtx_);
      const auto it = sessions_.find(std::string(sid->second));
      if (it == sessions_.end() || !it->second.asked) return;
      it->second.asked = false;
      target = it->second.conn;
    }
    auto c = target.lock();
    if (!c) return;
    boost::asio::post(c->executor(), [target, text = headers_json(r)] {
      if (auto c = target.lock()) c->send(eio::make_text(text));
    });
  }
  void close(std::string_view sid) {
    std::lock_guard lock(mtx_);
    sessions_.erase(std::string(sid));
  }

 private:
  struct entry {
    std::weak_ptr<eio::connection> conn;
    bool asked = false;
  };
  std::mutex mtx_;
  std::unordered_map<std::string, entry> sessions_;
};

class echo_handler final : public eio::handler {
 public:
  explicit echo_handler(std::shared_ptr<header_replies> replies) : replies_(std::move(replies)) {}

  void on_open(const eio::connection_ptr& c) override {
    replies_->open(c);
    c->send(eio::make_text("hi"));
  }
  void on_message(eio::connection& c, std::string_view text) override {
    if (text == "sendHeaders") return replies_->ask(c.id());
    c.send(reply(text));
  }
  void on_binary(eio::connection& c, std::string_view bytes) override {
    c.send(eio::make_binary(std::string(bytes)));
  }
  void on_close(eio::connection& c, eio::close_reason) override { replies_->close(c.id()); }

 private:
  static eio::message_ptr reply(std::string_view text) {
    if (text == "give binary") return eio::make_binary(std::string("\0\1\2\3\4", 5));
    if (text == "give utf8") return eio::make_text("пойду спать всем спокойной ночи");
    return eio::make_text(std::string(text));
  }

  std::shared_ptr<header_replies> replies_;
};

// `date` as the `cookie` package writes Expires (Date#toUTCString).
std::string http_date(std::chrono::system_clock::time_point date) {
  const std::time_t t = std::chrono::system_clock::to_time_t(date);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// The cookies of hooks.js, as the `cookie` package serializes them.
void set_cookies(eio::response_headers& h, const eio::request_info&) {
  h.emplace_back("Set-Cookie", "1=1; Max-Age=86400");
  h.emplace_back("Set-Cookie", "2=2; Path=/; HttpOnly; Secure; SameSite=Strict");
  h.emplace_back("Set-Cookie", "3=3; Max-Age=0");
  h.emplace_back("Set-Cookie", "4=4; Expires=" + http_date(std::chrono::system_clock::now()));
}

eio::endpoint_options options(std::shared_ptr<header_replies> replies) {
  eio::endpoint_options o;
  o.path = "/engine.io/";
  o.ping_interval = 500ms;
  o.max_payload = 100;
  o.allow_request = [](const eio::request_info& r) -> std::optional<std::string> {
    if (r.query.contains("deny")) return std::string();
    return std::nullopt;
  };
  o.initial_headers = set_cookies;
  o.headers = [replies](eio::response_headers&, const eio::request_info& r) {
    replies->answered(r);
  };
  return o;
}

}  // namespace

void mount_engine_io_client(eio::server& engine) {
  auto replies = std::make_shared<header_replies>();
  engine.attach(options(replies), std::make_shared<echo_handler>(replies));
}

}  // namespace client_fixture
