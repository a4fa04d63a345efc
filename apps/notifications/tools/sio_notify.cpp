// sio-notify: a backend job's notification from the command line. Publishes the server-side
// event "notifications:push" on the cluster's Redis (sio::redis_emitter, as
// @socket.io/redis-emitter's serverSideEmit would); the node that stores it first (UNIQUE key)
// delivers it to every connection of the user (apps/notifications/API.md).
//
//   sio-notify --redis redis://127.0.0.1:6379 --user 42 --title "Backup done" --body "3 GB"
//
// Exit status: 0 once Redis acknowledged the publication, 2 on bad arguments (usage), 1 when
// Redis did not answer within --timeout seconds (default 5).
#include <sio/redis/redis_emitter.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace {

constexpr std::string_view usage =
    "usage: sio-notify --redis URL --user ID --title TEXT --body TEXT [--url PATH] [--key KEY]\n"
    "                  [--timeout SECONDS]\n"
    "Asks the nodes of a sio cluster to store and deliver a notification to user ID.\n"
    "  --key   unique per notification, 1-64 characters (default: a random UUID)\n";

// A random (version 4) UUID.
std::string random_uuid() {
  std::random_device rd;
  std::uniform_int_distribution<int> byte(0, 255);
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(byte(rd));
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::optional<std::int64_t> positive(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// --name value pairs, or nullopt on anything else.
std::optional<std::map<std::string, std::string>> parse_args(int argc, char** argv) {
  static const std::map<std::string_view, bool> known = {
      {"--redis", true}, {"--user", true}, {"--title", true},   {"--body", true},
      {"--url", false},  {"--key", false}, {"--timeout", false}};
  std::map<std::string, std::string> out;
  for (int i = 1; i < argc; i += 2) {
    if (!known.contains(argv[i]) || i + 1 >= argc || out.contains(argv[i])) return std::nullopt;
    out[argv[i]] = argv[i + 1];
  }
  for (const auto& [name, required] : known) {
    if (required && !out.contains(std::string(name))) return std::nullopt;
  }
  return out;
}

int fail_usage(std::string_view why) {
  std::cerr << "sio-notify: " << why << '\n' << usage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  if (!args) return fail_usage("bad arguments");
  auto& a = *args;
  const auto user = positive(a["--user"]);
  if (!user) return fail_usage("--user must be a positive integer");
  const auto timeout = positive(a.contains("--timeout") ? a["--timeout"] : "5");
  if (!timeout) return fail_usage("--timeout must be a positive integer");
  const std::string key = a.contains("--key") ? a["--key"] : random_uuid();
  if (key.empty() || key.size() > 64) return fail_usage("--key must be 1-64 characters");

  boost::asio::io_context ioc;
  // flush() completes also when the connection fails under the commands; the client then logs
  // the failure at once. A failure logged by the time the completion is handled: not acknowledged.
  bool flushed = false, failed = false, finished = false;
  std::string last_log;
  auto log = [&](std::string_view line) {
    last_log = line;
    failed = failed || flushed;
  };
  std::optional<sio::redis_emitter> io;
  try {
    io.emplace(ioc, sio::redis_emitter_options{.url = a["--redis"], .log = log});
  } catch (const std::exception& e) {
    return fail_usage(e.what());
  }
  boost::json::object push{{"key", key},
                           {"toUserId", *user},
                           {"title", a["--title"]},
                           {"body", a["--body"]},
                           {"url", a.contains("--url") ? a["--url"] : ""}};
  io->server_side_emit("notifications:push", boost::json::value(std::move(push)));

  int status = 1;
  boost::asio::steady_timer deadline(ioc, std::chrono::seconds(*timeout));
  auto give_up = [&](std::string_view why) {
    std::cerr << "sio-notify: " << why << (last_log.empty() ? "" : ": " + last_log) << '\n';
  };
  io->flush([&] {
    flushed = true;
    boost::asio::post(ioc, [&] {
      if (std::exchange(finished, true)) return;  // timed out already
      if (failed) {
        give_up("Redis did not acknowledge the notification");
      } else {
        status = 0;
      }
      deadline.cancel();
      io->close();
    });
  });
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec || std::exchange(finished, true)) return;
    give_up("Redis did not answer in " + std::to_string(*timeout) + " s");
    io->close();
  });
  ioc.run();
  if (status == 0) std::cout << key << '\n';
  return status;
}
