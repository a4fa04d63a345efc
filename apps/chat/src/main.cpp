// sio-chat: the flagship chat server. REST API (/api), Socket.IO (/socket.io/) and the built
// React front end, all on one port. See apps/chat/API.md for the contract and README.md to run.
#include "api.hpp"
#include "auth.hpp"
#include "http_glue.hpp"
#include "options.hpp"
#include "realtime.hpp"
#include "sqlite_storage.hpp"
#include "static_files.hpp"
#include "validation.hpp"

#include <sio/engineio/server.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <memory>
#include <thread>

namespace {

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = chat::parse_options(args, chat::process_env());
  if (!parsed.error.empty()) {
    std::cerr << "sio-chat: " << parsed.error << '\n' << chat::usage();
    return 2;
  }
  auto& opts = parsed.opts;
  if (opts.help) {
    std::cout << chat::usage();
    return 0;
  }
  if (opts.web.empty()) opts.web = chat::default_web_dir(argv[0]);

  // Block the stop signals before any thread starts, so that every thread inherits the mask and
  // only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  chat::init_crypto();
  auto db = chat::open_sqlite_storage(opts.db);
  std::string secret = opts.jwt_secret.empty()
                           ? db->setting_or_insert("jwt_secret", chat::random_hex(32))
                           : opts.jwt_secret;
  if (db->room_count() == 0) {
    db->create_room("general", false, 0, {}, chat::now_ms());  // somewhere to chat from day one
  }
  chat::token_service tokens(secret);

  // Argon2id hashing (and other slow work) runs here, never on the network workers.
  const std::size_t pool_size = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  boost::asio::thread_pool pool(pool_size);

  chat::api_options api_opts;
  // The engine bounds every application body (1 MB); the API refuses more than 64 KiB with 413.
  sio::engineio::server engine({.address = opts.host, .port = opts.port, .workers = opts.workers});

  chat::api_hooks hooks;
  hooks.offload = [&pool](std::function<void()> work) { boost::asio::post(pool, std::move(work)); };
  sio::server_options io_opts;
  io_opts.path = "/socket.io/";
  sio::server io(engine, io_opts);
  std::unique_ptr<chat::realtime> rt;
  hooks.on_room_created = [&rt](const chat::room& r, const std::vector<chat::id_type>& members,
                                chat::id_type creator) {
    if (rt) rt->room_created(r, members, creator);
  };
  chat::api rest(*db, tokens, api_opts, std::move(hooks));
  rt = std::make_unique<chat::realtime>(io, *db, rest);
  rt->install();
  chat::static_files files(opts.web);
  engine.on_request(chat::make_http_handler(rest, files));

  engine.start();
  std::cout << "sio-chat listening on http://" << (opts.host == "0.0.0.0" ? "localhost" : opts.host)
            << ':' << engine.port() << " (workers " << engine.worker_count() << ", db "
            << opts.db.string() << ", web " << files.root().string()
            << (files.has_index() ? "" : " [not built: serving a placeholder]") << ")" << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "sio-chat: stopping" << std::endl;
  io.stop();
  rt->stop();
  engine.stop();
  pool.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sio-chat: " << e.what() << '\n';
    return 1;
  }
}
