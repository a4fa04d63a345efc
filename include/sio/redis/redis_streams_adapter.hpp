// sio::redis_streams_adapter: a cluster adapter on Redis Streams, wire-compatible with npm
// @socket.io/redis-streams-adapter 0.3.1, so sio nodes and Node.js nodes share one Redis and
// behave as one server, with connection state recovery across nodes.
//
//   sio::server io{{.http = {.port = 3000},
//                   .adapter = sio::redis_streams_adapter::factory({.url = "redis://..."}),
//                   .connection_state_recovery = sio::recovery_options{}}};
//
// It is a cluster_transport under sio::cluster_adapter (Node's ClusterAdapter protocol):
// - messages are stream entries, XADD <stream_name> MAXLEN ~ <max_len> * uid <uid> nsp <nsp>
//   type <decimal> [data <JSON, or base64 MessagePack when it carries binary>]; the entry id is
//   the message's offset (what connection state recovery appends to a broadcast);
// - requests whose answers go to their sender only (FETCH_SOCKETS, SERVER_SIDE_EMIT, broadcasts
//   with acknowledgements) are published on `<channel_prefix>#<nsp>#`, answers on
//   `<channel_prefix>#<nsp>#<uid>#`, each the whole message in MessagePack;
// - the number of servers is PUBSUB NUMSUB of `<channel_prefix>#<nsp>#` (1 while Redis is down);
// - a disconnected socket's session is SET <session_key_prefix><pid> (base64 MessagePack of
//   {sid, pid, rooms, data}) for the recovery window; a client that comes back on any node gets
//   it (read and deleted atomically) with the broadcasts its rooms missed, read from the stream
//   (at most max_len of them: past that the client connects afresh, as when its offset is gone).
//
// Every namespace of one factory shares three connections, on worker 0's io_context: commands,
// the subscriber, and the reader, which runs XREAD BLOCK in a loop from the last entry it read.
// They reconnect with backoff (redis::client); the reader then goes on from its last entry, so an
// entry still in the stream is delivered exactly once. Malformed entries and messages are logged
// and dropped.
//
// Not supported (Node's options): streamCount > 1 (one stream carries every namespace),
// useShardedPubSub, onlyPlaintext.
//
// Threading: as every adapter (any thread); see cluster_adapter.hpp.
#pragma once

#include <sio/redis/client.hpp>
#include <sio/redis/cluster_adapter.hpp>
#include <sio/server/completion.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace sio {

class namespace_;

struct redis_streams_adapter_options {
  std::string url = "redis://127.0.0.1:6379";
  std::string stream_name = "socket.io";            // Node's streamName
  std::size_t max_len = 10000;                      // Node's maxLen (XADD MAXLEN ~)
  std::size_t read_count = 100;                     // Node's readCount (XREAD COUNT)
  std::chrono::milliseconds block_time{5000};       // Node's blockTimeInMs (XREAD BLOCK)
  std::string channel_prefix = "socket.io";         // Node's channelPrefix
  std::string session_key_prefix = "sio:session:";  // Node's sessionKeyPrefix
  std::chrono::milliseconds requests_timeout{5000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  redis::tls_settings tls;                    // for a rediss:// URL
  std::function<void(std::string_view)> log;  // default: stderr
};

class redis_streams_adapter {
 public:
  // A cluster_adapter on this transport. Throws std::invalid_argument on a bad URL.
  static adapter_factory factory(redis_streams_adapter_options opts = {});
  // The transport alone (its namespaces share the factory's connections), for a cluster_adapter
  // built by hand. Throws std::invalid_argument on a bad URL.
  static cluster_adapter::transport_factory transport_factory(
      redis_streams_adapter_options opts = {});
  // Completes once the transport's connections are up, its channels subscribed and the reader
  // has its position in the stream (tests, startup ordering). Never completes for another
  // transport, or a namespace with another adapter.
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void()) Token>
  static auto when_ready(cluster_transport& t, Token&& token) {
    return detail::initiate<>(std::forward<Token>(token), [t = &t](std::function<void()> cb) {
      start_when_ready(*t, std::move(cb));
    });
  }
  template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void()) Token>
  static auto when_ready(namespace_& nsp, Token&& token) {
    return detail::initiate<>(std::forward<Token>(token), [nsp = &nsp](std::function<void()> cb) {
      start_when_ready(*nsp, std::move(cb));
    });
  }

 private:
  static void start_when_ready(cluster_transport& t, std::function<void()> f);
  static void start_when_ready(namespace_& nsp, std::function<void()> f);
};

}  // namespace sio
