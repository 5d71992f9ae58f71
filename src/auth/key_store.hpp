// The keys of a token-issuing service, kept in its key folder:
//   <folder>/jwt-rs256.pem (or jwt-eddsa.pem)  the key that signs, generated on first start
//   <folder>/retired/<kid>.pem                 keys that signed before a rotation: still accepted
//                                              and published, so rotating logs nobody out
// Folder mode 0700, files 0600. An HS256 shared secret, when configured, comes from configuration.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/signing_key.hpp"

namespace netra::auth {

// Loads `folder`/jwt-<alg>.pem, or generates and saves it (then `*generated_in`, when given, is
// how long generating took). Throws std::runtime_error naming the file. Blocking (file I/O, key
// generation): call it at start-up, off the event loops.
SigningKey load_or_create_signing_key(
    const std::string& folder, KeyAlgorithm algorithm,
    std::optional<std::chrono::microseconds>* generated_in = nullptr);

struct KeyRing {
  std::shared_ptr<const SigningKey> signing;  // signs every new token
  // Also accepted: retired keys, and the shared secret when it does not sign.
  std::vector<std::shared_ptr<const SigningKey>> verifying;
  // Set when loading made the signing key (a first start): how long generating it took.
  std::optional<std::chrono::microseconds> generated_in;
  // Every key a verifier should trust: `signing` first.
  std::vector<std::shared_ptr<const SigningKey>> all() const;
};

struct KeyRingOptions {
  std::string folder;
  KeyAlgorithm algorithm = KeyAlgorithm::rs256;
  std::string shared_secret;  // HS256; required when algorithm is hs256, optional otherwise
};

// The signing key (created when missing), the retired keys, and the shared secret. Blocking.
// Throws std::runtime_error naming the file or setting at fault.
KeyRing load_key_ring(const KeyRingOptions& options);

// Whether loading `options`' ring would make its signing key (none saved yet, not HS256) and
// could save it: the folder exists or was made now, and this process may write it. False also
// when the folder cannot be made, so that load_key_ring() reports why. Blocking (stat, mkdir).
bool signing_key_to_be_made(const KeyRingOptions& options);

struct Rotation {
  std::string retired_kid;  // empty when there was no key to retire
  std::string new_kid;
  std::vector<std::string> removed;  // retired keys older than `keep`, deleted
};

// Retires the current signing key of `algorithm` into <folder>/retired/ and creates a new one.
// Retired keys older than `keep` (longer than any token they signed can live) are deleted.
// Running services sign with the new key after their next start. Blocking.
Rotation rotate_signing_key(const std::string& folder, KeyAlgorithm algorithm,
                            std::chrono::seconds keep);

}  // namespace netra::auth
