#include "net/admin_token.hpp"

#include <openssl/crypto.h>

namespace netra::net {

bool AdminToken::admits(const HttpRequest& request) const {
  if (token_.empty()) return false;
  const auto header = request.header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() != kScheme.size() + token_.size() ||
      header.substr(0, kScheme.size()) != kScheme) {
    return false;
  }
  return CRYPTO_memcmp(header.data() + kScheme.size(), token_.data(), token_.size()) == 0;
}

}  // namespace netra::net
