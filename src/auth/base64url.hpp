// base64url without padding (RFC 4648 §5), as JWTs use it. Decoding is strict: any character
// outside the alphabet, padding, or an impossible length is refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace netra::auth {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace netra::auth
