#include "net/client_address.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

#include "core/configuration_error.hpp"

namespace netra::net {
namespace {

namespace ip = boost::asio::ip;

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::address(ip::make_address_v4(ip::v4_mapped, address.to_v6()));
  }
  return address;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// One hop as a proxy writes it: "1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:80", "2001:db8::1",
// optionally in double quotes (Forwarded).
std::optional<ip::address> parse_hop(std::string_view hop) {
  hop = trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"')
    hop = hop.substr(1, hop.size() - 2);
  if (!hop.empty() && hop.front() == '[') {
    const auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(hop.substr(1, close - 1));
  }
  if (std::count(hop.begin(), hop.end(), ':') == 1) hop = hop.substr(0, hop.find(':'));
  return parse_address(hop);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// The hops of every header line named `name`, leftmost first: for `forwarded`, the for= of each
// element (an element without one counts as a hop that is not an address).
std::vector<std::string> forwarded_hops(const HttpRequest& request, std::string_view name) {
  std::vector<std::string> hops;
  for (const auto& [header, value] : request.headers) {
    if (header != name) continue;
    for (auto element : split(value, ',')) {
      if (name != "forwarded") {
        hops.emplace_back(trim(element));
        continue;
      }
      std::string hop;
      for (auto pair : split(element, ';')) {
        pair = trim(pair);
        if (pair.size() > 4 && std::tolower(static_cast<unsigned char>(pair[0])) == 'f' &&
            std::tolower(static_cast<unsigned char>(pair[1])) == 'o' &&
            std::tolower(static_cast<unsigned char>(pair[2])) == 'r' && pair[3] == '=') {
          hop = std::string(pair.substr(4));
        }
      }
      hops.push_back(std::move(hop));
    }
  }
  return hops;
}

bool in_range(const ip::address& address, const ip::address& network, unsigned prefix) {
  if (address.is_v4() != network.is_v4()) return false;
  auto bytes_of = [](const ip::address& a) {
    std::array<unsigned char, 16> out{};
    if (a.is_v4()) {
      const auto b = a.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), out.begin());
    } else {
      const auto b = a.to_v6().to_bytes();
      std::copy(b.begin(), b.end(), out.begin());
    }
    return out;
  };
  const auto a = bytes_of(address);
  const auto n = bytes_of(network);
  for (unsigned bit = 0; bit < prefix; ++bit) {
    const unsigned mask = 0x80u >> (bit % 8);
    if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

TrustedProxies TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies proxies;
  std::vector<std::string> errors;
  for (const auto& entry : entries) {
    const std::string_view text = trim(entry);
    const auto slash = text.find('/');
    auto address = parse_address(text.substr(0, slash));
    const unsigned width = address && address->is_v4() ? 32 : 128;
    unsigned prefix = width;
    bool ok = address.has_value();
    if (ok && slash != std::string_view::npos) {
      const auto digits = text.substr(slash + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      ok = ec == std::errc() && end == digits.data() + digits.size() && prefix <= width;
    }
    if (!ok) {
      errors.push_back("server.trusted_proxies: '" + entry +
                       "' is neither an address nor a CIDR such as 10.0.0.0/8 or fd00::/8");
      continue;
    }
    proxies.ranges_.push_back({*address, prefix});
  }
  if (!errors.empty()) throw core::ConfigurationError(std::move(errors));
  return proxies;
}

bool TrustedProxies::trusts(const ip::address& address) const {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const Range& r) { return in_range(address, r.network, r.prefix); });
}

std::string TrustedProxies::client_of(const std::string& peer, const HttpRequest& request) const {
  if (ranges_.empty()) return peer;
  const auto peer_address = parse_address(peer);
  if (!peer_address || !trusts(*peer_address)) return peer;
  auto hops = forwarded_hops(request, "forwarded");
  if (hops.empty()) hops = forwarded_hops(request, "x-forwarded-for");
  std::string client = peer_address->to_string();
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = parse_hop(*hop);
    if (!address) break;
    client = address->to_string();
    if (!trusts(*address)) break;
  }
  return client;
}

std::string rate_limit_key(std::string_view address) {
  const auto parsed = parse_address(address);
  if (!parsed) return std::string(address);
  if (parsed->is_v4()) return parsed->to_string();
  auto bytes = parsed->to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace netra::net
