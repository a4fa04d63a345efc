// The cluster_transport of one namespace on Redis Streams, and redis_streams_adapter's factory.
#include "cluster_adapter_state.hpp"
#include "replies.hpp"
#include "streams_link.hpp"

#include <sio/redis/redis_streams_adapter.hpp>
#include <sio/server/namespace.hpp>

#include <stdexcept>

namespace sio {

namespace {

namespace json = boost::json;
using redis::reply;
using namespace redis::streams;

// Node's RESTORE_SESSION_MAX_XRANGE_CALLS: a restore reads at most this many pages of the stream.
constexpr int max_xrange_calls = 100;

bool ok(const boost::system::error_code& ec, const reply& r) {
  return !ec && r.type != reply::kind::error;
}

// One restore_session: the session (read and deleted at once) and the offset's entry, then the
// stream after the offset, page by page. Its callbacks run one at a time on the command
// connection's strand.
struct restore_job : std::enable_shared_from_this<restore_job> {
  using done_fn = std::function<void(std::optional<cluster_transport::restored>)>;

  std::shared_ptr<redis::streams::link> link;
  std::string nsp;
  std::string offset;
  done_fn done;
  int waiting = 2;
  std::optional<std::string> raw_session;
  bool offset_exists = false;
  int calls = 0;
  cluster_transport::restored out;

  void start(const std::string& key) {
    auto self = shared_from_this();
    link->cmd->transaction({{"GET", key}, {"DEL", key}}, [self](auto ec, reply r) {
      if (ok(ec, r) && r.type == reply::kind::array && r.elements.size() == 2 &&
          r.elements[0].type == reply::kind::string)
        self->raw_session = std::move(r.elements[0].str);
      self->joined();
    });
    link->cmd->command(
        {"XRANGE", link->opts.stream_name, offset, offset}, [self](auto ec, reply r) {
          self->offset_exists = ok(ec, r) && r.type == reply::kind::array && !r.elements.empty();
          self->joined();
        });
  }

  void joined() {
    if (--waiting > 0) return;
    if (!raw_session || !offset_exists) return done(std::nullopt);
    auto s = decode_session(*raw_session);
    if (!s) {
      log("dropped a session that is not one");
      return done(std::nullopt);
    }
    out.session = std::move(*s);
    next_page();
  }

  void next_page() {
    if (++calls > max_xrange_calls) return done(std::move(out));
    const auto& o = link->opts;
    link->cmd->command(
        {"XRANGE", o.stream_name, next_offset(offset), "+", "COUNT", std::to_string(o.max_len)},
        [self = shared_from_this()](auto ec, reply r) { self->on_page(ec, r); });
  }

  void on_page(boost::system::error_code ec, const reply& r) {
    if (!ok(ec, r) || r.type != reply::kind::array) {
      log("cannot read the stream: " + (ec ? ec.message() : r.str));
      return done(std::nullopt);
    }
    if (r.elements.empty()) return done(std::move(out));
    for (const auto& raw : r.elements) {
      auto e = read_entry(raw);
      if (!e) continue;
      offset = e->first;
      collect(e->first, e->second);
    }
    // More than the stream keeps: this client's gap cannot be told exactly; it starts afresh.
    if (out.missed.size() > link->opts.max_len) {
      log("more than max_len packets missed by session " + out.session.sid);
      return done(std::nullopt);
    }
    next_page();
  }

  // A BROADCAST of this namespace, without acknowledgement, that the session's rooms receive.
  void collect(const std::string& id, const fields& f) {
    const auto* type = field(f, "type");
    const auto* n = field(f, "nsp");
    if (!type || !n || *n != nsp || *type != "3") return;
    auto d = decode_entry(f);
    std::string why = d.error;
    auto b = d.message && d.message->data ? redis::cluster::read_broadcast(
                                                *d.message->data, d.message->attachments, nsp, why)
                                          : std::nullopt;
    if (!b) return log("dropped entry " + id + " while restoring: " + why);
    if (b->request_id || !should_include(out.session.rooms, b->opts.rooms, b->opts.except)) return;
    auto args = std::move(b->packet.data.as_array());
    args.emplace_back(id);
    out.missed.push_back({std::move(args), std::move(b->packet.attachments), id});
  }

  void log(const std::string& s) const { link->log("sio redis-streams-adapter " + nsp + ": " + s); }
};

class streams_transport final : public cluster_transport {
 public:
  streams_transport(std::shared_ptr<redis::streams::link> l, adapter_host& h)
      : link_(std::move(l)), nsp_(h.name()) {
    link_->init(h.workers().context(0));
    public_channel_ = link_->opts.channel_prefix + "#" + nsp_ + "#";
  }

