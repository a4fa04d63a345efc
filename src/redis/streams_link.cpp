// The connections of one Redis Streams factory: commands, subscriber, and the reader, which reads
// the stream from the last entry it read (so a reconnection neither misses nor repeats an entry
// still in the stream) and hands each entry to its namespace's sink.
#include "streams_link.hpp"
#include "connection_options.hpp"
#include "log_sink.hpp"
#include "shutdown.hpp"

namespace sio::redis::streams {

namespace asio = boost::asio;

void link::log(std::string_view s) const {
  redis::log_to(opts.log, s);
}

void link::init(asio::io_context& ioc) {
  std::call_once(once, [&] {
    auto make = [&](const char* name) {
      return client::create(
          ioc, connection_options(ep, opts, std::string("sio redis-streams-adapter ") + name));
    };
    cmd = make("cmd");
    sub = make("sub");
    reader = make("reader");
    retry_ = std::make_unique<asio::steady_timer>(ioc);
    std::weak_ptr<link> weak = shared_from_this();
    sub->on_message([weak](std::string_view ch, std::string_view, std::string_view msg) {
      if (auto l = weak.lock()) l->on_pubsub(ch, msg);
    });
    cmd->start();
    sub->start();
    reader->start();
    detail::at_shutdown(ioc, [weak] {
      if (auto l = weak.lock()) {
        l->dead = true;
        l->retry_.reset();
      }
    });
    find_position();
  });
}

void link::attach(const std::shared_ptr<route>& r) {
  {
    std::lock_guard lk(mu_);
    by_nsp_[r->nsp] = r;
    by_channel_[r->public_channel] = r;
    by_channel_[r->private_channel] = r;
  }
  sub->subscribe({r->public_channel, r->private_channel});
}

void link::detach(const route& r) {
  {
    std::lock_guard lk(mu_);
    auto erase = [&](auto& map, const std::string& key) {
      if (auto it = map.find(key); it != map.end()) {
        auto cur = it->second.lock();
        if (!cur || cur.get() == &r) map.erase(it);
      }
    };
    erase(by_nsp_, r.nsp);
    erase(by_channel_, r.public_channel);
    erase(by_channel_, r.private_channel);
  }
  sub->unsubscribe({r.public_channel, r.private_channel});
}

void link::when_ready(std::function<void()> f) {
  auto after_position = [weak = weak_from_this(), f = std::move(f)]() mutable {
    auto l = weak.lock();
    if (!l) return;
    l->sub->when_ready([c = std::weak_ptr<client>(l->cmd), f = std::move(f)]() mutable {
      if (auto cmd = c.lock()) cmd->when_ready(std::move(f));
    });
  };
  {
    std::lock_guard lk(mu_);
    if (!positioned_) {
      waiters_.push_back(std::move(after_position));
      return;
    }
  }
  after_position();
}

void link::position_known() {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard lk(mu_);
    positioned_ = true;
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) w();
}

// The last entry of the stream now ("0-0" when empty): reading from a known id rather than "$"
// keeps a reconnection from skipping what arrived while the reader was away.
void link::find_position() {
  reader->command({"XREVRANGE", opts.stream_name, "+", "-", "COUNT", "1"},
                  [weak = weak_from_this()](boost::system::error_code ec, reply r) {
                    auto l = weak.lock();
                    if (!l || l->dead || ec == error::stopped) return;
                    if (ec == error::not_connected) return l->find_position();  // once back
                    if (ec) return l->retry_later();
                    if (r.type == reply::kind::error) {
                      l->log("sio redis-streams-adapter: XREVRANGE failed: " + r.str);
                      return l->retry_later();
                    }
                    l->last_id_ = "0-0";
                    if (r.type == reply::kind::array && !r.elements.empty())
                      if (auto e = read_entry(r.elements[0])) l->last_id_ = e->first;
                    l->position_known();
                    l->read_next();
                  });
}

void link::read_next() {
  reader->command({"XREAD", "BLOCK", std::to_string(opts.block_time.count()), "COUNT",
                   std::to_string(opts.read_count), "STREAMS", opts.stream_name, last_id_},
                  [weak = weak_from_this()](boost::system::error_code ec, reply r) {
                    if (auto l = weak.lock()) l->on_read(ec, r);
                  });
}

void link::on_read(boost::system::error_code ec, const reply& r) {
  if (dead || ec == error::stopped) return;
  if (ec == error::not_connected) return read_next();  // sent again once reconnected
  if (ec) return retry_later();
  if (r.type == reply::kind::error) {
    if (r.str != last_error_) log("sio redis-streams-adapter: XREAD failed: " + r.str);
    last_error_ = r.str;
    return retry_later();
  }
  last_error_.clear();
  // nil on timeout, else [[stream, [entry, ...]]]
  if (r.type == reply::kind::array) {
    for (const auto& stream : r.elements) {
      if (stream.type != reply::kind::array || stream.elements.size() != 2) continue;
      for (const auto& raw : stream.elements[1].elements) {
        auto e = read_entry(raw);
        if (!e) {
          if (raw.type == reply::kind::array && !raw.elements.empty() &&
              raw.elements[0].type == reply::kind::string)
            last_id_ = raw.elements[0].str;
          log("sio redis-streams-adapter: dropped a malformed entry " + last_id_);
          continue;
        }
        last_id_ = e->first;
        deliver(e->first, e->second);
      }
    }
  }
  read_next();
}

void link::retry_later() {
  if (dead) return;
  retry_->expires_after(opts.reconnect_max);
  retry_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto l = weak.lock();
    if (ec || !l || l->dead) return;
    if (l->last_id_.empty())
      l->find_position();
    else
      l->read_next();
  });
}

void link::deliver(const std::string& id, const fields& f) {
  const auto* nsp = field(f, "nsp");
  if (!nsp || nsp->empty()) return;  // not a message of this protocol (as Node)
  std::shared_ptr<route> r;
  {
    std::lock_guard lk(mu_);
    if (auto it = by_nsp_.find(*nsp); it != by_nsp_.end()) r = it->second.lock();
  }
  auto sink = r ? r->sink.lock() : nullptr;
  if (!sink) return;
  auto d = decode_entry(f);
  if (!d.message) {
    log("sio redis-streams-adapter " + *nsp + ": dropped entry " + id + ": " + d.error);
    return;
  }
  try {
    sink->on_message(std::move(*d.message), id);
  } catch (const std::exception& e) {
    log("sio redis-streams-adapter " + *nsp + ": entry " + id + " failed: " + e.what());
  }
}

void link::on_pubsub(std::string_view channel, std::string_view payload) {
  std::shared_ptr<route> r;
  {
    std::lock_guard lk(mu_);
    if (auto it = by_channel_.find(std::string(channel)); it != by_channel_.end())
      r = it->second.lock();
  }
  auto sink = r ? r->sink.lock() : nullptr;
  if (!sink) return;
  auto m = decode_message(payload);
  if (!m) {
    log("sio redis-streams-adapter: dropped a message on " + std::string(channel) +
        ": not a cluster message");
    return;
  }
  try {
    if (channel == r->private_channel)
      sink->on_response(std::move(*m));
    else
      sink->on_message(std::move(*m), {});
  } catch (const std::exception& e) {
    log("sio redis-streams-adapter: a message on " + std::string(channel) + " failed: " + e.what());
  }
}

}  // namespace sio::redis::streams
