// An HTTP request as a connection reads it: Beast's basic_parser (the HTTP/1.1 grammar, the
// Content-Length / Transfer-Encoding framing, the header and body limits) calling back into a
// record of the connection's own that keeps the method, the target and every field in one reused
// text buffer. A polling request reads a few fields and its body from it without building Beast's
// request (a basic_fields allocates per field); the handshakes, upgrades and application routes
// get the whole request (to_request), with every field as received. No socket here: the HTTP fuzz
// target drives the same parser. Private to sio_engineio.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engineio::detail {

class request_head {
 public:
  boost::beast::http::verb method() const noexcept { return method_; }
  std::string_view target() const noexcept { return text(target_); }
  unsigned version() const noexcept { return version_; }
  // The first value of field `f` (a known field), empty when absent, as Beast's fields give it.
  std::string_view operator[](boost::beast::http::field f) const noexcept;
  // The body read so far (all of it once the parser is done).
  std::string& body() noexcept { return body_; }
  const std::string& body() const noexcept { return body_; }
  // A WebSocket upgrade request, as boost::beast::websocket::is_upgrade decides.
  bool websocket_upgrade() const noexcept;
  // Calls f(name, value) for every field, in the order received.
  template <class F>
  void for_each_field(F&& f) const {
    for (const auto& e : fields_) f(text(e.name), text(e.value));
  }
  // The whole request (every field, in order), for what takes Beast's request; moves the body.
  boost::beast::http::request<boost::beast::http::string_body> to_request();
  // Ready for the next request: the text buffer keeps its capacity (up to a bound).
  void clear() noexcept;

 private:
  friend class head_parser;
  struct span {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  struct field_entry {
    boost::beast::http::field f;
    span name;
    span value;
  };
  std::string_view text(span s) const noexcept { return {text_.data() + s.offset, s.size}; }
  span append(std::string_view s);

  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  span method_string_;
  span target_;
  unsigned version_ = 11;
  std::string text_;  // method (when not a known verb), target, field names and values
  std::vector<field_entry> fields_;
  std::string body_;
};

// Parses one request into a request_head (which must outlive it). A parser reads one request; the
// connection makes a new one (cheap: no allocation) for the next.
class head_parser final : public boost::beast::http::basic_parser<true> {
 public:
  explicit head_parser(request_head& h) noexcept : h_(h) {}

 private:
  using error_code = boost::system::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field f, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  request_head& h_;
};

}  // namespace sio::engineio::detail
