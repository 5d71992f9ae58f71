// The signing key of a service without a configured one: generated on first start into the data
// folder (file mode 0600, folder 0700) and reused on every start after, so tokens survive restarts.
#pragma once

#include <string>

#include "auth/signing_key.hpp"

namespace netra::auth {

// Loads `folder`/jwt-<alg>.pem, or generates and saves it. Throws std::runtime_error naming the
// file. Blocking (file I/O, key generation): call it at start-up, off the event loops.
SigningKey load_or_create_signing_key(const std::string& folder, KeyAlgorithm algorithm);

}  // namespace netra::auth
