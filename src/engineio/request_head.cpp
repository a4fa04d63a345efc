#include "request_head.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace sio::engineio::detail {
namespace {

namespace http = boost::beast::http;

// What a connection keeps of its buffers between requests: a larger head or field list (near
// the header limit) is given back.
constexpr std::size_t kept_text = 4096;
constexpr std::size_t kept_fields = 64;

bool has_token(std::string_view list, std::string_view token) {
  return http::token_list{list}.exists(token);
}

}  // namespace

std::string_view request_head::operator[](http::field f) const noexcept {
  for (const auto& e : fields_)
    if (e.f == f) return text(e.value);
  return {};
}

bool request_head::websocket_upgrade() const noexcept {
  // boost::beast::websocket::is_upgrade, on this record.
  return version_ >= 11 && method_ == http::verb::get &&
         has_token((*this)[http::field::connection], "upgrade") &&
         has_token((*this)[http::field::upgrade], "websocket");
}

http::request<http::string_body> request_head::to_request() {
  http::request<http::string_body> req;
  if (method_ == http::verb::unknown) {
    req.method_string(text(method_string_));
  } else {
    req.method(method_);
  }
  req.target(target());
  req.version(version_);
  for (const auto& e : fields_) req.insert(text(e.name), text(e.value));
  req.body() = std::move(body_);
  return req;
}

void request_head::clear() noexcept {
  method_ = http::verb::unknown;
  method_string_ = target_ = {};
  version_ = 11;
  if (text_.capacity() > kept_text) {
    std::string().swap(text_);
  } else {
    text_.clear();
  }
  if (fields_.capacity() > kept_fields) {
    std::vector<field_entry>().swap(fields_);
  } else {
    fields_.clear();
  }
  body_ = std::string();
}

request_head::span request_head::append(std::string_view s) {
  const span at{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(s.size())};
  text_.append(s);
  return at;
}

void head_parser::on_request_impl(http::verb method, string_view method_str, string_view target,
                                  int version, error_code&) {
  h_.method_ = method;
  if (method == http::verb::unknown) h_.method_string_ = h_.append(method_str);
  h_.target_ = h_.append(target);
  h_.version_ = static_cast<unsigned>(version);
}

void head_parser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = http::error::bad_method;  // never called: this parser reads requests
}

void head_parser::on_field_impl(http::field f, string_view name, string_view value, error_code&) {
  const auto n = h_.append(name);
  h_.fields_.push_back({f, n, h_.append(value)});
}

void head_parser::on_header_impl(error_code&) {}

void head_parser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                    error_code&) {
  // The parser checked the length against its body limit before this.
  if (content_length) h_.body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t head_parser::on_body_impl(string_view body, error_code&) {
  h_.body_.append(body.data(), body.size());
  return body.size();
}

void head_parser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t head_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  h_.body_.append(body.data(), body.size());
  return body.size();
}

void head_parser::on_finish_impl(error_code&) {}

}  // namespace sio::engineio::detail
