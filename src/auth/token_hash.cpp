#include "auth/token_hash.hpp"

#include <sodium.h>

#include "auth/base64url.hpp"

namespace netra::auth {

std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return base64url_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

}  // namespace netra::auth
