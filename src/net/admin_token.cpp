#include "net/admin_token.hpp"

#include <sodium.h>

#include "net/bearer_token.hpp"

namespace netra::net {

bool AdminToken::admits(const HttpRequest& request) const {
  if (token_.empty()) return false;
  const auto given = bearer_token(request.header("authorization"));
  if (!given || given->size() != token_.size()) return false;
  return sodium_memcmp(given->data(), token_.data(), token_.size()) == 0;
}

}  // namespace netra::net
