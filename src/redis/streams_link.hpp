// Internal: the parts of the Redis Streams adapter, one job per source.
//   streams_codec.cpp      stream entries and sessions as @socket.io/redis-streams-adapter writes
//                          them (pure);
//   streams_link.cpp       the three connections the namespaces of one factory share, the reader
//                          loop (XREAD BLOCK from the last entry read) and the routing of entries
//                          and pub/sub messages to each namespace's sink;
//   streams_transport.cpp  the cluster_transport of one namespace (publishing, server count,
//                          sessions) and the public factory.
#pragma once

#include <sio/redis/client.hpp>
#include <sio/redis/cluster_adapter.hpp>
#include <sio/redis/redis_streams_adapter.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sio::redis::streams {

// --- streams_codec.cpp
// ----------------------------------------------------------------------------

// A stream entry's fields, in order (name, value, name, value, ...).
using fields = std::vector<std::pair<std::string, std::string>>;

// uid, nsp, type (decimal) and, when the message has data, data: base64 MessagePack when its type
// may carry binary and it has attachments, else JSON.
fields encode_entry(const cluster_message& m);
// The field `name` of an entry, or nullptr.
const std::string* field(const fields& f, std::string_view name);
// The message of an entry; an error message when it is not one.
struct decoded {
  std::optional<cluster_message> message;
  std::string error;
};
decoded decode_entry(const fields& f);
// An entry as XREAD / XRANGE return it: [id, [name, value, ...]]; nullopt when malformed.
std::optional<std::pair<std::string, fields>> read_entry(const reply& r);

// The whole message in MessagePack (pub/sub payloads), and back (nullopt when not one).
std::string encode_message(const cluster_message& m);
std::optional<cluster_message> decode_message(std::string_view payload);

// base64(MessagePack {sid, pid, rooms, data}), and back (nullopt when not one).
std::string encode_session(const persisted_session& s);
std::optional<persisted_session> decode_session(std::string_view text);

// An entry id "<ms>-<seq>" (digits only).
bool valid_offset(std::string_view offset) noexcept;
// The id just after `offset` (XRANGE's start is inclusive): "<ms>-<seq + 1>".
std::string next_offset(std::string_view offset);
// Node's shouldIncludePacket: a broadcast to `rooms` except `except` reaches a socket in
// `session_rooms`.
bool should_include(const std::vector<room>& session_rooms, const std::vector<room>& rooms,
                    const std::vector<room>& except);

// --- streams_link.cpp
// -----------------------------------------------------------------------------

// Where one namespace's entries and messages go.
struct route {
  std::string nsp;
  std::string uid;
  std::string public_channel;   // <prefix>#<nsp>#
  std::string private_channel;  // <prefix>#<nsp>#<uid>#
  std::weak_ptr<cluster_sink> sink;
};

struct link : std::enable_shared_from_this<link> {
  redis_streams_adapter_options opts;
  endpoint ep;
  std::once_flag once;
  std::shared_ptr<client> cmd, sub, reader;
  std::atomic<bool> dead{false};          // the io_context is gone
  std::atomic<bool> xadd_failing{false};  // logged once per run of failed XADDs

  void log(std::string_view s) const;
  // Creates and starts the connections and the reader on first use, on `ioc` (worker 0's).
  void init(boost::asio::io_context& ioc);
  // Routes a namespace's entries and channels to its sink and subscribes the channels; detach
  // undoes both.
  void attach(const std::shared_ptr<route>& r);
  void detach(const route& r);
  // Runs f once the connections are up, subscribed, and the reader has its position.
  void when_ready(std::function<void()> f);

 private:
  // The reader loop, on the reader connection's strand: one command in flight at a time.
  void find_position();
  void read_next();
  void on_read(boost::system::error_code ec, const reply& r);
  void retry_later();
  void deliver(const std::string& id, const fields& f);
  void on_pubsub(std::string_view channel, std::string_view payload);
  void position_known();

  std::mutex mu_;  // the maps and the waiters
  std::unordered_map<std::string, std::weak_ptr<route>> by_nsp_, by_channel_;
  bool positioned_ = false;
  std::vector<std::function<void()>> waiters_;

  // Reader state: touched only by the one reader command or timer in flight.
  std::string last_id_;
  std::string last_error_;
  std::unique_ptr<boost::asio::steady_timer> retry_;
};

}  // namespace sio::redis::streams
