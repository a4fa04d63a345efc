// One namespace's state: held by the adapter, and weakly by the transport (which may call it from
// any thread after the adapter is gone: every use of the adapter goes through with_self).
#include "cluster_adapter_state.hpp"
#include "log_sink.hpp"
#include "shutdown.hpp"

#include <boost/asio/post.hpp>

namespace sio {

namespace asio = boost::asio;
namespace json = boost::json;
using state = cluster_adapter::state;

state::state(cluster_adapter* s, adapter_host& h, std::unique_ptr<cluster_transport> t,
             cluster_adapter_options o)
    : alive(s),
      host(h),
      nsp(h.name()),
      uid(redis::cluster::random_hex_id()),
      opts(std::move(o)),
      recovery(h.recovery() != nullptr),
      transport(std::move(t)),
      ioc(h.workers().context(0)) {}

void state::log(std::string_view s) const {
  redis::log_to(opts.log, "sio cluster-adapter " + nsp + ": " + std::string(s));
}

cluster_message state::message(cluster_message_type t, std::optional<json::value> data,
                               std::vector<std::string> attachments) const {
  cluster_message m;
  m.uid = uid;
  m.nsp = nsp;
  m.type = t;
  m.data = std::move(data);
  m.attachments = std::move(attachments);
  return m;
}

void state::publish(cluster_message m) {
  const auto type = static_cast<int>(m.type);
  transport->publish(std::move(m), [w = weak_from_this(), type](std::optional<std::string> off) {
    if (off) return;
    if (auto s = w.lock())
      s->log("publishing a message of type " + std::to_string(type) + " failed");
  });
}

void state::publish_response(const std::string& requester, cluster_message_type t,
                             json::object data, std::vector<std::string> attachments) {
  // Answers come from callbacks that may outlive the adapter (and its transport).
  with_self([&](cluster_adapter&) {
    transport->publish_response(requester,
                                message(t, json::value(std::move(data)), std::move(attachments)));
  });
}

std::shared_ptr<state::local_delivery> state::reserve_delivery() {
  auto d = std::make_shared<local_delivery>();
  std::lock_guard lk(mu);
  if (!dead) deliveries.push_back(d);
  return d;
}

void state::complete_delivery(const std::shared_ptr<local_delivery>& d,
                              std::function<void(cluster_adapter&)> run) {
  {
    std::lock_guard lk(mu);
    if (dead) return;
    d->run = std::move(run);
    d->ready = true;
    if (deliveries.empty() || deliveries.front() != d) return;  // an earlier one still waits
  }
  // Every delivery runs on worker 0, one after the other: in_memory_adapter runs the calling
  // worker's share inline, so deliveries from different threads could overtake each other.
  asio::post(ioc, [s = shared_from_this()] { s->drain(); });
}

void state::drain() {
  for (;;) {
    std::shared_ptr<local_delivery> d;
    {
      std::lock_guard lk(mu);
      if (dead || deliveries.empty() || !deliveries.front()->ready) return;
      d = std::move(deliveries.front());
      deliveries.pop_front();
    }
    with_self([&](cluster_adapter& a) { d->run(a); });
  }
}

void state::close() {
  // Under the lock: a timer is only ever touched under it.
  std::lock_guard lk(mu);
  dead = true;
  requests.clear();
  ack_requests.clear();
  deliveries.clear();
}

}  // namespace sio