  ~streams_transport() override {
    if (route_) link_->detach(*route_);
  }

  void start(const std::string& uid, std::weak_ptr<cluster_sink> sink) override {
    if (route_) link_->detach(*route_);
    route_ = std::make_shared<route>(
        route{nsp_, uid, public_channel_, public_channel_ + uid + "#", std::move(sink)});
    link_->attach(route_);
  }

  void publish(cluster_message m, offset_handler done) override {
    if (m.ephemeral()) {
      link_->cmd->command({"PUBLISH", public_channel_, encode_message(m)},
                          [done = std::move(done)](auto ec, reply r) {
                            if (done)
                              done(ok(ec, r) ? std::optional<std::string>("") : std::nullopt);
                          });
      return;
    }
    const auto& o = link_->opts;
    std::vector<std::string> args{"XADD", o.stream_name, "MAXLEN", "~", std::to_string(o.max_len),
                                  "*"};
    for (auto& [k, v] : encode_entry(m)) {
      args.push_back(std::move(k));
      args.push_back(std::move(v));
    }
    link_->cmd->command(std::move(args), [l = link_, nsp = nsp_, done = std::move(done)](
                                             boost::system::error_code ec, reply r) {
      if (ok(ec, r) && r.type == reply::kind::string) {
        l->xadd_failing = false;
        if (done) done(std::move(r.str));
        return;
      }
      if (!l->xadd_failing.exchange(true))
        l->log("sio redis-streams-adapter " + nsp +
               ": XADD failed: " + (ec ? ec.message() : r.str));
      if (done) done(std::nullopt);
    });
  }

  void publish_response(const std::string& requester_uid, cluster_message m) override {
    link_->cmd->command({"PUBLISH", public_channel_ + requester_uid + "#", encode_message(m)});
  }

  void server_count(std::function<void(std::size_t)> done) override {
    // Redis down: this node is alone for now (requests would only wait for their timeout).
    if (!link_->cmd->connected() || !link_->sub->connected()) return done(1);
    link_->cmd->command({"PUBSUB", "NUMSUB", public_channel_},
                        [done = std::move(done)](boost::system::error_code ec, reply r) {
                          const auto n = ok(ec, r) ? redis::subscriber_count(r) : 0;
                          done(n > 0 ? n : 1);
                        });
  }

  void persist_session(const persisted_session& s, std::chrono::milliseconds ttl) override {
    const auto px = std::max<std::int64_t>(ttl.count(), 1);
    link_->cmd->command({"SET", link_->opts.session_key_prefix + s.pid, encode_session(s), "PX",
                         std::to_string(px)});
  }

  void restore_session(std::string pid, std::string offset,
                       std::function<void(std::optional<restored>)> done) override {
    if (!valid_offset(offset)) return done(std::nullopt);
    auto job = std::make_shared<restore_job>();
    job->link = link_;
    job->nsp = nsp_;
    job->offset = std::move(offset);
    job->done = std::move(done);
    job->start(link_->opts.session_key_prefix + pid);
  }

  redis::streams::link& link() noexcept { return *link_; }

 private:
  std::shared_ptr<redis::streams::link> link_;
  std::string nsp_;
  std::string public_channel_;
  std::shared_ptr<route> route_;
};

}  // namespace

cluster_adapter::transport_factory redis_streams_adapter::transport_factory(
    redis_streams_adapter_options opts) {
  auto ep = redis::parse_url(opts.url);
  if (!ep) throw std::invalid_argument("not a redis:// URL: " + redis::redact_url(opts.url));
  if (opts.max_len == 0 || opts.read_count == 0)
    throw std::invalid_argument("redis_streams_adapter: max_len and read_count must be positive");
  auto l = std::make_shared<redis::streams::link>();
  l->opts = std::move(opts);
  l->ep = *ep;
  return [l](adapter_host& h) -> std::unique_ptr<cluster_transport> {
    return std::make_unique<streams_transport>(l, h);
  };
}

adapter_factory redis_streams_adapter::factory(redis_streams_adapter_options opts) {
  cluster_adapter_options co;
  co.requests_timeout = opts.requests_timeout;
  co.log = opts.log;
  return cluster_adapter::factory(transport_factory(std::move(opts)), co);
}

void redis_streams_adapter::start_when_ready(cluster_transport& t, std::function<void()> f) {
  if (auto* s = dynamic_cast<streams_transport*>(&t)) s->link().when_ready(std::move(f));
}

void redis_streams_adapter::start_when_ready(namespace_& nsp, std::function<void()> f) {
  if (auto* a = dynamic_cast<cluster_adapter*>(&nsp.get_adapter()))
    start_when_ready(a->transport(), std::move(f));
}

}  // namespace sio
