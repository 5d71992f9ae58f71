// RequestParser: Beast's HTTP/1 request parser, writing what it reads straight into the
// HttpRequest handlers see. Beast's own request_parser keeps the fields in a basic_fields (an
// allocation and a case-insensitive ordered-set insertion per field), which the server then copied
// field by field into HttpRequest: on a request with a bearer token and the MCP headers that was
// about a tenth of the server's instructions. Parsing and its limits stay Beast's
// (basic_parser<true>); only where the pieces go is ours. Included by the HTTP server's translation
// unit only, with the rest of Beast's HTTP code.
#pragma once

#include <algorithm>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "net/http_message.hpp"

namespace netra::net::detail {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser() : request_(std::make_shared<HttpRequest>()) { request_->headers.reserve(8); }

  // The request as read so far: method, target and headers once the header is done (names in
  // lower case), the body once the message is.
  const std::shared_ptr<HttpRequest>& request() const { return request_; }
  boost::beast::http::verb method() const { return method_; }
  unsigned version() const { return version_; }

  // The request as Beast's message type, for the WebSocket handshake (Beast's accept reads one).
  boost::beast::http::request<boost::beast::http::string_body> message() const {
    boost::beast::http::request<boost::beast::http::string_body> out;
    out.method_string(request_->method);
    out.target(request_->target);
    out.version(version_);
    for (const auto& [name, value] : request_->headers) out.insert(name, value);
    out.body() = request_->body;
    return out;
  }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_text, string_view target,
                       int version, error_code&) override {
    method_ = method;
    version_ = static_cast<unsigned>(version);
    request_->method.assign(method_text.data(), method_text.size());
    request_->target.assign(target.data(), target.size());
  }
  void on_response_impl(int, string_view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_method;  // a request parser reads no status line
  }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code&) override {
    std::string lower(name.data(), name.size());
    for (auto& ch : lower) {  // ASCII: header names are tokens; no locale lookup per character
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    request_->headers.emplace_back(std::move(lower), std::string(value.data(), value.size()));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // The server has checked the length against the route's limit before the body is read; the
    // reservation is capped all the same, and a longer body grows the string as it comes.
    if (length)
      request_->body.reserve(static_cast<size_t>(std::min<std::uint64_t>(*length, kReserveAtMost)));
  }
  size_t on_body_impl(string_view body, error_code&) override {
    request_->body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    request_->body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  static constexpr std::uint64_t kReserveAtMost = 1 << 20;

  std::shared_ptr<HttpRequest> request_;
  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  unsigned version_ = 11;
};

}  // namespace netra::net::detail
