// token_hash: how a bearer secret we issue (a refresh token, an API key) is stored and looked
// up — SHA-256, base64url. Never the secret itself. A fast hash is right here: these secrets are
// random and long, so there is nothing for a slow password hash to protect against guessing.
#pragma once

#include <string>
#include <string_view>

namespace netra::auth {

std::string token_hash(std::string_view token);

}  // namespace netra::auth
