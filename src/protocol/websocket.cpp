#include <sio/protocol/websocket.hpp>

#include <sio/protocol/utf8.hpp>

#include <cstring>

namespace sio::protocol::websocket {
namespace {

constexpr unsigned char fin_bit = 0x80;
constexpr unsigned char rsv1_bit = 0x40;  // permessage-deflate's "compressed" bit
constexpr unsigned char rsv23_bits = 0x30;
constexpr unsigned char opcode_bits = 0x0f;
constexpr unsigned char mask_bit = 0x80;
constexpr unsigned char length_bits = 0x7f;
constexpr std::uint64_t length_16 = 126;  // the length follows in 2 bytes
constexpr std::uint64_t length_64 = 127;  // the length follows in 8 bytes
constexpr std::size_t mask_size = 4;

bool is_control(opcode op) noexcept {
  return static_cast<unsigned>(op) >= 8;
}

void unmask(char* d, std::size_t len, const unsigned char* key) noexcept {
  std::uint32_t k4 = 0;
  std::memcpy(&k4, key, 4);
  const std::uint64_t k8 = (std::uint64_t{k4} << 32) | k4;
  std::size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, d + i, 8);
    w ^= k8;
    std::memcpy(d + i, &w, 8);
  }
  for (; i < len; ++i) d[i] = static_cast<char>(d[i] ^ static_cast<char>(key[i & 3]));
}

}  // namespace

