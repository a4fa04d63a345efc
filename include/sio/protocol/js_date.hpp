// JavaScript Date strings as Node.js prints them, from milliseconds since the Unix epoch. Pure: no
// clock, no time zone database, no locale (day and month names are always English).
// - socket.handshake.time is `new Date().toString()` on the Node server; sio writes it as a Node
//   server with TZ=UTC does (the Socket.IO handshake, the Redis adapter's RemoteSocket);
// - the MessagePack codec turns dates into what JSON.stringify writes for them (toISOString).
// JavaScript dates span ±8.64e15 ms (±100,000,000 days) around the epoch.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sio::protocol {

// new Date(ms).toString() with TZ=UTC, e.g. "Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated
// Universal Time)"; "Invalid Date" outside JavaScript's range.
std::string js_date_string(std::int64_t ms);

// new Date(ms).toISOString(), e.g. "1970-01-01T00:00:00.000Z" ("+275760-09-13T00:00:00.000Z"
// for years beyond 0..9999); nullopt outside JavaScript's range, where toISOString throws.
std::optional<std::string> js_iso_string(std::int64_t ms);

}  // namespace sio::protocol
