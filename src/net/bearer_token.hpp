// bearer_token: the one reading of an `Authorization: Bearer <token>` header (RFC 6750), for HTTP
// routes, the WebSocket handshake and the administrator's token alike.
#pragma once

#include <optional>
#include <string_view>

namespace netra::net {

// The token of a Bearer credential, or nullopt when the header holds none: another scheme, or
// no token. The scheme is matched in any case (RFC 7235); spaces around the token are dropped.
std::optional<std::string_view> bearer_token(std::string_view authorization);

}  // namespace netra::net
