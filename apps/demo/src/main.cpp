// sio-apps: the demo server. One process, one port, one login, one database for every app built
// in (built_in.cpp): the accounts' REST API and GET /api/apps, each app's routes under /api and
// its Socket.IO namespace, and the built front end. Also installed as sio-chat, the name the
// chat server had: the same program, its messages say the name it was started as.
#include "accounts.hpp"
#include "accounts_api.hpp"
#include "auth.hpp"
#include "built_in.hpp"
#include "database.hpp"
#include "http_glue.hpp"
#include "login.hpp"
#include "options.hpp"
#include "registry.hpp"
#include "secret.hpp"
#include "sessions.hpp"
#include "static_files.hpp"

#include <sio/engineio/server.hpp>
#ifdef SIO_APPS_HAVE_ADMIN_UI
#include <sio/admin_ui/admin_ui.hpp>
#endif
#if defined(SIO_APPS_HAVE_REDIS) && __has_include(<sio/redis/redis_adapter.hpp>)
#include <sio/redis/redis_adapter.hpp>
#define SIO_APPS_REDIS 1
#endif
#if defined(SIO_APPS_REDIS) && __has_include(<sio/redis/redis_streams_adapter.hpp>)
#include <sio/redis/redis_streams_adapter.hpp>
#define SIO_APPS_REDIS_STREAMS 1
#endif
#if defined(SIO_APPS_REDIS) && __has_include(<sio/redis/redis_sharded_adapter.hpp>)
#include <sio/redis/redis_sharded_adapter.hpp>
#define SIO_APPS_REDIS_SHARDED 1
#endif

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace {

#ifdef SIO_APPS_HAVE_ADMIN_UI
using admin_ui_handle = std::optional<sio::admin_ui::instrumentation>;

// The Socket.IO Admin UI on /admin, showing every app's namespace, when a user was configured.
admin_ui_handle instrument_admin_ui(sio::server& io, const apps::options& opts,
                                    const apps::sessions& sessions, std::uint16_t port) {
  if (opts.admin_ui_user.empty()) return std::nullopt;
  sio::admin_ui::options ao;
  ao.auth = sio::admin_ui::basic_auth{opts.admin_ui_user, opts.admin_ui_password_hash};
  ao.mode = opts.admin_ui_development ? sio::admin_ui::ui_mode::development
                                      : sio::admin_ui::ui_mode::production;
  ao.namespaces = sessions.namespaces();
  for (sio::namespace_* parent : sessions.dynamic_parents())
    ao.dynamic_namespaces.emplace_back(*parent);
  // Nodes of a cluster may share a host: the port tells them apart in the UI's server list.
  if (!opts.redis.empty())
    ao.server_id = sio::admin_ui::default_server_id() + ":" + std::to_string(port);
  return sio::admin_ui::instrument(io, std::move(ao));
}
#else
struct admin_ui_handle {};
admin_ui_handle instrument_admin_ui(sio::server&, const apps::options& opts, const apps::sessions&,
                                    std::uint16_t) {
  if (!opts.admin_ui_user.empty())
    throw std::runtime_error("--admin-ui-user: this build has no Admin UI (sio_admin_ui)");
  return {};
}
#endif

// The cluster adapter of --adapter / --redis (options.hpp's choose_adapter); throws when this
// build lacks it.
sio::adapter_factory make_adapter(const apps::options& opts) {
  switch (opts.adapter) {
#ifdef SIO_APPS_REDIS
    case apps::adapter_kind::redis:
      return sio::redis_adapter::factory(sio::redis_adapter_options{.url = opts.redis_urls.at(0)});
#endif
#ifdef SIO_APPS_REDIS_STREAMS
    case apps::adapter_kind::redis_streams:
      return sio::redis_streams_adapter::factory(
          sio::redis_streams_adapter_options{.url = opts.redis_urls.at(0)});
#endif
#ifdef SIO_APPS_REDIS_SHARDED
    case apps::adapter_kind::redis_sharded:
      return sio::redis_sharded_adapter::factory(
          sio::redis_sharded_adapter_options{.seeds = opts.redis_urls});
#endif
    default:
      throw std::runtime_error("--adapter " + std::string(apps::adapter_name(opts.adapter)) +
                               ": this build has no such adapter (sio_redis)");
  }
}

#ifdef SIO_APPS_REDIS
// Runs `f` once the adapter of "/" is subscribed (and, for streams, has its place in the stream);
// false when the adapter offers no such signal.
bool when_adapter_ready(sio::server& io, std::function<void()> f) {
  auto& root = io.of("/");
  if (auto* pubsub = sio::redis_adapter::of(root)) {
    pubsub->when_ready(std::move(f));
    return true;
  }
#ifdef SIO_APPS_REDIS_SHARDED
  if (auto* sharded = sio::redis_sharded_adapter::of(root)) {
    sharded->when_ready(std::move(f));
    return true;
  }
#endif
#ifdef SIO_APPS_REDIS_STREAMS
  sio::redis_streams_adapter::when_ready(root, std::move(f));  // never runs for another adapter
  return true;
#else
  return false;
#endif
}

// The --redis URLs as they may be printed: without their passwords.
std::string redacted_urls(const apps::options& opts) {
  std::string out;
  for (const auto& url : opts.redis_urls)
    out += (out.empty() ? "" : ",") + sio::redis::redact_url(url);
  return out;
}
#endif

// The name the program was started as (sio-apps, or sio-chat through its link).
std::string program_name(const char* argv0) {
  std::string name = argv0 ? std::filesystem::path(argv0).filename().string() : std::string();
  return name.empty() ? "sio-apps" : name;
}

int run(const std::string& prog, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = apps::parse_options(args, apps::process_env());
  if (!parsed.error.empty()) {
    std::cerr << prog << ": " << parsed.error << '\n' << apps::usage(prog);
    return 2;
  }
  auto& opts = parsed.opts;
  if (opts.help) {
    std::cout << apps::usage(prog);
    return 0;
  }
  if (opts.web.empty()) opts.web = apps::default_web_dir(argv[0]);

  // Block the signals before any thread starts, so that every thread inherits the mask and only
  // sigwait() below sees them: SIGINT/SIGTERM stop, SIGHUP reloads the TLS certificate.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  apps::init_crypto();
  // The accounts migrate first: the apps' tables refer to users.
  const apps::database db = apps::open_database(opts.db.string());
  auto users = apps::open_accounts(db);
  const auto secret = apps::choose_jwt_secret(opts, db.pg != nullptr);
  if (!secret.warning.empty()) std::cerr << prog << ": warning: " << secret.warning << std::endl;
  apps::token_service tokens(secret.secret, std::chrono::seconds(opts.token_ttl_s));

  // Argon2id hashing (and other slow work) runs here, never on the network workers.
  const std::size_t pool_size = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  boost::asio::thread_pool pool(pool_size);

  const bool tls = !opts.tls_cert.empty();
  apps::accounts_api_options api_opts;
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

  apps::offload_fn offload = [&pool](std::function<void()> work) {
    boost::asio::post(pool, std::move(work));
  };
  sio::server_options io_opts;
  io_opts.engine.path = "/socket.io/";
  // A browser that loses its connection for less than two minutes keeps its socket (id, rooms)
  // and receives the messages sent meanwhile (Node's connectionStateRecovery defaults).
  io_opts.connection_state_recovery = sio::recovery_options{};
  // Other nodes asking for our sockets (fetch_sockets) get no credentials: Redis is no place
  // for session cookies and tokens (docs/scaling.md).
  io_opts.remote_socket_redaction = {.headers = {"cookie", "authorization"}, .auth = true};
  if (!opts.metrics_path.empty())
    io_opts.metrics.prometheus = sio::prometheus_options{.path = opts.metrics_path};
  if (opts.per_message_deflate) io_opts.engine.per_message_deflate.emplace();  // Node's defaults
  const bool clustered = !opts.redis.empty();
#ifdef SIO_APPS_REDIS
  const std::string redis_name = redacted_urls(opts);  // never a password
#else
  const std::string redis_name;
#endif
  if (clustered) io_opts.adapter = make_adapter(opts);
  sio::server io(engine, io_opts);
  // The apps come after what they are given (host_context), so that all of it outlives them; a
  // logout reaches them once they are installed (before the engine starts).
  std::function<void(apps::id_type)> logged_out;
  apps::accounts_api accounts(*users, tokens, api_opts, offload, [&logged_out](apps::id_type user) {
    if (logged_out) logged_out(user);
  });
  apps::sessions sessions(io, accounts);
  apps::notifier_slot notify;
  apps::registry modules;
  apps::demo::add_built_in(modules, opts);
  auto node = apps::node_name_or_default(opts);
  apps::host_context host{io, db, *users, accounts, sessions, offload, clustered, notify, node};
  modules.install(host);
  sessions.start();
  logged_out = [&sessions](apps::id_type user) { sessions.logged_out(user); };
  apps::static_files files(opts.web);
  engine.on_request(apps::make_http_handler(
      [&modules, &accounts](apps::api_request req, apps::reply_fn done) {
        modules.handle(accounts, req, std::move(done));
      },
      files));

  engine.start();
  const auto admin_ui = instrument_admin_ui(io, opts, sessions, engine.port());
#ifdef SIO_APPS_REDIS
  if (clustered) {
    // Print the "listening" line once the adapter is subscribed: whoever waits for it (a
    // deploy script, a test) then knows the node misses none of the cluster's broadcasts. Redis
    // being down is no reason not to serve: the adapter keeps reconnecting (with pub/sub local
    // delivery goes on meanwhile; the cluster adapters under recovery wait for Redis).
    auto ready = std::make_shared<std::promise<void>>();
    const bool signals = when_adapter_ready(io, [ready, once = std::make_shared<std::once_flag>()] {
      std::call_once(*once, [&ready] { ready->set_value(); });
    });
    if (!signals ||
        ready->get_future().wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      std::cerr << prog << ": Redis at " << redis_name
                << " is not reachable yet; serving this node alone until it is" << std::endl;
    }
  }
#endif
  std::cout << prog << " listening on " << (tls ? "https://" : "http://")
            << (opts.host == "0.0.0.0" ? "localhost" : opts.host) << ':' << engine.port()
            << " (workers " << engine.worker_count() << ", db " << db.name
            << (clustered ? ", " + std::string(apps::adapter_name(opts.adapter)) + " " + redis_name
                          : std::string())
            << ", web " << files.root().string()
            << (files.has_index() ? "" : " [not built: serving a placeholder]") << ")" << std::endl;

  for (int sig = 0; sigwait(&signals, &sig) == 0 && sig == SIGHUP;) {
    if (!tls) continue;
    if (const auto ec = engine.reload_tls()) {
      std::cerr << prog << ": TLS reload failed, keeping the current certificate: " << ec.message()
                << std::endl;
    } else {
      std::cout << prog << ": TLS certificate reloaded" << std::endl;
    }
  }
  std::cout << prog << ": stopping" << std::endl;
  io.stop();
  sessions.stop();
  modules.stop();
  engine.stop();
  pool.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string prog = program_name(argc > 0 ? argv[0] : nullptr);
  try {
    return run(prog, argc, argv);
  } catch (const std::exception& e) {
    std::cerr << prog << ": " << e.what() << '\n';
    return 1;
  }
}
