// sio-chat: the flagship chat server. REST API (/api), Socket.IO (/socket.io/) and the built
// React front end, all on one port. See apps/chat/API.md for the contract and README.md to run.
#include "api.hpp"
#include "auth.hpp"
#include "http_glue.hpp"
#include "options.hpp"
#include "pg_storage.hpp"
#include "realtime.hpp"
#include "secret.hpp"
#include "sqlite_storage.hpp"
#include "static_files.hpp"
#include "validation.hpp"

#include <editor/realtime.hpp>
#include <editor/rest.hpp>
#include <sio/engineio/server.hpp>
#if defined(SIO_CHAT_HAVE_REDIS) && __has_include(<sio/redis/redis_adapter.hpp>)
#include <sio/redis/redis_adapter.hpp>
#define SIO_CHAT_REDIS 1
#endif

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/serialize.hpp>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
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

  // Block the signals before any thread starts, so that every thread inherits the mask and only
  // sigwait() below sees them: SIGINT/SIGTERM stop, SIGHUP reloads the TLS certificate.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  chat::init_crypto();
  const bool postgres = chat::is_postgres_url(opts.db.string());
  auto db = postgres ? chat::open_pg_storage(opts.db.string()) : chat::open_sqlite_storage(opts.db);
  const std::string db_name = postgres ? chat::redact_url(opts.db.string()) : opts.db.string();
  const auto secret = chat::choose_jwt_secret(opts, postgres);
  if (!secret.warning.empty()) std::cerr << "sio-chat: warning: " << secret.warning << std::endl;
  auto editor_db =
      postgres ? editor::open_pg_storage(opts.db.string()) : editor::open_sqlite_storage(opts.db);
  db->seed_room("general", chat::now_ms());  // somewhere to chat from day one
  chat::token_service tokens(secret.secret, std::chrono::seconds(opts.token_ttl_s));

  // Argon2id hashing (and other slow work) runs here, never on the network workers.
  const std::size_t pool_size = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  boost::asio::thread_pool pool(pool_size);

  const bool tls = !opts.tls_cert.empty();
  chat::api_options api_opts;
  api_opts.secure_cookie = tls;
  // The engine bounds every application body (1 MB); the API refuses more than 64 KiB with 413.
  sio::engineio::server_options engine_opts{
      .address = opts.host, .port = opts.port, .workers = opts.workers};
  // Behind a reverse proxy the per-address limits (engine and logins) count the client it names.
  engine_opts.trust_proxy = opts.trust_proxy;
  if (tls)
    engine_opts.tls =
        sio::engineio::tls_options{.cert_file = opts.tls_cert, .key_file = opts.tls_key};
  sio::engineio::server engine(std::move(engine_opts));

  chat::api_hooks hooks;
  hooks.offload = [&pool](std::function<void()> work) { boost::asio::post(pool, std::move(work)); };
  sio::server_options io_opts;
  io_opts.engine.path = "/socket.io/";
  // A browser that loses its connection for less than two minutes keeps its socket (id, rooms)
  // and receives the messages sent meanwhile (Node's connectionStateRecovery defaults).
  io_opts.connection_state_recovery = sio::recovery_options{};
  // Other nodes asking for our sockets (fetch_sockets) get no credentials: Redis is no place
  // for session cookies and tokens (docs/scaling.md).
  io_opts.remote_socket_redaction = {.headers = {"cookie", "authorization"}, .auth = true};
  const bool clustered = !opts.redis.empty();
#ifdef SIO_CHAT_REDIS
  const std::string redis_name = sio::redis::redact_url(opts.redis);  // never the password
#else
  const std::string redis_name;
