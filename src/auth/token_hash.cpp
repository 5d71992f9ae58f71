#include "auth/token_hash.hpp"

#include <openssl/evp.h>

#include "auth/base64url.hpp"

namespace netra::auth {

std::string token_hash(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  return base64url_encode(std::string_view(reinterpret_cast<char*>(digest), length));
}

}  // namespace netra::auth
