// Random identifiers drawn from OpenSSL's CSPRNG (RAND_bytes), in the URL-safe base64 alphabet
// (A-Z a-z 0-9 '-' '_', 6 random bits per character) that the Node.js server's ids use:
// - Engine.IO session ids and Socket.IO socket ids: base64id_length (20) characters, the URL-safe
//   base64 of 15 random bytes, like Node's base64id.generateId();
// - the Redis adapter's node uid and request ids: 6 characters, like Node's uid2(6).
// The CSPRNG's bytes are drawn 1 KiB at a time into a pool of the calling thread and each is used
// once; a forked child drops the pool it inherited.
//
// Thread-safety: callable from any thread.
#pragma once

#include <cstddef>
#include <string>

namespace sio::engineio {

// Characters of an Engine.IO session id or a Socket.IO socket id.
inline constexpr std::size_t base64id_length = 20;

// `length` characters; throws std::runtime_error when the CSPRNG fails.
std::string random_id(std::size_t length);

// Sets the CSPRNG up (OpenSSL's one-time initialisation and seeding: a few milliseconds and about
// 2 MB of library pages), so that the first random_id does not pay for it; throws
// std::runtime_error when the CSPRNG cannot be seeded. A server calls it when it starts.
void prepare_random_ids();

}  // namespace sio::engineio