bool valid_close_code(std::uint16_t c) noexcept {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

std::size_t write_header(unsigned char* h, opcode op, std::size_t len, bool compressed) noexcept {
  const std::size_t size = header_size(len);
  h[0] =
      static_cast<unsigned char>(fin_bit | (compressed ? rsv1_bit : 0) | static_cast<unsigned>(op));
  if (size == 2) {
    h[1] = static_cast<unsigned char>(len);
  } else {
    h[1] = static_cast<unsigned char>(size == 4 ? length_16 : length_64);
    for (std::size_t i = 2; i < size; ++i)
      h[i] = static_cast<unsigned char>(std::uint64_t{len} >> (8 * (size - 1 - i)));
  }
  return size;
}

std::string control_frame(opcode op, std::string_view payload) {
  std::string f(2, '\0');
  f[0] = static_cast<char>(fin_bit | static_cast<unsigned>(op));
  f[1] = static_cast<char>(payload.size());  // <= max_control_payload
  f.append(payload);
  return f;
}

std::string close_frame(std::uint16_t code) {
  const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return control_frame(opcode::close, std::string_view(body, 2));
}

// --- decoder ------------------------------------------------------------------------------------

decoder::decoder(std::size_t max_message) noexcept : max_message_(max_message) {}
decoder::~decoder() = default;
decoder::decoder(decoder&&) noexcept = default;
decoder& decoder::operator=(decoder&&) noexcept = default;

bool decoder::idle() const noexcept {
  return !buf_ || (buf_->partial.empty() && message_op_ == opcode::continuation);
}

void decoder::feed(char* data, std::size_t size) {
  if (done_) return;
  keep_rest();
  if (buf_ && !buf_->partial.empty()) {
    buf_->partial.append(data, size);
    in_ = buf_->partial.data();
    in_size_ = buf_->partial.size();
    in_partial_ = true;
  } else {
    in_ = data;
    in_size_ = size;
  }
  in_pos_ = 0;
}

void decoder::keep_rest() {
  const std::size_t rest = in_size_ - in_pos_;
  if (in_partial_) {
    buf_->partial.erase(0, in_pos_);
  } else if (rest > 0) {
    if (!buf_) buf_ = std::make_unique<buffers>();
    buf_->partial.assign(in_ + in_pos_, rest);
  }
  in_ = nullptr;
  in_size_ = in_pos_ = 0;
  in_partial_ = false;
}

void decoder::release_idle() noexcept {
  if (buf_ && idle()) buf_.reset();
}

event decoder::next() {
  if (message_out_) {
    message_out_ = false;
    std::string().swap(buf_->message);
    release_idle();
  }
  if (done_) {
    clear();  // a close reason returned last may have been in the buffers
    return {};
  }
  for (;;) {
    frame_header h;
    const auto r = parse_header(h);
    if (r == header_result::error) return fail(h.error);
    if (r == header_result::incomplete) {
      keep_rest();
      release_idle();
      return {};
    }
    char* data = in_ + in_pos_ + h.size;
    const auto length = static_cast<std::size_t>(h.length);
    unmask(data, length, reinterpret_cast<const unsigned char*>(data) - mask_size);
    in_pos_ += h.size + length;
    if (auto e = on_frame(h, data, length); e.what != event::kind::need_more) return e;
  }
}

decoder::header_result decoder::parse_header(frame_header& h) const noexcept {
  const std::size_t avail = in_size_ - in_pos_;
  if (avail < 2) return header_result::incomplete;
  const auto* u = reinterpret_cast<const unsigned char*>(in_ + in_pos_);
  h.fin = (u[0] & fin_bit) != 0;
  h.compressed = (u[0] & rsv1_bit) != 0;
  h.op = static_cast<opcode>(u[0] & opcode_bits);
  h.length = u[1] & length_bits;
  h.size = 2;
  h.error = close_code::protocol_error;
  // Reserved bits no extension gave a meaning (RSV1 only on a message's first frame, with
  // permessage-deflate), or a frame the client did not mask.
  if ((u[0] & rsv23_bits) != 0 || (u[1] & mask_bit) == 0) return header_result::error;
  if (h.compressed && (!allow_compressed_ || is_control(h.op) || h.op == opcode::continuation))
    return header_result::error;
  if (is_control(h.op)) {
    if ((h.op != opcode::close && h.op != opcode::ping && h.op != opcode::pong) || !h.fin ||
        h.length > max_control_payload)
      return header_result::error;
  } else if (h.op > opcode::binary ||
             (h.op == opcode::continuation) != (message_op_ != opcode::continuation)) {
    // An unknown opcode, a continuation with no message, or a new message inside a fragmented one.
    return header_result::error;
  }
  if (h.length == length_16) {
    if (avail < 4) return header_result::incomplete;
    h.length = (std::uint64_t{u[2]} << 8) | u[3];
    h.size = 4;
    if (h.length < length_16) return header_result::error;  // not the shortest form
  } else if (h.length == length_64) {
    if (avail < 10) return header_result::incomplete;
    h.length = 0;
    for (int i = 0; i < 8; ++i) h.length = (h.length << 8) | u[2 + i];
    h.size = 10;
    if (h.length <= 0xffff || (h.length >> 63) != 0) return header_result::error;
  }
  const std::uint64_t held =
      h.op == opcode::continuation && buf_ ? buf_->message.size() : std::size_t{0};
  if (!is_control(h.op) && (h.length > max_message_ || held + h.length > max_message_)) {
    h.error = close_code::message_too_big;  // refused before it is buffered
    return header_result::error;
  }
  h.size += mask_size;
  return avail < h.size + h.length ? header_result::incomplete : header_result::complete;
}

event decoder::on_frame(const frame_header& h, char* data, std::size_t length) {
  const std::string_view payload(data, length);
  switch (h.op) {
    case opcode::ping:
      return {.what = event::kind::ping, .payload = payload};
    case opcode::pong:
      return {.what = event::kind::pong, .payload = payload};
    case opcode::close:
      return on_close(payload);
    default:
      return on_data(h, data, length);
  }
}

event decoder::on_close(std::string_view payload) {
  std::uint16_t code = close_code::no_status;
  if (payload.size() == 1) return fail(close_code::protocol_error);
  if (payload.size() >= 2) {
    const auto* u = reinterpret_cast<const unsigned char*>(payload.data());
    code = static_cast<std::uint16_t>((u[0] << 8) | u[1]);
    if (!valid_close_code(code)) return fail(close_code::protocol_error);
    payload.remove_prefix(2);
    if (!valid_utf8(payload)) return fail(close_code::invalid_payload);
  }
  done_ = true;
  return {.what = event::kind::close, .code = code, .payload = payload};
}

event decoder::on_data(const frame_header& h, char* data, std::size_t length) {
  const opcode op = h.op;
  const bool fin = h.fin;
  bool compressed = h.compressed;
  if (op != opcode::continuation && !fin) {  // the first fragment
    message_op_ = op;
    message_compressed_ = compressed;
    if (!buf_) buf_ = std::make_unique<buffers>();
    buf_->message.assign(data, length);
    return {};
  }
  std::string_view message(data, length);
  bool text = op == opcode::text;
  if (op == opcode::continuation) {
    buf_->message.append(data, length);
    if (!fin) return {};
    text = message_op_ == opcode::text;
    compressed = message_compressed_;
    message_op_ = opcode::continuation;
    message = buf_->message;
    message_out_ = true;
  }
  if (text && !compressed && !valid_utf8(message)) return fail(close_code::invalid_payload);
  return {
      .what = event::kind::message, .binary = !text, .compressed = compressed, .payload = message};
}

event decoder::fail(std::uint16_t code) {
  done_ = true;
  clear();
  return {.what = event::kind::error, .code = code};
}

void decoder::clear() noexcept {
  buf_.reset();
  message_out_ = false;
  message_op_ = opcode::continuation;
  in_ = nullptr;
  in_size_ = in_pos_ = 0;
  in_partial_ = false;
}

}  // namespace sio::protocol::websocket