#endif
  if (clustered) {
#ifdef SIO_CHAT_REDIS
    sio::redis_adapter_options ro;
    ro.url = opts.redis;
    io_opts.adapter = sio::redis_adapter::factory(std::move(ro));
#else
    std::cerr << "sio-chat: --redis: this build has no Redis adapter (sio_redis)\n";
    return 2;
#endif
  }
  sio::server io(engine, io_opts);
  std::unique_ptr<chat::realtime> rt;
  hooks.on_room_created = [&rt](const chat::room& r, const std::vector<chat::id_type>& members,
                                chat::id_type creator) {
    if (rt) rt->room_created(r, members, creator);
  };
  hooks.on_logout = [&rt](chat::id_type user) {
    if (rt) rt->logged_out(user);
  };
  hooks.on_room_left = [&rt](chat::id_type room, chat::id_type user) {
    if (rt) rt->room_left(room, user);
  };
  chat::api rest(*db, tokens, api_opts, std::move(hooks));
  rt = std::make_unique<chat::realtime>(io, *db, rest, clustered);
  rt->install();
  // The collaborative editor: namespace /editor (same login) and /api/docs.
  editor::documents docs(*editor_db);
  editor::rest docs_rest(*editor_db);
  io.of(editor::realtime::namespace_name).use(chat::login_middleware(rest));
  editor::realtime editor_rt(io, docs);
  editor_rt.install();
  auto docs_routes = [&rest, &docs_rest](const chat::api_request& r) -> std::optional<chat::reply> {
    if (!editor::rest::handles(r.target)) return std::nullopt;
    auto error = [](unsigned status, std::string_view text) {
      return chat::reply{status,
                         "application/json",
                         boost::json::serialize(boost::json::object{{"error", text}}),
                         {}};
    };
    if (r.body.size() > 64 * 1024) return error(413, "Request body too large");
    auto who = rest.authenticate(r.authorization, r.cookie);
    if (!who) return error(401, "Unauthorized");
    if (r.method != "GET" && r.method != "HEAD") {
      if (auto why = chat::forgery_refusal(r)) return error(403, *why);
    }
    auto res = docs_rest.handle(r.method, r.target, r.body, who->who.id);
    return chat::reply{res.status, "application/json", boost::json::serialize(res.body),
                       std::move(res.headers)};
  };
  chat::static_files files(opts.web);
  engine.on_request(chat::make_http_handler(rest, files, docs_routes));

  engine.start();
#ifdef SIO_CHAT_REDIS
  if (clustered) {
    // Print the "listening" line once the adapter is subscribed: whoever waits for it (a
    // deploy script, a test) then knows the node misses none of the cluster's broadcasts. Redis
    // being down is no reason not to serve: the adapter keeps reconnecting, local delivery works.
    auto ready = std::make_shared<std::promise<void>>();
    auto* adapter = sio::redis_adapter::of(io.of("/"));
    if (adapter) {
      adapter->when_ready([ready, once = std::make_shared<std::once_flag>()] {
        std::call_once(*once, [&ready] { ready->set_value(); });
      });
    }
    if (!adapter ||
        ready->get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      std::cerr << "sio-chat: Redis at " << redis_name
                << " is not reachable yet; serving this node alone until it is" << std::endl;
    }
  }
#endif
  std::cout << "sio-chat listening on " << (tls ? "https://" : "http://")
            << (opts.host == "0.0.0.0" ? "localhost" : opts.host) << ':' << engine.port()
            << " (workers " << engine.worker_count() << ", db " << db_name
            << (clustered ? ", redis " + redis_name : std::string()) << ", web "
            << files.root().string()
            << (files.has_index() ? "" : " [not built: serving a placeholder]") << ")" << std::endl;

  for (int sig = 0; sigwait(&signals, &sig) == 0 && sig == SIGHUP;) {
    if (!tls) continue;
    if (const auto ec = engine.reload_tls()) {
      std::cerr << "sio-chat: TLS reload failed, keeping the current certificate: " << ec.message()
                << std::endl;
    } else {
      std::cout << "sio-chat: TLS certificate reloaded" << std::endl;
    }
  }
  std::cout << "sio-chat: stopping" << std::endl;
  io.stop();
  rt->stop();
  editor_rt.stop();
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
