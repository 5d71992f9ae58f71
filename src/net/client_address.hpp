// ClientAddress: who a request comes from — the socket's peer, or, when that peer is one of the
// proxies named in server.trusted_proxies, the client address the proxies forward
// (`Forwarded: for=`, else `X-Forwarded-For`) — and the key a rate limit counts it under.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_message.hpp"

namespace netra::net {

class TrustedProxies {
 public:
  TrustedProxies() = default;  // trusts nobody: the peer is always the client
  // Each entry a CIDR ("10.0.0.0/8", "fd00::/8") or a single address. Throws
  // core::ConfigurationError naming every entry that is neither.
  static TrustedProxies parse(const std::vector<std::string>& entries);

  bool empty() const { return ranges_.empty(); }
  bool trusts(const boost::asio::ip::address& address) const;

  // The client's address. A peer that is not trusted is the client, whatever its headers say.
  // From a trusted peer, the forwarded chain is read from the right (the hop nearest to us):
  // trusted hops are skipped and the first other address is the client; if every hop is
  // trusted, the leftmost. A hop that is not an address ("unknown", an obfuscated name) ends
  // the walk at the proxy that reported it.
  std::string client_of(const std::string& peer, const HttpRequest& request) const;

 private:
  struct Range {
    boost::asio::ip::address network;
    unsigned prefix = 0;
  };
  std::vector<Range> ranges_;
};

// The key a per-address limit counts `address` under: an IPv4 address as it is (also when
// written IPv4-mapped), an IPv6 address by its /64 (one site's block; counting addresses one by
// one would give each client 2^64 buckets), anything else as given.
std::string rate_limit_key(std::string_view address);

}  // namespace netra::net
