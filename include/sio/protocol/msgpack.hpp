// MessagePack <-> Boost.JSON, as the Node.js Redis adapter's `notepack.io` writes and reads it, so
// a C++ node and Node.js nodes understand each other's Redis messages. Pure: no I/O, no allocation
// beyond the values produced; built on msgpuck (Debian libmsgpuck-dev).
//
// Binary (msgpack bin, what notepack.io makes of a Buffer) is kept as in the Socket.IO codec: a
// placeholder object {"_placeholder":true,"num":n} in the value and the bytes in attachments[n].
// The encoder turns such placeholders back into bin. So a Socket.IO packet crosses Redis with its
// binary arguments exactly as Node's adapter publishes them.
//
// Decoding follows notepack.io's reading of every type: integers beyond int64 stay uint64, float32
// widens to double, invalid UTF-8 in strings is replaced by U+FFFD (as Buffer.toString does), map
// keys that are numbers, booleans or nil become their JavaScript string form, timestamps (ext -1)
// and notepack's legacy dates (fixext 8, type 0) become ISO-8601 strings (what JSON.stringify
// makes of a Date), its legacy ArrayBuffer (ext type 0) is binary, its legacy undefined (fixext 1,
// type 0) is null, any other extension is [type, binary]. Nesting beyond `max_depth`, truncated
// input, trailing bytes and the never-used byte 0xc1 are errors, never a crash or a huge
// allocation (a container header is checked against the bytes that remain).
//
// Encoding writes what notepack.io writes for the same JavaScript value: the smallest integer
// form (uint formats for >= 0, int formats below), integral doubles as integers (JavaScript has
// only numbers), other doubles as float 64, the smallest str/bin/array/map headers.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sio::protocol::msgpack {

enum class error {
  truncated = 1,   // the input ends inside a value
  trailing_bytes,  // bytes after the top-level value
  invalid_byte,    // 0xc1 (never used by MessagePack)
  too_deep,        // nesting beyond decode_options::max_depth
  invalid_key,     // a map key that is an array, a map or binary
};
const boost::system::error_category& error_category() noexcept;
inline boost::system::error_code make_error_code(error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

struct decode_options {
  std::size_t max_depth = 100;  // arrays and maps nested deeper are refused
};

// A decoded value with its binaries (see the header comment).
struct document {
  boost::json::value value;
  std::vector<std::string> attachments;
};

boost::system::result<document> decode(std::string_view bytes, decode_options opts = {});

// Appends the encoding of `v` to `out`. A placeholder whose num indexes `attachments` is written
// as bin; other placeholders are written as the plain objects they are.
void encode(const boost::json::value& v, std::span<const std::string> attachments,
            std::string& out);
inline std::string encode(const boost::json::value& v,
                          std::span<const std::string> attachments = {}) {
  std::string out;
  encode(v, attachments, out);
  return out;
}

}  // namespace sio::protocol::msgpack

template <>
struct boost::system::is_error_code_enum<sio::protocol::msgpack::error> : std::true_type {};
