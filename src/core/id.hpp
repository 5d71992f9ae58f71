// Ids: opaque, URL-safe, unguessable identifiers ("usr_3q2-…"), the one way ids are made.
#pragma once

#include <string>
#include <string_view>

namespace netra::core {

// `prefix` + "_" + 22 characters of base64url over 128 random bits from the OS. Thread-safe.
std::string make_id(std::string_view prefix);

}  // namespace netra::core
