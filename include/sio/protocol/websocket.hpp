// RFC 6455 WebSocket framing, server side: a decoder of client frames (masking required, reserved
// bits, control frame rules, fragmented messages assembled, text checked as UTF-8, a bound on the
// message size) and the encoders of the server's frames. Pure: no I/O, no allocation on the common
// path (a whole frame in one read is decoded where it lies).
//
// A decoder belongs to one connection and is not thread-safe; the free functions are reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sio::protocol::websocket {

enum class opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10,
};

// Close codes (RFC 6455 section 7.4.1) the server sends or reports.
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;  // a close frame without a code; never sent
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t message_too_big = 1009;
}  // namespace close_code

// The largest payload of a control frame (close, ping, pong).
inline constexpr std::size_t max_control_payload = 125;
// The largest header of a server frame (never masked).
inline constexpr std::size_t max_header_size = 10;

// True for the codes a peer may send in a close frame: 1000-1003, 1007-1014, 3000-4999.
bool valid_close_code(std::uint16_t code) noexcept;

// Size of a server frame's header for a payload of `length` bytes: 2, 4 or 10.
constexpr std::size_t header_size(std::size_t length) noexcept {
  return length < 126 ? 2 : length <= 0xffff ? 4 : 10;
}

// Writes the header of a final, unmasked frame (header_size(length) bytes); returns its size.
// `compressed` sets RSV1: the payload is a permessage-deflate message (RFC 7692).
std::size_t write_header(unsigned char* out, opcode op, std::size_t length,
                         bool compressed = false) noexcept;

// A whole control frame with `payload` (at most max_control_payload bytes).
std::string control_frame(opcode op, std::string_view payload);

// A close frame carrying `code` and no reason.
std::string close_frame(std::uint16_t code);

// What decoder::next found.
struct event {
  enum class kind : std::uint8_t {
    need_more,  // every byte fed so far is used; a partial frame is kept
    message,    // a whole data message (fragments joined)
    ping,
    pong,
    close,  // the peer's close frame: nothing more is decoded
    error,  // a protocol violation: nothing more is decoded
  };
  kind what = kind::need_more;
  bool binary = false;  // message: binary (otherwise text, valid UTF-8 unless compressed)
  // message: its first frame had RSV1 (permessage-deflate): the payload is still compressed, and
  // a text message's UTF-8 is checked only once inflated.
  bool compressed = false;
  // close: the peer's code (close_code::no_status when it sent none); error: the code to close
  // the connection with (protocol_error, invalid_payload or message_too_big).
  std::uint16_t code = 0;
  // The message, the ping/pong payload or the close reason (valid UTF-8). Valid until the next call
  // to next() or feed(), as long as the bytes fed stay valid.
  std::string_view payload;
};

// Decodes the frames a client sends. feed() hands over received bytes; next() then returns their
// events one at a time until need_more. Frames are unmasked in place, where they were fed, and only
// what is still incomplete at the end of the bytes fed (or a fragmented message) is copied, into
// buffers that are released again as soon as they are empty.
class decoder {
 public:
  // `max_message`: the largest data message accepted (a frame, or the fragments of one message
  // together); larger ones are refused with message_too_big as soon as their header says so.
  explicit decoder(std::size_t max_message = 1'000'000) noexcept;
  ~decoder();
  decoder(decoder&&) noexcept;
  decoder& operator=(decoder&&) noexcept;

  // Hands over `size` bytes at `data`, which must stay valid and unchanged (the decoder writes to
  // them) until next() returns need_more, close or error. Ignored after close or error.
  void feed(char* data, std::size_t size);
  event next();
  // Accepts RSV1 on the first frame of a data message (permessage-deflate was negotiated);
  // without it, RSV1 is a protocol error like the other reserved bits.
  void allow_compressed(bool on) noexcept { allow_compressed_ = on; }
  std::size_t max_message() const noexcept { return max_message_; }
  // No partial frame and no fragmented message is held.
  bool idle() const noexcept;
  // A close frame or an error was decoded.
  bool done() const noexcept { return done_; }

 private:
  struct buffers {
    std::string partial;  // the start of an incomplete frame
    std::string message;  // the fragments received of a message
  };
  struct frame_header {
    opcode op = opcode::continuation;
    bool fin = false;
    bool compressed = false;  // RSV1
    std::size_t size = 0;     // with the masking key
    std::uint64_t length = 0;
    std::uint16_t error = 0;  // the close code of a header that breaks the rules
  };
  enum class header_result : std::uint8_t { complete, incomplete, error };
  header_result parse_header(frame_header& h) const noexcept;
  event on_frame(const frame_header& h, char* data, std::size_t length);
  event on_close(std::string_view payload);
  event on_data(const frame_header& h, char* data, std::size_t length);
  event fail(std::uint16_t code);
  void keep_rest();
  void release_idle() noexcept;
  void clear() noexcept;  // drops every byte and buffer held

  std::size_t max_message_;
  char* in_ = nullptr;  // the bytes being decoded: those fed, or buffers::partial
  std::size_t in_size_ = 0;
  std::size_t in_pos_ = 0;
  std::unique_ptr<buffers> buf_;              // absent while idle
  opcode message_op_ = opcode::continuation;  // of the fragmented message; continuation: none
  bool in_partial_ = false;                   // in_ is buf_->partial
  bool message_out_ = false;                  // buf_->message was returned by the last next()
  bool message_compressed_ = false;           // the fragmented message's first frame had RSV1
  bool allow_compressed_ = false;
  bool done_ = false;
};

}  // namespace sio::protocol::websocket
