// engine.io-client's fixture, as packages/engine.io-client/test/support/hooks.js of the
// socketio/socket.io repository configures it: Engine.IO at /engine.io/ with pingInterval 500 and
// maxHttpBufferSize 100, an allowRequest refusing requests whose query has `deny`, four cookies
// set on the handshake response (initial_headers), "hi" sent on open and every message echoed,
// except "give binary" (answered with the bytes 0..4), "give utf8" (a Russian sentence) and
// "sendHeaders" (request headers as JSON, see request_log).
#include "fixtures.hpp"

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

// The headers of the latest request answered in each open session (the `headers` hook sees every
// successful response), or of its handshake until then. Node's fixture answers "sendHeaders" with
// the headers of the polling request that carried it (socket.transport.dataReq, a field internal
// to Node's polling transport); the requests of one session carry the same cookies, which is what
// the suite looks at. Any thread.
class request_log {
 public:
  void open(std::string_view sid, std::string headers) {
    std::lock_guard lock(mtx_);
    last_.insert_or_assign(std::string(sid), std::move(headers));
  }
  void answered(const eio::request_info& r) {
    const auto sid = r.query.find("sid");
    if (sid == r.query.end()) return;
    std::lock_guard lock(mtx_);
    if (auto it = last_.find(std::string((*sid).second)); it != last_.end())
      it->second = headers_json(r);
  }
  std::string last(std::string_view sid) const {
    std::lock_guard lock(mtx_);
    const auto it = last_.find(std::string(sid));
    return it == last_.end() ? "{}" : it->second;
  }
  void close(std::string_view sid) {
    std::lock_guard lock(mtx_);
    last_.erase(std::string(sid));
  }

 private:
  mutable std::mutex mtx_;
  std::unordered_map<std::string, std::string> last_;
};

class echo_handler final : public eio::handler {
 public:
  explicit echo_handler(std::shared_ptr<request_log> log) : log_(std::move(log)) {}

  void on_open(const eio::connection_ptr& c) override {
    log_->open(c->id(), headers_json(c->request()));
    c->send(eio::make_text("hi"));
  }
  void on_message(eio::connection& c, std::string_view text) override { c.send(reply(c, text)); }
  void on_binary(eio::connection& c, std::string_view bytes) override {
    c.send(eio::make_binary(std::string(bytes)));
  }
  void on_close(eio::connection& c, eio::close_reason) override { log_->close(c.id()); }

 private:
  eio::message_ptr reply(const eio::connection& c, std::string_view text) const {
    if (text == "give binary") return eio::make_binary(std::string("\0\1\2\3\4", 5));
    if (text == "give utf8") return eio::make_text("пойду спать всем спокойной ночи");
    if (text == "sendHeaders") return eio::make_text(log_->last(c.id()));
    return eio::make_text(std::string(text));
  }

  std::shared_ptr<request_log> log_;
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

eio::endpoint_options options(std::shared_ptr<request_log> log) {
  eio::endpoint_options o;
  o.path = "/engine.io/";
  o.ping_interval = 500ms;
  o.max_payload = 100;
  o.allow_request = [](const eio::request_info& r) -> std::optional<std::string> {
    if (r.query.contains("deny")) return std::string();
    return std::nullopt;
  };
  o.initial_headers = set_cookies;
  o.headers = [log](eio::response_headers&, const eio::request_info& r) { log->answered(r); };
  return o;
}

}  // namespace

void mount_engine_io_client(eio::server& engine) {
  auto log = std::make_shared<request_log>();
  engine.attach(options(log), std::make_shared<echo_handler>(log));
}

}  // namespace client_fixture
