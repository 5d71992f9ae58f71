#include "net/http_url.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <cctype>

namespace netra::net {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::string_view HttpUrl::path() const {
  return std::string_view(target).substr(0, target.find('?'));
}

core::Result<HttpUrl, std::string> parse_http_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string("not an absolute URL (expected http://host[:port]/path)");
  }
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return "unsupported scheme '" + scheme + "' (only http:// and https:// are)";
  }
  const auto rest = url.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  target = target.substr(0, target.find('#'));

  if (authority.find('@') != std::string_view::npos) {
    return std::string("credentials in the URL are not supported; send them in a header");
  }
  HttpUrl out;
  out.tls = scheme == "https";
  out.port = out.tls ? 443 : 80;
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  bool bracketed = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::string("unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return std::string("garbage after the [IPv6] host");
    has_port = !after.empty();
    if (has_port) port_text = after.substr(1);
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return "'" + std::string(host) + "' is not an IPv6 address";
    bracketed = true;
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port_text = authority.substr(colon + 1);
    for (char c : host) {
      if (!is_name_char(c)) {
        return "the host '" + std::string(host) + "' has a character a host name cannot have";
      }
    }
  }
  if (host.empty()) return std::string("the URL has no host");
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5)
      return std::string("the port is empty or too long");
    unsigned port = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        return "the port '" + std::string(port_text) + "' is not a number";
      }
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port == 0 || port > 65535) return "the port " + std::to_string(port) + " is out of range";
    out.port = static_cast<uint16_t>(port);
  }
  for (char c : target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return std::string(
          "the path or query holds a space, control or non-ASCII character; percent-encode it");
    }
  }

  out.host = lower(host);
  const std::string host_part = bracketed ? "[" + out.host + "]" : out.host;
  out.origin = host_part + ":" + std::to_string(out.port);
  out.host_header = out.port == (out.tls ? 443 : 80) ? host_part : out.origin;
  if (target.empty() || target.front() == '?') out.target = "/";
  out.target += target;
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace netra::net
